# Shared by the shell end-to-end tests (sourced): pass/fail counters and
# expect_status. The sourcing script sets $work (its temporary directory) and
# ends with: echo "$passes passed, $failures failed"; [ "$failures" -eq 0 ]
failures=0
passes=0
pass() { passes=$((passes + 1)); echo "ok: $1"; }
fail() { failures=$((failures + 1)); echo "FAIL: $1"; }

# expect_status NAME WANT OUTPUT_PATTERN -- COMMAND...
expect_status() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$work/out" 2>&1
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$name: exit status $got, wanted $want"; sed 's/^/    /' "$work/out" | tail -n 20; return
  fi
  if [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$work/out"; then
    fail "$name: output lacks /$pattern/"; sed 's/^/    /' "$work/out" | tail -n 20; return
  fi
  pass "$name"
}
