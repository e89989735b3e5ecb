#!/usr/bin/env bash
# After recognition end to end (spec §10): a fair from plan_activity to close_activity through
# `ocop fire --json` (apply, select, waitlist, decline, withdraw_application, report_outcome,
# close_activity refused while a participation is selected, mark_no_show, start_activity's
# cascade), `ocop activities` and its filters, `ocop activity ID`, `ocop history` of a
# participation, the inspection round (`ocop inspections plan` twice, then a larger share),
# record_inspection, `ocop inspections` and its filters, `ocop report`'s promotion totals, the
# exit codes 2/3/4/5/6 of representative bad requests (each changes nothing: the audit trail
# keeps its length), idempotent keys, and the same events from an event file (`ocop import`).
# The history before (five province certificates in two communes) is imported from an event
# file written by lib/recognised.py. Runs on SQLite and, as cli_promotion_test_postgresql, on
# PostgreSQL.
# Usage: promotion_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"  # this spelling: tests/CMakeLists.txt looks for it
trap 'drop_dbs; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db promotion)
export OCOP_CONFIG="$REPO/tests/data/config/gen_workload.yaml"
pass=0
failed=0
source "$LIB/asserts.sh"

records() {  # the audit trail's length
  "$OCOP" --json audit verify | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])'
}
# unchanged DESCRIPTION BEFORE: the audit trail still holds BEFORE records.
unchanged() {
  local now
  now=$(records)
  if [ "$now" = "$2" ]; then pass=$((pass + 1)); else
    failed=$((failed + 1)); echo "FAIL: $1: the audit trail went from $2 to $now records"; fi
}

expect 0 "init a simulation database" -- "$OCOP" init --simulation
# Five province certificates (issued 2026-03-10, valid until 2029-03-10): two in BX-C0001 (4★),
# three in BX-C0002 (4★, 3★, 4★); each dossier has its own producer.
python3 "$LIB/recognised.py" "$WORK/history.jsonl" '[
  {"id": "BX-2026-000001", "unit": "BX-C0001", "producer": "HTX Chè Cao Bồ", "product": "Chè Shan tuyết Cao Bồ"},
  {"id": "BX-2026-000002", "unit": "BX-C0001", "producer": "Tổ hợp tác Miến dong", "product": "Miến dong"},
  {"id": "BX-2026-000003", "unit": "BX-C0002", "producer": "Cơ sở Mật ong Bản Giốc", "product": "Mật ong bạc hà"},
  {"id": "BX-2026-000004", "unit": "BX-C0002", "producer": "HTX Cam sành", "product": "Cam sành", "stars": 3},
  {"id": "BX-2026-000005", "unit": "BX-C0002", "producer": "HTX Gà đen", "product": "Gà đen"}
]' >"$WORK/history.count"
HISTORY=$(cat "$WORK/history.count")
expect 0 "import the history before" -- "$OCOP" --json import "$WORK/history.jsonl"
check "every event applied" "out['applied'] == $HISTORY and out['refused'] == 0"
expect 0 "the certificates" -- "$OCOP" --json certificates --state active
check "five in force, 4★ and 3★" "len(out) == 5 and sorted(c['stars'] for c in out) == [3, 4, 4, 4, 4] and out[0]['issued_on'] == '2026-03-10'"
C1=BX-2026-000001/province
C2=BX-2026-000002/province
C3=BX-2026-000003/province
C4=BX-2026-000004/province
C5=BX-2026-000005/province

# --- plan_activity ------------------------------------------------------------------------------
T1="--now 2026-03-20T09:00:00+07:00"
FAIR='{"name":"Hội chợ OCOP tỉnh mùa xuân 2026","kind":"fair","unit":"BX","venue":"Quảng trường tỉnh",
  "registration_opens":"2026-04-01","registration_closes":"2026-04-20","starts":"2026-05-01","ends":"2026-05-05",
  "booths":3,"booth_fee_vnd":4000000,"support_percent":50,"support_cap_vnd":3000000}'
