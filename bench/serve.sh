#!/usr/bin/env bash
# The HTTP service under load (issue 11, item 6). Generates the 10,000-dossier workload
# (bench/gen_workload.py, as bench/run.sh: 162,041 events) and, side by side in one run:
#   - `ocop import --batch 1` of it into a fresh SQLite simulation database (the baseline);
#   - `ocop serve` replaying it as POST /api/v1/events through build/serve_load
#     (bench/serve_load.cpp: every event of a dossier on one connection in file order, one bearer
#     token per actor) over CONNECTIONS connections ("1 8 64"): on SQLite with one serve process,
#     on PostgreSQL with one, and with two (connections dealt between them, as a balancer
#     would);
#   - GET /api/v1/dossiers/{id} at 64 connections on a national configuration (bench/national.py:
#     3,356 units, 6,664 users, 100,000 dossiers) as the central auditor.
# For each: requests/s, latency p50/p99/max, the serve processes' peak RSS (VmHWM), the writer's
# mean group (events per commit, from /metrics); and each replayed database is checked against
# the import's (bench/serve_verify.py: dossiers by state, certificates, every dossier's audit
# records; the chain verifies). Figures: bench/README.md.
#
# Each database starts as a copy of one made with a token per actor (`ocop token create`, so that
# signing in costs no password hash). PostgreSQL is a throwaway cluster (scripts/with-postgres.sh,
# started here when OCOP_TEST_POSTGRES is not set; PG=0 skips it). The serve binary is copied
# first, so that a rebuild during the run changes nothing.
# Usage: bench/serve.sh [DOSSIERS]   (build first: scripts/build.sh builds ocop and serve_load;
#        OCOP_BIN, LOAD_BIN to choose; CONNECTIONS="1 8 64"; PG=0; NATIONAL=0)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${OCOP_TEST_POSTGRES:-}" ] && [ "${PG:-1}" = 1 ] && [ -z "${SERVE_BENCH_PG_TRIED:-}" ]; then
  export SERVE_BENCH_PG_TRIED=1
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi
DOSSIERS=${1:-10000}
CONNECTIONS=${CONNECTIONS:-"1 8 64"}
OUT=$(pwd)/bench/out/serve
rm -rf "$OUT"
mkdir -p "$OUT"
cp "$(realpath "${OCOP_BIN:-./build/ocop}")" "$OUT/ocop"
cp "$(realpath "${LOAD_BIN:-./build/serve_load}")" "$OUT/serve_load"
OCOP_BIN=$OUT/ocop
LOAD_BIN=$OUT/serve_load
unset OCOP_DOCUMENTS_DIR
python3 bench/gen_workload.py --dossiers "$DOSSIERS" --seed 2026 --years 2026 --communes 124 \
  --events "$OUT/events.jsonl" --config "$OUT/bench.yaml" --summary "$OUT/outcome.json"
export OCOP_CONFIG=$OUT/bench.yaml
EVENTS=$(wc -l <"$OUT/events.jsonl")
echo "$(date -u +%FT%TZ); $(nproc) cores; $(uptime | sed 's/.*load/load/'); $EVENTS events"

# --- the baseline: ocop import --batch 1 on the same disk ---------------------------------------
IMPORT_DB="sqlite:$OUT/import.db"
"$OCOP_BIN" --db "$IMPORT_DB" init --simulation >/dev/null
t0=$(date +%s.%N)
"$OCOP_BIN" --db "$IMPORT_DB" import --batch 1 "$OUT/events.jsonl" >/dev/null
t1=$(date +%s.%N)
IMPORT_RATE=$(python3 -c "print(round($EVENTS / ($t1 - $t0)))")
echo "import --batch 1 (SQLite): $IMPORT_RATE events/s"

