#!/usr/bin/env bash
# End-to-end tests of notifications: events queue messages in their transaction, `ocop deliver`
# sends them to a REAL SMTP server (aiosmtpd) and a REAL HTTP receiver (lib/webhook_receiver.py),
# and what arrives is checked: recipients, the decoded Vietnamese subject and body, the
# Message-ID, the webhook's HMAC signature and idempotency key. Also: retries with backoff until
# a flaky receiver answers on the third try, a receiver that never recovers (dead, then
# `outbox retry`), a missing signing secret (held, never sent unsigned), messages committed but
# not yet delivered when the process ended (delivered exactly once by the next run), and a
# deliverer killed with SIGKILL after sending and before recording it (sent again with the same
# idempotency key once its claim runs out: at least once, and the receiver can tell).
# Usage: notify_test.sh PATH/TO/ocop REPO_DIR. Skips (77) only when aiosmtpd is missing.
set -uo pipefail
OCOP=$1
REPO=$2
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
source "$LIB/receivers.sh"
WORK=$(mktemp -d)
cleanup() {
  stop_receivers
  rm -rf "$WORK"
}
trap cleanup EXIT
export OCOP_DB="sqlite:$WORK/ocop.db"
unset OCOP_DOCUMENTS_DIR
export OCOP_TEST_SECRET="bí-mật-ký-webhook"
pass=0
failed=0
source "$LIB/asserts.sh"

# --- the receivers ------------------------------------------------------------------------------
start_receivers

# The sample configuration, its channels pointed at the receivers: config PATH MAX_ATTEMPTS.
config() {
  "$PY" - "$REPO/config/sample.yaml" "$WORK/province.yaml" "$1" "$2" "$SMTP_PORT" "$HOOK_PORT" <<'PY'
import sys
src, dst, path, attempts, smtp, hook = sys.argv[1:]
text = open(src, encoding="utf-8").read()
head = text[: text.index("\nchannels:\n") + 1]
head += ("channels:\n"
         f'  smtp: {{url: "smtp://127.0.0.1:{smtp}", from: "ocop@tuyenquang.example.vn"}}\n'
         f'  webhook: {{url: "http://127.0.0.1:{hook}/{path}", secret_env: OCOP_TEST_SECRET}}\n'
         f"  max_attempts: {attempts}\n")
open(dst, "w", encoding="utf-8").write(head)
PY
}
export OCOP_CONFIG="$WORK/province.yaml"

