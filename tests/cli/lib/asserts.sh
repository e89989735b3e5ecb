# Assertions for the CLI end-to-end scripts (sourced; not a test itself). The script sets WORK
# (a scratch directory) and starts the counters `pass` and `failed` at 0.

# expect CODE DESCRIPTION -- COMMAND...: runs the command, checks its exit code; stdout and
# stderr are kept in $WORK/out and $WORK/err for the checks that follow.
expect() {
  local want=$1 what=$2
  shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: exit $got, expected $want"
    echo "  command: $*"
    sed 's/^/  stdout: /' "$WORK/out" | head -5
    sed 's/^/  stderr: /' "$WORK/err" | head -5
  fi
}
# check DESCRIPTION EXPR: EXPR is a python expression over `out` (stdout parsed as JSON).
check() {
  local what=$1 expr=$2
  if python3 -c "import json,sys; out=json.load(open('$WORK/out')); sys.exit(0 if ($expr) else 1)" 2>/dev/null; then
    pass=$((pass + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: $expr"
    head -c 600 "$WORK/out" | sed 's/^/  stdout: /'
  fi
}
# stderr_has DESCRIPTION TEXT: the last command's stderr contains TEXT.
stderr_has() {
  if grep -q -- "$2" "$WORK/err"; then pass=$((pass + 1)); else
    failed=$((failed + 1)); echo "FAIL: $1: stderr lacks '$2'"; sed 's/^/  stderr: /' "$WORK/err" | head -5; fi
}
# ok DESCRIPTION COMMAND...: the command (a test such as `test -f X` or `cmp -s A B`) succeeds.
ok() {
  local what=$1
  shift
  if "$@"; then pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
