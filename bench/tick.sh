#!/usr/bin/env bash
# The tick benchmark (issue 4, item 5): `ocop tick` over a national-scale database - 100,000
# dossiers, 3,321 communes, 50,000 certificates (bench/national.py writes the configuration and
# the rows) - timed on its first day (the cycle opens: 3,321 kick-off messages; every certificate
# within its 30-day notice period is noticed at once), on the next day (a steady day), and the
# same day again (nothing to do). Prints the times and the query plans of the tick's reads,
# which must search the indexes (dossiers_state, certificates_state), never scan a table.
# Usage: bench/tick.sh   (build first: scripts/build.sh; OCOP_BIN=path/to/ocop to choose)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/tick
OCOP_BIN=${OCOP_BIN:-./build/ocop}
rm -rf "$OUT"
mkdir -p "$OUT"
export OCOP_CONFIG="$OUT/national.yaml" OCOP_DB="sqlite:$OUT/national.db"
DAY=2026-11-16
python3 bench/national.py config "$OCOP_CONFIG"
"$OCOP_BIN" init --simulation >/dev/null
python3 bench/national.py fill "$OUT/national.db" "$DAY"

run() {  # label, --now: prints seconds and what the tick did
  python3 - "$OCOP_BIN" "$1" "$2" <<'PY'
import json, subprocess, sys, time
ocop, label, now = sys.argv[1:]
t = time.monotonic()
r = subprocess.run([ocop, "--json", "--now", now, "tick"], capture_output=True, text=True)
dt = time.monotonic() - t
out = json.loads(r.stdout)
print(f"{label:<28} {dt:6.2f} s  exit {r.returncode}  queued {out['queued']:>5}  already {out['already_queued']:>5}  "
      f"counts {json.dumps(out['counts'], sort_keys=True)}")
PY
}
run "first day ($DAY)" "${DAY}T07:00:00+07:00"
run "next day (2026-11-17)" "2026-11-17T07:00:00+07:00"
run "same day again" "2026-11-17T09:00:00+07:00"
run "a week later (catch-up)" "2026-11-24T07:00:00+07:00"

echo "query plans:"
sqlite3 "$OUT/national.db" <<'SQL' | tee "$OUT/plans.txt"
EXPLAIN QUERY PLAN SELECT id FROM dossiers WHERE state IN ('submitted') AND state_since < '2026-11-02T17:00:00Z';
EXPLAIN QUERY PLAN SELECT id FROM dossiers WHERE state IN ('submitted', 'returned', 'under_review', 'scored');
EXPLAIN QUERY PLAN SELECT id FROM certificates WHERE state = 'active' AND valid_until <= '2026-12-16' ORDER BY valid_until, id;
SQL
if grep -q "SCAN dossiers\|SCAN certificates" "$OUT/plans.txt"; then
  echo "FAIL: a tick query scans a table" >&2
  exit 1
fi
