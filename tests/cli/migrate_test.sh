#!/usr/bin/env bash
# End-to-end tests of the 2025 reform from the command line: the district's officer loses
# authority, `list --unit` finds a merged commune's dossier under its successor, and
# `ocop migrate` checks a plan (bad file: 2 with file:line; unmapped state: 4; no authority: 6),
# shows a dry run, moves dossiers once with an audit record each, and the chain verifies.
# Usage: migrate_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export OCOP_DB="sqlite:$WORK/ocop.db"
export OCOP_CONFIG="$REPO/tests/data/config/history.yaml"
PLAN="$REPO/config/plans/reform-2025-07-01.yaml"
pass=0
failed=0

source "$(dirname "$0")/lib/asserts.sh"

JUNE=(--now 2025-06-02T08:00:00+07:00)
JULY=(--now 2025-07-02T08:00:00+07:00)
expect 0 "init a simulation database" -- "$OCOP" init --simulation
expect 0 "register in June 2025" -- "$OCOP" --json "${JUNE[@]}" fire register --actor producer.vietquang \
  --data '{"id": "G", "product": "Chè Shan tuyết", "product_set": "tea", "producer": "HTX Chè Việt Quang", "unit": "HG-BQ-VIETQUANG", "registration_type": "new"}'
check "registered under R148 at the commune" "out['rule_set'] == 'R148' and out['level'] == 'commune'"
expect 0 "the commune accepts" -- "$OCOP" "${JUNE[@]}" fire accept_dossier G --actor officer.vietquang
expect 0 "the commune forwards to the district" -- "$OCOP" "${JUNE[@]}" fire forward G --actor officer.vietquang
expect 0 "a second one, under review at the district" -- "$OCOP" "${JUNE[@]}" fire register --actor producer.vietquang \
  --data '{"id": "H", "product": "Miến dong", "product_set": "staples", "producer": "HTX Chè Việt Quang", "unit": "HG-BQ-VIETQUANG", "registration_type": "new"}'
expect 0 "the commune accepts H" -- "$OCOP" "${JUNE[@]}" fire accept_dossier H --actor officer.vietquang
expect 0 "the commune forwards H" -- "$OCOP" "${JUNE[@]}" fire forward H --actor officer.vietquang
expect 0 "the district accepts H" -- "$OCOP" "${JUNE[@]}" fire accept_dossier H --actor officer.bq
expect 0 "listed under the old commune in June" -- "$OCOP" --json "${JUNE[@]}" list --unit HG-BQ-VIETQUANG
check "two dossiers" "[d['id'] for d in out] == ['G', 'H']"
expect 0 "nothing under the new commune in June" -- "$OCOP" --json "${JUNE[@]}" list --unit TQ-BACQUANG
check "none" "out == []"

expect 6 "the district officer after 30/06/2025" -- "$OCOP" --json "${JULY[@]}" fire accept_dossier G --actor officer.bq
check "forbidden, with the day" "out['error']['code'] == 'forbidden' and 'not valid on 2025-07-02' in out['error']['message']"
expect 0 "the merged commune's dossier under its successor" -- "$OCOP" --json "${JULY[@]}" list --unit TQ-BACQUANG
check "found" "[d['id'] for d in out] == ['G', 'H']"
expect 0 "show names both units" -- "$OCOP" --json "${JULY[@]}" show G
check "filed under the old, now the new" "out['unit'] == 'HG-BQ-VIETQUANG' and out['unit_now'] == 'TQ-BACQUANG'"
expect 2 "list --unit of an unknown unit" -- "$OCOP" --json list --unit NOWHERE

cat >"$WORK/bad.yaml" <<'YAML'
id: bad
reason: "x"
from_rule_set: R148
to_rule_set: R148_1489
map:
  - {state: submitted, level: county, to_state: submitted, to_level: province}
YAML
expect 2 "a malformed plan" -- "$OCOP" "${JULY[@]}" migrate --plan "$WORK/bad.yaml" --actor coordinator.tq
stderr_has "file:line and key" "bad.yaml:6: map\[0\].level: unknown level \"county\""
expect 2 "a missing plan file" -- "$OCOP" "${JULY[@]}" migrate --plan "$WORK/none.yaml" --actor coordinator.tq
expect 2 "--plan is required" -- "$OCOP" migrate --actor coordinator.tq
expect 4 "a plan with a gap" -- "$OCOP" --json "${JULY[@]}" migrate --plan "$REPO/tests/data/plans/reform-unmapped.yaml" --actor coordinator.tq
check "refused, naming the gap" "out['error']['code'] == 'refused' and any('under_review@district' in p and '(H)' in p for p in out['problems']) and out['moves'] == []"
expect 0 "still at the district" -- "$OCOP" --json show G
check "version 3" "out['version'] == 3 and out['level'] == 'district'"
expect 6 "a commune officer may not migrate" -- "$OCOP" "${JULY[@]}" migrate --plan "$PLAN" --actor officer.bacquang
expect 0 "dry run" -- "$OCOP" --json "${JULY[@]}" migrate --plan "$PLAN" --actor coordinator.tq --dry-run
check "two moves shown, nothing written" "out['dry_run'] and out['moved'] == 0 and len(out['moves']) == 2 and all(m['to'] == {'state': 'submitted', 'level': 'province'} for m in out['moves'])"
expect 0 "still version 3" -- "$OCOP" --json show G
check "unchanged" "out['version'] == 3"
expect 0 "migrate" -- "$OCOP" "${JULY[@]}" migrate --plan "$PLAN" --actor coordinator.tq
expect 0 "moved" -- "$OCOP" --json show G
check "at the province under R148_1489" "out['version'] == 4 and out['level'] == 'province' and out['rule_set'] == 'R148_1489' and out['state'] == 'submitted'"
expect 0 "history" -- "$OCOP" --json history G
check "the last record names the plan and its reason" "out[-1]['event'] == 'migrate' and out[-1]['data']['plan'] == 'reform-2025-07-01' and out[-1]['data']['reason'].startswith('Bỏ cấp huyện')"
expect 0 "again: nothing to move" -- "$OCOP" --json "${JULY[@]}" migrate --plan "$PLAN" --actor coordinator.tq
check "zero moves" "out['moved'] == 0"
expect 0 "the province accepts it" -- "$OCOP" "${JULY[@]}" fire accept_dossier G --actor coordinator.tq
expect 0 "the chain verifies" -- "$OCOP" audit verify

echo "migrate_test: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
