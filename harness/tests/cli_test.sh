#!/usr/bin/env bash
# forkconf end to end: exit statuses, bad input, broken targets, determinism
# and containment (a run killed with SIGKILL leaves nothing behind).
#   cli_test.sh FORKCONF FIXTURES
set -u
forkconf=$1
fixtures=$2
work=$(mktemp -d /tmp/forkconf-cli-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/checks.sh"

# ---- usage and input errors: status 2, a message naming the problem ---------
expect_status "unknown target" 2 "unknown target 'nosuch'" -- \
  "$forkconf" run --target nosuch --cases 1
expect_status "unknown suite" 2 "unknown suite 'nosuch'" -- \
  "$forkconf" run --suite nosuch --cases 1
expect_status "missing executor" 2 "executor not found" -- \
  "$forkconf" --executor /nonexistent/fcp-exec run --cases 1
expect_status "malformed program names line and column" 2 "line 3, column 4: unknown op '_exti'" -- \
  "$forkconf" replay "$fixtures/malformed.fcp"
expect_status "missing program file" 2 "cannot read" -- \
  "$forkconf" replay "$work/nonexistent.fcp"
expect_status "bad option" 2 "" -- "$forkconf" run --cases notanumber

# ---- broken targets: status 3, never a pass ----------------------------------
expect_status "garbage output" 3 "not the wire protocol" -- \
  "$forkconf" replay "$fixtures/ok.fcp" --target "wrap:sh $fixtures/garbage_executor.sh"
expect_status "crashing executor" 3 "executor crashed" -- \
  "$forkconf" replay "$fixtures/ok.fcp" --target "wrap:sh $fixtures/crashing_executor.sh"
expect_status "truncated output" 3 "truncated|ended" -- \
  "$forkconf" replay "$fixtures/ok.fcp" --target "wrap:sh $fixtures/truncating_executor.sh"
expect_status "hanging executor" 3 "executor hung" -- \
  "$forkconf" replay "$fixtures/ok.fcp" --timeout-ms 200 --target "wrap:sh $fixtures/hanging_executor.sh"
expect_status "campaign on a crashing target" 3 "TARGET FAILED" -- \
  "$forkconf" run --cases 3 --suite fork_basics --out "$work/crash-report" --quiet \
  --target "wrap:sh $fixtures/crashing_executor.sh"

# ---- a real run: status 0, reports written ------------------------------------
# (issue 3: counts follow the registered suites, 30 cases each, not a fixed six)
expect_status "replay conforming program" 0 "verdict: conforms" -- \
  "$forkconf" replay "$fixtures/ok.fcp"
expect_status "wrap target passes through" 0 "verdict: conforms" -- \
  "$forkconf" replay "$fixtures/ok.fcp" --target "wrap:env FORKCONF_WRAPPED=1"
expect_status "small campaign" 0 "the target conforms" -- \
  "$forkconf" run --cases 30 --seed 5 --out "$work/report" --quiet
# Every registered suite runs (issue 5: counted from `forkconf list`, not hard-coded).
nsuites=$("$forkconf" list | grep -c '^[^ ]')
if python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['schema_version']==1 and r['totals']['cases']==30*int(sys.argv[2]), r['totals']" "$work/report/report.json" "$nsuites" 2>"$work/err"; then
  pass "report.json is valid and counts every case"
else
  fail "report.json: $(cat "$work/err")"
fi
if python3 -c "import xml.dom.minidom,sys; d=xml.dom.minidom.parse(sys.argv[1]); assert len(d.getElementsByTagName('testcase'))==int(sys.argv[2])" "$work/report/junit.xml" "$nsuites" 2>"$work/err"; then
  pass "junit.xml is valid with one testcase per suite"
else
  fail "junit.xml: $(cat "$work/err")"
fi

# ---- determinism: the same seed generates the same programs -------------------
"$forkconf" generate --suite exit_wait --seed 99 --cases 20 >"$work/gen1"
"$forkconf" generate --suite exit_wait --seed 99 --cases 20 >"$work/gen2"
"$forkconf" generate --suite exit_wait --seed 100 --cases 20 >"$work/gen3"
if cmp -s "$work/gen1" "$work/gen2" && ! cmp -s "$work/gen1" "$work/gen3" && [ -s "$work/gen1" ]; then
  pass "same seed, same programs; another seed, other programs"
else
  fail "generate is not deterministic per seed"
fi

# ---- containment: servers behind a pipeline wrapper all end with the run -----
# Each server's pipes close on exec; if a later server inherited an earlier
# one's stdin, that one would never see EOF and its wrapper would outlive the run.
cp "$fixtures/pipe_wrapper.sh" "$work/pipe_wrapper_marker.sh"
"$forkconf" run --suite fork_basics --cases 20 --jobs 2 --quiet --out "$work/piped" \
  --target "wrap:sh $work/pipe_wrapper_marker.sh" >/dev/null 2>&1
piped=""
for _ in $(seq 1 30); do
  piped=$(ps -eo pid=,args= | grep "$work/pipe_wrapper_marker.sh" | grep -v grep | awk '{print $1}')
  [ -z "$piped" ] && break
  sleep 0.1
done
if [ -z "$piped" ]; then
  pass "a 2-job run through a pipeline wrapper leaves no wrapper behind"
else
  fail "wrapper processes outlived the run: $piped"
fi

# ---- a server's wrapper holds no pipe but its own stdin and stdout --------------
# (a leaked runner pipe keeps another server from ever seeing EOF)
cp "$fixtures/pipe_wrapper.sh" "$work/fd_probe_wrapper.sh"
"$forkconf" run --suite fork_basics --cases 100000 --jobs 2 --quiet --out "$work/fdprobe" \
  --target "wrap:sh $work/fd_probe_wrapper.sh" >/dev/null 2>&1 &
probe_cli=$!
extra=""
seen=0
# Pipes this test itself inherited (from ctest or a shell) are not the runner's.
own_pipes=$(for fd in /proc/$$/fd/*; do readlink "$fd"; done 2>/dev/null | grep '^pipe:' | tr '\n' ' ')
for _ in $(seq 1 50); do
  for pid in $(ps -eo pid=,args= | awk -v w="$work/fd_probe_wrapper.sh" '$3 == w {print $1}'); do
    seen=1
    for fd in /proc/"$pid"/fd/*; do
      n=${fd##*/}
      [ "$n" = 0 ] || [ "$n" = 1 ] && continue
      link=$(readlink "$fd" 2>/dev/null)
      case "$link" in
        pipe:*) case " $own_pipes " in *" $link "*) ;; *) extra="$extra $pid:$n($link)";; esac ;;
      esac
    done
  done
  [ "$seen" = 1 ] && break
  sleep 0.1
