#!/usr/bin/env bash
# The import benchmark (issue: 10,000 dossiers, 152,377 events). Generates the workload with
# ../shared/bench/gen_workload.py, imports it into a fresh simulation database with --batch 1
# and with --batch 1000, and prints events per second, peak memory (max RSS) and the outcome,
# which must be: 8,698 recognized, 792 not_recognized, 353 rejected, 157 withdrawn,
# 9,094 certificates (396 superseded), 152,377 audit records, 0 refused.
# Usage: bench/run.sh [DOSSIERS]   (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DOSSIERS=${1:-10000}
OUT=bench/out
OCOP_BIN=${OCOP_BIN:-./build/ocop}
GEN=${GEN_WORKLOAD:-../shared/bench/gen_workload.py}
mkdir -p "$OUT"
python3 "$GEN" --dossiers "$DOSSIERS" --events "$OUT/events.jsonl" --config "$OUT/bench.yaml"
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
r = json.load(sys.stdin)
print('  dossiers by state:', r['dossiers_by_state'])
print('  active certificates by stars:', r['certificates_by_stars'])"
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
