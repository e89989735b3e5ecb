#!/usr/bin/env bash
# Issue 17's benchmarks, after recognition (spec §10): `ocop tick` on the national workload with
# and without 1,000 promotion activities and 20,000 participations (target: at most 20 % more),
# and `ocop activity ID` of a fair with 2,000 applications (target: milliseconds).
#
# Two national databases, "without" and "with" (a copy of it that also gets the events after
# recognition through `ocop import --batch 1000`: 0 refused, and the activities, participations and
# inspections by state the generator computed, or the script fails). The same configuration for
# both: the organisers, inspectors, scheduler, promotion policy and reminders are in each.
#  MODE=tick (default): bench/tick.sh's national workload - bench/national.py's configuration with
#    its people (--users --promotion) and its 100,000 dossiers and 50,000 certificates written with
#    SQL for 16/11/2026 (then ANALYZE, as tick.sh) - and `national.py promotion`: bench/gen_workload.py's
#    events after recognition over those certificates up to that day. Ticks on tick.sh's days:
#    16/11 (the first tick: the cycle opens), 17/11, 17/11 again, 24/11 (a week later, catching up).
#  MODE=import: bench/gen_workload.py's national workload imported (DOSSIERS dossiers over
#    2026-2027, seed 2026, 1.6 million events for 100,000: minutes) with --promotion; no ANALYZE
#    (as `ocop import` leaves a database). Ticks on the first working day after its last dossier
#    event (the first tick of the database), the next working day, that again, a week after it.
# ROUNDS times on fresh copies of both, alternating which goes first, the four ticks in order: the
# median wall time of each; with CALLGRIND=1 (the default when valgrind is installed) the
# instructions of each under callgrind (the same four in order on fresh copies). Then
# `ocop activity FAIR_ID` (text and --json) and `ocop --json activities --year Y` with hyperfine
# (or a timed loop), and the query plans of the promotion reads (which must search an index).
# The generated workload is kept in bench/out/promotion/workload-ARGS and reused by later runs.
# Figures: bench/README.md, "Issue 17: after recognition".
#
# Usage: bench/promotion.sh [ACTIVITIES,PARTICIPATIONS] [FAIR]
#        (build first: scripts/build.sh; OCOP_BIN=path/to/ocop; MODE=tick|import, DOSSIERS=100000
#        for MODE=import, ROUNDS=3, RUNS=20, INSPECTIONS=300)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${MODE:-tick}
PROMOTION=${1:-1000,20000}
FAIR=${2:-2000}
DOSSIERS=${DOSSIERS:-100000}
INSPECTIONS=${INSPECTIONS:-300}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-20}
OUT=bench/out/promotion
OCOP_BIN=$(realpath "${OCOP_BIN:-./build/ocop}")
if [ -z "${CALLGRIND:-}" ]; then CALLGRIND=$(command -v valgrind >/dev/null && echo 1 || echo 0); fi
rm -rf "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm "$OUT"/*.txt "$OUT"/*.json "$OUT"/callgrind.* "$OUT"/cg.*
mkdir -p "$OUT"
W0="$OUT/without.base.db" P0="$OUT/with.base.db"

# The workload, generated once per set of arguments and kept in $WORK; the databases and figures
# are made afresh on every run.
case "$MODE" in
tick)
  WORK="$OUT/workload-tick-${PROMOTION/,/-}-$FAIR-$INSPECTIONS"
  TICK_DAY=2026-11-16
  echo "== workload: bench/tick.sh's national database for $TICK_DAY; --promotion $PROMOTION --fair $FAIR --inspections $INSPECTIONS"
  if [ ! -s "$WORK/promotion.jsonl" ]; then
    rm -rf "$WORK"
    mkdir -p "$WORK"
    python3 bench/national.py config "$WORK/national.yaml" --users --promotion
    python3 bench/national.py promotion "$WORK/promotion.jsonl" "$TICK_DAY" "$PROMOTION" "$FAIR" "$INSPECTIONS" \
      "$WORK/outcome.json"
  fi
  ;;
