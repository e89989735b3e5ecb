#!/usr/bin/env bash
# End-to-end tests of the `ocop` command line: JSON output and exit codes (spec §8).
# Usage: cli_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export OCOP_DB="sqlite:$WORK/ocop.db"
export OCOP_CONFIG="$REPO/tests/data/config/gen_workload.yaml"
pass=0
failed=0

source "$(dirname "$0")/lib/asserts.sh"

DOCS='[{"kind":"registration_form","name":"f.pdf","sha256":"'$(printf %064d 1)'","bytes":10},{"kind":"self_assessment","name":"s.pdf","sha256":"'$(printf %064d 2)'","bytes":20}]'
NEW='{"id":"BX-2026-000001","product":"Mật ong bạc hà","product_set":"honey","producer":"HTX Mật ong","unit":"BX-C0001"}'

expect 2 "a command before init" -- "$OCOP" show BX-2026-000001
stderr_has "not initialised" "ocop init"
expect 0 "init a simulation database" -- "$OCOP" --json init --simulation
check "init says simulation" "out['simulation'] is True and out['schema_version'] >= 1"
expect 0 "init again migrates nothing" -- "$OCOP" --json init --simulation
check "no migration the second time" "out['migrations_applied'] == 0 and out['created'] is False"

expect 0 "config check of a valid file" -- "$OCOP" config check
printf 'province: {code: BX, name: "X", timezone: Asia/Ho_Chi_Minh}\nunits:\n  - {code: VN, name: "TW", level: centrall}\n' >"$WORK/bad.yaml"
expect 2 "config check of an invalid file" -- "$OCOP" config check "$WORK/bad.yaml"
stderr_has "file:line: key: problem" "bad.yaml:3"

expect 0 "submit an idea" -- "$OCOP" --json --now 2026-03-02T08:00:00+07:00 fire submit_idea --actor producer.bx-c0001 --data "$NEW" --key cli-1
check "the new dossier" "out['id'] == 'BX-2026-000001' and out['state'] == 'idea_submitted' and out['version'] == 1 and out['unit'] == 'BX-C0001' and out['product'] == 'Mật ong bạc hà'"
expect 0 "the same key again" -- "$OCOP" --json fire submit_idea --actor producer.bx-c0001 --data "$NEW" --key cli-1
check "duplicate is flagged" "out.get('duplicate') is True and out['version'] == 1"

expect 2 "unknown event" -- "$OCOP" --json fire take_off BX-2026-000001 --actor producer.bx-c0001
check "JSON error object" "out['error']['code'] == 'bad_input' and 'take_off' in out['error']['message']"
expect 2 "malformed --data" -- "$OCOP" fire return_idea BX-2026-000001 --actor officer.bx-c0001 --data '{"reason": '
expect 2 "missing required option" -- "$OCOP" fire accept_idea BX-2026-000001
expect 2 "unknown command" -- "$OCOP" fly
expect 2 "missing option, with --json" -- "$OCOP" --json fire accept_idea BX-2026-000001
check "argument errors come as a JSON error object too" "out['error']['code'] == 'bad_input' and out['error']['exit'] == 2"
expect 2 "a --batch out of range" -- "$OCOP" import --batch 0 x.jsonl
expect 3 "a dossier id that is not UTF-8" -- "$OCOP" --json show $'X\xff'
check "still valid JSON" "out['error']['code'] == 'not_found'"
expect 2 "data that is not UTF-8" -- "$OCOP" --json fire annotate BX-2026-000001 --actor producer.bx-c0001 --data $'{"note": "\xff"}'

expect 3 "unknown dossier" -- "$OCOP" --json fire accept_idea BX-2026-999999 --actor officer.bx-c0001
check "not_found code" "out['error']['code'] == 'not_found'"
expect 3 "show unknown dossier" -- "$OCOP" show BX-2026-999999
expect 6 "another commune's officer" -- "$OCOP" --json fire accept_idea BX-2026-000001 --actor officer.bx-c0002
check "forbidden code" "out['error']['code'] == 'forbidden'"
expect 4 "an event the state does not allow" -- "$OCOP" --json fire approve_plan BX-2026-000001 --actor officer.bx-c0001
check "refusal names state and allowed events" "'idea_submitted' in out['error']['message'] and 'accept_idea' in out['error']['message']"
expect 5 "a stale version" -- "$OCOP" fire accept_idea BX-2026-000001 --actor officer.bx-c0001 --expect-version 7
expect 0 "accept the idea" -- "$OCOP" --json fire accept_idea BX-2026-000001 --actor officer.bx-c0001 --expect-version 1
check "version 2" "out['state'] == 'idea_accepted' and out['version'] == 2"
expect 0 "show" -- "$OCOP" --json show BX-2026-000001
check "show carries the spec's fields" "all(k in out for k in ['id','state','level','version','unit','product','product_set','rule_set','score','stars','certificate'])"
expect 0 "list by state" -- "$OCOP" --json list --state idea_accepted
check "one dossier listed" "len(out) == 1 and out[0]['id'] == 'BX-2026-000001'"
expect 2 "list by an unknown state" -- "$OCOP" list --state sleeping
expect 0 "history" -- "$OCOP" --json history BX-2026-000001
check "two records, chained" "len(out) == 2 and out[1]['prev_hash'] == out[0]['hash'] and out[0]['event'] == 'submit_idea'"

