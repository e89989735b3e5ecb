#!/usr/bin/env bash
# End-to-end tests of the `ocop` command line: JSON output and exit codes (spec §8).
# Usage: cli_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db ocop)
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

# The global options may follow the command too (as in git or kubectl).
expect 0 "--json after the command" -- "$OCOP" list --json
check "list prints JSON" "isinstance(out, list) and out[0]['id'] == 'BX-2026-000001'"
expect 0 "--json and --now after the command" -- "$OCOP" show BX-2026-000001 --json --now 2026-03-02T09:00:00+07:00
check "show prints JSON" "out['id'] == 'BX-2026-000001' and out['documents'] == []"
expect 0 "--json after a nested command" -- "$OCOP" audit verify --json
check "verify prints JSON" "out['valid'] is True and out['records'] == 1"
expect 2 "an unknown option after the command is still refused" -- "$OCOP" list --jsn
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
expect 2 "import of a file that does not exist" -- "$OCOP" import "$WORK/missing.jsonl"
stderr_has "the file is named" "cannot read"
mkdir -p "$WORK/a-directory"
expect 1 "import of something that cannot be read to the end" -- "$OCOP" --json import "$WORK/a-directory"
stderr_has "the read failure is said" "failed part-way"

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
db_sql "$OCOP_DB" "DELETE FROM audit WHERE dossier='BX-2026-000009'; DELETE FROM dossiers WHERE id='BX-2026-000009'"
expect 0 "without the anchor the removal of a whole newest dossier is invisible" -- "$OCOP" audit verify
db_sql "$OCOP_DB" "DELETE FROM audit WHERE seq=(SELECT MAX(seq) FROM audit)"
expect 4 "with the anchor it is not" -- "$OCOP" audit verify --anchor "$HEAD"
expect 4 "a removed tail record of a remaining dossier shows without an anchor" -- "$OCOP" audit verify
db_sql "$OCOP_DB" "DELETE FROM dossiers WHERE id='BX-2026-000001'"
expect 4 "records of a deleted dossier show" -- "$OCOP" --json audit verify
check "names the dossier" "'BX-2026-000001' in out['problem']"

# Tampering by hand is detected.
db_sql "$OCOP_DB" "UPDATE audit SET actor='someone' WHERE seq=3"
expect 4 "verify after tampering" -- "$OCOP" --json audit verify
check "names the record" "out['valid'] is False and 'audit record 3' in out['problem']"

# A normal (non-simulation) database refuses --now and event times.
export OCOP_DB=$(new_db normal)
expect 0 "init a normal database" -- "$OCOP" init
expect 2 "--now on a normal database" -- "$OCOP" --now 2026-03-02T08:00:00+07:00 show X
expect 2 "event times on a normal database" -- "$OCOP" --json import "$WORK/events.jsonl"
check "all refused" "out['applied'] == 0 and out['refused'] == 6"
expect 2 "a bad database URL" -- "$OCOP" --db mysql://x show X

# A configuration is parsed again when its file changes, and only then.
cp "$REPO/tests/data/config/gen_workload.yaml" "$WORK/cfg.yaml"
export OCOP_CONFIG="$WORK/cfg.yaml" OCOP_DB=$(new_db cfg)
expect 0 "init with a copied configuration" -- "$OCOP" init --simulation
NEW5='{"id":"BX-2026-000005","product":"Gạo","product_set":"rice_cereals","producer":"HTX Gạo","unit":"BX-C0001"}'
expect 2 "an actor the configuration does not have yet" -- "$OCOP" fire submit_idea --actor new.coordinator --data "$NEW5"
sed -i 's/^users:$/users:\n  - {id: new.coordinator, name: "Điều phối viên mới", roles: [coordinator], unit: BX}/' "$WORK/cfg.yaml"
expect 0 "the same actor after the file changed" -- "$OCOP" --json fire submit_idea --actor new.coordinator --data "$NEW5"
check "created by the new user" "out['id'] == 'BX-2026-000005'"
echo "bogus_section: 1" >>"$WORK/cfg.yaml"
expect 2 "a configuration broken after init is refused, not served from the snapshot" -- "$OCOP" show BX-2026-000005
stderr_has "the broken key is named" "bogus_section"