import)
  WORK="$OUT/workload-$DOSSIERS-${PROMOTION/,/-}-$FAIR-$INSPECTIONS"
  echo "== workload: $DOSSIERS dossiers, 2026-2027, national; --promotion $PROMOTION --fair $FAIR --inspections $INSPECTIONS"
  if [ ! -s "$WORK/promotion.jsonl" ]; then
    rm -rf "$WORK"
    mkdir -p "$WORK"
    python3 bench/gen_workload.py --dossiers "$DOSSIERS" --years 2026-2027 --provinces 34 --communes 3321 \
      --seed 2026 --promotion "$PROMOTION" --fair "$FAIR" --inspections "$INSPECTIONS" \
      --events "$WORK/events.jsonl" --config "$WORK/national.yaml" --summary "$WORK/outcome.json"
    N=$(python3 -c "import json; print(json.load(open('$WORK/outcome.json'))['promotion']['dossier_events'])")
    head -n "$N" "$WORK/events.jsonl" >"$WORK/dossiers.jsonl"
    tail -n +"$((N + 1))" "$WORK/events.jsonl" >"$WORK/promotion.jsonl"
    rm "$WORK/events.jsonl"
  fi
  TICK_DAY=$(python3 -c "import json; print(json.load(open('$WORK/outcome.json'))['promotion']['tick_day'])")
  ;;
*)
  echo "MODE=$MODE: tick or import" >&2
  exit 2
  ;;
esac
export OCOP_CONFIG="$WORK/national.yaml"
echo "promotion events: $(wc -l <"$WORK/promotion.jsonl") ($WORK); tick day: $TICK_DAY"

import_into() {  # DB FILE: imports FILE with --batch 1000; fails unless every event is applied
  local db=$1 file=$2 t0 t1
  t0=$(date +%s.%N)
  OCOP_DB="sqlite:$db" "$OCOP_BIN" --json import --batch 1000 "$file" >"$OUT/import.json" || true
  t1=$(date +%s.%N)
  python3 - "$OUT/import.json" "$(wc -l <"$file")" "$t0" "$t1" "$file" <<'PY'
import json, sys
r, n = json.load(open(sys.argv[1])), int(sys.argv[2])
secs = float(sys.argv[4]) - float(sys.argv[3])
print(f"  import {sys.argv[5].rsplit('/', 1)[-1]}: {r['applied']} applied, {r['refused']} refused, "
      f"{r['skipped']} skipped in {secs:.1f} s ({n / secs:,.0f} events/s)")
if r["applied"] != n or r["refused"] or r["skipped"]:
    sys.exit("FAIL: not every event was applied")
PY
}

echo "== building the databases (SQLite)"
OCOP_DB="sqlite:$W0" "$OCOP_BIN" init --simulation >/dev/null
if [ "$MODE" = tick ]; then
  python3 bench/national.py fill "$W0" "$TICK_DAY" | sed 's/^/  /'
else
  import_into "$W0" "$WORK/dossiers.jsonl"
fi
cp "$W0" "$P0"
import_into "$P0" "$WORK/promotion.jsonl"
ls -l "$W0" "$P0" | awk '{printf "  %s: %d MB\n", $9, $5 / 1048576}'
# The promotion rows must be the outcome the generator computed.
sqlite3 -separator ' ' "$P0" "SELECT 'activities_by_state', state, COUNT(*) FROM activities GROUP BY state;
  SELECT 'participations_by_state', state, COUNT(*) FROM participations GROUP BY state;
  SELECT 'inspections_by_state', state, COUNT(*) FROM inspections GROUP BY state;" >"$OUT/rows.txt"
python3 - "$OUT/rows.txt" "$WORK/outcome.json" <<'PY'
import json, sys
got = {}
for line in open(sys.argv[1]):
    k, state, n = line.split()
    got.setdefault(k, {})[state] = int(n)
want = json.load(open(sys.argv[2]))
want = want.get("promotion", want)
for k in ("activities_by_state", "participations_by_state", "inspections_by_state"):
    print(f"  {k}: {dict(sorted(got.get(k, {}).items()))}")
    if got.get(k, {}) != want[k]:
        sys.exit(f"FAIL: {k} is not the generator's {want[k]}")
PY
FAIR_ID=$(sqlite3 "$P0" "SELECT activity FROM participations GROUP BY activity ORDER BY COUNT(*) DESC LIMIT 1")
echo "  the largest activity: $FAIR_ID, $(sqlite3 "$P0" "SELECT COUNT(*) FROM participations WHERE activity = '$FAIR_ID'") participations"

# The tick days: the tick day, the next working day, it again, a week after it (as bench/tick.sh).
read -r D1 D2 D3 < <(python3 - "$TICK_DAY" <<'PY'
import datetime as dt, sys
sys.path.insert(0, "bench")
from gen_workload import Calendar
cal, t = Calendar([2026, 2027]), dt.date.fromisoformat(sys.argv[1])
n = t + dt.timedelta(days=1)
while not cal.working(n):
    n += dt.timedelta(days=1)
print(t, n, n + dt.timedelta(days=7))
PY
)
TICKS=("first:${D1}T07:00:00+07:00" "next:${D2}T07:00:00+07:00" "again:${D2}T09:00:00+07:00" "week:${D3}T07:00:00+07:00")