BEFORE=$(records)
# json_with JSON KEY VALUE: the object JSON with KEY set to VALUE (itself JSON).
json_with() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d[sys.argv[2]]=json.loads(sys.argv[3]); print(json.dumps(d, ensure_ascii=False))' "$@"; }
BAD_DATES=$(json_with "$FAIR" registration_closes '"2026-05-02"')
expect 2 "plan_activity with dates out of order" -- "$OCOP" --json $T1 fire plan_activity --actor organiser --data "$BAD_DATES"
check "bad_input, naming the order" "out['error']['code'] == 'bad_input' and 'in order' in out['error']['message']"
NOT_A_DATE=$(json_with "$FAIR" starts '"1/5/2026"')
expect 2 "plan_activity with a date that is not one" -- "$OCOP" $T1 fire plan_activity --actor organiser --data "$NOT_A_DATE"
stderr_has "the field is named" "data.starts"
expect 2 "plan_activity with an unknown kind" -- "$OCOP" $T1 fire plan_activity --actor organiser --data "$(json_with "$FAIR" kind '"party"')"
expect 2 "plan_activity with zero booths" -- "$OCOP" $T1 fire plan_activity --actor organiser --data "$(json_with "$FAIR" booths 0)"
expect 2 "plan_activity with money that is not whole đồng" -- "$OCOP" $T1 fire plan_activity --actor organiser --data "$(json_with "$FAIR" booth_fee_vnd 4000000.5)"
expect 2 "plan_activity for an id" -- "$OCOP" $T1 fire plan_activity BX-XT-2026-001 --actor organiser --data "$FAIR"
expect 6 "plan_activity by a commune's officer (no such role)" -- "$OCOP" --json $T1 fire plan_activity --actor officer.bx-c0001 --data "$FAIR"
check "forbidden" "out['error']['code'] == 'forbidden'"
unchanged "refused plan_activity requests write nothing" "$BEFORE"
expect 0 "plan_activity" -- "$OCOP" --json $T1 fire plan_activity --actor organiser --data "$FAIR" --key plan-1
check "the generated id, planned" "out['id'] == 'BX-XT-2026-001' and out['state'] == 'planned' and out['version'] == 1 and out['booths'] == 3"
check "an activity's fields (spec §10.3)" "all(k in out for k in ['id','name','kind','unit','state','starts','ends','booths']) and out['kind'] == 'fair' and out['unit'] == 'BX' and out['starts'] == '2026-05-01' and out['ends'] == '2026-05-05' and out['name'] == 'Hội chợ OCOP tỉnh mùa xuân 2026'"
check "the policy in force: overrides and defaults" "out['booth_fee_vnd'] == 4000000 and out['support_cap_vnd'] == 3000000 and out['min_stars'] == 3 and out['max_booths_per_producer'] == 2 and out['open_to'] == ['BX']"
ACT=BX-XT-2026-001
expect 0 "the same key again" -- "$OCOP" --json $T1 fire plan_activity --actor organiser --data "$FAIR" --key plan-1
check "a duplicate of the same activity" "out['duplicate'] is True and out['id'] == '$ACT'"
expect 2 "the same key for another request" -- "$OCOP" $T1 fire plan_activity --actor organiser --data "$(json_with "$FAIR" booths 4)" --key plan-1
# A second activity, organised for a commune by the province's organiser, in 2027.
POS='{"id":"DIEM-BAN-C0001-2027","name":"Điểm bán sản phẩm OCOP xã C0001","kind":"point_of_sale","unit":"BX-C0001","venue":"Chợ xã",
  "registration_opens":"2027-01-04","registration_closes":"2027-01-15","starts":"2027-02-01","ends":"2027-12-31","booths":10}'
expect 0 "plan a point of sale with a given id" -- "$OCOP" --json $T1 fire plan_activity --actor organiser --data "$POS"
check "the given id" "out['id'] == 'DIEM-BAN-C0001-2027' and out['unit'] == 'BX-C0001' and out['kind'] == 'point_of_sale'"
expect 4 "the same id again" -- "$OCOP" --json $T1 fire plan_activity --actor organiser --data "$POS"
check "refused: taken" "out['error']['code'] == 'refused' and 'already taken' in out['error']['message']"
expect 4 "an id a dossier has" -- "$OCOP" $T1 fire plan_activity --actor organiser --data "$(json_with "$POS" id '"BX-2026-000001"')"
BEFORE=$(records)
expect 4 "a dossier with the activity's id" -- "$OCOP" --json $T1 fire submit_idea --actor producer.bx-c0001 --data '{"id":"DIEM-BAN-C0001-2027","product":"Gạo","product_set":"rice_cereals","producer":"HTX Gạo","unit":"BX-C0001"}'
check "refused: ids are unique across objects" "out['error']['code'] == 'refused' and 'already taken' in out['error']['message']"
unchanged "the refused dossier writes nothing" "$BEFORE"

# --- registration ---------------------------------------------------------------------------------
T2="--now 2026-04-02T09:00:00+07:00"
BEFORE=$(records)
expect 4 "apply while the activity is planned" -- "$OCOP" --json $T2 fire apply --actor producer.bx-c0001 --data "{\"activity\":\"$ACT\",\"certificate\":\"$C1\"}"
check "refused, naming the activity's state" "out['error']['code'] == 'refused' and 'planned' in out['error']['message']"
expect 3 "open_registration of an unknown activity" -- "$OCOP" --json $T2 fire open_registration BX-XT-2026-999 --actor organiser
check "not_found" "out['error']['code'] == 'not_found'"
expect 5 "open_registration at a stale version" -- "$OCOP" --json $T2 fire open_registration "$ACT" --actor organiser --expect-version 2
check "conflict" "out['error']['code'] == 'conflict'"
expect 6 "open_registration by a producer" -- "$OCOP" $T2 fire open_registration "$ACT" --actor producer.bx-c0001
expect 4 "close_registration before it opened" -- "$OCOP" $T2 fire close_registration "$ACT" --actor organiser
unchanged "refused requests write nothing" "$BEFORE"
expect 0 "open_registration" -- "$OCOP" --json $T2 fire open_registration "$ACT" --actor organiser --expect-version 1
check "registration_open, version 2" "out['state'] == 'registration_open' and out['version'] == 2"