# Certificates (spec §3): revoke, the certificates filters, a product's history.
export OCOP_CONFIG="$REPO/tests/data/config/gen_workload.yaml" OCOP_DB=$(new_db certs)
expect 0 "init a database for certificates" -- "$OCOP" init --simulation
python3 - "$WORK/certs.jsonl" <<'PY'
import datetime, json, sys
docs = [{"kind": k, "name": k + ".pdf", "sha256": str(i) * 64, "bytes": 10}
        for i, k in enumerate(["registration_form", "self_assessment"], 1)]
lines = []
def ev(event, actor, dossier=None, data=None):
    at = datetime.datetime(2026, 6, 1, 8) + datetime.timedelta(minutes=10 * len(lines))
    e = {"event": event, "actor": actor, "at": at.isoformat() + "+07:00"}
    if dossier: e["dossier"] = dossier
    if data is not None: e["data"] = data
    lines.append(e)
def recognised(id, unit, product, points, extra=None):
    c = unit.lower()
    data = {"id": id, "product": product, "product_set": "tea", "producer": "HTX Chè " + unit, "unit": unit,
            "registration_type": "new", "documents": docs}
    data.update(extra or {})
    ev("register", "producer." + c, data=data)
    ev("accept_dossier", "officer." + c, id)
    ev("forward", "officer." + c, id)
    ev("accept_dossier", "coordinator", id, {"round": "2026-1"})
    for m in range(1, 6):
        ev("score", "member.%d" % m, id, points)
    ev("close_scoring", "chair", id)
    ev("recognize", "signer", id, {"decision_no": "1187/QĐ-UBND", "decision_date": "2026-10-30"})
recognised("BX-2026-000101", "BX-C0001", "Chè Shan tuyết", {"A": 25, "B": 15, "C": 20})          # 3★
recognised("BX-2026-000102", "BX-C0002", "Chè xanh", {"A": 32, "B": 20, "C": 28})                 # 4★
recognised("BX-2026-000103", "BX-C0001", "Chè Shan tuyết", {"A": 32, "B": 20, "C": 28},
           {"registration_type": "upgrade", "certificate": "BX-2026-000101/province"})            # upgrade: 4★
open(sys.argv[1], "w").write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines))
PY
expect 0 "import three recognised dossiers" -- "$OCOP" --json import "$WORK/certs.jsonl"
check "all applied" "out['refused'] == 0 and out['applied'] == 33"
expect 0 "expiring within 60 days: the two certificates in force" -- "$OCOP" --json --now 2029-10-01T09:00:00+07:00 certificates --expiring-within 60
check "not the superseded one" "sorted(c['id'] for c in out) == ['BX-2026-000102/province', 'BX-2026-000103/province']"
expect 0 "expiring within 20 days: none yet" -- "$OCOP" --json --now 2029-10-01T09:00:00+07:00 certificates --expiring-within 20
check "empty" "out == []"
REVOKE='{"ground":"fraud","decision_no":"12/QĐ-UBND","decision_date":"2027-01-15"}'
AT="--now 2027-01-15T09:00:00+07:00"
expect 6 "revoke by a commune officer" -- "$OCOP" --json $AT fire revoke BX-2026-000102/province --actor officer.bx-c0002 --data "$REVOKE"
check "forbidden" "out['error']['code'] == 'forbidden'"
expect 2 "revoke on a ground not configured" -- "$OCOP" --json $AT fire revoke BX-2026-000102/province --actor signer --data '{"ground":"weather","decision_no":"1"}'
check "names the configured grounds" "'food_safety' in out['error']['message'] and 'fraud' in out['error']['message']"
expect 2 "revoke without a decision number" -- "$OCOP" $AT fire revoke BX-2026-000102/province --actor signer --data '{"ground":"fraud"}'
expect 3 "revoke an unknown certificate" -- "$OCOP" --json $AT fire revoke BX-2026-999999/province --actor signer --data "$REVOKE"
check "not_found" "out['error']['code'] == 'not_found'"
expect 2 "supersede is not fired by hand" -- "$OCOP" $AT fire supersede BX-2026-000102/province --actor signer
expect 0 "revoke by the province's signer" -- "$OCOP" --json $AT fire revoke BX-2026-000102/province --actor signer --data "$REVOKE" --key rv-1
check "revoked, with the ground's text" "out['state'] == 'revoked' and out['revocation']['ground'] == 'fraud' and out['revocation']['ground_text'].startswith('Gian lận') and out['revocation']['revoked_on'] == '2027-01-15'"
expect 0 "the same key again" -- "$OCOP" --json $AT fire revoke BX-2026-000102/province --actor signer --data "$REVOKE" --key rv-1
check "a duplicate" "out['duplicate'] is True and out['state'] == 'revoked'"
expect 4 "revoke twice" -- "$OCOP" --json $AT fire revoke BX-2026-000102/province --actor central.signer --data "$REVOKE"
check "refused, naming the state" "out['error']['code'] == 'refused' and 'in state revoked' in out['error']['message']"
expect 4 "revoke a superseded certificate" -- "$OCOP" $AT fire revoke BX-2026-000101/province --actor signer --data "$REVOKE"
stderr_has "says by which certificate" "superseded by BX-2026-000103/province"
expect 0 "revoke, text output" -- "$OCOP" $AT fire revoke BX-2026-000103/province --actor signer --data '{"ground":"food_safety","decision_no":"13/QĐ-UBND"}'
if grep -q "^revoked: *food_safety — Vi phạm" "$WORK/out"; then pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: text output of revoke"; cat "$WORK/out"; fi
expect 0 "the dossier stays recognized, one version up" -- "$OCOP" --json show BX-2026-000102
check "state and version" "out['state'] == 'recognized' and out['version'] == 12 and out['certificate'] == 'BX-2026-000102/province'"
expect 0 "history shows the revocation" -- "$OCOP" --json history BX-2026-000102
check "last record" "out[-1]['event'] == 'revoke' and out[-1]['from'] == 'active' and out[-1]['to'] == 'revoked' and out[-1]['data']['certificate'] == 'BX-2026-000102/province'"
expect 0 "audit verify after revocations (chain and versions)" -- "$OCOP" --json audit verify
check "valid" "out['valid'] is True and out['records'] == 35"

