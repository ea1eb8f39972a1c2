#!/usr/bin/env bash
# Reports for people and CI, end to end through the CLI (issue 7):
#   reports_cli_test.sh FORKCONF ROOT OUTDIR
# Real divergences come from a target that breaks _exit
# (fixtures/exit_off_by_one.sh: every _exit(n) leaves status n + 1). The HTML
# report is loaded in Debian's headless Chromium: DOM assertions on the page
# after its script ran, and a screenshot kept as OUTDIR/html-report.png.
set -u
forkconf=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$2
outdir=$3
here=$root/reports/tests
schema=$root/reports/SCHEMA.md
mkdir -p "$outdir"
work=$(mktemp -d /tmp/forkconf-reports-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/../../harness/tests/checks.sh"
# check NAME -- COMMAND...: passes when COMMAND exits 0 (its output shown on failure)
check() {
  local name=$1
  shift 2
  if "$@" >"$work/out" 2>&1; then pass "$name"; else
    fail "$name"; sed 's/^/    /' "$work/out" | tail -n 25; fi
}

buggy="wrap:sh $here/fixtures/exit_off_by_one.sh"

# ---- two runs: a target with a planted bug, and the host ---------------------
expect_status "run on the broken target finds divergences" 1 "DIVERGENCES found" -- \
  "$forkconf" run --suite exit_wait --suite fork_basics --cases 60 --seed 3 --jobs 2 \
  --target "$buggy" --out "$work/buggy" --quiet
expect_status "run on the host conforms" 0 "the target conforms" -- \
  "$forkconf" run --suite exit_wait --suite fork_basics --suite memory_cow --cases 40 --seed 3 \
  --out "$work/host" --quiet
for f in report.json report.html junit.xml summary.md; do
  [ -s "$work/buggy/$f" ] && [ -s "$work/host/$f" ] && pass "run writes $f" || fail "run did not write $f"
done

# ---- report.json against the documented schema --------------------------------
check "host report.json matches reports/SCHEMA.md" -- \
  python3 "$here/validate_schema.py" "$schema" "$work/host/report.json"
check "broken-target report.json (with steps and reproducers) matches reports/SCHEMA.md" -- \
  python3 "$here/validate_schema.py" "$schema" "$work/buggy/report.json"
check "every failure carries its steps, every shrunk one a C reproducer" -- python3 - "$work/buggy/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
fs = [f for s in r["suites"] for f in s["failures"]]
assert fs, "no failures in the broken target's report"
assert any(not f["shrunk"] for f in fs), "want unshrunk failures too (more cases)"
for f in fs:
    if f["shrunk"]:
        assert "reproducer" in f, f.get("reproducer_error")
    assert ("reproducer" in f) != ("reproducer_error" in f)
    assert "int main" in f.get("reproducer", "int main")
    assert any(st["diverges"] for st in f["steps"]), f["steps"]
    assert [st["text"] for st in f["steps"]] == [l for l in f["program"].splitlines() if l and not l.startswith("#")]
EOF
# The replay and rerun commands of a failure, run as printed, diverge again.
first=$(python3 -c "import json,sys; f=[f for s in json.load(open(sys.argv[1]))['suites'] for f in s['failures']][0]; print(f['replay'][len('forkconf '):]); print(f['rerun'][len('forkconf '):])" "$work/buggy/report.json")
replay_args=$(echo "$first" | sed -n 1p)
rerun_args=$(echo "$first" | sed -n 2p)
expect_status "the failure's replay command, as printed, diverges again" 1 "verdict: DIVERGES" -- \
  bash -c "cd '$work/buggy' && '$forkconf' $replay_args"
expect_status "the failure's rerun command, as printed, diverges again" 1 "DIVERGENCES found" -- \
  bash -c "cd '$work' && '$forkconf' $rerun_args --quiet --no-shrink --out '$work/rerun'"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['undocumented']=1; json.dump(d,open(sys.argv[2],'w'))" \
  "$work/host/report.json" "$work/tampered.json"
expect_status "the schema check rejects an undocumented field" 1 "undocumented: field not documented" -- \
  python3 "$here/validate_schema.py" "$schema" "$work/tampered.json"

# ---- JUnit: a testcase per property per target ----------------------------------
expect_status "forkconf report writes HTML, JUnit and Markdown" 0 "wrote .*junit.xml" -- \
  "$forkconf" report --html "$work/combined.html" --junit "$work/junit.xml" \
  --markdown "$work/summary.md" "$work/host/report.json" "$work/buggy/report.json"
check "junit.xml: one testcase per suite per target, failures where the report diverges" -- \
  python3 - "$work/junit.xml" "$work/host/report.json" "$work/buggy/report.json" <<'EOF'
import json, sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
reports = [json.load(open(p)) for p in sys.argv[2:]]
cases = {(c.getAttribute("classname"), c.getAttribute("name")): c
         for c in doc.getElementsByTagName("testcase")}
want = {("forkconf." + r["target"], s["name"]): s for r in reports for s in r["suites"]}
assert set(cases) == set(want), (sorted(cases), sorted(want))
for key, suite in want.items():
    failed = cases[key].getElementsByTagName("failure")
    assert bool(failed) == (suite["divergent"] > 0), key
    for f in suite["failures"]:
        assert f["signature"] in failed[0].firstChild.data, (key, f["signature"])
top = doc.documentElement
assert int(top.getAttribute("tests")) == len(want)
assert int(top.getAttribute("failures")) == sum(s["divergent"] > 0 for s in want.values())
assert len(doc.getElementsByTagName("testsuite")) == len(reports)
EOF

# ---- Markdown summary ---------------------------------------------------------------
check "summary.md: a row per suite and every failure's signature and replay command" -- \
  python3 - "$work/buggy/summary.md" "$work/buggy/report.json" <<'EOF'
import json, sys
md, r = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
for s in r["suites"]:
    assert f"| {s['name']} | {s['cases']} | {s['divergent']} |" in md, s["name"]
    for f in s["failures"]:
        assert f"`{f['signature']}`" in md and f["replay"] in md, f["signature"]
EOF

# ---- baselines --------------------------------------------------------------------------
expect_status "forkconf baseline writes one from a run" 0 "known divergences for target wrap:" -- \
  "$forkconf" baseline --from "$work/buggy/report.json" --out "$work/baseline.json"
check "baseline.json matches reports/SCHEMA.md" -- \
  python3 "$here/validate_schema.py" "$schema" "$work/baseline.json"
expect_status "a run with only known divergences passes the gate" 0 "only known divergences" -- \
  "$forkconf" run --suite exit_wait --suite fork_basics --cases 60 --seed 3 --target "$buggy" \
  --out "$work/gate1" --quiet --baseline "$work/baseline.json"
grep -q "baseline: 0 new" "$work/out" && pass "the gate counts 0 new" || fail "the gate does not say 0 new"
# Drop one known signature: the gate fails and names it as new.
dropped=$(python3 - "$work/baseline.json" "$work/partial.json" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
(target, entries), = b["targets"].items()
dropped = entries.pop(0)["signature"]
json.dump(b, open(sys.argv[2], "w"))
print(dropped)
EOF
)
expect_status "a divergence the baseline does not know fails the gate" 1 "new: $dropped" -- \
  "$forkconf" run --suite exit_wait --suite fork_basics --cases 60 --seed 3 --target "$buggy" \
  --out "$work/gate2" --quiet --baseline "$work/partial.json"
grep -qF -- "- new: \`$dropped\`" "$work/gate2/summary.md" && pass "summary.md lists the new divergence" ||
  fail "summary.md does not list the new divergence $dropped"
# A known signature that no longer occurs is listed as gone; the gate passes.
python3 - "$work/baseline.json" "$work/extra.json" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
(target, entries), = b["targets"].items()
entries.append({"signature": "exit_wait/mismatch:getppid[ret]", "example": "", "summary": ""})
json.dump(b, open(sys.argv[2], "w"))
EOF
expect_status "a known divergence that went away is listed as gone" 0 "gone: exit_wait/mismatch:getppid\[ret\]" -- \
  "$forkconf" run --suite exit_wait --suite fork_basics --cases 60 --seed 3 --target "$buggy" \
  --out "$work/gate3" --quiet --baseline "$work/extra.json"
expect_status "baselines are per target: the host gate ignores the broken target's entries" 0 "the target conforms" -- \
  "$forkconf" run --suite exit_wait --cases 20 --out "$work/gate4" --quiet --baseline "$work/baseline.json"
expect_status "a file that is not a baseline is a usage error" 2 "not a forkconf baseline" -- \
  "$forkconf" run --cases 1 --quiet --out "$work/gate5" --baseline "$work/host/report.json"

# ---- diff between two runs ------------------------------------------------------------------
nsig=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(len({s['name']+'/'+f['signature'] for s in r['suites'] for f in s['failures']}))" "$work/buggy/report.json")
expect_status "diff host -> broken: every divergence is new (exit 1)" 1 ": $nsig new, 0 fixed, 0 unchanged" -- \
  "$forkconf" diff "$work/host/report.json" "$work/buggy/report.json"
expect_status "diff broken -> host: every divergence is fixed (exit 0)" 0 ": 0 new, $nsig fixed, 0 unchanged" -- \
  "$forkconf" diff "$work/buggy/report.json" "$work/host/report.json"
expect_status "diff of a run with itself: all unchanged" 0 ": 0 new, 0 fixed, $nsig unchanged" -- \
  "$forkconf" diff "$work/buggy/report.json" "$work/gate1/report.json"
echo '{"schema":"forkconf-report","schema_version":99}' >"$work/v99.json"
expect_status "diff refuses an unknown schema version" 2 "unsupported report schema_version 99" -- \
  "$forkconf" diff "$work/v99.json" "$work/host/report.json"

# ---- C reproducers: gcc and musl-gcc, run on the host -----------------------------------------
expect_status "forkconf repro writes a C file" 0 "wrote" -- \
  "$forkconf" repro "$root/suites/corpus/exit_status_low_8_bits.fcp" -o "$work/repro.c"
for cc in "gcc -O2" "musl-gcc -static -O2"; do
  name=$(echo "$cc" | cut -d' ' -f1)
  if $cc -o "$work/repro-$name" "$work/repro.c" >"$work/cc.out" 2>&1; then
    expect_status "reproducer built with $name exits 0 on the conforming host" 0 "" -- \
      "$work/repro-$name"
  else
    fail "$cc cannot build the reproducer"; head -n 20 "$work/cc.out"
  fi
done
# The broken target's divergence, as a C program: the host kernel behaves, so 0.
first_div=$(ls "$work/buggy/divergences/"*.fcp | head -n 1)
"$forkconf" repro "$first_div" -o "$work/div.c" 2>/dev/null
gcc -O2 -o "$work/div" "$work/div.c" 2>"$work/cc.out" || { fail "divergence reproducer does not build"; cat "$work/cc.out"; }
expect_status "a divergence's reproducer exits 0 on a kernel without the bug" 0 "" -- "$work/div"
expect_status "repro of a malformed program is a usage error" 2 "unknown op" -- \
  "$forkconf" repro "$root/harness/tests/fixtures/malformed.fcp"

# ---- check: git bisect run exit codes ------------------------------------------------------------
prog=$root/suites/corpus/exit_status_low_8_bits.fcp
expect_status "check: good on the host (0)" 0 "verdict: conforms" -- "$forkconf" check "$prog"
expect_status "check: bad on the broken target (1)" 1 "verdict: DIVERGES" -- \
  "$forkconf" check "$prog" --target "$buggy"
expect_status "check: a target that cannot start cannot test (125)" 125 "command not found" -- \
  "$forkconf" check "$prog" --target "wrap:/nonexistent/shim"
expect_status "check: a crashing target cannot test (125)" 125 "cannot test this revision" -- \
  "$forkconf" check "$prog" --target "wrap:sh $root/harness/tests/fixtures/crashing_executor.sh"
expect_status "check: a malformed program aborts the bisection (128)" 128 "aborting" -- \
  "$forkconf" check "$root/harness/tests/fixtures/malformed.fcp"

# ---- progress: plain lines in logs, a live line on a terminal --------------------------------------
"$forkconf" run --suite exit_wait --cases 50 --out "$work/p1" >/dev/null 2>"$work/progress"
if grep -qE '^progress: exit_wait 50/50 cases, all 50/50, 0 divergent, [0-9]+ programs/s, ~[0-9]+s left$' "$work/progress" &&
   [ "$(grep -c '^progress: exit_wait' "$work/progress")" -ge 10 ] && ! grep -q $'\r' "$work/progress"; then
  pass "not a terminal: a plain progress line per 10% (cases, rate, divergences, time left)"
else
  fail "plain progress lines"; cat "$work/progress"
fi
script -qec "'$forkconf' run --suite exit_wait --cases 50 --target '$buggy' --out '$work/p2' >/dev/null" \
  "$work/typescript" >/dev/null 2>&1
if grep -q $'\r\033\[K' "$work/typescript" && grep -qE 'prog/s +divergent [1-9][0-9]* +~[0-9]+s left' "$work/typescript"; then
  pass "on a terminal: one live line (cases, rate, divergences so far, time left)"
else
  fail "terminal progress line"; cat -v "$work/typescript" | tail -n 5
fi

# ---- the HTML report in headless Chromium --------------------------------------------------------------
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  fail "chromium is not installed (scripts/setup installs it): cannot test the HTML report"
else
  browse() {  # browse PROFILE-DIR ARGS... (a fresh profile, no network services)
    local profile=$1; shift
    timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --no-first-run --disable-extensions \
      --user-data-dir="$profile" "$@"
  }
  browse "$work/chrome1" --virtual-time-budget=3000 --dump-dom "file://$work/combined.html" \
    >"$work/dom.html" 2>"$work/chrome.err"
  check "the page in Chromium: verdict, suites x targets matrix, divergences with steps, commands and C" -- \
    python3 - "$work/dom.html" "$work/host/report.json" "$work/buggy/report.json" <<'EOF'
import json, sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    """Elements with their attributes and text (a flat list with parents)."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.stack = [], []
    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self.stack)}
        self.elements.append(el)
        if tag not in ("br", "meta", "input", "col", "img", "link"):
            self.stack.append(el)
    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break
    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data

dom = Dom()
dom.feed(open(sys.argv[1]).read())
reports = [json.load(open(p)) for p in sys.argv[2:]]
els = dom.elements
def find(tag, **attrs):
    return [e for e in els if e["tag"] == tag and all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items())]
def cls(e):
    return e["attrs"].get("class", "").split()

body = find("body")[0]
assert body["attrs"].get("data-js") == "ready", "the inline script did not run"
assert find("div", id="verdict")[0]["attrs"]["data-status"] == "fail"
# No resource outside the file.
for e in els:
    for k in ("src", "href"):
        v = e["attrs"].get(k)
        assert v is None or v.startswith("#"), (e["tag"], k, v)
# The matrix: a cell per suite x target, its status from the JSON.
targets = [r["target"] for r in reports]
suites = sorted({s["name"] for r in reports for s in r["suites"]})
cells = {(c["attrs"]["data-suite"], c["attrs"]["data-target"]): c
         for c in els if c["tag"] == "td" and "cell" in cls(c)}
assert set(cells) == {(s, t) for s in suites for t in targets}, sorted(cells)
for r in reports:
    ran = {s["name"]: s for s in r["suites"]}
    for name in suites:
        status = cells[(name, r["target"])]["attrs"]["data-status"]
        if name not in ran:
            assert status == "absent", (name, r["target"], status)
        else:
            s = ran[name]
            want = "fail" if s["divergent"] else "error" if s["target_errors"] + s["inconclusive"] else "pass"
            assert status == want, (name, r["target"], status, want)
            assert str(s["cases"]) in cells[(name, r["target"])]["text"]
# One article per failure: signature, seed, replay command, step table, C.
articles = [e for e in els if e["tag"] == "article" and "divergence" in cls(e)]
failures = [(r, s, f) for r in reports for s in r["suites"] for f in s["failures"]]
assert len(articles) == len(failures) > 0, (len(articles), len(failures))
for art, (r, s, f) in zip(articles, failures):
    a = art["attrs"]
    assert (a["data-suite"], a["data-target"], a["data-signature"]) == (s["name"], r["target"], f["signature"])
    inside = [e for e in els if art in e["parents"]]
    assert any(e["tag"] == "dd" and e["text"] == str(f["case_seed"]) for e in inside), "case seed"
    codes = [e["text"] for e in inside if e["tag"] == "code"]
    assert f["replay"] in codes and f["rerun"] in codes, codes
    rows = [e for e in inside if e["tag"] == "tr" and "step" in cls(e)]
    assert len(rows) == len(f["steps"])
    for row, step in zip(rows, f["steps"]):
        assert ("diverges" in cls(row)) == step["diverges"]
        tds = [e for e in inside if e["tag"] == "td" and row in e["parents"]]
        assert tds[1]["text"] == step["text"] and tds[3]["text"] == (step["observed"] or "\u2014")
        assert tds[2]["text"] == "".join(step["expected"]) or not step["expected"]
    pre = [e for e in inside if e["tag"] == "pre" and "reproducer" in cls(e)]
    if "reproducer" in f:
        assert pre and pre[0]["text"] == f["reproducer"], "C reproducer text differs from report.json"
    else:
        assert not pre and f["reproducer_error"] in art["text"]
print(f"{len(cells)} matrix cells, {len(articles)} divergences checked")
EOF
  browse "$work/chrome2" --hide-scrollbars --window-size=1400,1800 \
    --screenshot="$outdir/html-report.png" "file://$work/combined.html" >/dev/null 2>"$work/chrome.err"
  cp "$work/combined.html" "$outdir/html-report.html"
  check "the screenshot is a 1400x1800 PNG with content (kept as $outdir/html-report.png)" -- \
    python3 - "$outdir/html-report.png" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1400, 1800), (w, h)
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw)) > 64, "the page looks blank"
EOF
  ps -eo pid,args | grep -F -- "$work/chrome" | grep -v grep && fail "chromium left processes behind" ||
    pass "chromium left no process behind"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