# apply: the request (2), what it names (3), the actor's unit (6), the guards (4).
apply_data() { echo "{\"activity\":\"$1\",\"certificate\":\"$2\"${3:+,\"booths\":$3}}"; }
BEFORE=$(records)
expect 2 "apply without a certificate" -- "$OCOP" $T2 fire apply --actor producer.bx-c0001 --data "{\"activity\":\"$ACT\"}"
expect 2 "apply with zero booths" -- "$OCOP" $T2 fire apply --actor producer.bx-c0001 --data "$(apply_data $ACT $C1 0)"
expect 2 "apply by an unknown actor" -- "$OCOP" $T2 fire apply --actor nobody --data "$(apply_data $ACT $C1)"
expect 2 "cancel_participation is not fired directly" -- "$OCOP" $T2 fire cancel_participation "$ACT/BX-2026-000001" --actor organiser
expect 3 "apply to an unknown activity" -- "$OCOP" --json $T2 fire apply --actor producer.bx-c0001 --data "$(apply_data BX-XT-2026-999 $C1)"
check "not_found names the activity" "out['error']['code'] == 'not_found' and 'BX-XT-2026-999' in out['error']['message']"
expect 3 "apply with an unknown certificate" -- "$OCOP" $T2 fire apply --actor producer.bx-c0001 --data "$(apply_data $ACT BX-2026-999999/province)"
expect 6 "apply for another commune's product" -- "$OCOP" --json $T2 fire apply --actor producer.bx-c0002 --data "$(apply_data $ACT $C1)"
check "forbidden" "out['error']['code'] == 'forbidden'"
expect 4 "apply for more booths than a producer may hold" -- "$OCOP" --json $T2 fire apply --actor producer.bx-c0001 --data "$(apply_data $ACT $C1 3)"
check "names the limit" "'at most 2 per producer' in out['error']['message']"
unchanged "refused applications write nothing" "$BEFORE"

expect 0 "apply: two booths" -- "$OCOP" --json $T2 fire apply --actor producer.bx-c0001 --data "$(apply_data $ACT $C1 2)" --key apply-1
check "a participation's fields (spec §10.3)" "all(k in out for k in ['id','activity','dossier','certificate','product','producer','unit','state','booths','support_vnd','revenue_vnd','contracts'])"
check "the new participation" "out['id'] == '$ACT/BX-2026-000001' and out['activity'] == '$ACT' and out['dossier'] == 'BX-2026-000001' and out['certificate'] == '$C1' and out['product'] == 'Chè Shan tuyết Cao Bồ' and out['producer'] == 'HTX Chè Cao Bồ' and out['unit'] == 'BX-C0001' and out['state'] == 'applied' and out['version'] == 1 and out['booths'] == 2 and out['support_vnd'] == 0 and out['revenue_vnd'] is None and out['contracts'] is None"
P1=$ACT/BX-2026-000001
P2=$ACT/BX-2026-000002
P3=$ACT/BX-2026-000003
P4=$ACT/BX-2026-000004
P5=$ACT/BX-2026-000005
expect 0 "the same key again" -- "$OCOP" --json $T2 fire apply --actor producer.bx-c0001 --data "$(apply_data $ACT $C1 2)" --key apply-1
check "a duplicate" "out['duplicate'] is True and out['id'] == '$P1' and out['first_result'] == {'state': 'applied', 'version': 1}"
expect 4 "the same dossier applies again" -- "$OCOP" --json $T2 fire apply --actor producer.bx-c0001 --data "$(apply_data $ACT $C1 1)"
check "once per dossier" "'already applied' in out['error']['message']"
expect 0 "apply: another producer of the same commune" -- "$OCOP" --json $T2 fire apply --actor producer.bx-c0001 --data "$(apply_data $ACT $C2)"
check "applied" "out['id'] == '$P2' and out['booths'] == 1 and out['producer'] == 'Tổ hợp tác Miến dong'"
expect 0 "apply: the other commune's producer" -- "$OCOP" $T2 fire apply --actor producer.bx-c0002 --data "$(apply_data $ACT $C3)"
expect 0 "apply: the 3★ product, by the coordinator" -- "$OCOP" $T2 fire apply --actor coordinator --data "$(apply_data $ACT $C4)"
expect 0 "apply: the fifth" -- "$OCOP" $T2 fire apply --actor producer.bx-c0002 --data "$(apply_data $ACT $C5)"