tick() {  # DB LABEL NOW ROUND: one timed tick, a line of figures into $OUT/ticks.txt
  python3 - "$OCOP_BIN" "$1" "$2" "$3" "$4" >>"$OUT/ticks.txt" <<'PY'
import json, os, subprocess, sys, time
ocop, db, label, now, rnd = sys.argv[1:]
env = dict(os.environ, OCOP_DB="sqlite:" + db)
t = time.monotonic()
r = subprocess.run([ocop, "--json", "--now", now, "tick"], capture_output=True, text=True, env=env)
secs = time.monotonic() - t
out = json.loads(r.stdout) if r.stdout.strip() else {}
which = "with" if "with." in db.rsplit("/", 1)[-1] else "without"
print(json.dumps({"db": which, "tick": label, "round": int(rnd), "secs": round(secs, 3), "exit": r.returncode,
                  "queued": out.get("queued"), "already": out.get("already_queued"), "counts": out.get("counts")}))
PY
}

echo "== ticks on $D1 (first), $D2 (next; again), $D3 (a week later): $ROUNDS rounds"
: >"$OUT/ticks.txt"
for r in $(seq "$ROUNDS"); do
  order=(without with)
  [ $((r % 2)) -eq 0 ] && order=(with without)
  for w in "${order[@]}"; do
    base="$OUT/$w.base.db"
    db="$OUT/$w.run.db"
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$base" "$db"
    for t in "${TICKS[@]}"; do tick "$db" "${t%%:*}" "${t#*:}" "$r"; done
  done
done
python3 - "$OUT/ticks.txt" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in rows if r["exit"] != 0]
if bad:
    sys.exit(f"FAIL: a tick exited non-zero: {bad[0]}")
print(f"  {'tick':<7} {'without (s)':>12} {'with (s)':>10} {'ratio':>7}   what the tick with promotion did (round 1)")
for label in ("first", "next", "again", "week"):
    t = {w: [r["secs"] for r in rows if r["db"] == w and r["tick"] == label] for w in ("without", "with")}
    m = {w: statistics.median(v) for w, v in t.items()}
    one = {w: next(r for r in rows if r["db"] == w and r["tick"] == label and r["round"] == 1) for w in t}
    print(f"  {label:<7} {m['without']:>12.3f} {m['with']:>10.3f} {m['with'] / m['without']:>7.2f}   "
          f"queued {one['with']['queued']} (without {one['without']['queued']}), "
          f"counts {json.dumps(one['with']['counts'], sort_keys=True)}")
    print(f"  {'':<7} {'runs: ' + ' '.join(f'{x:.2f}' for x in t['without']):>12}  {' '.join(f'{x:.2f}' for x in t['with'])}")
PY

