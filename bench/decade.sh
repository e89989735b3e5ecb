#!/usr/bin/env bash
# The ten-year national benchmark (issue 14, item 4). Generates 10 years x 20,000 dossiers
# (bench/gen_workload.py --provinces 34 --communes 3321 --dossiers 200000 --years 2026-2035
# --promotion 0,0, which adds the scheduler's user: about 3.2 million events), imports them into a fresh simulation database (--batch 1000), then
# measures, each as its own process (seconds, peak RSS): `audit verify` (three runs;
# records/s), a page of the worklist (`list --year 2035 --state submitted --limit 50`), the
# report, `tick` on 2036-01-10 (which expires the certificates whose validity ended), the
# archive of the first year (`archive --until 2026`), and `audit verify` after it, alone and
# with `--archive`. Figures: bench/README.md, "Ten years, national".
# Usage: bench/decade.sh [DOSSIERS] [YEARS]   (build first: scripts/build.sh; ~30 GB free disk)
set -euo pipefail
cd "$(dirname "$0")/.."
DOSSIERS=${1:-200000}
YEARS=${2:-2026-2035}
OUT=${OUT:-bench/out/decade}
OCOP_BIN=${OCOP_BIN:-./build/ocop}
mkdir -p "$OUT"
if [ ! -s "$OUT/events-$DOSSIERS.jsonl" ]; then
  python3 bench/gen_workload.py --provinces 34 --communes 3321 --dossiers "$DOSSIERS" --years "$YEARS" \
    --promotion 0,0 --events "$OUT/events-$DOSSIERS.jsonl" --config "$OUT/decade.yaml" --summary "$OUT/outcome.json"
fi
export OCOP_CONFIG="$OUT/decade.yaml"
DB="$OUT/decade.db"
export OCOP_DB="sqlite:$DB"
AFTER=(--now 2036-01-10T09:00:00+07:00)

measure() {  # NAME COMMAND...: prints NAME, seconds, peak RSS and exit code
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL).returncode
dt = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{sys.argv[1]}: {dt:.2f} s, peak RSS {rss // 1024} MiB, exit {rc}")
PY
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
if [ ! -s "$DB" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$OCOP_BIN" init --simulation >/dev/null
  measure "import --batch 1000 ($(wc -l <"$OUT/events-$DOSSIERS.jsonl") events)" "$OCOP_BIN" import --batch 1000 "$OUT/events-$DOSSIERS.jsonl"
fi
RECORDS=$(sqlite3 "$DB" "SELECT COUNT(*) FROM audit")
echo "database: $(du -h "$DB" | cut -f1), $RECORDS audit records, $(sqlite3 "$DB" "SELECT COUNT(*) FROM dossiers") dossiers"
for run in 1 2 3; do
  line=$(measure "audit verify #$run" "$OCOP_BIN" audit verify)
  secs=$(echo "$line" | sed -E 's/.*: ([0-9.]+) s,.*/\1/')
  echo "$line, $(python3 -c "print(round($RECORDS / $secs))") records/s"
done
measure "list, a page of 50" "$OCOP_BIN" list --year 2035 --state submitted --limit 50
measure "list --year 2035 (whole)" "$OCOP_BIN" list --year 2035
measure "report" "$OCOP_BIN" report
cp "$DB" "$OUT/before-tick.db"
measure "tick on 2036-01-10" "$OCOP_BIN" "${AFTER[@]}" tick
rm -rf "$OUT/archive-2026"
measure "archive --until 2026" "$OCOP_BIN" "${AFTER[@]}" archive --until 2026 "$OUT/archive-2026"
"$OCOP_BIN" "${AFTER[@]}" archive --until 2026 "$OUT/archive-2026" | head -1
LIVE=$(sqlite3 "$DB" "SELECT COUNT(*) FROM audit")
line=$(measure "audit verify after the archive" "$OCOP_BIN" audit verify)
secs=$(echo "$line" | sed -E 's/.*: ([0-9.]+) s,.*/\1/')
echo "$line, $LIVE live records, $(python3 -c "print(round($LIVE / $secs))") records/s"
line=$(measure "audit verify --archive" "$OCOP_BIN" audit verify --archive "$OUT/archive-2026")
secs=$(echo "$line" | sed -E 's/.*: ([0-9.]+) s,.*/\1/')
BOTH=$((LIVE + $(wc -l <"$OUT/archive-2026/audit.jsonl")))
echo "$line, $BOTH records, $(python3 -c "print(round($BOTH / $secs))") records/s"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