# select, waitlist, decline, withdraw_application.
BEFORE=$(records)
expect 6 "select by a producer" -- "$OCOP" $T2 fire select "$P1" --actor producer.bx-c0001
expect 3 "select of an unknown participation" -- "$OCOP" --json $T2 fire select "$ACT/BX-2026-999999" --actor organiser
check "not_found" "out['error']['code'] == 'not_found'"
expect 3 "select at an unknown activity" -- "$OCOP" $T2 fire select "BX-XT-2026-999/BX-2026-000001" --actor organiser
expect 5 "select at a stale version" -- "$OCOP" --json $T2 fire select "$P1" --actor organiser --expect-version 3
check "conflict" "out['error']['code'] == 'conflict'"
expect 2 "decline without a reason" -- "$OCOP" $T2 fire decline "$P4" --actor organiser
expect 4 "report_outcome before the activity runs" -- "$OCOP" $T2 fire report_outcome "$P1" --actor producer.bx-c0001 --data '{"revenue_vnd":1,"contracts":0}'
expect 4 "mark_no_show of an applied participation" -- "$OCOP" $T2 fire mark_no_show "$P1" --actor organiser
unchanged "refused requests on participations write nothing" "$BEFORE"
expect 0 "select two booths" -- "$OCOP" --json $T2 fire select "$P1" --actor organiser --expect-version 1
# min(⌊2 × 4.000.000 × 50 / 100⌋, 3.000.000)
check "selected, support capped" "out['state'] == 'selected' and out['version'] == 2 and out['support_vnd'] == 3000000"
expect 0 "waitlist" -- "$OCOP" --json $T2 fire waitlist "$P3" --actor organiser
check "waitlisted" "out['state'] == 'waitlisted' and out['support_vnd'] == 0"
expect 0 "decline" -- "$OCOP" --json $T2 fire decline "$P4" --actor organiser --data '{"reason":"Không phù hợp chủ đề hội chợ"}'
check "declined with the reason" "out['state'] == 'declined' and out['reason'] == 'Không phù hợp chủ đề hội chợ'"
expect 4 "decline twice" -- "$OCOP" $T2 fire decline "$P4" --actor organiser --data '{"reason":"x"}'
expect 0 "select the third booth" -- "$OCOP" --json $T2 fire select "$P2" --actor organiser
check "support of one booth" "out['state'] == 'selected' and out['support_vnd'] == 2000000"
BEFORE=$(records)
expect 4 "select beyond the booths" -- "$OCOP" --json $T2 fire select "$P3" --actor organiser
check "refused, naming the booths" "out['error']['code'] == 'refused' and '3 booths' in out['error']['message']"
unchanged "a full activity's refusal writes nothing" "$BEFORE"
expect 6 "withdraw_application by another commune's producer" -- "$OCOP" $T2 fire withdraw_application "$P2" --actor producer.bx-c0002 --data '{"reason":"x"}'
expect 2 "withdraw_application without a reason" -- "$OCOP" $T2 fire withdraw_application "$P2" --actor producer.bx-c0001
expect 0 "withdraw_application" -- "$OCOP" --json $T2 fire withdraw_application "$P2" --actor producer.bx-c0001 --data '{"reason":"Thiếu hàng"}'
check "withdrawn" "out['state'] == 'withdrawn' and out['reason'] == 'Thiếu hàng'"
expect 0 "select the waitlisted one now that a booth is free" -- "$OCOP" --json $T2 fire select "$P3" --actor organiser
check "selected" "out['state'] == 'selected'"
expect 0 "the activity during registration" -- "$OCOP" --json $T2 activity "$ACT"
check "three booths selected" "out['activity']['booths_selected'] == 3 and out['totals']['booths_selected'] == 3 and out['totals']['support_vnd'] == 5000000 and out['totals']['by_state'] == {'selected': 2, 'withdrawn': 1, 'declined': 1, 'applied': 1}"

