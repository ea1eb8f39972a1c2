#!/usr/bin/env bash
# Targets and the matrix end to end (issue 6): bad target names, a guest
# that cannot boot is a reported target failure with its console tail, and
# `forkconf matrix` runs the same programs in every cell and tabulates them.
#   targets_test.sh FORKCONF
set -u
forkconf=$1
work=$(mktemp -d /tmp/forkconf-targets-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

# ---- names: status 2 and the reason ----------------------------------------
expect_status "unknown target names the known ones" 2 "known: host, wrap:CMD, gvisor, qemu-user:ARCH" -- \
  "$forkconf" run --target nosuch --cases 1
expect_status "unknown qemu-user architecture" 2 "unknown architecture 'sparc'" -- \
  "$forkconf" run --target qemu-user:sparc --cases 1
expect_status "vm without a kernel" 2 "vm: needs a kernel image" -- \
  "$forkconf" run --target vm: --cases 1
expect_status "vm with a missing kernel image" 2 "no kernel image /nonexistent/bzImage" -- \
  "$forkconf" run --target vm:/nonexistent/bzImage --cases 1
expect_status "unknown libc" 2 "libc" -- "$forkconf" run --libc bionic --cases 1
expect_status "a guest needs a static executor" 2 "dynamically linked" -- \
  "$forkconf" run --target vm:/nonexistent/bzImage --libc glibc --cases 1
expect_status "targets lists every kind of target" 0 "qemu-user:aarch64 +(yes|no)" -- \
  "$forkconf" targets
expect_status "matrix with an unknown target" 2 "unknown target 'nosuch'" -- \
  "$forkconf" matrix --targets host,nosuch --cases 1 --out "$work/m0"

# ---- a guest that never reaches the executor is a target failure -----------
if command -v qemu-system-x86_64 >/dev/null; then
  head -c 65536 /dev/urandom >"$work/not-a-kernel"
  expect_status "a kernel that does not boot is a target failure" 3 "" -- \
    env TMPDIR="$work" "$forkconf" run --target "vm:$work/not-a-kernel" --suite exit_wait \
    --cases 1 --jobs 1 --no-shrink --quiet --out "$work/vm"
  if python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
errs = [f.get("target_error", "") for s in r["suites"] for f in s["failures"]]
sys.exit(0 if errs and all("guest ended before the executor started" in e and "console tail" in e for e in errs) else 1)
' "$work/vm/report.json"; then
    pass "the failure names the boot and carries the console tail"
  else
    fail "the failure names the boot and carries the console tail"
    cat "$work/vm/report.json" | head -c 3000
  fi
  if [ -z "$(find "$work" -mindepth 1 -maxdepth 1 -name 'forkconf-*')" ]; then
    pass "the failed guest leaves no initramfs or log behind"
  else
    fail "the failed guest leaves no initramfs or log behind"
  fi
else
  echo "skip: qemu-system-x86_64 not installed (scripts/setup --targets)"
fi

# ---- a guest whose init dies panics: a target failure with the panic -------
if "$forkconf" targets | grep -qE '^uml +yes' && command -v gcc >/dev/null; then
  printf 'int main(void) { return 3; }\n' >"$work/exits.c"
  gcc -static -o "$work/exits" "$work/exits.c"
  expect_status "a guest kernel panic is a target failure" 3 "" -- \
    env TMPDIR="$work" "$forkconf" --executor "$work/exits" run --target uml \
    --suite exit_wait --cases 4 --jobs 1 --no-shrink --quiet --out "$work/uml"
  if python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
errs = [f.get("target_error", "") for s in r["suites"] for f in s["failures"]]
assert errs and all("Kernel panic" in e for e in errs), errs[:1]
assert any("not retried" in e for e in errs), "a guest that never boots is retried forever"
' "$work/uml/report.json"; then
    pass "the panic is in the report, and a guest that never boots is not retried per program"
  else
    fail "the panic is in the report, and a guest that never boots is not retried per program"
  fi
  # A guest that hangs before the executor: reported at the boot deadline.
  printf '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n' >"$work/hangs.c"
  gcc -static -o "$work/hangs" "$work/hangs.c"
  expect_status "a guest that hangs at boot is a target failure" 3 "" -- \
    env TMPDIR="$work" FORKCONF_BOOT_TIMEOUT_MS=2000 "$forkconf" --executor "$work/hangs" run \
    --target uml --suite exit_wait --cases 1 --jobs 1 --no-shrink --quiet --out "$work/hang"
  if grep -q "did not reach the executor within 2000 ms" "$work/hang/report.json"; then
    pass "the hang is named with its deadline"
  else
    fail "the hang is named with its deadline"; head -c 2000 "$work/hang/report.json"
  fi
else
  echo "skip: user-mode-linux not installed (scripts/setup --targets)"
fi

# ---- the matrix: same programs in every cell, one table --------------------
libcs=glibc-static
[ -x "$(dirname "$forkconf")/fcp-exec-musl" ] && libcs=glibc-static,musl
expect_status "matrix on host and wrap:env" 0 "\| fork_basics \| ok \|" -- \
  "$forkconf" matrix --targets host,wrap:env --libcs "$libcs" --suite fork_basics \
  --suite exit_wait --cases 4 --quiet --out "$work/m"
if python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
libcs = sys.argv[2].split(",")
names = [c["name"] for c in m["cells"]]
want = [f"{t} ({l})" for t in ("host", "wrap:env") for l in libcs]
assert names == want, (names, want)
for c in m["cells"]:
    assert set(c["suites"]) == {"fork_basics", "exit_wait"}, c["suites"].keys()
    for s in c["suites"].values():
        assert s["cases"] == 4 and s["divergent"] == 0 and s["target_errors"] == 0, s
assert m["seed"] == 1 and m["cases"] == 4
' "$work/m/matrix.json" "$libcs"; then
  pass "matrix.json has one cell per (target, libc), each with every suite"
else
  fail "matrix.json has one cell per (target, libc), each with every suite"
fi
for cell in "$work"/m/cells/*; do
  [ -f "$cell/report.json" ] || fail "no report.json in $cell"
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
