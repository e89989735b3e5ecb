#!/usr/bin/env bash
# Imports a generated workload (../shared/bench/gen_workload.py, 1,000 dossiers) with --batch 1
# and --batch 500 and checks that nothing is refused, that both databases end the same (states and
# every audit record's hash), and that the audit chain verifies. The full 10,000-dossier run is bench/run.sh.
# Usage: workload_test.sh PATH/TO/ocop REPO_DIR
set -euo pipefail
OCOP=$1
REPO=$2
GEN="$REPO/../shared/bench/gen_workload.py"
if [ ! -f "$GEN" ]; then
  echo "SKIP: $GEN not found"
  exit 77
fi
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
python3 "$GEN" --dossiers 1000 --events "$WORK/events.jsonl" --config "$WORK/bench.yaml" >/dev/null
export OCOP_CONFIG="$WORK/bench.yaml"
EVENTS=$(wc -l <"$WORK/events.jsonl")
for BATCH in 1 500; do
  export OCOP_DB=$(new_db "b$BATCH")
  "$OCOP" init --simulation >/dev/null
  "$OCOP" --json import --batch "$BATCH" "$WORK/events.jsonl" >"$WORK/import-$BATCH.json"
  python3 - "$WORK/import-$BATCH.json" "$EVENTS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["refused"] == 0 and r["skipped"] == 0 and r["applied"] == int(sys.argv[2]), r
PY
  "$OCOP" audit verify >/dev/null
  "$OCOP" --json report >"$WORK/report-$BATCH.json"
  db_sql "$OCOP_DB" "SELECT id, state, version, stars, certificate FROM dossiers ORDER BY id" >"$WORK/state-$BATCH.txt"
  db_sql "$OCOP_DB" "SELECT seq, dossier, hash FROM audit ORDER BY seq" >"$WORK/audit-$BATCH.txt"
done
cmp "$WORK/report-1.json" "$WORK/report-500.json"
cmp "$WORK/state-1.txt" "$WORK/state-500.txt"
# The same trail, record for record and hash for hash: a batch (one transaction, dossiers read
# back from the transaction's own writes) decides exactly what one transaction per event does.
cmp "$WORK/audit-1.txt" "$WORK/audit-500.txt"
test "$(wc -l <"$WORK/audit-1.txt")" -eq "$EVENTS"
python3 - "$WORK/report-1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["dossiers_by_state"]
final = sum(r.get(s, 0) for s in ("recognized", "not_recognized", "rejected", "withdrawn"))
assert final == 1000, r
print("workload: 1000 dossiers, states", r)
PY
echo "1 passed, 0 failed"