# The activity runs: start_activity declines what is still applied (a cascade, its own record).
expect 0 "close_registration" -- "$OCOP" --json --now 2026-04-21T06:00:00+07:00 fire close_registration "$ACT" --actor organiser
check "registration_closed" "out['state'] == 'registration_closed'"
expect 4 "apply after registration closed" -- "$OCOP" --now 2026-04-21T07:00:00+07:00 fire apply --actor coordinator --data "$(apply_data $ACT $C5)"
expect 6 "start_activity by the organiser (the scheduler's event)" -- "$OCOP" --now 2026-05-01T06:00:00+07:00 fire start_activity "$ACT" --actor organiser
expect 0 "start_activity" -- "$OCOP" --json --now 2026-05-01T06:00:00+07:00 fire start_activity "$ACT" --actor scheduler
check "running, the applied one cascaded" "out['state'] == 'running' and out['cascaded'] == ['$P5']"
expect 4 "withdraw_application once it runs" -- "$OCOP" --now 2026-05-02T09:00:00+07:00 fire withdraw_application "$P3" --actor producer.bx-c0002 --data '{"reason":"x"}'
expect 2 "report_outcome with money that is not whole đồng" -- "$OCOP" --now 2026-05-03T09:00:00+07:00 fire report_outcome "$P1" --actor producer.bx-c0001 --data '{"revenue_vnd":1.5,"contracts":0}'
expect 2 "report_outcome with negative contracts" -- "$OCOP" --now 2026-05-03T09:00:00+07:00 fire report_outcome "$P1" --actor producer.bx-c0001 --data '{"revenue_vnd":1,"contracts":-1}'
expect 0 "report_outcome" -- "$OCOP" --json --now 2026-05-03T09:00:00+07:00 fire report_outcome "$P1" --actor producer.bx-c0001 --data '{"revenue_vnd":12500000000,"contracts":3,"buyers":40,"note":"Ký 3 hợp đồng bao tiêu"}'
check "reported, the money kept exact" "out['state'] == 'reported' and out['revenue_vnd'] == 12500000000 and out['contracts'] == 3 and out['buyers'] == 40 and out['support_vnd'] == 3000000"
expect 0 "finish_activity" -- "$OCOP" --json --now 2026-05-06T06:00:00+07:00 fire finish_activity "$ACT" --actor scheduler
check "finished" "out['state'] == 'finished'"
BEFORE=$(records)
expect 4 "close_activity while a participation is selected" -- "$OCOP" --json --now 2026-05-07T09:00:00+07:00 fire close_activity "$ACT" --actor organiser
check "refused, naming the participation" "out['error']['code'] == 'refused' and '$P3' in out['error']['message']"
unchanged "the refused close writes nothing" "$BEFORE"
expect 0 "mark_no_show" -- "$OCOP" --json --now 2026-05-07T09:00:00+07:00 fire mark_no_show "$P3" --actor organiser
check "no_show" "out['state'] == 'no_show'"
expect 0 "close_activity" -- "$OCOP" --json --now 2026-05-07T10:00:00+07:00 fire close_activity "$ACT" --actor organiser
check "closed" "out['state'] == 'closed' and out['version'] == 6"
expect 4 "cancel a closed activity" -- "$OCOP" --now 2026-05-07T11:00:00+07:00 fire cancel_activity "$ACT" --actor organiser --data '{"reason":"x"}'

# --- reading it back ------------------------------------------------------------------------------
expect 0 "ocop activity" -- "$OCOP" --json activity "$ACT"
check "the shape {activity, participations, totals}" "sorted(out) == ['activity', 'participations', 'totals'] and sorted(out['totals']) == ['booths_selected', 'by_state', 'contracts', 'revenue_vnd', 'support_vnd']"
check "totals count the reported participation only" "out['totals'] == {'booths_selected': 2, 'support_vnd': 3000000, 'revenue_vnd': 12500000000, 'contracts': 3, 'by_state': {'reported': 1, 'withdrawn': 1, 'no_show': 1, 'declined': 2}}"
check "participations by id, with their states" "[(p['id'], p['state']) for p in out['participations']] == [('$P1','reported'), ('$P2','withdrawn'), ('$P3','no_show'), ('$P4','declined'), ('$P5','declined')]"
check "the no-show keeps its support, not counted" "out['participations'][2]['support_vnd'] == 2000000 and out['participations'][4]['reason'] == 'không được lựa chọn'"
check "each participation has the spec's fields" "all(all(k in p for k in ['id','activity','dossier','certificate','product','producer','unit','state','booths','support_vnd','revenue_vnd','contracts']) for p in out['participations'])"
expect 3 "ocop activity of an unknown id" -- "$OCOP" --json activity BX-XT-2026-999
check "not_found" "out['error']['code'] == 'not_found'"
expect 0 "ocop activity, text" -- "$OCOP" activity "$ACT"
if grep -q "2 of 3 booths" "$WORK/out" && grep -q "12.500.000.000" "$WORK/out"; then pass=$((pass + 1)); else
  failed=$((failed + 1)); echo "FAIL: activity text"; cat "$WORK/out"; fi

expect 0 "ocop activities" -- "$OCOP" --json activities
check "both, with the spec's fields" "sorted(a['id'] for a in out) == ['$ACT', 'DIEM-BAN-C0001-2027'] and all(all(k in a for k in ['id','name','kind','unit','state','starts','ends','booths','booths_selected']) for a in out)"
check "booths_selected and participations by state" "[(a['booths_selected'], a['participations_by_state']) for a in out if a['id'] == '$ACT'] == [(2, {'reported': 1, 'withdrawn': 1, 'no_show': 1, 'declined': 2})]"
expect 0 "--state closed" -- "$OCOP" --json activities --state closed
check "the fair" "[a['id'] for a in out] == ['$ACT']"
expect 0 "--state planned" -- "$OCOP" --json activities --state planned
check "the point of sale" "[a['id'] for a in out] == ['DIEM-BAN-C0001-2027'] and out[0]['booths_selected'] == 0"
expect 0 "--year 2027" -- "$OCOP" --json activities --year 2027
check "the year of starts" "[a['id'] for a in out] == ['DIEM-BAN-C0001-2027']"
expect 0 "--year 2026 --state closed" -- "$OCOP" --json activities --year 2026 --state closed
check "both filters" "[a['id'] for a in out] == ['$ACT']"
expect 0 "--year 2025" -- "$OCOP" --json activities --year 2025
check "none" "out == []"
expect 0 "--unit BX-C0001" -- "$OCOP" --json activities --unit BX-C0001
check "that unit and below" "[a['id'] for a in out] == ['DIEM-BAN-C0001-2027']"
expect 0 "--unit BX" -- "$OCOP" --json activities --unit BX
check "the province and below: both" "len(out) == 2"
expect 0 "--unit BX-C0002" -- "$OCOP" --json activities --unit BX-C0002
check "none there" "out == []"
expect 2 "--state that is not an activity state" -- "$OCOP" --json activities --state open
expect 2 "--unit that is not configured" -- "$OCOP" activities --unit BX-C9999
expect 0 "ocop activities, text" -- "$OCOP" activities
if grep -q "(2 activities)" "$WORK/out"; then pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: activities text"; cat "$WORK/out"; fi