# What arrived by e-mail, as JSON on $WORK/out: one object per message, oldest first.
mails() {
  "$PY" - "$WORK/mail/new" >"$WORK/out" <<'PY'
import email, email.header, email.policy, json, os, sys
d = sys.argv[1]
out = []
for name in sorted(os.listdir(d), key=lambda n: os.stat(os.path.join(d, n)).st_mtime_ns):
    raw = open(os.path.join(d, name), "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.compat32)
    subject = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    out.append({"rcpt": m["X-RcptTo"], "mail_from": m["X-MailFrom"], "from": m["From"], "to": m["To"],
                "subject": subject, "raw_subject": m["Subject"], "message_id": m["Message-ID"],
                "content_type": m.get_content_type(), "charset": m.get_content_charset(),
                "cte": m["Content-Transfer-Encoding"], "date": m["Date"],
                "body": m.get_payload(decode=True).decode("utf-8")})
print(json.dumps(out, ensure_ascii=False))
PY
}
# What the webhook receiver logged, as a JSON list on $WORK/out.
hooks() { "$PY" -c "import json,sys; print(json.dumps([json.loads(l) for l in open('$WORK/hook.log', encoding='utf-8')], ensure_ascii=False))" >"$WORK/out"; }
outbox_json() { "$OCOP" --json outbox "$@" >"$WORK/out" 2>"$WORK/err"; }

# The sample's commented templates example is a valid override once uncommented.
"$PY" - "$REPO/config/sample.yaml" "$WORK/templates.yaml" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
at = text.index("# templates:")
lines = [l[2:] if l.startswith("# ") else l.lstrip("#") for l in text[at:].splitlines()]
open(sys.argv[2], "w", encoding="utf-8").write(text[:at] + "\n".join(lines) + "\n")
PY
expect 0 "the sample's templates example, uncommented, is valid" -- "$OCOP" config check "$WORK/templates.yaml"
ok "and it is there" grep -q '^  dossier_recognized:' "$WORK/templates.yaml"
sed 's/{stage} "{product}"/{stage} "{product}" {stars}/' "$WORK/templates.yaml" >"$WORK/bad.yaml"
expect 2 "a template with a placeholder it does not have" -- "$OCOP" config check "$WORK/bad.yaml"
stderr_has "named with its line and key" "bad.yaml:[0-9]*: templates.dossier_returned.body: unknown placeholder {stars}"

config ok 5
expect 0 "init" -- "$OCOP" init --simulation

# --- 1. Queued with the event, not sent by it; delivered exactly once by the next deliver -------
# One dossier of the sample year: returned at the commune (food-safety certificate missing),
# resubmitted, then recognised 4★ by the province. The import's process ends with the messages
# committed and nothing sent: the "crash after the outbox commit, before delivery".
grep '"TQ-2026-0047"' "$REPO/config/sample-events.jsonl" >"$WORK/events.jsonl"
expect 0 "import one dossier's year" -- "$OCOP" --json import "$WORK/events.jsonl"
check "every event applied" "out['applied'] == 14 and out['refused'] == 0"
expect 0 "outbox --json" -- outbox_json
check "the return: the producer and the webhook; the recognition: the producer, the unit and the webhook" \
  "[(m['channel'], m['recipient'].split('/')[-1], m['state']) for m in out] == [('email', 'producer.hagiang1@tuyenquang.example.vn', 'pending'), ('webhook', 'ok', 'pending'), ('email', 'producer.hagiang1@tuyenquang.example.vn', 'pending'), ('email', 'ubnd.hagiang1@tuyenquang.example.vn', 'pending'), ('webhook', 'ok', 'pending')]"
check "each message names its dossier and its audit record" "all(m['dossier'] == 'TQ-2026-0047' and m['dedupe_key'].startswith('event/') for m in out)"
ok "nothing was sent by the events themselves" test "$(ls "$WORK/mail/new" 2>/dev/null | wc -l)" -eq 0
ok "nothing reached the webhook" test ! -s "$WORK/hook.log"
expect 0 "outbox as a table" -- "$OCOP" outbox --state pending
ok "the table lists the five" grep -q "(5 message(s)" "$WORK/out"

expect 0 "deliver" -- "$OCOP" --json --now 2026-07-28T15:00:00+07:00 deliver
check "five sent" "out['sent'] == 5 and out['failed'] == 0 and out['dead'] == 0 and out['held'] == 0"
mails
check "three e-mails arrived" "len(out) == 3"
check "envelope recipients" "[m['rcpt'] for m in out] == ['producer.hagiang1@tuyenquang.example.vn', 'producer.hagiang1@tuyenquang.example.vn', 'ubnd.hagiang1@tuyenquang.example.vn']"
check "envelope sender and headers" "all(m['mail_from'] == 'ocop@tuyenquang.example.vn' and m['from'] == 'ocop@tuyenquang.example.vn' and m['to'] == m['rcpt'] for m in out)"
check "the return's Vietnamese subject, decoded" "out[0]['subject'] == '[OCOP] Hồ sơ đánh giá, phân hạng sản phẩm \"Bánh tam giác mạch Hà Giang (gói 500 g)\" được trả lại để hoàn thiện'"
check "the subject was RFC 2047 encoded on the wire" "out[0]['raw_subject'].startswith('=?UTF-8?B?')"
check "the return's body: greeting, reason, the missing kind by its Vietnamese name" "out[0]['body'].startswith('Kính gửi Vàng Văn Tuấn,') and 'Lý do: Thiếu giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm' in out[0]['body'] and '(food_safety_cert)' in out[0]['body'] and 'ở cấp xã ngày 30/03/2026' in out[0]['body']"
check "the recognition: 4 stars, the decision, the certificate" "all(m['subject'] == '[OCOP] Sản phẩm \"Bánh tam giác mạch Hà Giang (gói 500 g)\" được công nhận 4 sao' and 'Quyết định số 1187/QĐ-UBND ngày 28/07/2026' in m['body'] and 'TQ-2026-0047/province có giá trị đến hết ngày 28/07/2029' in m['body'] for m in out[1:])"
check "the unit is greeted by its name" "out[2]['body'].startswith('Kính gửi Phường Hà Giang 1,')"
check "UTF-8 text, base64, a Message-ID per outbox message" "all(m['content_type'] == 'text/plain' and m['charset'] == 'utf-8' and m['cte'] == 'base64' and m['message_id'].startswith('<ocop-') and m['message_id'].endswith('@tuyenquang.example.vn>') for m in out) and len({m['message_id'] for m in out}) == 3"
check "the Date header is the clock's, in the province's zone" "out[0]['date'] == 'Tue, 28 Jul 2026 15:00:00 +0700'"
hooks
check "two webhook calls, both signed with the secret" "len(out) == 2 and all(h['signature_ok'] and h['status'] == 200 for h in out)"
check "JSON bodies: the return, then the recognition" "[h['body']['type'] for h in out] == ['dossier.returned', 'dossier.recognized'] and out[1]['body']['certificate']['stars'] == 4 and out[0]['body']['data']['missing'] == ['food_safety_cert']"
check "content type and idempotency keys ocop-<id>" "all(h['content_type'].startswith('application/json') and h['key'].startswith('ocop-') for h in out) and out[0]['key'] != out[1]['key']"
expect 0 "outbox --state sent" -- outbox_json --state sent
check "all five sent, after one attempt each, at the clock's time" "len(out) == 5 and all(m['attempts'] == 1 and m['sent_at'] == '2026-07-28T15:00:00+07:00' for m in out)"
expect 0 "deliver again" -- "$OCOP" --json --now 2026-07-28T16:00:00+07:00 deliver
check "nothing more to send" "out['sent'] == 0 and out['messages'] == []"
ok "still three e-mails: each delivered exactly once" test "$(ls "$WORK/mail/new" | wc -l)" -eq 3
ok "still two webhook calls" test "$(wc -l <"$WORK/hook.log")" -eq 2

# --- a second dossier to return again and again ----------------------------------------------------
meta() { printf '{"kind":"%s","name":"%s.pdf","sha256":"%s","bytes":%s}' "$1" "$1" "$2" "$3"; }
DOCS="$(meta registration_form "$(printf %064d 1)" 10),$(meta self_assessment "$(printf %064d 2)" 20),$(meta samples "$(printf %064d 3)" 30)"
D=TQ-2026-0901
expect 0 "register a dossier" -- "$OCOP" --now 2026-08-03T08:00:00+07:00 fire register --actor producer.chiemhoa \
  --data "{\"id\":\"$D\",\"product\":\"Chè Shan tuyết Chiêm Hóa\",\"product_set\":\"tea\",\"producer\":\"HTX Chè Chiêm Hóa\",\"unit\":\"TQ-CHIEMHOA\",\"registration_type\":\"new\",\"documents\":[$DOCS]}"
# return_again TIME: (resubmit and) return the dossier once more; the new messages' ids are in $WORK/ids
return_again() {
  "$OCOP" --now "$1" fire resubmit $D --actor producer.chiemhoa >/dev/null 2>&1
  expect 0 "return $D at $1" -- "$OCOP" --now "$1" fire return_dossier $D --actor officer.chiemhoa \
    --data '{"reason":"Nhãn chưa ghi hạn sử dụng","missing":["label"]}'
}
webhook_id() {  # the id of the newest webhook message
  "$OCOP" --json outbox | "$PY" -c "import json,sys; print([m['id'] for m in json.load(sys.stdin) if m['channel'] == 'webhook'][-1])"
}

# --- 2. no signing secret: the webhook is held, never sent unsigned -------------------------------
return_again 2026-08-04T09:00:00+07:00
HELD=$(webhook_id)
expect 0 "deliver without the secret" -- env -u OCOP_TEST_SECRET "$OCOP" --json --now 2026-08-04T09:05:00+07:00 deliver
check "the e-mail goes, the webhook is held" "out['sent'] == 1 and out['held'] == 1 and 'OCOP_TEST_SECRET' in out['unavailable']['webhook']"
stderr_has "a warning names the variable" "OCOP_TEST_SECRET"
ok "the receiver got nothing unsigned" test "$(wc -l <"$WORK/hook.log")" -eq 2
expect 0 "outbox --state pending" -- outbox_json --state pending
check "held: pending, no attempt counted, the reason recorded" "[(m['id'], m['attempts']) for m in out] == [($HELD, 0)] and 'OCOP_TEST_SECRET' in out[0]['last_error']"
expect 0 "deliver with the secret" -- "$OCOP" --json --now 2026-08-04T09:10:00+07:00 deliver
check "sent now" "out['sent'] == 1"
hooks
check "signed" "out[-1]['signature_ok'] and out[-1]['key'] == 'ocop-$HELD'"
mails
check "the returned dossier's producer got the reason" "out[-1]['rcpt'] == 'producer.chiemhoa@tuyenquang.example.vn' and 'Lý do: Nhãn chưa ghi hạn sử dụng' in out[-1]['body'] and '(label)' in out[-1]['body']"

# --- 3. a receiver that fails until the third try -------------------------------------------------
config flaky 5
return_again 2026-08-05T09:00:00+07:00
FLAKY=$(webhook_id)
expect 0 "deliver: first try" -- "$OCOP" --json --now 2026-08-05T09:00:00+07:00 deliver
check "the e-mail is sent, the webhook fails and will be retried" "out['sent'] == 1 and out['failed'] == 1 and [m['last_error'] for m in out['messages'] if m['id'] == $FLAKY] == ['HTTP 503: unavailable']"
expect 0 "deliver 59 s later" -- "$OCOP" --json --now 2026-08-05T09:00:59+07:00 deliver
check "not yet due (backoff 1 minute)" "out['messages'] == []"
expect 0 "deliver 1 minute later: second try" -- "$OCOP" --json --now 2026-08-05T09:01:00+07:00 deliver
check "fails again; next after 2 minutes" "out['failed'] == 1 and out['messages'][0]['next_attempt_at'] == '2026-08-05T09:03:00+07:00'"
expect 0 "deliver 2 minutes later: third try" -- "$OCOP" --json --now 2026-08-05T09:03:00+07:00 deliver
check "sent" "out['sent'] == 1"
expect 0 "outbox --state sent" -- outbox_json --state sent
check "sent after 3 attempts" "[m['attempts'] for m in out if m['id'] == $FLAKY] == [3]"
hooks
check "three requests, one key, all signed" "[(h['status'], h['n']) for h in out if h['key'] == 'ocop-$FLAKY'] == [(503, 1), (503, 2), (200, 3)] and all(h['signature_ok'] for h in out)"

# --- 4. a receiver that never recovers: dead after max_attempts, then retried by hand ---------------
config down 3
return_again 2026-08-06T09:00:00+07:00
DOWN=$(webhook_id)
for t in 09:00:00 09:01:00 09:03:00; do
  expect 0 "deliver at $t" -- "$OCOP" --json --now "2026-08-06T${t}+07:00" deliver
done
check "the third failure is the last" "out['dead'] == 1 and out['failed'] == 0"
expect 0 "deliver later still" -- "$OCOP" --json --now 2026-08-07T09:00:00+07:00 deliver
check "a dead message is not tried again" "out['messages'] == []"
expect 0 "outbox --state dead" -- outbox_json --state dead
check "dead after 3 attempts, with the last error" "[(m['id'], m['attempts'], m['last_error']) for m in out] == [($DOWN, 3, 'HTTP 500: unavailable')]"
expect 0 "outbox --state dead (table)" -- "$OCOP" outbox --state dead
ok "the table shows the error" grep -q "error: HTTP 500" "$WORK/out"
touch "$WORK/hook/recovered"
expect 0 "outbox retry" -- "$OCOP" --json --now 2026-08-07T10:00:00+07:00 outbox retry "$DOWN"
check "pending again, attempts reset, due now" "out['state'] == 'pending' and out['attempts'] == 0 and out['next_attempt_at'] == '2026-08-07T10:00:00+07:00'"
expect 0 "deliver after the retry" -- "$OCOP" --json --now 2026-08-07T10:00:00+07:00 deliver
check "sent" "out['sent'] == 1"
expect 4 "a sent message is not retried" -- "$OCOP" outbox retry "$DOWN"
stderr_has "and the reason says so" "was delivered"
expect 3 "an unknown message" -- "$OCOP" outbox retry 99999
expect 2 "a bad id" -- "$OCOP" outbox retry abc
expect 2 "a bad state" -- "$OCOP" outbox --state failed
expect 2 "a bad state, as JSON" -- "$OCOP" --json outbox --state failed
check "the error as JSON" "out['error']['exit'] == 2"

# --- 5. a deliverer killed after sending, before recording it ---------------------------------------
config slow 5
return_again 2026-08-10T09:00:00+07:00
SLOW=$(webhook_id)
"$OCOP" --now 2026-08-10T09:00:00+07:00 deliver >"$WORK/killed.out" 2>&1 &
DELIVER_PID=$!
for _ in $(seq 100); do grep -q '"/slow"' "$WORK/hook.log" && break; sleep 0.1; done
ok "the receiver got the message" grep -q '"/slow"' "$WORK/hook.log"
kill -KILL "$DELIVER_PID"
wait "$DELIVER_PID" 2>/dev/null
expect 0 "outbox --state sending" -- outbox_json --state sending
check "it is still claimed by the dead deliverer, until its lease ends" "[(m['id'], m['attempts'], m['lease_until']) for m in out] == [($SLOW, 1, '2026-08-10T09:10:00+07:00')]"
expect 0 "deliver while the claim holds" -- "$OCOP" --json --now 2026-08-10T09:05:00+07:00 deliver
check "nothing taken" "out['messages'] == []"
expect 0 "deliver after the lease" -- "$OCOP" --json --now 2026-08-10T09:11:00+07:00 deliver
check "sent again" "out['sent'] == 1 and out['messages'][0]['id'] == $SLOW and out['messages'][0]['attempts'] == 2"
hooks
check "twice, with the same idempotency key: the receiver sees the repeat" "[(h['key'], h['n']) for h in out if h['path'] == '/slow'] == [('ocop-$SLOW', 1), ('ocop-$SLOW', 2)]"
check "the same body and signature both times" "len({json.dumps(h['body'], sort_keys=True) for h in out if h['path'] == '/slow'}) == 1 and all(h['signature_ok'] for h in out)"

# --- PostgreSQL (when scripts/with-postgres.sh provides one): the same, with two deliverers at once -
if [ -n "${OCOP_TEST_POSTGRES:-}" ]; then
  PGDB="${OCOP_TEST_POSTGRES%/*}/ocop_notify_test"
  PGOPTIONS=--client-min-messages=warning psql -q "$OCOP_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS ocop_notify_test" \
    -c "CREATE DATABASE ocop_notify_test" >/dev/null
  config ok 5
  MAILS_BEFORE=$(ls "$WORK/mail/new" | wc -l)
  HOOKS_BEFORE=$(wc -l <"$WORK/hook.log")
  expect 0 "PostgreSQL: init" -- env OCOP_DB="$PGDB" "$OCOP" init --simulation
  expect 0 "PostgreSQL: import" -- env OCOP_DB="$PGDB" "$OCOP" --json import "$WORK/events.jsonl"
  check "applied" "out['applied'] == 14"
  PIDS=()
  for i in 1 2; do
    OCOP_DB="$PGDB" "$OCOP" --json --now 2026-07-28T15:00:00+07:00 deliver >"$WORK/pg-deliver-$i.json" 2>&1 &
    PIDS+=($!)
  done
  wait "${PIDS[@]}"  # not the receivers
  ok "PostgreSQL: two deliverers at once sent the five messages between them" "$PY" -c "
import json, sys
a, b = (json.load(open('$WORK/pg-deliver-%d.json' % i)) for i in (1, 2))
sys.exit(0 if a['sent'] + b['sent'] == 5 and a['failed'] + b['failed'] == 0 else 1)"
  ok "PostgreSQL: three e-mails, each once" test "$(ls "$WORK/mail/new" | wc -l)" -eq $((MAILS_BEFORE + 3))
  ok "PostgreSQL: two webhook calls, distinct keys, signed" "$PY" -c "
import json, sys
new = [json.loads(l) for l in open('$WORK/hook.log', encoding='utf-8')][$HOOKS_BEFORE:]
sys.exit(0 if len(new) == 2 and len({h['key'] for h in new}) == 2 and all(h['signature_ok'] for h in new) else 1)"
  expect 0 "PostgreSQL: outbox --state sent" -- env OCOP_DB="$PGDB" "$OCOP" --json outbox --state sent
  check "all sent once" "len(out) == 5 and all(m['attempts'] == 1 for m in out)"
  psql -q "$OCOP_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS ocop_notify_test" >/dev/null
fi

# --- 6. e-mail that cannot be delivered: the SMTP server is gone ------------------------------------
kill "$SMTP_PID"; wait "$SMTP_PID" 2>/dev/null; SMTP_PID=
config ok 5
return_again 2026-08-11T09:00:00+07:00
expect 0 "deliver with the SMTP server down" -- "$OCOP" --json --now 2026-08-11T09:00:00+07:00 deliver
check "the e-mail failed and will be retried; the webhook went" "out['failed'] == 1 and out['sent'] == 1 and [m['channel'] for m in out['messages'] if m['state'] == 'pending'] == ['email'] and 'SMTP' in [m['last_error'] for m in out['messages'] if m['state'] == 'pending'][0]"
expect 0 "deliver as text" -- "$OCOP" --now 2026-08-11T09:01:00+07:00 deliver
ok "the text names the failure and the counts" grep -q "sent 0, failed 1 (will retry), dead 0, held 0" "$WORK/out"

echo "notify_test: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
