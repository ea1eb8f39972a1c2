#!/usr/bin/env bash
# Close-on-exec races (issue 5) end to end: `forkconf race` and `fcp-exec race`
# exit statuses, bad input, broken executors, the watchdog.
#   race_cli_test.sh FORKCONF FCP_EXEC FIXTURES
set -u
forkconf=$1
exec_bin=$2
fixtures=$3
work=$(mktemp -d /tmp/forkconf-race-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/checks.sh"

expect_status "unknown race path" 2 "unknown race path 'nosuch'" -- \
  "$forkconf" race --path nosuch
expect_status "file actions need posix_spawn" 2 "no race pair" -- \
  "$forkconf" race --path fa_adddup2 --spawner fork
expect_status "executor: unknown path" 2 "^E error 0 unknown path" -- \
  "$exec_bin" race nosuch fork 1 1 1000
expect_status "executor: atfork needs fork" 2 "atfork paths need the fork spawner" -- \
  "$exec_bin" race atfork_plain spawn 1 1 1000
expect_status "executor: zero trials" 2 "TRIALS must be" -- \
  "$exec_bin" race open_cloexec fork 0 1 1000
expect_status "executor: wrong arity" 2 "usage: fcp-exec race" -- \
  "$exec_bin" race open_cloexec fork
expect_status "executor: one trial reports T and E ok" 0 "^E ok 3" -- \
  "$exec_bin" race pipe2 vfork 3 2 5000
expect_status "executor: watchdog ends a long batch" 0 "^E timeout 0 watchdog fired after 300 ms" -- \
  "$exec_bin" race open_fcntl fork 1000000 2 300
expect_status "pipe2 conforms" 0 "the target conforms" -- \
  "$forkconf" race --path pipe2 --trials 10
expect_status "an executor that prints nothing is a target failure" 3 "output ended without E" -- \
  "$forkconf" --executor "$fixtures/garbage_executor.sh" race --path pipe2 --spawner fork --trials 2
expect_status "a crashing executor is a target failure" 3 "TARGET FAILED" -- \
  "$forkconf" --executor "$fixtures/crashing_executor.sh" race --path pipe2 --spawner fork --trials 2

expect_status "generate refuses a race suite" 2 "runs race trials, not programs" -- \
  "$forkconf" generate --suite cloexec_race --cases 1
expect_status "campaign reports per-pair trials and the racy rate" 0 "cloexec_race: open_fcntl +fork +racy +2 " -- \
  "$forkconf" run --suite cloexec_race --cases 104 --quiet --out "$work/report"
if python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
assert r['schema_version']==1
race=r['suites'][0]['race']
assert len(race)==52 and all(p['trials']==2 for p in race), race
assert all(set(p)>={'path','spawner','kind','trials','leaks','leak_rate','divergent'} for p in race)
" "$work/report/report.json" 2>"$work/err"; then
  pass "report.json has suites[].race per pair"
else
  fail "report.json race field: $(cat "$work/err")"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
