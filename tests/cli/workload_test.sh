#!/usr/bin/env bash
# Imports a generated workload (bench/gen_workload.py, 1,000 dossiers over 2026 and 2027: the
# second year's upgrades supersede certificates of the first) with --batch 1
# and --batch 500 and checks that nothing is refused, that both databases end the same (states and
# every audit record's hash), that the audit chain verifies, and that the outcome (dossiers by
# final state, certificates by stars, superseded certificates) is the one the generator computed
# on its own (--summary). The full 10,000-dossier run is bench/run.sh.
# Usage: workload_test.sh PATH/TO/ocop REPO_DIR
set -euo pipefail
OCOP=$1
REPO=$2
GEN="$REPO/bench/gen_workload.py"
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
python3 "$GEN" --dossiers 1000 --years 2026-2027 --events "$WORK/events.jsonl" --config "$WORK/bench.yaml" --summary "$WORK/summary.json" >/dev/null
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
  db_sql "$OCOP_DB" "SELECT state, COUNT(*) FROM certificates GROUP BY state ORDER BY state" >"$WORK/certs-$BATCH.txt"
done
cmp "$WORK/report-1.json" "$WORK/report-500.json"
cmp "$WORK/state-1.txt" "$WORK/state-500.txt"
# The same trail, record for record and hash for hash: a batch (one transaction, dossiers read
# back from the transaction's own writes) decides exactly what one transaction per event does.
cmp "$WORK/audit-1.txt" "$WORK/audit-500.txt"
test "$(wc -l <"$WORK/audit-1.txt")" -eq "$EVENTS"
cmp "$WORK/certs-1.txt" "$WORK/certs-500.txt"
python3 - "$WORK/report-1.json" "$WORK/summary.json" "$WORK/certs-1.txt" <<'PY'
import json, sys
report, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
r = report["dossiers_by_state"]
final = sum(r.get(s, 0) for s in ("recognized", "not_recognized", "rejected", "withdrawn"))
assert final == 1000, r
assert r == want["dossiers_by_state"], (r, want["dossiers_by_state"])
stars = {str(k): v for k, v in report["certificates_by_stars"].items()}
assert stars == want["certificates_by_stars"], (stars, want["certificates_by_stars"])
certs = dict(l.split("|") for l in open(sys.argv[3]).read().split())
assert sum(map(int, certs.values())) == want["certificates"] and int(certs.get("superseded", 0)) == want["superseded"], (certs, want)
# A realistic mix: every outcome, central five stars superseding the province's certificates.
assert all(r.get(s, 0) > 0 for s in ("recognized", "not_recognized", "rejected", "withdrawn")), r
assert r["recognized"] > 800 and set(stars) == {"3", "4", "5"}, (r, stars, want)
assert want["superseded"] > want["superseded_by_later_dossiers"] > 0, want  # by central, and by upgrades
print("workload: 1000 dossiers, states", r, "certificates", certs, "active by stars", stars)
PY
echo "1 passed, 0 failed"