done
kill -TERM "$probe_cli" 2>/dev/null; wait "$probe_cli" 2>/dev/null
if [ "$seen" = 1 ] && [ -z "$extra" ]; then
  pass "a server's wrapper holds no runner pipe but its stdin and stdout"
else
  fail "wrapper fds: seen=$seen, extra pipes:$extra"
fi

# ---- containment: SIGKILL the CLI midway, nothing of the run remains ----------
descendants() {  # every descendant pid of $1, by walking /proc/*/task/*/children
  local pid=$1 child
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}
scratch_before=$(ls -d /tmp/forkconf-scratch-* 2>/dev/null | wc -l)
setsid "$forkconf" run --cases 100000 --quiet --out "$work/killed" >/dev/null 2>&1 &
cli=$!
sleep 3
tree=$(descendants "$cli")
if [ -z "$tree" ]; then
  fail "containment: the campaign had no executor processes to observe"
fi
kill -KILL "$cli"
wait "$cli" 2>/dev/null
left=""
for _ in $(seq 1 50); do
  left=""
  for pid in $tree; do
    [ -d /proc/"$pid" ] && left="$left $pid"
  done
  [ -z "$left" ] && break
  sleep 0.1
done
scratch_after=$(ls -d /tmp/forkconf-scratch-* 2>/dev/null | wc -l)
if [ -n "$tree" ] && [ -z "$left" ] && [ "$scratch_after" -le "$scratch_before" ]; then
  pass "SIGKILL midway leaves no process ($(echo $tree | wc -w) were running) and no scratch dir"
else
  fail "after SIGKILL these remain:$left (scratch dirs $scratch_before -> $scratch_after)"
  for pid in $left; do ps -o pid,ppid,stat,comm -p "$pid" | tail -n 1; done
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
