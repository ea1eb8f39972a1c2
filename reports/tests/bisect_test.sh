#!/usr/bin/env bash
# `git bisect run forkconf check` finds the commit that broke a target:
#   bisect_test.sh FORKCONF ROOT
# A throwaway repository stands in for a kernel or libc tree. Its shim.sh is
# the target (wrap:sh REPO/shim.sh): it runs the executor as it is, or through
# fixtures/exit_off_by_one.sh (every _exit(n) leaves n + 1) when kernel.conf
# says exit_status_bug=1, or fails to start when the tree is broken. The
# history: 1-3 good, 4 does not build (shim cannot start: `forkconf check`
# exits 125 and bisect skips it), 5 good, 6 introduces the bug, 7-8 keep it.
# Bisect must name 6.
set -u
forkconf=$1
root=$2
fixture=$root/reports/tests/fixtures/exit_off_by_one.sh
repo=$(mktemp -d /tmp/forkconf-bisect-test.XXXXXX)
trap 'rm -rf "$repo"' EXIT
cd "$repo" || exit 1
git init -q .
git config user.name "forkconf test"
git config user.email "test@forkconf.invalid"
git config commit.gpgsign false

cat >prog.fcp <<'EOF'
# guards posix:_exit:STATUS:1 "the status ... low-order 8 bits ... available to a waiting parent"
P0 fork -> P1
P1 _exit 300
P0 waitpid P1 0
EOF
cat >shim.sh <<EOF
#!/bin/sh
# The target: this tree's "kernel" (see kernel.conf).
here=\$(cd "\$(dirname "\$0")" && pwd)
. "\$here/kernel.conf"
if [ "\${broken_build:-0}" = 1 ]; then echo "shim: this revision does not build" >&2; exit 2; fi
if [ "\${exit_status_bug:-0}" = 1 ]; then exec sh "$fixture" "\$@"; fi
exec "\$@"
EOF
commit() {  # commit MESSAGE CONF-LINES
  printf '%s\n' "$2" >kernel.conf
  git add -A && git commit -qm "$1"
  git rev-parse HEAD
}
c1=$(commit "1: initial tree" "exit_status_bug=0")
c2=$(commit "2: tidy the scheduler" "exit_status_bug=0
# tidied")
c3=$(commit "3: documentation" "exit_status_bug=0
# documented")
c4=$(commit "4: half-done refactor (does not build)" "exit_status_bug=0
broken_build=1")
c5=$(commit "5: finish the refactor" "exit_status_bug=0
# refactored")
c6=$(commit "6: faster exit path" "exit_status_bug=1")
c7=$(commit "7: more cleanups" "exit_status_bug=1
# cleaned")
c8=$(commit "8: release" "exit_status_bug=1
# released")

git bisect start "$c8" "$c1" >/dev/null
git bisect run "$forkconf" check prog.fcp --target "wrap:sh $repo/shim.sh" >"$repo/.bisect.out" 2>&1
status=$?
cat "$repo/.bisect.out"
echo
echo "---- git bisect log"
git bisect log | tee "$repo/.bisect.log"
git bisect reset >/dev/null 2>&1
# Named commit 6, and skipped (exit 125) the one that could not be tested.
if [ "$status" -eq 0 ] && grep -q "^$c6 is the first bad commit" "$repo/.bisect.out" &&
   grep -q "^# skip: \[$c4\]" "$repo/.bisect.log"; then
  echo "1 passed, 0 failed"
  exit 0
fi
echo "FAIL: bisect did not name commit 6 ($c6) after skipping 4 ($c4) (git bisect run exit $status)"
echo "0 passed, 1 failed"
exit 1