# --- a database with a token per actor, to copy for each run ------------------------------------------
python3 -c "
import json, sys
print('\n'.join(sorted({json.loads(l)['actor'] for l in open('$OUT/events.jsonl')})))" >"$OUT/actors.txt"
token_of() { sed -n 's/^ *"token": *"\([^"]*\)".*/\1/p'; }  # from `token create --json`
make_template() {  # URL TOKENS_FILE
  "$OCOP_BIN" --db "$1" init --simulation >/dev/null
  : >"$2"
  while read -r actor; do
    printf '%s\t%s\n' "$actor" "$("$OCOP_BIN" --db "$1" --json token create "$actor" --expires 30 | token_of)" >>"$2"
  done <"$OUT/actors.txt"
}
make_template "sqlite:$OUT/template.db" "$OUT/tokens-sqlite.tsv"
if [ -n "${OCOP_TEST_POSTGRES:-}" ]; then
  PG_BASE=${OCOP_TEST_POSTGRES%%\?*}
  PG_BASE=${PG_BASE%/*}
  psql -q "$OCOP_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS ocop_serve_template" -c "CREATE DATABASE ocop_serve_template" >/dev/null
  make_template "$PG_BASE/ocop_serve_template" "$OUT/tokens-postgresql.tsv"
fi
fresh_copy() {  # BACKEND NAME: prints the URL of a new copy of the template
  if [ "$1" = sqlite ]; then
    rm -f "$OUT/$2.db" "$OUT/$2.db-wal" "$OUT/$2.db-shm"
    cp "$OUT/template.db" "$OUT/$2.db"
    echo "sqlite:$OUT/$2.db"
  else
    psql -q "$OCOP_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" \
      -c "CREATE DATABASE $2 TEMPLATE ocop_serve_template" >/dev/null
    echo "$PG_BASE/$2"
  fi
}

# --- serve processes ---------------------------------------------------------------------------------------
PIDS=()
PORTS=""
start_serve() {  # URL PROCESSES
  PIDS=()
  PORTS=""
  for ((p = 0; p < $2; p++)); do
    rm -f "$OUT/serve-$p.out"
    "$OCOP_BIN" --db "$1" serve --listen 127.0.0.1:0 >"$OUT/serve-$p.out" 2>"$OUT/serve-$p.log" &
    PIDS+=($!)
    for _ in $(seq 200); do grep -q listening "$OUT/serve-$p.out" 2>/dev/null && break; sleep 0.05; done
    PORTS="$PORTS${PORTS:+,}$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$OUT/serve-$p.out")"
  done
}
stop_serve() {  # prints the peak RSS (MiB) of each process and the mean group commit
  local rss="" commits=0 events=0 port m
  for pid in "${PIDS[@]}"; do rss="$rss $(($(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024))"; done
  for port in ${PORTS//,/ }; do
    m=$(curl -s "http://127.0.0.1:$port/metrics")
    commits=$((commits + $(echo "$m" | awk '/^ocop_event_commits_total/ {print $2}')))
    events=$((events + $(echo "$m" | awk '/^ocop_event_committed_requests_total/ {print $2}')))
  done
  kill -TERM "${PIDS[@]}"
  wait "${PIDS[@]}" || true
  echo "peak RSS MiB:$rss; events per commit $(awk "BEGIN {printf \"%.1f\", $events / ($commits > 0 ? $commits : 1)}")"
}

replay() {  # BACKEND PROCESSES CONNECTIONS
  local name="ocop_serve_$1_$2_$3" url
  url=$(fresh_copy "$1" "$name")
  start_serve "$url" "$2"
  local result
  result=$("$LOAD_BIN" events "$PORTS" "$3" "$OUT/events.jsonl" "$OUT/tokens-$1.tsv") || echo "  (serve_load reported failures)"
  local after
  after=$(stop_serve)
  echo "$1, $2 process(es), $3 connection(s): $result; $after"
  OCOP_BIN="$OCOP_BIN" python3 bench/serve_verify.py "$IMPORT_DB" "$url" "$OUT/outcome.json" | sed 's/^/  /'
}

for c in $CONNECTIONS; do replay sqlite 1 "$c"; done
if [ -n "${OCOP_TEST_POSTGRES:-}" ]; then
  for c in $CONNECTIONS; do replay postgresql 1 "$c"; done
  replay postgresql 2 64
fi

# --- GET of a dossier at 64 connections, national configuration ------------------------------------------
if [ "${NATIONAL:-1}" = 1 ]; then
  N=$OUT/national
  mkdir -p "$N"
  export OCOP_CONFIG=$N/national.yaml
  python3 bench/national.py config "$OCOP_CONFIG" --users
  NDB="sqlite:$N/national.db"
  "$OCOP_BIN" --db "$NDB" init --simulation >/dev/null
  python3 bench/national.py fill "$N/national.db" 2026-11-16 >/dev/null
  TOKEN=$("$OCOP_BIN" --db "$NDB" --json token create auditor --expires 30 | token_of)
  sqlite3 "$N/national.db" "SELECT id FROM dossiers" >"$N/ids.txt"
  start_serve "$NDB" 1
  "$LOAD_BIN" get "$PORTS" 64 "$N/ids.txt" "$TOKEN" 2000 >/dev/null  # warm up
  for c in 1 64; do
    echo "GET /api/v1/dossiers/{id}, national, $c connection(s): $("$LOAD_BIN" get "$PORTS" "$c" "$N/ids.txt" "$TOKEN" 50000)"
  done
  echo "  $(stop_serve)"
fi