if [ "$CALLGRIND" = 1 ]; then
  echo "== instructions (valgrind --tool=callgrind, the whole process) of the four ticks"
  for w in without with; do
    db="$OUT/$w.run.db"
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$OUT/$w.base.db" "$db"
    for t in "${TICKS[@]}"; do
      OCOP_DB="sqlite:$db" valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$w.${t%%:*}" \
        "$OCOP_BIN" --json --now "${t#*:}" tick >/dev/null 2>"$OUT/callgrind.$w.${t%%:*}.log"
      echo "$w ${t%%:*} $(grep -m1 '^summary:\|^totals:' "$OUT/callgrind.$w.${t%%:*}" | awk '{print $2}')" >>"$OUT/instructions.txt"
    done
  done
  python3 - "$OUT/instructions.txt" <<'PY'
import sys
n = {}
for line in open(sys.argv[1]):
    w, t, i = line.split()
    n[(w, t)] = int(i)
print(f"  {'tick':<7} {'without':>15} {'with':>15} {'ratio':>7}")
for t in ("first", "next", "again", "week"):
    print(f"  {t:<7} {n[('without', t)]:>15,} {n[('with', t)]:>15,} {n[('with', t)] / n[('without', t)]:>7.2f}")
PY
fi
rm -f "$OUT"/*.run.db "$OUT"/*.run.db-wal "$OUT"/*.run.db-shm

echo "== reading an activity of $(sqlite3 "$P0" "SELECT COUNT(*) FROM participations WHERE activity = '$FAIR_ID'") participations (database 'with' after its import)"
export OCOP_DB="sqlite:$P0"
YEAR=${TICK_DAY%%-*}
"$OCOP_BIN" activity "$FAIR_ID" >"$OUT/activity.txt"
"$OCOP_BIN" --json activity "$FAIR_ID" >"$OUT/activity.json"
"$OCOP_BIN" --json activities --year "$YEAR" >"$OUT/activities.json"
python3 - "$OUT/activity.json" "$OUT/activities.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
acts = json.load(open(sys.argv[2]))
acts = acts if isinstance(acts, list) else acts.get("activities", acts)
print(f"  activity: {len(a['participations'])} participations, totals {json.dumps(a['totals'], sort_keys=True)}")
print(f"  activities --year: {len(acts)} activities")
PY
COMMANDS=("$OCOP_BIN --help" "$OCOP_BIN activity $FAIR_ID" "$OCOP_BIN --json activity $FAIR_ID"
  "$OCOP_BIN --json activities --year $YEAR")
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$OUT/read.json" "${COMMANDS[@]}" >"$OUT/hyperfine.txt"
  python3 - "$OUT/read.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    cmd = r["command"].split("/")[-1]
    print(f"  {cmd:<45} median {r['median'] * 1000:7.1f} ms  (min {r['min'] * 1000:.1f}, max {r['max'] * 1000:.1f}, "
          f"user {r['user'] * 1000:.1f}, system {r['system'] * 1000:.1f} ms; {len(r['times'])} runs)")
PY
else
  for c in "${COMMANDS[@]}"; do
    python3 - "$RUNS" $c <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
ts = []
for _ in range(runs):
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    ts.append(time.monotonic() - t)
print(f"  {' '.join(cmd).split('/')[-1]:<45} median {statistics.median(ts) * 1000:7.1f} ms ({runs} runs)")
PY
  done
fi

echo "== query plans (database 'with')"
sqlite3 "$P0" >"$OUT/plans.txt" <<SQL
.print -- the participations of one activity (ocop activity; the guards of select and close_activity)
EXPLAIN QUERY PLAN SELECT p.* FROM participations p WHERE 1=1 AND p.activity = '$FAIR_ID' ORDER BY p.activity, p.id;
EXPLAIN QUERY PLAN SELECT p.* FROM participations p WHERE 1=1 AND p.activity = '$FAIR_ID' AND p.state IN ('selected', 'reported') ORDER BY p.activity, p.id;
.print -- apply's guard: a producer's open participations at an activity
EXPLAIN QUERY PLAN SELECT p.* FROM participations p WHERE 1=1 AND p.activity = '$FAIR_ID' AND p.producer = 'x' AND p.state IN ('applied', 'waitlisted', 'selected') ORDER BY p.activity, p.id;
.print -- tick: promotion_outcome (selected participations of activities ended by a day)
EXPLAIN QUERY PLAN SELECT p.* FROM participations p JOIN activities a ON a.id = p.activity WHERE 1=1 AND p.state IN ('selected') AND a.state IN ('registration_open', 'registration_closed', 'running', 'finished') AND a.ends <= '$TICK_DAY' ORDER BY p.activity, p.id;
.print -- tick: an activity's day (one of four)
EXPLAIN QUERY PLAN SELECT * FROM activities WHERE 1=1 AND state IN ('planned') AND registration_opens <= '$TICK_DAY' ORDER BY registration_opens, id;
.print -- tick: inspection_due, remedy_due, remedy_overdue
EXPLAIN QUERY PLAN SELECT * FROM inspections WHERE 1=1 AND state IN ('planned') AND due >= '$TICK_DAY' AND due <= '$TICK_DAY' ORDER BY due, id;
EXPLAIN QUERY PLAN SELECT * FROM inspections WHERE 1=1 AND state IN ('remedy_required') AND remedy_due <= '$TICK_DAY' ORDER BY due, id;
.print -- ocop activities --year
EXPLAIN QUERY PLAN SELECT * FROM activities WHERE 1=1 AND starts >= '$YEAR-01-01' AND starts <= '$YEAR-12-31' ORDER BY starts, id;
SQL
sed 's/^/  /' "$OUT/plans.txt"
if grep -q "SCAN p\b\|SCAN participations" "$OUT/plans.txt"; then
  echo "FAIL: a read of participations scans the table" >&2
  exit 1
fi