expect 0 "certificates by state" -- "$OCOP" --json certificates --state revoked
check "two revoked" "sorted(c['id'] for c in out) == ['BX-2026-000102/province', 'BX-2026-000103/province']"
expect 0 "certificates of the province include its communes'" -- "$OCOP" --json certificates --unit BX
check "all three" "len(out) == 3"
expect 0 "certificates of one commune" -- "$OCOP" --json certificates --unit BX-C0002
check "one" "[c['id'] for c in out] == ['BX-2026-000102/province']"
expect 2 "certificates of an unknown unit" -- "$OCOP" certificates --unit BX-C9999
expect 0 "certificates by stars" -- "$OCOP" --json certificates --stars 3
check "the 3★ one" "[c['id'] for c in out] == ['BX-2026-000101/province']"
expect 2 "stars out of range" -- "$OCOP" certificates --stars 7
expect 0 "expiring within 60 days, after the revocations" -- "$OCOP" --json --now 2029-10-01T09:00:00+07:00 certificates --expiring-within 60
check "revoked certificates do not expire" "out == []"
expect 2 "certificates by an unknown state" -- "$OCOP" certificates --state valid

expect 0 "product show by dossier" -- "$OCOP" --json product show BX-2026-000103
check "both dossiers and certificates, oldest first" "[d['id'] for d in out['dossiers']] == ['BX-2026-000101', 'BX-2026-000103'] and [c['id'] for c in out['certificates']] == ['BX-2026-000101/province', 'BX-2026-000103/province'] and out['certificates'][0]['superseded_by'] == 'BX-2026-000103/province' and out['certificates'][1]['revocation']['ground'] == 'food_safety'"
expect 0 "product show by name" -- "$OCOP" --json product show "Chè Shan tuyết"
check "the same product" "len(out['dossiers']) == 2 and out['producer'] == 'HTX Chè BX-C0001'"
expect 0 "product show, table" -- "$OCOP" product show BX-2026-000101/province
if grep -q "^Certificates (2):" "$WORK/out" && grep -q "superseded by BX-2026-000103/province" "$WORK/out"; then
  pass=$((pass + 1)); else failed=$((failed + 1)); echo "FAIL: product show table"; cat "$WORK/out"; fi
expect 3 "product show of nothing" -- "$OCOP" --json product show "Cà phê"
check "not_found" "out['error']['code'] == 'not_found'"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