# import: applied, skipped and refused counts; malformed lines are refused, not fatal.
cat >"$WORK/events.jsonl" <<JSONL
{"key":"i-1","event":"submit_idea","actor":"producer.bx-c0002","at":"2026-03-03T08:00:00+07:00","data":{"id":"BX-2026-000002","product":"Cam sành","product_set":"fresh_produce","producer":"HTX Cam","unit":"BX-C0002"}}
{"key":"i-1","event":"submit_idea","actor":"producer.bx-c0002","at":"2026-03-03T08:00:00+07:00","data":{"id":"BX-2026-000002","product":"Cam sành","product_set":"fresh_produce","producer":"HTX Cam","unit":"BX-C0002"}}
{"key":"i-2","dossier":"BX-2026-000002","event":"accept_idea","actor":"officer.bx-c0002","at":"2026-03-04T08:00:00+07:00"}
this is not json
{"key":"i-3","dossier":"BX-2026-000002","event":"approve_plan","actor":"officer.bx-c0002","at":"2026-03-05T08:00:00+07:00"}
{"key":"i-4","event":"register","actor":"producer.bx-c0002","at":"2026-03-06T08:00:00+07:00","data":{"id":"BX-2026-000003","product":"Chè","product_set":"tea","producer":"HTX Chè","unit":"BX-C0002","registration_type":"new","documents":$DOCS}}
JSONL
expect 2 "import with a malformed line" -- "$OCOP" --json import "$WORK/events.jsonl"
check "import counts" "out['applied'] == 3 and out['skipped'] == 1 and out['refused'] == 2"
stderr_has "line of the malformed event" "events.jsonl:4"
expect 0 "import the same file again: all skipped or refused again" -- true
"$OCOP" --json import --batch 100 "$WORK/events.jsonl" >"$WORK/out" 2>"$WORK/err"
check "re-import skips what was applied" "out['applied'] == 0 and out['skipped'] == 4 and out['refused'] == 2"

expect 0 "certificates (none yet)" -- "$OCOP" --json certificates --expiring-within 30
check "an empty list" "out == []"
expect 0 "audit verify" -- "$OCOP" --json audit verify
check "the chain holds" "out['valid'] is True and out['records'] == 5"
expect 0 "audit export csv" -- "$OCOP" audit export --format csv
expect 2 "audit export in an unknown format" -- "$OCOP" audit export --format xml
expect 0 "report" -- "$OCOP" --json report
check "report counts" "out['dossiers_by_state']['idea_accepted'] == 2 and out['dossiers_by_state']['submitted'] == 1"

# An anchored head (published earlier) catches the removal of the newest records together
# with the dossier they created, which the chain alone cannot see.
"$OCOP" --json audit verify >"$WORK/out"
HEAD=$(python3 -c "import json; print(json.load(open('$WORK/out'))['head'])")
"$OCOP" --json fire submit_idea --actor producer.bx-c0001 --data '{"id":"BX-2026-000009","product":"Gà đen","product_set":"processed_meat","producer":"HTX Gà","unit":"BX-C0001"}' >/dev/null
expect 0 "verify with the anchor" -- "$OCOP" audit verify --anchor "$HEAD"
sqlite3 "$WORK/ocop.db" "DELETE FROM audit WHERE dossier='BX-2026-000009'; DELETE FROM dossiers WHERE id='BX-2026-000009'"
expect 0 "without the anchor the removal of a whole newest dossier is invisible" -- "$OCOP" audit verify
sqlite3 "$WORK/ocop.db" "DELETE FROM audit WHERE seq=(SELECT MAX(seq) FROM audit)"
expect 4 "with the anchor it is not" -- "$OCOP" audit verify --anchor "$HEAD"
expect 4 "a removed tail record of a remaining dossier shows without an anchor" -- "$OCOP" audit verify
sqlite3 "$WORK/ocop.db" "DELETE FROM dossiers WHERE id='BX-2026-000001'"
expect 4 "records of a deleted dossier show" -- "$OCOP" --json audit verify
check "names the dossier" "'BX-2026-000001' in out['problem']"

# Tampering by hand is detected.
sqlite3 "$WORK/ocop.db" "UPDATE audit SET actor='someone' WHERE seq=3"
expect 4 "verify after tampering" -- "$OCOP" --json audit verify
check "names the record" "out['valid'] is False and 'audit record 3' in out['problem']"

# A normal (non-simulation) database refuses --now and event times.
export OCOP_DB="sqlite:$WORK/normal.db"
expect 0 "init a normal database" -- "$OCOP" init
expect 2 "--now on a normal database" -- "$OCOP" --now 2026-03-02T08:00:00+07:00 show X
expect 2 "event times on a normal database" -- "$OCOP" --json import "$WORK/events.jsonl"
check "all refused" "out['applied'] == 0 and out['refused'] == 6"
expect 2 "a bad database URL" -- "$OCOP" --db mysql://x show X

# A configuration is parsed again when its file changes, and only then.
cp "$REPO/tests/data/config/gen_workload.yaml" "$WORK/cfg.yaml"
export OCOP_CONFIG="$WORK/cfg.yaml" OCOP_DB="sqlite:$WORK/cfg.db"
expect 0 "init with a copied configuration" -- "$OCOP" init --simulation
NEW5='{"id":"BX-2026-000005","product":"Gạo","product_set":"rice_cereals","producer":"HTX Gạo","unit":"BX-C0001"}'
expect 2 "an actor the configuration does not have yet" -- "$OCOP" fire submit_idea --actor new.coordinator --data "$NEW5"
sed -i 's/^users:$/users:\n  - {id: new.coordinator, name: "Điều phối viên mới", roles: [coordinator], unit: BX}/' "$WORK/cfg.yaml"
expect 0 "the same actor after the file changed" -- "$OCOP" --json fire submit_idea --actor new.coordinator --data "$NEW5"
check "created by the new user" "out['id'] == 'BX-2026-000005'"
echo "bogus_section: 1" >>"$WORK/cfg.yaml"
expect 2 "a configuration broken after init is refused, not served from the snapshot" -- "$OCOP" show BX-2026-000005
stderr_has "the broken key is named" "bogus_section"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
