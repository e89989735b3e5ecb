#!/usr/bin/env bash
# A PostgreSQL server that stops in the middle of `ocop import` (issue 5): the import must end
# with a clear error (exit 1, "the connection to the database server was lost", where it
# stopped), nothing it acknowledged may be lost, and once the server is back the same import
# completes to exactly the outcome of an uninterrupted run (compared with SQLite: the same
# report and the same chain head). Done with --batch 1 and --batch 25.
# The test stops and restarts a cluster of its own (pg_ctl stop -m immediate: like a crash),
# so it needs what scripts/with-postgres.sh needs; it runs when OCOP_TEST_POSTGRES is set.
# Usage: postgres_outage_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
PGBIN=/usr/lib/postgresql/15/bin
GEN="$REPO/bench/gen_workload.py"
if [ -z "${OCOP_TEST_POSTGRES:-}" ] || [ "$(id -u)" -ne 0 ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "SKIP: needs OCOP_TEST_POSTGRES, root and PostgreSQL 15 binaries"
  exit 77
fi
WORK=$(mktemp -d /tmp/ocop-outage.XXXXXX)
chown postgres "$WORK"
chmod 700 "$WORK"
pg() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/data" "$@"; }
trap 'pg -m immediate stop >/dev/null 2>&1; rm -rf "$WORK"' EXIT
pass=0
failed=0
source "$(dirname "$0")/lib/asserts.sh"

runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/data" --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 ||
  { echo "FAIL: initdb"; exit 1; }
PORT=""
for attempt in 1 2 3 4 5; do
  P=$((20000 + RANDOM % 12000))
  if pg -w -l "$WORK/server.log" start -o "-c listen_addresses=127.0.0.1 -p $P -k $WORK" >/dev/null 2>&1; then
    PORT=$P
    break
  fi
done
[ -n "$PORT" ] || { echo "FAIL: cannot start a cluster"; tail -5 "$WORK/server.log"; exit 1; }
start() { pg -w -l "$WORK/server.log" start -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK" >/dev/null; }

python3 "$GEN" --dossiers 200 --events "$WORK/events.jsonl" --config "$WORK/bench.yaml" >/dev/null
export OCOP_CONFIG="$WORK/bench.yaml"
TOTAL=$(wc -l <"$WORK/events.jsonl")

# The outcome of an uninterrupted run, on SQLite.
export OCOP_DB="sqlite:$WORK/reference.db"
"$OCOP" init --simulation >/dev/null
"$OCOP" import "$WORK/events.jsonl" >/dev/null
"$OCOP" --json report >"$WORK/report-reference.json"
REF_HEAD=$("$OCOP" --json audit verify | python3 -c "import json,sys; print(json.load(sys.stdin)['head'])")

records() {  # committed audit records (the server must be up)
  psql -qAt "postgresql://postgres@127.0.0.1:$PORT/$1" -c "SELECT COUNT(*) FROM audit"
}

for BATCH in 1 25; do
  DB=ocop_outage_$BATCH
  psql -q "postgresql://postgres@127.0.0.1:$PORT/postgres" -c "CREATE DATABASE $DB" >/dev/null
  export OCOP_DB="postgresql://postgres@127.0.0.1:$PORT/$DB"
  expect 0 "init (batch $BATCH)" -- "$OCOP" init --simulation
  "$OCOP" --json import --batch "$BATCH" "$WORK/events.jsonl" >"$WORK/out-import" 2>"$WORK/err-import" &
  pid=$!
  # Stop the server once the import is well under way.
  for _ in $(seq 1 200); do
    n=$(records "$DB" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 300 ] && break
    sleep 0.05
  done
  pg -m immediate stop >/dev/null
  wait "$pid"
  rc=$?
  cp "$WORK/out-import" "$WORK/out"
  cp "$WORK/err-import" "$WORK/err"
  ok "the import stopped with exit 1 (got $rc, batch $BATCH)" test "$rc" -eq 1
  stderr_has "a clear error: the server is gone" "connection to the database server was lost"
  stderr_has "and where the import stopped" "import stopped at"
  check "the JSON says how many were applied and where it stopped" "out['applied'] > 0 and out['stopped_at_line'] > out['applied'] and out['error']['exit'] == 1"
  ACKED=$(python3 -c "import json; print(json.load(open('$WORK/out'))['applied'])")
  echo "batch $BATCH: the server stopped after $ACKED acknowledged events of $TOTAL"
  ok "the server was stopped before the import ended" test "$ACKED" -lt "$TOTAL"

  start || { echo "FAIL: cannot restart the cluster"; tail -5 "$WORK/server.log"; exit 1; }
  # Nothing acknowledged is lost: at least every acknowledged event is committed (one more
  # batch may be, if the server committed it and then died before answering).
  expect 0 "the chain verifies after the restart" -- "$OCOP" --json audit verify
  check "and holds every acknowledged event" "out['valid'] and out['records'] >= $ACKED"
  expect 0 "the same import, run again, completes" -- "$OCOP" --json import --batch "$BATCH" "$WORK/events.jsonl"
  check "skipping what was committed" "out['skipped'] >= $ACKED and out['applied'] + out['skipped'] == $TOTAL and out['refused'] == 0"
  expect 0 "the chain verifies at the end" -- "$OCOP" --json audit verify
  check "with every record and the reference's head" "out['valid'] and out['records'] == $TOTAL and out['head'] == '$REF_HEAD'"
  "$OCOP" --json report >"$WORK/report-$BATCH.json"
  ok "the outcome is that of an uninterrupted run" cmp -s "$WORK/report-reference.json" "$WORK/report-$BATCH.json"
done

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
