#!/usr/bin/env bash
# Crash safety of `ocop import` (issue 5): a generated workload is imported once without
# interruption (the reference), and once more while `ocop import` is killed with SIGKILL at
# random points of its progress (up to KILLS times, alternating --batch 1 and --batch 40) and then run again on the
# same file until it completes. Both databases must end exactly alike: the same dossiers
# (state, version, stars, certificate), the same certificates, and the same audit trail record
# for record, hashes included (event times come from the file on a simulation database, so the
# chain is deterministic); `ocop audit verify` exits 0.
# Runs on SQLite and, as cli_crash_test_postgresql, on PostgreSQL.
# Usage: crash_test.sh PATH/TO/ocop REPO_DIR [DOSSIERS KILLS]
set -uo pipefail
OCOP=$1
REPO=$2
DOSSIERS=${3:-600}  # enough events that several kills land mid-run however fast the import is
KILLS=${4:-5}
GEN="$REPO/bench/gen_workload.py"
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
pass=0
failed=0
source "$(dirname "$0")/lib/asserts.sh"

python3 "$GEN" --dossiers "$DOSSIERS" --events "$WORK/events.jsonl" --config "$WORK/bench.yaml" >/dev/null
export OCOP_CONFIG="$WORK/bench.yaml"
TOTAL=$(wc -l <"$WORK/events.jsonl")

REF=$(new_db reference)
CRASH=$(new_db crashed)
expect 0 "init the reference" -- "$OCOP" --db "$REF" init --simulation
expect 0 "import without interruption" -- "$OCOP" --db "$REF" --json import "$WORK/events.jsonl"
check "all applied" "out['applied'] == $TOTAL and out['refused'] == 0"

expect 0 "init the database to crash" -- "$OCOP" --db "$CRASH" init --simulation
records() { "$OCOP" --db "$CRASH" --json audit verify 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)['records'])"; }
committed() { db_sql "$CRASH" "SELECT count(*) FROM audit" 2>/dev/null || echo 0; }
killed=0
tries=0
DONE=0
while [ "$killed" -lt "$KILLS" ] && [ "$tries" -lt $((3 * KILLS)) ]; do
  tries=$((tries + 1))
  BATCH=$([ $((tries % 2)) -eq 0 ] && echo 40 || echo 1)
  # A random point of the run: the k-th kill lands somewhere in the k-th of KILLS equal slices of
  # the first 85 % of the records (so that each kill finds the import still running, however far
  # the previous one overshot), and the import is killed at whatever it is doing then
  # (mid-transaction, mid-commit, between two). Progress rather than a time guess: how fast an
  # import runs depends on the machine's load.
  TARGET=$(python3 -c "import random; print(max($DONE + 1, int($TOTAL * 0.85 * ($killed + random.uniform(0.1, 0.9)) / $KILLS)))")
  "$OCOP" --db "$CRASH" import --batch "$BATCH" "$WORK/events.jsonl" >/dev/null 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && [ "$(committed)" -lt "$TARGET" ]; do sleep 0.0$((RANDOM % 5 + 1)); done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  DONE=$(records)
  [ "$DONE" -ge "$TOTAL" ] || killed=$((killed + 1))  # a kill that came after the end is none
  echo "run $tries (--batch $BATCH, kill at >= $TARGET): $DONE of $TOTAL records committed"
  # A killed import leaves a consistent database: the chain verifies at every kill point.
  expect 0 "the chain verifies after run $tries" -- "$OCOP" --db "$CRASH" audit verify
  [ "$(records)" -lt "$TOTAL" ] || break  # finished before it was killed
done
ok "imports were killed mid-run at several random moments (killed: $killed)" test "$killed" -ge 3
expect 0 "the import run again to its end" -- "$OCOP" --db "$CRASH" --json import "$WORK/events.jsonl"
check "applies the rest and skips what was applied" "out['applied'] + out['skipped'] == $TOTAL and out['refused'] == 0 and out['skipped'] > 0"

expect 0 "the crashed database verifies" -- "$OCOP" --db "$CRASH" --json audit verify
check "with every record" "out['valid'] and out['records'] == $TOTAL"
HEAD_CRASH=$(python3 -c "import json; print(json.load(open('$WORK/out'))['head'])")
expect 0 "the reference verifies" -- "$OCOP" --db "$REF" --json audit verify
check "with the same head hash" "out['head'] == '$HEAD_CRASH'"

for DB in REF CRASH; do
  URL=${!DB}
  db_sql "$URL" "SELECT id, state, version, stars, certificate FROM dossiers ORDER BY id" >"$WORK/dossiers-$DB.txt"
  db_sql "$URL" "SELECT id, dossier, stars, state, superseded_by FROM certificates ORDER BY id" >"$WORK/certificates-$DB.txt"
  "$OCOP" --db "$URL" audit export --format jsonl >"$WORK/audit-$DB.jsonl"
done
ok "the same dossiers" cmp -s "$WORK/dossiers-REF.txt" "$WORK/dossiers-CRASH.txt"
ok "the same certificates" cmp -s "$WORK/certificates-REF.txt" "$WORK/certificates-CRASH.txt"
ok "the same audit trail, record for record" cmp -s "$WORK/audit-REF.jsonl" "$WORK/audit-CRASH.jsonl"
ok "and it is not empty" test "$(wc -l <"$WORK/audit-CRASH.jsonl")" -eq "$TOTAL"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