expect 0 "history of a participation" -- "$OCOP" --json history "$P1"
check "apply, select, report_outcome: the participation's id, no level, chained" "[r['event'] for r in out] == ['apply', 'select', 'report_outcome'] and all(r['dossier'] == '$P1' and r['level'] == '' for r in out) and [(r['from'], r['to']) for r in out] == [('none', 'applied'), ('applied', 'selected'), ('selected', 'reported')] and out[0]['actor'] == 'producer.bx-c0001' and out[1]['actor'] == 'organiser'"
expect 0 "history of the cascaded participation" -- "$OCOP" --json history "$P5"
check "the decline by the scheduler, with its cause" "[r['event'] for r in out] == ['apply', 'decline'] and out[1]['actor'] == 'scheduler' and out[1]['data']['cause'] == 'start_activity'"
expect 0 "history of the activity" -- "$OCOP" --json history "$ACT"
check "its own events only; the refused close left nothing" "[r['event'] for r in out] == ['plan_activity', 'open_registration', 'close_registration', 'start_activity', 'finish_activity', 'close_activity']"
expect 3 "history of an unknown id" -- "$OCOP" history "$ACT/BX-2026-999999"

# --- inspections ------------------------------------------------------------------------------------
T3="--now 2026-06-01T09:00:00+07:00"
BEFORE=$(records)
expect 6 "the commune's inspector plans (below the issuing level)" -- "$OCOP" --json $T3 fire plan_inspection --actor inspector.bx-c0001 --data "{\"certificate\":\"$C1\",\"due\":\"2026-09-30\"}"
check "forbidden" "out['error']['code'] == 'forbidden'"
expect 3 "plan_inspection of an unknown certificate" -- "$OCOP" $T3 fire plan_inspection --actor inspector --data '{"certificate":"BX-2026-999999/province","due":"2026-09-30"}'
expect 2 "plan_inspection without due" -- "$OCOP" $T3 fire plan_inspection --actor inspector --data "{\"certificate\":\"$C1\"}"
expect 2 "plan_inspection with a due that is not a date" -- "$OCOP" $T3 fire plan_inspection --actor inspector --data "{\"certificate\":\"$C1\",\"due\":\"2026-02-30\"}"
expect 2 "inspections plan: share out of range" -- "$OCOP" --json $T3 inspections plan --actor inspector --year 2026 --share 0 --due 2026-09-30
expect 2 "inspections plan: due not a date" -- "$OCOP" $T3 inspections plan --actor inspector --year 2026 --share 50 --due 30/09/2026
expect 6 "inspections plan by a producer" -- "$OCOP" $T3 inspections plan --actor producer.bx-c0001 --year 2026 --share 50 --due 2026-09-30
unchanged "refused inspection requests write nothing" "$BEFORE"
expect 0 "inspections plan 50%" -- "$OCOP" --json $T3 inspections plan --actor inspector --year 2026 --share 50 --due 2026-09-30
# BX-C0001: ⌈50 × 2 / 100⌉ = 1 (the oldest: C1); BX-C0002: ⌈50 × 3 / 100⌉ = 2 (C3, C4).
check "one in BX-C0001, two in BX-C0002" "out['planned'] == 3 and out['units'] == [{'unit': 'BX-C0001', 'in_force': 2, 'wanted': 1, 'already': 0, 'planned': ['BX-C0001-HK-2026-001']}, {'unit': 'BX-C0002', 'in_force': 3, 'wanted': 2, 'already': 0, 'planned': ['BX-C0002-HK-2026-001', 'BX-C0002-HK-2026-002']}]"
AFTER_PLAN=$(records)
expect 0 "inspections plan 50% again" -- "$OCOP" --json $T3 inspections plan --actor inspector --year 2026 --share 50 --due 2026-09-30
check "plans nothing twice" "out['planned'] == 0 and [u['already'] for u in out['units']] == [1, 2] and all(u['planned'] == [] for u in out['units'])"
unchanged "the second run writes nothing" "$AFTER_PLAN"
expect 0 "inspections plan 100%" -- "$OCOP" --json $T3 inspections plan --actor inspector --year 2026 --share 100 --due 2026-09-30
check "adds the difference" "out['planned'] == 2 and [u['planned'] for u in out['units']] == [['BX-C0001-HK-2026-002'], ['BX-C0002-HK-2026-003']]"
expect 0 "inspections plan 100% again, text" -- "$OCOP" $T3 inspections plan --actor inspector --year 2026 --share 100 --due 2026-09-30
if grep -q "^0 inspection(s) planned, due 2026-09-30" "$WORK/out"; then pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: plan text"; cat "$WORK/out"; fi
expect 0 "ocop inspections" -- "$OCOP" --json inspections
check "five, planned, with the spec's fields" "len(out) == 5 and all(i['state'] == 'planned' and i['due'] == '2026-09-30' and all(k in i for k in ['id','certificate','product','unit','state','due','remedy_due','findings']) for i in out)"
check "one per certificate" "sorted(i['certificate'] for i in out) == sorted(['$C1', '$C2', '$C3', '$C4', '$C5'])"
I1=BX-C0001-HK-2026-001
expect 0 "the plan's first inspection is the oldest certificate's" -- "$OCOP" --json inspections --unit BX-C0001
check "C1 first" "[(i['id'], i['certificate']) for i in out] == [('$I1', '$C1'), ('BX-C0001-HK-2026-002', '$C2')]"

