#!/bin/sh
# Smoke tests of fcp-exec: they assert behaviour (pids, values, states,
# exit statuses, cleanup), never golden text.
#
#   sh run_smoke.sh path/to/fcp-exec
#
# The semantic programs run in both modes (pid namespace, and child
# subreaper forced with FCP_EXEC_FORCE_SUBREAPER=1); garbage input and the
# SIGKILL-the-server cleanup checks run too.
set -u
EXE=${1:?usage: run_smoke.sh path/to/fcp-exec}
case $EXE in /*) ;; *) EXE=$(pwd)/$EXE ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fcp-smoke.XXXXXX")
trap 'exec 3>&- 2>/dev/null; rm -rf "$WORK"' EXIT
FAILS=0
TESTS=0

pass() { TESTS=$((TESTS + 1)); echo "ok   - $*"; }
fail() { TESTS=$((TESTS + 1)); FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
# expect DESCRIPTION GOT WANTED
expect() {
  if [ "x$2" = "x$3" ]; then pass "$1"; else fail "$1: got '$2', wanted '$3'"; fi
}
# expect_true DESCRIPTION SHELL-CONDITION...
expect_true() {
  desc=$1
  shift
  if "$@"; then pass "$desc"; else fail "$desc: [$*] is false"; fi
}

# Field of a step's R line: R <step> <state> <ret> <err> <a0> <a1> <a2> <a3> <hex>
r_state() { awk -v s="$2" '$1 == "R" && $2 == s { print $3; exit }' "$1"; }
r_ret() { awk -v s="$2" '$1 == "R" && $2 == s { print $4; exit }' "$1"; }
r_err() { awk -v s="$2" '$1 == "R" && $2 == s { print $5; exit }' "$1"; }
r_aux() { awk -v s="$2" -v n="$3" '$1 == "R" && $2 == s { print $(6 + n); exit }' "$1"; }
r_hex() { awk -v s="$2" '$1 == "R" && $2 == s { print $10; exit }' "$1"; }
a_pid() { awk -v a="$2" '$1 == "A" && $2 == a { print $3; exit }' "$1"; }
h_mode() { awk '$1 == "H" { print $2; exit }' "$1"; }
h_reaper() { awk '$1 == "H" { print $3; exit }' "$1"; }
e_end() { awk '$1 == "E" { print $2; exit }' "$1"; }
e_turn() { awk '$1 == "E" { print $3; exit }' "$1"; }
# Hex (lowercase) to text, for exec reports.
unhex() {
  awk '{
    s = ""; for (i = 1; i < length($0); i += 2) {
      h = substr($0, i, 2); v = index("0123456789abcdef", substr(h, 1, 1)) * 16 - 16
      v += index("0123456789abcdef", substr(h, 2, 1)) - 1; s = s sprintf("%c", v)
    } print s }'
}

TIMEOUT=
if command -v timeout >/dev/null 2>&1; then TIMEOUT="timeout 60"; fi
# run NAME [ENV=VALUE...]: runs tests/NAME.wire, output in $WORK/NAME.out
run() {
  name=$1
  shift
  env "$@" $TIMEOUT "$EXE" run "$HERE/$name.wire" >"$WORK/$name.out" 2>"$WORK/$name.err"
  RC=$?
  OUT=$WORK/$name.out
}

semantic_tests() {
  mode=$1
  shift
  # fork: the child sees 0, the parent the child's pid.
  run fork_identity "$@"
  expect "[$mode] fork_identity: mode" "$(h_mode "$OUT")" "$mode"
  expect "[$mode] fork_identity: exit status 0" "$RC" 0
  p0=$(a_pid "$OUT" 0)
  p1=$(a_pid "$OUT" 1)
  expect_true "[$mode] fork: parent gets a positive pid" [ "${p1:-0}" -gt 0 ]
  expect "[$mode] fork: parent's ret is P1's pid" "$(r_ret "$OUT" 0)" "$p1"
  expect "[$mode] fork: child sees 0" "$(r_aux "$OUT" 0 0)" 0
  expect "[$mode] fork: child reported" "$(r_aux "$OUT" 0 1)" 1
  expect "[$mode] getpid in child is P1" "$(r_ret "$OUT" 1)" "$p1"
  expect "[$mode] getppid in child is P0" "$(r_ret "$OUT" 2)" "$p0"
  expect "[$mode] getpid in parent is P0" "$(r_ret "$OUT" 3)" "$p0"
  expect "[$mode] waitpid returns P1" "$(r_ret "$OUT" 5)" "$p1"
  st=$(r_aux "$OUT" 5 0)
  expect "[$mode] _exit(300): WIFEXITED" "$((st & 127))" 0
  expect "[$mode] _exit(300): WEXITSTATUS is the kernel's cut, 44" "$(((st >> 8) & 255))" 44
  expect "[$mode] fork_identity ends ok" "$(e_end "$OUT")" ok

  # Private vs shared mappings across fork.
  run memory_cow "$@"
  expect "[$mode] private store invisible to parent" "$(r_ret "$OUT" 5)" 0
  expect "[$mode] shared store visible to parent" "$(r_ret "$OUT" 6)" 43
  expect "[$mode] child reads its own private store" "$(r_ret "$OUT" 7)" 42

  # Pipe read blocks until the write, then returns the bytes.
  run pipe_read "$@"
  expect "[$mode] pipe read done" "$(r_state "$OUT" 2)" done
  expect "[$mode] pipe read returns 5" "$(r_ret "$OUT" 2)" 5
  expect "[$mode] pipe read data" "$(r_hex "$OUT" 2)" 68656c6c6f
  expect_true "[$mode] pipe read returned after the write started (a3 >= 3)" \
    [ "$(r_aux "$OUT" 2 3)" -ge 3 ]

  # Exec report: plain pipe fds survive, O_CLOEXEC ones do not.
  run exec_report "$@"
  report=$(r_hex "$OUT" 4 | unhex)
  ino=$(r_aux "$OUT" 0 2)
  expect "[$mode] exec done" "$(r_state "$OUT" 4)" done
  expect_true "[$mode] exec report lists the pipe's read end (3)" \
    sh -c "echo '$report' | tr ';' '\n' | grep -q '^3:$ino:p:0:0:-1\$'"
  expect_true "[$mode] exec report lists the pipe's write end (4)" \
    sh -c "echo '$report' | tr ';' '\n' | grep -q '^4:$ino:p:0:1:-1\$'"
  expect_true "[$mode] exec report omits the O_CLOEXEC pipe (5, 6)" \
    sh -c "! echo '$report' | tr ';' '\n' | grep -q -e '^5:' -e '^6:'"
  expect_true "[$mode] exec report lists f1 at offset 3" \
    sh -c "echo '$report' | tr ';' '\n' | grep -q '^7:[0-9]*:f:0:2:3\$'"
  expect_true "[$mode] exec report lists /dev/null on 0, 1, 2" \
    sh -c "echo '$report' | tr ';' '\n' | grep -c '^[012]:[0-9]*:c:0:2:0\$' | grep -qx 3"
  expect "[$mode] the exec'd image goes on: lseek sees offset 3" "$(r_ret "$OUT" 5)" 3

  # Steps predicted to block forever stay blocked; the program ends ok.
  run blocked_forever "$@"
  expect "[$mode] forever-blocked read reported blocked" "$(r_state "$OUT" 2)" blocked
  expect "[$mode] blocked_forever ends ok" "$(e_end "$OUT")" ok

  # A step that returns after the executor gave up on it is late.
  run late_read "$@"
  expect "[$mode] late read reported late" "$(r_state "$OUT" 2)" late
  expect "[$mode] late read data" "$(r_hex "$OUT" 2)" 78

  # Unpredicted block: the watchdog ends the program.
  run timeout "$@"
  expect "[$mode] unpredicted block ends in timeout" "$(e_end "$OUT")" timeout
  expect "[$mode] timeout turn is the next step not started" "$(e_turn "$OUT")" 2
  expect "[$mode] timeout: server exit status 0" "$RC" 0

  # Reserved descriptors are refused, the server goes on.
  run reserved_fd "$@"
  expect "[$mode] fd 1000 refused" "$(awk '$1 == "E" { print $2; exit }' "$OUT")" error
  expect "[$mode] next program still runs" "$(awk '$1 == "E" { e = $2 } END { print e }' "$OUT")" ok
  expect "[$mode] reserved_fd: exit status 0" "$RC" 0

  # Orphans, waitid, wait4 with and without WNOHANG.
  run waitid_orphan "$@"
  expect "[$mode] orphan's getppid is the reaper" "$(r_ret "$OUT" 3)" "$(h_reaper "$OUT")"
  expect "[$mode] waitid si_pid is P1" "$(r_aux "$OUT" 4 0)" "$(a_pid "$OUT" 1)"
  expect "[$mode] waitid si_code is CLD_EXITED (1)" "$(r_aux "$OUT" 4 1)" 1
  expect "[$mode] waitid si_status is exit(7)'s 7" "$(r_aux "$OUT" 4 2)" 7
  expect "[$mode] wait4 WNOHANG with a running child returns 0" "$(r_ret "$OUT" 6)" 0
  expect "[$mode] wait4 returns P3" "$(r_ret "$OUT" 8)" "$(a_pid "$OUT" 3)"

  # P0 leads the actors' process group.
  run pgrp "$@"
  expect "[$mode] waitid(P_PGID, P0) finds P1" "$(r_aux "$OUT" 2 0)" "$(a_pid "$OUT" 1)"
  expect "[$mode] waitpid(0) reaps P1" "$(r_ret "$OUT" 3)" "$(a_pid "$OUT" 1)"

  # Descriptor ops and abstract flag mapping.
  run fd_ops "$@"
  expect "[$mode] getfl of O_RDWR|O_APPEND is FC rw+append (0x12)" "$(r_ret "$OUT" 1)" 18
  expect "[$mode] getfl after setfl O_NONBLOCK is rw+nonblock (0x42)" "$(r_ret "$OUT" 3)" 66
  expect "[$mode] dup2 returns the new fd" "$(r_ret "$OUT" 4)" 10
  expect "[$mode] dup2's new fd refers to the same inode" "$(r_aux "$OUT" 4 0)" "$(r_aux "$OUT" 0 0)"
  expect "[$mode] getfd after dup2: no FD_CLOEXEC" "$(r_ret "$OUT" 5)" 0
  expect "[$mode] getfd after setfd: FD_CLOEXEC" "$(r_ret "$OUT" 7)" 1
  expect "[$mode] dupfd_cloexec from 20 returns 20" "$(r_ret "$OUT" 8)" 20
  expect "[$mode] second close fails" "$(r_ret "$OUT" 10)" -1
  expect "[$mode] second close: EBADF (9)" "$(r_err "$OUT" 10)" 9
}

semantic_tests pidns
semantic_tests subreaper FCP_EXEC_FORCE_SUBREAPER=1

# ---- pid namespaces (issue 4, pidns): P0 as a namespace's init -----------
run pidns_init
expect "[pidns] pidns_init ends ok" "$(e_end "$OUT")" ok
expect "[pidns] P0's getpid is 1" "$(r_ret "$OUT" 0)" 1
expect "[pidns] P0's getppid is 0 (parent outside)" "$(r_ret "$OUT" 1)" 0
expect "[pidns] P1's getppid is 1" "$(r_ret "$OUT" 3)" 1
expect "[pidns] waitpid returns P1" "$(r_ret "$OUT" 5)" "$(a_pid "$OUT" 1)"
run pidns_init FCP_EXEC_FORCE_SUBREAPER=1
expect "[subreaper] pidns program is an error" "$(e_end "$OUT")" error
expect_true "[subreaper] error names missing pid namespaces" \
  grep -q "pid namespaces unavailable" "$OUT"
expect "[subreaper] no step ran" "$(grep -c '^R ' "$OUT")" 0

# ---- malformed input: E error 0 and exit status 2, never a crash ---------
garbage() {
  desc=$1
  printf '%b' "$2" >"$WORK/garbage.in"
  $TIMEOUT "$EXE" serve <"$WORK/garbage.in" >"$WORK/garbage.out" 2>/dev/null
  rc=$?
  expect "garbage ($desc): exit status 2" "$rc" 2
  expect "garbage ($desc): E error 0" "$(awk 'END { print $1, $2, $3 }' "$WORK/garbage.out")" "E error 0"
}
garbage "not a program" 'hello world\n'
garbage "truncated program" 'PROG x 2 100\nS 0 3 0 0 0 -1 -1 -\n'
garbage "huge timeout" 'PROG x 1 99999999999999999999999\nS 0 3 0 0 0 -1 -1 -\nEND\n'
garbage "huge field" 'PROG x 1 100\nS 0 3 0 0 18446744073709551616 -1 -1 -\nEND\n'
garbage "odd hex" 'PROG x 1 100\nS 0 21 1 0 0 -1 -1 abc\nEND\n'
garbage "NUL byte" 'PROG x 1 100\nS 0 3\0000 0 0 -1 -1 -\nEND\n'
garbage "too many steps" 'PROG x 300 100\n'
garbage "missing END" 'PROG x 1 100\nS 0 3 0 0 0 -1 -1 -\nPROG y 1 100\n'
awk 'BEGIN { s = "PROG "; for (i = 0; i < 5000; i++) s = s "x"; print s }' >"$WORK/long.in"
$TIMEOUT "$EXE" serve <"$WORK/long.in" >/dev/null 2>&1
expect "garbage (5000-byte line): exit status 2" "$?" 2
head -c 65536 /dev/urandom >"$WORK/random.in" 2>/dev/null
$TIMEOUT "$EXE" serve <"$WORK/random.in" >/dev/null 2>&1
expect "garbage (random bytes): exit status 2" "$?" 2

# Semantic errors skip the program (E error) but keep the server going.
printf 'PROG a 1 100\nS 0 999 0 0 0 -1 -1 -\nEND\nPROG b 1 100\nS 5 3 0 0 0 -1 -1 -\nEND\n' \
  >"$WORK/invalid.in"
$TIMEOUT "$EXE" serve <"$WORK/invalid.in" >"$WORK/invalid.out" 2>/dev/null
expect "bad op number / unknown actor: exit status 0" "$?" 0
expect "bad op number / unknown actor: two E error blocks" \
  "$(grep -c '^E error 0 step 0' "$WORK/invalid.out")" 2

# Mutations of a valid program: any exit status but 0 or 2 is a crash.
i=0
crashes=0
while [ $i -lt 40 ]; do
  awk -v seed=$i 'BEGIN { srand(seed) }
    { lines[NR] = $0 } END {
      target = int(rand() * NR) + 1; n = split(lines[target], f, " ")
      k = int(rand() * n) + 1; r = rand()
      if (r < 0.25) f[k] = int(rand() * 4000) - 2000
      else if (r < 0.5) f[k] = "9999999999999999999999"
      else if (r < 0.75) f[k] = "-"
      else f[k] = ""
      s = f[1]; for (j = 2; j <= n; j++) s = s " " f[j]; lines[target] = s
      for (j = 1; j <= NR; j++) print lines[j] }' "$HERE/fork_identity.wire" >"$WORK/mut.in"
  $TIMEOUT "$EXE" serve <"$WORK/mut.in" >/dev/null 2>&1
  rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
    crashes=$((crashes + 1))
    cp "$WORK/mut.in" "$WORK/crash.$i.in"
    echo "# mutation $i: exit status $rc"
  fi
  i=$((i + 1))
done
expect "40 mutated programs: no crash" "$crashes" 0

# ---- SIGKILL of the server: nothing of it may remain ----------------------
# Processes below `pid` (by parent links), from ps.
descendants() {
  ps -eo pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 } END {
      changed = 1; keep[root] = 1
      while (changed) { changed = 0
        for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } }
      for (p in keep) if (p != root) print p }'
}
alive() { # pid alive and not a zombie
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case $st in Z*) return 1 ;; esac
  return 0
}
servers() { ps -eo pid=,args= | awk -v exe="$EXE" '$2 == exe && $3 == "serve" { print $1 }' | sort; }

sigkill_test() {
  label=$1
  shift
  before=$(servers)
  rm -f "$WORK/fifo"
  mkfifo "$WORK/fifo"
  env "$@" "$EXE" serve <"$WORK/fifo" >"$WORK/killed.out" 2>"$WORK/killed.err" &
  server=$!
  exec 3>"$WORK/fifo"
  # P1 blocks in read where the model said it would not: the program runs
  # until its 60 s timeout unless something kills it.
  printf 'PROG killme 5 60000\nS 0 12 0 0 0 -1 -1 -\nS 0 0 0 0 0 1 -1 -\nS 1 20 3 10 0 -1 -1 -\nS 0 3 0 0 0 -1 -1 -\nS 1 3 0 0 0 -1 -1 -\nEND\n' >&3
  tries=0
  kids=
  while [ $tries -lt 50 ]; do
    kids=$(descendants $server)
    [ "$(echo "$kids" | grep -c .)" -ge 3 ] && break
    sleep 0.1
    tries=$((tries + 1))
  done
  expect_true "[$label] server runs reaper + 2 actors before the kill" \
    [ "$(echo "$kids" | grep -c .)" -ge 3 ]
  case $label in *fallback*)
    expect_true "[$label] fallback scratch dir exists while running" \
      [ -d "${TMPDIR:-/tmp}/forkconf-scratch-$server" ] ;;
  esac
  kill -9 $server
  wait $server 2>/dev/null
  exec 3>&-
  left=
  tries=0
  while [ $tries -lt 50 ]; do
    left=
    for p in $kids; do alive "$p" && left="$left $p"; done
    servers >"$WORK/now"
    extra=$(echo "$before" | sort | comm -13 - "$WORK/now")
    [ -z "$left" ] && [ -z "$extra" ] && [ ! -e "/sys/fs/cgroup/pids/forkconf-$server" ] && break
    sleep 0.1
    tries=$((tries + 1))
  done
  expect "[$label] no process of the killed server remains" "$left" ""
  expect "[$label] no janitor/server process remains" "$extra" ""
  expect_true "[$label] no forkconf cgroup remains" [ ! -e "/sys/fs/cgroup/pids/forkconf-$server" ]
  expect_true "[$label] no scratch dir remains" \
    [ ! -e "${TMPDIR:-/tmp}/forkconf-scratch-$server" ]
  expect_true "[$label] no scratch mount on the host" \
    sh -c "! grep -q fcp-scratch /proc/self/mounts"
}
sigkill_test "SIGKILL pidns"
sigkill_test "SIGKILL subreaper+fallback scratch" FCP_EXEC_FORCE_SUBREAPER=1 FCP_EXEC_NO_MOUNTNS=1

echo "# $TESTS checks, $FAILS failed"
[ $FAILS -eq 0 ]
