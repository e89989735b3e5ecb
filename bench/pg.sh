#!/usr/bin/env bash
# Import throughput on PostgreSQL with 1, 2 and 4 concurrent `ocop import` processes (issue 5).
#   disjoint:    the workload split by dossier into N files, one importer each;
#   overlapping: N importers each given the whole file at once (the same dossiers and keys:
#                each event is applied by whichever importer gets there first, the others
#                skip it as a duplicate);
#   conflicts:   N processes firing `annotate` with --expect-version at 3 shared dossiers,
#                re-reading and retrying after each conflict (the caller's loop): the share of
#                attempts that were conflicts (exit 5).
# Each run gets a fresh database on a throwaway cluster (scripts/with-postgres.sh, which this
# script starts itself when OCOP_TEST_POSTGRES is not set). Prints one line per run.
# Usage: bench/pg.sh [DOSSIERS] [BATCH]   (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${OCOP_TEST_POSTGRES:-}" ]; then exec bash scripts/with-postgres.sh bash "$0" "$@"; fi
DOSSIERS=${1:-1000}
BATCH=${2:-1}
OUT=bench/out
OCOP_BIN=$(realpath "${OCOP_BIN:-./build/ocop}")
mkdir -p "$OUT"
python3 bench/gen_workload.py --dossiers "$DOSSIERS" --events "$OUT/pg-events.jsonl" --config "$OUT/pg-bench.yaml" >/dev/null
export OCOP_CONFIG="$OUT/pg-bench.yaml"
EVENTS=$(wc -l <"$OUT/pg-events.jsonl")
BASE=${OCOP_TEST_POSTGRES%%\?*}
BASE=${BASE%/*}
echo "workload: $DOSSIERS dossiers, $EVENTS events; --batch $BATCH; $(nproc) cores"

fresh_db() {
  psql -q "$OCOP_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS ocop_bench WITH (FORCE)" -c "CREATE DATABASE ocop_bench" >/dev/null
  export OCOP_DB="$BASE/ocop_bench"
  "$OCOP_BIN" init --simulation >/dev/null
}

# Splits the workload into N files by dossier (a creating event carries its id in data.id).
split() {
  python3 - "$OUT/pg-events.jsonl" "$1" "$OUT" <<'PY'
import json, sys, zlib
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = [open(f"{out}/pg-part-{k}.jsonl", "w") for k in range(n)]
for line in open(src):
    e = json.loads(line)
    d = e.get("dossier") or e["data"]["id"]
    files[zlib.crc32(d.encode()) % n].write(line)
PY
}

# Runs the given files through concurrent importers; prints the wall time and the sums.
run_importers() {
  local files=("$@") pids=() k=0 t0 t1
  t0=$(date +%s.%N)
  for f in "${files[@]}"; do
    "$OCOP_BIN" --json import --batch "$BATCH" "$f" >"$OUT/pg-import-$k.json" 2>"$OUT/pg-import-$k.err" &
    pids+=($!)
    k=$((k + 1))
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  t1=$(date +%s.%N)
  python3 - "$t0" "$t1" "$k" "$OUT" <<'PY'
import json, sys
t0, t1, n, out = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rs = [json.load(open(f"{out}/pg-import-{k}.json")) for k in range(n)]
a, s, r = (sum(x[f] for x in rs) for f in ("applied", "skipped", "refused"))
conflicts = sum(open(f"{out}/pg-import-{k}.err").read().count("refused (conflict)") for k in range(n))
print(f"{t1 - t0:.2f}s applied {a} skipped {s} refused {r} (conflicts {conflicts}): {a / (t1 - t0):.0f} events/s")
PY
  "$OCOP_BIN" audit verify >/dev/null && echo "    audit verify: ok" || echo "    audit verify: FAILED"
}

for N in 1 2 4; do
  fresh_db
  split "$N"
  files=()
  for ((k = 0; k < N; k++)); do files+=("$OUT/pg-part-$k.jsonl"); done
  echo "disjoint, $N importer(s): $(run_importers "${files[@]}")"
done
for N in 2 4; do
  fresh_db
  files=()
  for ((k = 0; k < N; k++)); do files+=("$OUT/pg-events.jsonl"); done
  echo "overlapping (the same file), $N importers: $(run_importers "${files[@]}")"
done

# The conflict rate of callers that act on what they read (--expect-version).
FIRES=${FIRES:-30}
for N in 1 2 4; do
  fresh_db
  for d in 1 2 3; do
    "$OCOP_BIN" fire submit_idea --actor producer.bx-c0001 \
      --data '{"id":"BX-2026-00000'$d'","product":"P","product_set":"honey","producer":"H","unit":"BX-C0001"}' >/dev/null
  done
  rm -f "$OUT"/pg-firer-*.log
  t0=$(date +%s.%N)
  for ((w = 0; w < N; w++)); do
    (
      for ((i = 0; i < FIRES; i++)); do
        d=BX-2026-00000$(((w + i) % 3 + 1))
        while :; do
          v=$("$OCOP_BIN" --json show "$d" | sed -n 's/^ *"version": \([0-9]*\).*/\1/p')
          rc=0
          "$OCOP_BIN" fire annotate "$d" --actor coordinator --data '{"note":"n"}' --key "f$w-$i" \
            --expect-version "$v" >/dev/null 2>&1 || rc=$?
          echo "$rc" >>"$OUT/pg-firer-$w.log"
          [ "$rc" -eq 5 ] || break
        done
      done
    ) &
  done
  wait
  t1=$(date +%s.%N)
  python3 - "$t0" "$t1" "$N" "$FIRES" "$OUT" <<'PY'
import sys, collections
t0, t1, n, fires, out = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
c = collections.Counter()
for w in range(n):
    c.update(l.strip() for l in open(f"{out}/pg-firer-{w}.log"))
attempts = sum(c.values())
print(f"conflicts, {n} caller(s) x {fires} events on 3 dossiers: {attempts} attempts, {c['0']} applied, "
      f"{c['5']} conflicts ({100 * c['5'] / attempts:.1f} %), other exits {attempts - c['0'] - c['5']}; "
      f"{c['0'] / (t1 - t0):.0f} accepted fires/s")
PY
done
