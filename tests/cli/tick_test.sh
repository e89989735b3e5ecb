#!/usr/bin/env bash
# `ocop tick` and `ocop cycle show` end to end: a dry run writes nothing, a tick queues what the
# dry run showed, the same day again queues nothing, a normal database refuses --now, and the
# tick's reads use the indexes (EXPLAIN QUERY PLAN).
# Usage: tick_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
pass=0
failed=0
source "$REPO/tests/cli/lib/asserts.sh"
export OCOP_CONFIG="$REPO/tests/data/config/gen_workload.yaml" OCOP_DB="sqlite:$WORK/t.db"
check() {  # check DESCRIPTION PYTHON-EXPRESSION-over-j (the JSON in $WORK/out)
  if python3 -c "import json,sys; j=json.load(open('$WORK/out')); sys.exit(0 if ($2) else 1)"; then
    pass=$((pass + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $1"
    head -c 600 "$WORK/out"
  fi
}
"$OCOP" init --simulation >/dev/null
cat >"$WORK/e.jsonl" <<'JSONL'
{"key": "k1", "event": "register", "actor": "producer.bx-c0001", "at": "2026-03-02T09:00:00+07:00", "data": {"id": "BX-2026-000001", "product": "Chè Shan tuyết", "product_set": "tea", "producer": "HTX Chè", "unit": "BX-C0001", "registration_type": "new", "documents": [{"kind": "registration_form", "name": "a.pdf", "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "bytes": 1}, {"kind": "self_assessment", "name": "b.pdf", "sha256": "0000000000000000000000000000000000000000000000000000000000000001", "bytes": 1}]}}
JSONL
"$OCOP" import "$WORK/e.jsonl" >/dev/null
# Registered Monday 02/03: on 16/03 only 9 whole working days lie between (03-13/03), on 17/03 10.
expect 0 "the day before" -- "$OCOP" --json --now 2026-03-16T07:00:00+07:00 tick --dry-run
check "not yet stalled on 16/03" "'stalled' not in j['counts'] and j['counts'].get('cycle_start') == 5 and j['queued'] == 5"
expect 0 "cycle show the day before" -- "$OCOP" --json --now 2026-03-16T07:00:00+07:00 cycle show 2026
check "cycle show: nothing overdue on 16/03" "j['overdue'] == []"
NOW=2026-03-17T07:00:00+07:00
expect 0 "dry run" -- "$OCOP" --json --now "$NOW" tick --dry-run
check "the dry run shows the stalled digest and the kick-off" "j['dry_run'] and j['counts'].get('stalled') == 1 and j['counts'].get('cycle_start') == 5 and j['queued'] == 6"
check "the digest names the dossier" "'BX-2026-000001' in j['messages'][-1]['body'] or any('BX-2026-000001' in m['body'] for m in j['messages'])"
expect 0 "nothing written by the dry run" -- sqlite3 "$WORK/t.db" "SELECT COUNT(*) FROM outbox; SELECT COUNT(*) FROM ticks; SELECT COUNT(*) FROM cycles;"
if [ "$(tr '\n' ' ' <"$WORK/out")" = "0 0 0 " ]; then pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: dry run wrote: $(cat "$WORK/out")"; fi
expect 0 "tick" -- "$OCOP" --json --now "$NOW" tick
check "the tick queues what the dry run showed" "not j['dry_run'] and j['queued'] == 6 and j['transitions'][0]['event'] == 'open'"
expect 0 "tick again the same day" -- "$OCOP" --json --now "$NOW" tick
check "nothing new the same day" "j['queued'] == 0 and j['already_queued'] == 1 and j['previous'] == '2026-03-17'"
expect 0 "text output" -- "$OCOP" --now "$NOW" tick --dry-run
if grep -q "would be queued" "$WORK/out"; then pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: text dry run"; fi
expect 0 "cycle show" -- "$OCOP" --json --now "$NOW" cycle show 2026
check "cycle show: state, counts, overdue" "j['state'] == 'open' and j['dossiers_by_state'] == {'submitted': 1} and j['overdue'][0]['dossier'] == 'BX-2026-000001' and j['overdue'][0]['waited_working_days'] == 10 and len(j['milestones']) == 4"
expect 0 "cycle show (text, default year)" -- "$OCOP" --now "$NOW" cycle show
if grep -q "Overdue (1)" "$WORK/out"; then pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: cycle show text"; fi
expect 3 "an unknown cycle" -- "$OCOP" --now "$NOW" cycle show 2031
OCOP_DB="sqlite:$WORK/real.db" "$OCOP" init >/dev/null
expect 2 "--now on a normal database" -- env OCOP_DB="sqlite:$WORK/real.db" "$OCOP" --now "$NOW" tick
expect 0 "the plans" -- sqlite3 "$WORK/t.db" "EXPLAIN QUERY PLAN SELECT id FROM dossiers WHERE state IN ('submitted') AND state_since < '2026-03-02T17:00:00Z'; EXPLAIN QUERY PLAN SELECT id FROM certificates WHERE state = 'active' AND valid_until <= '2026-04-15' ORDER BY valid_until, id;"
if grep -q "USING INDEX dossiers_state" "$WORK/out" && grep -q "INDEX certificates_state" "$WORK/out" && ! grep -q "SCAN" "$WORK/out"; then
  pass=$((pass + 1))
else
  failed=$((failed + 1)); echo "FAIL: query plans:"; cat "$WORK/out"
fi
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
