#!/usr/bin/env bash
# The same engine on PostgreSQL: initialise, import the sample year, verify the chain, and
# check that the outcome and the chain's head hash are exactly those of SQLite (the canonical
# audit encoding does not depend on the backend). The full backend-parametrised suite comes
# with the PostgreSQL issue. Needs OCOP_TEST_POSTGRES (scripts/with-postgres.sh sets it).
# Usage: postgres_smoke_test.sh PATH/TO/ocop REPO_DIR
set -euo pipefail
OCOP=$1
REPO=$2
if [ -z "${OCOP_TEST_POSTGRES:-}" ]; then
  echo "SKIP: OCOP_TEST_POSTGRES is not set"
  exit 77
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export OCOP_CONFIG="$REPO/config/sample.yaml"
psql -q "$OCOP_TEST_POSTGRES" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
for DB in "sqlite:$WORK/ocop.db" "$OCOP_TEST_POSTGRES"; do
  export OCOP_DB="$DB"
  "$OCOP" init --simulation >/dev/null
  "$OCOP" --json import "$REPO/config/sample-events.jsonl" >"$WORK/import.json"
  python3 -c "import json,sys; r=json.load(open('$WORK/import.json')); sys.exit(0 if r['refused']==0 and r['applied']==1756 else 1)"
  "$OCOP" --json audit verify >"$WORK/verify-${DB%%:*}.json"
  "$OCOP" --json report >"$WORK/report-${DB%%:*}.json"
  # the scheduler on both backends: the year's close, a stalled day, the same day again
  for NOW in 2026-11-16T07:00:00+07:00 2027-01-04T07:00:00+07:00 2027-01-04T09:00:00+07:00; do
    "$OCOP" --json --now "$NOW" tick | python3 -c "import json,sys; j=json.load(sys.stdin); j.pop('messages'); print(json.dumps(j, sort_keys=True))" >>"$WORK/tick-${DB%%:*}.json"
  done
  "$OCOP" --json --now 2027-01-04T09:00:00+07:00 cycle show 2026 >"$WORK/cycle-${DB%%:*}.json"
done
cmp "$WORK/tick-sqlite.json" "$WORK/tick-postgresql.json"
cmp "$WORK/cycle-sqlite.json" "$WORK/cycle-postgresql.json"
grep -q '"cycle_close": 1' "$WORK/tick-postgresql.json" || { echo "FAIL: the cycle did not close on PostgreSQL"; exit 1; }
cmp "$WORK/report-sqlite.json" "$WORK/report-postgresql.json"
python3 - "$WORK/verify-sqlite.json" "$WORK/verify-postgresql.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
# 1,756 events and 4 cascades (3 applications declined when their activity started, 1 inspection closed by a revocation)
assert a["valid"] and b["valid"] and a["records"] == b["records"] == 1760, (a, b)
assert a["head"] == b["head"], ("the chain differs between backends", a["head"], b["head"])
PY
# Refusals and exit codes are the backend's business too.
export OCOP_DB="$OCOP_TEST_POSTGRES"
set +e
"$OCOP" show NO-SUCH-DOSSIER >/dev/null 2>&1; [ $? -eq 3 ] || { echo "FAIL: not found on PostgreSQL"; exit 1; }
"$OCOP" fire accept_idea NO-SUCH --actor nobody >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: bad actor"; exit 1; }
# Documents: a PostgreSQL database keeps their bytes where OCOP_DOCUMENTS_DIR (or the
# configuration's documents.directory) says; without either, storing a file is refused.
printf 'a\000b\377' >"$WORK/Phiếu.bin"
ATTACH=(--now 2026-12-01T09:00:00+07:00 fire attach TQ-2026-0026 --actor producer.mylam --file "$WORK/Phiếu.bin" --data '{"kind":"photo"}')
(unset OCOP_DOCUMENTS_DIR; "$OCOP" "${ATTACH[@]}" >/dev/null 2>&1); [ $? -eq 2 ] || { echo "FAIL: no documents directory"; exit 1; }
export OCOP_DOCUMENTS_DIR="$WORK/documents"
"$OCOP" "${ATTACH[@]}" >/dev/null || { echo "FAIL: attach --file on PostgreSQL"; exit 1; }
H=$(sha256sum "$WORK/Phiếu.bin" | cut -c1-64)
"$OCOP" document get "$H" | cmp -s - "$WORK/Phiếu.bin" || { echo "FAIL: document get on PostgreSQL"; exit 1; }
# PostgreSQL support is a module beside the executable (libocop_pgsql.so, issue 10): a copy of
# the binary alone is refused with the reason and the way out, and OCOP_PLUGIN_DIR is the way out.
mkdir "$WORK/alone" && cp "$OCOP" "$WORK/alone/ocop"
(unset OCOP_PLUGIN_DIR; "$WORK/alone/ocop" show TQ-2026-0026 >/dev/null 2>"$WORK/alone.err"); rc=$?
[ $rc -ne 0 ] && grep -q 'libocop_pgsql.so) could not be loaded' "$WORK/alone.err" && grep -q OCOP_PLUGIN_DIR "$WORK/alone.err" ||
  { echo "FAIL: a copy without the PostgreSQL module (exit $rc):"; cat "$WORK/alone.err"; exit 1; }
OCOP_PLUGIN_DIR=$(dirname "$OCOP") "$WORK/alone/ocop" show TQ-2026-0026 >/dev/null ||
  { echo "FAIL: OCOP_PLUGIN_DIR did not find the module"; exit 1; }
# ... while the SQLite default needs neither it nor libcurl and libpq at all.
(unset OCOP_PLUGIN_DIR; OCOP_DB="sqlite:$WORK/ocop.db" "$WORK/alone/ocop" show TQ-2026-0026 >/dev/null) ||
  { echo "FAIL: the SQLite default without the module"; exit 1; }
if ldd "$OCOP" | grep -Eq 'libcurl|libpq|libsoci_postgresql'; then echo "FAIL: ocop links libcurl or libpq"; exit 1; fi
echo "1 passed, 0 failed"
