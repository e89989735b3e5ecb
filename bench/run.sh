#!/usr/bin/env bash
# The import benchmark (10,000 dossiers). Generates the workload with bench/gen_workload.py
# (--dossiers DOSSIERS, seed 2026, the year 2026, 124 communes: 162,041 events), imports it into
# a fresh simulation database with --batch 1 and with --batch 1000, and prints events per second,
# peak memory (max RSS) and the outcome, which must be the generator's (--summary; for 10,000:
# 8,644 recognized, 797 not_recognized, 430 rejected, 129 withdrawn, 9,089 certificates of
# which 445 superseded, 162,041 audit records, 0 refused); the script fails if it is not.
# Usage: bench/run.sh [DOSSIERS]   (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DOSSIERS=${1:-10000}
OUT=bench/out
OCOP_BIN=${OCOP_BIN:-./build/ocop}
mkdir -p "$OUT"
python3 bench/gen_workload.py --dossiers "$DOSSIERS" --seed 2026 --years 2026 --communes 124 \
  --events "$OUT/events.jsonl" --config "$OUT/bench.yaml" --summary "$OUT/outcome.json"
EVENTS=$(wc -l <"$OUT/events.jsonl")
export OCOP_CONFIG="$OUT/bench.yaml"

measure() {  # prints "seconds maxrss_kib" of the command
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
dt = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{dt:.2f} {rss} {rc}")
PY
}

for BATCH in 1 1000; do
  DB="$OUT/bench-$BATCH.db"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  export OCOP_DB="sqlite:$DB"
  "$OCOP_BIN" init --simulation >/dev/null
  read -r SECS RSS RC < <(measure "$OCOP_BIN" import --batch "$BATCH" "$OUT/events.jsonl")
  RATE=$(python3 -c "print(round($EVENTS / $SECS))")
  echo "batch $BATCH: $EVENTS events in ${SECS}s = $RATE events/s, peak RSS $((RSS / 1024)) MiB, exit $RC"
  "$OCOP_BIN" --json report | python3 -c "
import json, sys
r, want = json.load(sys.stdin), json.load(open('$OUT/outcome.json'))
print('  dossiers by state:', r['dossiers_by_state'])
print('  active certificates by stars:', r['certificates_by_stars'])
stars = {str(k): v for k, v in r['certificates_by_stars'].items()}
if r['dossiers_by_state'] != want['dossiers_by_state'] or stars != want['certificates_by_stars']:
    sys.exit('FAIL: not the outcome the generator computed: ' + json.dumps(want))"
  sqlite3 "$DB" "SELECT '  certificates: ' || COUNT(*) || ', superseded: ' || SUM(state = 'superseded') FROM certificates;
                 SELECT '  audit records: ' || COUNT(*) FROM audit;"
  read -r VSECS VRSS VRC < <(measure "$OCOP_BIN" audit verify)
  echo "  audit verify: ${VSECS}s, peak RSS $((VRSS / 1024)) MiB, exit $VRC"
  BASE="$(dirname "$OCOP_BIN")/sqlite_baseline"
  if [ -x "$BASE" ]; then
    rm -f "$OUT/baseline.db" "$OUT/baseline.db-wal" "$OUT/baseline.db-shm"
    echo "  the floor on this machine: $("$BASE" "$OUT/events.jsonl" "$OUT/baseline.db" "$BATCH")"
    rm -f "$OUT/baseline.db" "$OUT/baseline.db-wal" "$OUT/baseline.db-shm"
  fi
done