BEFORE=$(records)
T4="--now 2026-06-12T09:00:00+07:00"  # a Friday
expect 2 "record_inspection without findings" -- "$OCOP" $T4 fire record_inspection "$I1" --actor inspector --data '{"result":"remedy_required","remedy_days":5}'
expect 2 "record_inspection remedy_required without remedy_days" -- "$OCOP" $T4 fire record_inspection "$I1" --actor inspector --data '{"result":"remedy_required","findings":[]}'
expect 2 "record_inspection with an unknown result" -- "$OCOP" $T4 fire record_inspection "$I1" --actor inspector --data '{"result":"fine","findings":[]}'
expect 2 "a violation on a ground not configured" -- "$OCOP" $T4 fire record_inspection "$I1" --actor inspector --data '{"result":"violation","findings":[],"ground":"weather"}'
expect 3 "record_inspection of an unknown inspection" -- "$OCOP" $T4 fire record_inspection BX-C0001-HK-2026-999 --actor inspector --data '{"result":"compliant","findings":[]}'
expect 6 "record_inspection by the commune's inspector" -- "$OCOP" $T4 fire record_inspection "$I1" --actor inspector.bx-c0001 --data '{"result":"compliant","findings":[]}'
expect 4 "confirm_remedy of a planned inspection" -- "$OCOP" $T4 fire confirm_remedy "$I1" --actor inspector --data '{"note":"x"}'
expect 5 "record_inspection at a stale version" -- "$OCOP" $T4 fire record_inspection "$I1" --actor inspector --data '{"result":"compliant","findings":[]}' --expect-version 2
unchanged "refused inspection events write nothing" "$BEFORE"
expect 0 "record_inspection: remedy required" -- "$OCOP" --json $T4 fire record_inspection "$I1" --actor inspector --data '{"result":"remedy_required","findings":[{"criterion":"Nhãn mác","note":"Thiếu hạn sử dụng"}],"remedy_days":5}'
# Five working days after Friday 12/06: 15, 16, 17, 18, 19 June.
check "remedy_due and findings" "out['state'] == 'remedy_required' and out['remedy_due'] == '2026-06-19' and out['findings'] == [{'criterion': 'Nhãn mác', 'note': 'Thiếu hạn sử dụng'}] and out['version'] == 2 and out['product'] == 'Chè Shan tuyết Cao Bồ' and out['unit'] == 'BX-C0001'"
expect 0 "record_inspection: compliant" -- "$OCOP" --json $T4 fire record_inspection BX-C0002-HK-2026-001 --actor inspector --data '{"result":"compliant","findings":[]}'
check "compliant, no remedy_due" "out['state'] == 'compliant' and out['remedy_due'] is None"
expect 0 "inspections --state remedy_required" -- "$OCOP" --json inspections --state remedy_required
check "the one" "[i['id'] for i in out] == ['$I1']"
expect 0 "inspections --year 2026 --unit BX-C0002" -- "$OCOP" --json inspections --year 2026 --unit BX-C0002
check "three" "len(out) == 3 and all(i['unit'] == 'BX-C0002' for i in out)"
expect 0 "inspections --year 2027" -- "$OCOP" --json inspections --year 2027
check "none" "out == []"
expect 2 "inspections --state that is not one" -- "$OCOP" inspections --state done
expect 0 "history of an inspection" -- "$OCOP" --json history "$I1"
check "plan_inspection, record_inspection" "[r['event'] for r in out] == ['plan_inspection', 'record_inspection'] and out[0]['dossier'] == '$I1' and out[1]['to'] == 'remedy_required'"

