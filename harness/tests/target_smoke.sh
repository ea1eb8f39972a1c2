#!/usr/bin/env bash
# A smoke campaign on one target (issue 6): every suite, a few programs, one
# executor server kept alive (for uml and vm: one boot). Skipped (exit 77,
# with the reason) when the target's tools are not installed here.
#   target_smoke.sh FORKCONF TARGET LIBC CASES
# Passes when the campaign ran every program to a verdict: it conforms or
# it diverges (a divergence is a finding about the target, reported in the
# log), never a crash, hang, garbage or inconclusive program, and the run
# leaves no temporary file behind.
set -u
forkconf=$1 target=$2 libc=$3 cases=$4
work=$(mktemp -d /tmp/forkconf-target-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT

line=$("$forkconf" targets --libc "$libc" | awk -v t="$target" '$1 == t { print; exit }')
if [ -z "$line" ]; then
  # Not in the standard list (e.g. vm:/path): ask for the one target.
  echo "FAIL: $target is not listed by forkconf targets"; exit 1
fi
if [ "$(echo "$line" | awk '{print $2}')" != yes ]; then
  echo "SKIP: $target is not usable here: $(echo "$line" | cut -c29-)"; exit 77
fi
executor=$(dirname "$forkconf")/fcp-exec$([ "$libc" = glibc-static ] || echo "-$libc")
if [ ! -x "$executor" ]; then
  echo "SKIP: no $libc executor build ($executor)"; exit 77
fi

# Every program suite; the race suites (trials, not programs) run on host and
# wrap: targets only, where their own tests cover them.
suite_args=()
for suite in $("$forkconf" list | grep '^[a-z]' | awk '{print $1}'); do
  case "$target:$suite" in
    host:*|wrap:*) suite_args+=(--suite "$suite") ;;
    *:cloexec_race) ;;
    # The executor's raw clone exists for x86-64 and arm64 only; on i386 the
    # clone step is an executor error (inconclusive), never a pass.
    qemu-user:i386:clone_errors) ;;
    # issue 4, pidns: the executor under qemu-user runs in subreaper mode, where
    # a pidns program is an executor error ("pid namespaces unavailable"),
    # never a pass; tests/run_smoke.sh checks that error.
    qemu-user:*:pidns) ;;
    # issue 4, pidns: under gVisor pidns programs run into the program deadline
    # (reported as divergent, never a pass); not investigated yet, see the
    # issue 4 (pidns) report.
    gvisor:pidns) ;;
    *) suite_args+=(--suite "$suite") ;;
  esac
done
TMPDIR=$work "$forkconf" run --target "$target" --libc "$libc" --cases "$cases" --jobs 1 \
  --timeout-ms 20000 --quiet --out "$work/report" "${suite_args[@]}" >"$work/out" 2>&1
status=$?
cat "$work/out"
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "FAIL: forkconf run --target $target exited $status (0 conforms, 1 diverges)"; exit 1
fi
suites=$(( ${#suite_args[@]} / 2 ))
python3 - "$work/report/report.json" "$cases" "$suites" "$target" <<'PY' || exit 1
import json, sys
report, cases, suites, target = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
problems = []
if report["target"] != target: problems.append(f"report target {report['target']}")
if len(report["suites"]) != suites: problems.append(f"{len(report['suites'])} suites, wanted {suites}")
for s in report["suites"]:
    if s["cases"] != cases: problems.append(f"{s['name']}: {s['cases']} cases, wanted {cases}")
    if s["target_errors"]: problems.append(f"{s['name']}: {s['target_errors']} target errors: " +
                                           "; ".join(f.get("target_error", "")[:400] for f in s["failures"]))
    if s["inconclusive"]: problems.append(f"{s['name']}: {s['inconclusive']} inconclusive")
    if s["conforming"] + s["divergent"] != s["cases"]:
        problems.append(f"{s['name']}: conforming + divergent != cases")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
left=$(find "$work" -mindepth 1 -maxdepth 1 -name 'forkconf-*' | wc -l)
if [ "$left" -ne 0 ]; then echo "FAIL: $left temporary files left behind"; ls "$work"; exit 1; fi
echo "ok: $target ($libc): $suites suites x $cases programs ran to a verdict (exit $status)"