# --- the report ----------------------------------------------------------------------------------------
expect 0 "report" -- "$OCOP" --json report
check "promotion totals" "out['promotion'] == {'activities': 2, 'participations_selected': 1, 'support_vnd': 3000000, 'revenue_vnd': 12500000000, 'contracts': 3, 'inspections_by_result': {'planned': 3, 'remedy_required': 1, 'compliant': 1}}"
check "per unit: organiser's activities, products' participations" "out['units']['BX']['promotion']['activities'] == 1 and out['units']['BX-C0001']['promotion']['activities'] == 1 and out['units']['BX-C0001']['promotion']['participations_selected'] == 1 and out['units']['BX-C0001']['promotion']['revenue_vnd'] == 12500000000 and out['units']['BX-C0002']['promotion']['inspections_by_result'] == {'planned': 2, 'compliant': 1}"
expect 0 "report, text" -- "$OCOP" report
if grep -q "Trade promotion: 2 activities, 1 participation(s) selected, support 3.000.000 đ, revenue 12.500.000.000 đ, 3 contract(s)" "$WORK/out"; then
  pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: report text"; grep -i "promotion\|inspection" "$WORK/out"; fi
expect 0 "audit verify" -- "$OCOP" --json audit verify
check "the chain holds with the objects' records in it" "out['valid'] is True"

# --- the same kind of events from an event file ------------------------------------------------------
cat >"$WORK/promotion.jsonl" <<JSONL
{"key":"x-1","event":"plan_activity","actor":"organiser","at":"2026-06-01T09:00:00+07:00","data":{"id":"TUAN-LE-OCOP-2026","name":"Tuần lễ OCOP","kind":"exhibition","unit":"BX","venue":"Nhà văn hoá","registration_opens":"2026-06-02","registration_closes":"2026-06-20","starts":"2026-07-01","ends":"2026-07-07","booths":2}}
{"key":"x-2","dossier":"TUAN-LE-OCOP-2026","event":"open_registration","actor":"scheduler","at":"2026-06-02T06:00:00+07:00"}
{"key":"x-3","event":"apply","actor":"producer.bx-c0001","at":"2026-06-03T09:00:00+07:00","data":{"activity":"TUAN-LE-OCOP-2026","certificate":"$C1","booths":2}}
{"key":"x-4","event":"apply","actor":"producer.bx-c0002","at":"2026-06-03T10:00:00+07:00","data":{"activity":"TUAN-LE-OCOP-2026","certificate":"$C3"}}
{"key":"x-5","dossier":"TUAN-LE-OCOP-2026/BX-2026-000001","event":"select","actor":"organiser","at":"2026-06-04T09:00:00+07:00"}
{"key":"x-6","dossier":"TUAN-LE-OCOP-2026/BX-2026-000003","event":"select","actor":"organiser","at":"2026-06-04T09:05:00+07:00"}
{"key":"x-7","dossier":"TUAN-LE-OCOP-2026/BX-2026-000003","event":"waitlist","actor":"organiser","at":"2026-06-04T09:10:00+07:00"}
{"key":"x-8","dossier":"BX-C0001-HK-2026-001","event":"confirm_remedy","actor":"inspector","at":"2026-06-15T09:00:00+07:00","data":{"note":"Đã bổ sung nhãn"}}
{"key":"x-9","event":"apply","actor":"producer.bx-c0001","at":"2026-06-03T09:00:00+07:00","data":{"activity":"NO-SUCH-ACTIVITY","certificate":"$C2"}}
JSONL
BEFORE=$(records)
# x-6 is refused (4: both booths taken), x-9 (3: no such activity); the rest applied. The
# import exits with the first refusal's code.
expect 4 "import the promotion events" -- "$OCOP" --json import "$WORK/promotion.jsonl"
check "applied and refused" "out['applied'] == 7 and out['refused'] == 2 and out['skipped'] == 0"
stderr_has "the refused line is named" "promotion.jsonl:6"
stderr_has "and the other" "promotion.jsonl:9"
ok "seven records written" test "$(records)" -eq $((BEFORE + 7))
expect 0 "the imported activity" -- "$OCOP" --json activity TUAN-LE-OCOP-2026
check "one selected (two booths), one waitlisted" "out['activity']['state'] == 'registration_open' and out['totals']['booths_selected'] == 2 and out['totals']['by_state'] == {'selected': 1, 'waitlisted': 1}"
expect 0 "history keeps the file's times" -- "$OCOP" --json history TUAN-LE-OCOP-2026/BX-2026-000001
check "times and actors" "[(r['event'], r['at'][:16]) for r in out] == [('apply', '2026-06-03T09:00'), ('select', '2026-06-04T09:00')]"
expect 0 "the remedy confirmed" -- "$OCOP" --json inspections --state compliant --unit BX-C0001
check "I1 compliant" "[i['id'] for i in out] == ['$I1']"
expect 4 "import the same file again" -- "$OCOP" --json import "$WORK/promotion.jsonl"
check "the applied keys are skipped, the refused refused again" "out['applied'] == 0 and out['skipped'] == 7 and out['refused'] == 2"
expect 0 "audit verify at the end" -- "$OCOP" --json audit verify
check "valid" "out['valid'] is True and out['records'] == $BEFORE + 7"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
