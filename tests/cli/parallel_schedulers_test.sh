#!/usr/bin/env bash
# Schedulers in parallel (issue 5): two `ocop tick` processes at once, then two `ocop deliver`
# processes at once, on one database, produce each reminder, each certificate transition and
# each delivery exactly once.
#
# A generated workload (bench/gen_workload.py, 150 dossiers; one dossier in five stops
# after `register`, so it sits in `submitted` and is due for the stalled digests and their
# escalations) is imported into a simulation database, which is then copied (SQLite: the file;
# PostgreSQL: CREATE DATABASE ... TEMPLATE). The copy is ticked by ONE process per day: the
# expected result. The original is ticked by TWO processes at once on the same days:
# 2029-10-01 and 2029-10-02 (expiry notices of the certificates valid until 2029-10-28, digests,
# the 2026 cycle opened and closed on the first day) and 2029-10-30 (their expiries: the province
# signs its 2026 decisions on 2026-10-28). Checks:
# both exit 0; their queued messages and transitions add up to the single tick's; the outbox
# holds the same dedupe keys as the copy's; the audit trail holds the same records (each due
# certificate one `notice`/`expire`), and `ocop audit verify` exits 0.
# Then a real SMTP server (aiosmtpd) and a real HTTP receiver (lib/webhook_receiver.py) get the
# outbox from two `ocop deliver` processes at once, in rounds until nothing is pending: every
# message is `sent` after one attempt, and each Message-ID / Idempotency-Key arrived once.
# On SQLite the second process waits for the first's write lock; on PostgreSQL they interleave
# (row locks, SKIP LOCKED). Runs on SQLite and, as cli_parallel_schedulers_test_postgresql, on
# PostgreSQL. Skips (77) when aiosmtpd is missing.
# Usage: parallel_schedulers_test.sh PATH/TO/ocop REPO_DIR [DOSSIERS]
set -uo pipefail
OCOP=$1
REPO=$2
DOSSIERS=${3:-150}
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
source "$LIB/receivers.sh"
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
cleanup() {
  stop_receivers
  drop_dbs
  rm -rf "$WORK"
}
trap cleanup EXIT
unset OCOP_DOCUMENTS_DIR
export OCOP_TEST_SECRET="bí-mật-ký-webhook"
pass=0
failed=0
source "$LIB/asserts.sh"

# --- the receivers ------------------------------------------------------
start_receivers

# --- the workload, with the channels pointed at the receivers ---------------------------------
source "$LIB/tick_workload.sh"
tick_workload "$DOSSIERS"

PAR=$(new_db par)
expect 0 "init" -- "$OCOP" --db "$PAR" init --simulation
expect 0 "import the workload" -- "$OCOP" --db "$PAR" --json import "$WORK/events.jsonl"
check "every event applied" "out['applied'] == $TOTAL and out['refused'] == 0"
SINGLE=$(clone_db "$PAR" single)
expect 0 "the copy is the same database" -- "$OCOP" --db "$SINGLE" --json audit verify
check "same trail" "out['valid'] and out['records'] >= $TOTAL"

# --- two ticks at once, per day ------------------------------------------------------------------
DAYS=(2029-10-01 2029-10-02 2029-10-30)
for day in "${DAYS[@]}"; do
  NOW="${day}T07:00:00+07:00"
  expect 0 "$day: one tick on the copy" -- "$OCOP" --db "$SINGLE" --json --now "$NOW" tick
  cp "$WORK/out" "$WORK/single-$day.json"
  PIDS=()
  for i in 1 2; do
    "$OCOP" --db "$PAR" --json --now "$NOW" tick >"$WORK/par-$day-$i.json" 2>"$WORK/par-$day-$i.err" &
    PIDS+=($!)
  done
  for i in 1 2; do
    wait "${PIDS[$((i - 1))]}"
    rc=$?
    ok "$day: parallel tick $i exits 0 (got $rc: $(head -c 300 "$WORK/par-$day-$i.err"))" test "$rc" -eq 0
  done
  "$PY" - "$WORK" "$day" >"$WORK/cmp-$day.txt" <<'PY'
import collections, json, sys
work, day = sys.argv[1:]
one = json.load(open(f"{work}/single-{day}.json"))
two = [json.load(open(f"{work}/par-{day}-{i}.json")) for i in (1, 2)]
keys = lambda r: [m["dedupe_key"] for m in r["messages"]]
trans = lambda r: [(t["kind"], t["id"], t["event"]) for t in r["transitions"]]
k1, k2 = keys(two[0]), keys(two[1])
t1, t2 = trans(two[0]), trans(two[1])
problems = []
if sorted(k1 + k2) != sorted(keys(one)): problems.append(f"queued {len(k1)}+{len(k2)}, single {len(keys(one))}")
if set(k1) & set(k2): problems.append(f"both queued {sorted(set(k1) & set(k2))[:3]}")
if sorted(t1 + t2) != sorted(trans(one)): problems.append(f"transitions {len(t1)}+{len(t2)}, single {len(trans(one))}")
c = collections.Counter(one["counts"])
print("summary", f"{len(keys(one))} messages {dict(sorted(c.items()))}; split {len(k1)}/{len(k2)},"
      f" transitions {len(t1)}/{len(t2)}, already fired {two[0].get('already_fired')}/{two[1].get('already_fired')}")
for p in problems: print("problem", p)
PY
  echo "$day ($BACKEND): $(sed -n 's/^summary //p' "$WORK/cmp-$day.txt")"
  ok "$day: the two ticks queued and fired between them exactly what one tick did ($(grep '^problem' "$WORK/cmp-$day.txt" | head -3 | tr '\n' ' '))" \
    test -z "$(grep '^problem' "$WORK/cmp-$day.txt")"
done
# The days were worth testing: all kinds of work were due.
"$PY" - "$WORK" "${DAYS[@]}" >"$WORK/kinds.txt" <<'PY'
import collections, json, sys
work, days = sys.argv[1], sys.argv[2:]
c = collections.Counter()
for d in days: c.update(json.load(open(f"{work}/single-{d}.json"))["counts"])
print(" ".join(f"{k}={c[k]}" for k in ("notice", "expire", "certificate_notice", "stalled", "escalation", "cycle_open", "cycle_close", "cycle_report")))
print("ok" if all(c[k] > 0 for k in ("notice", "expire", "certificate_notice", "stalled", "escalation", "cycle_close")) else "missing")
PY
ok "notices, expiries, digests, escalations and a cycle's close were due ($(head -1 "$WORK/kinds.txt"))" grep -qx ok "$WORK/kinds.txt"

outbox_keys() { "$OCOP" --db "$1" --json outbox | "$PY" -c "import json,sys; print('\n'.join(sorted(m['dedupe_key'] for m in json.load(sys.stdin))))"; }
outbox_keys "$PAR" >"$WORK/par.keys"
outbox_keys "$SINGLE" >"$WORK/single.keys"
ok "the outbox holds exactly the single tick's messages ($(wc -l <"$WORK/single.keys") keys)" cmp -s "$WORK/par.keys" "$WORK/single.keys"
# The trail: the same records (times, actors, events, certificates) in both; each certificate
# notice and expiry once.
trail() {
  "$OCOP" --db "$1" audit export --format jsonl | "$PY" -c "
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    d = r.get('data') or {}
    if isinstance(d, str): d = json.loads(d)
    print(r['at'], r['dossier'], r['event'], r['from'], r['to'], d.get('certificate', ''))
" | sort
}
trail "$PAR" >"$WORK/par.trail"
trail "$SINGLE" >"$WORK/single.trail"
ok "the trail holds the same records as the single tick's ($(wc -l <"$WORK/single.trail"))" cmp -s "$WORK/par.trail" "$WORK/single.trail"
ok "each certificate got at most one notice and one expire" test -z "$(awk '$3 == "notice" || $3 == "expire" {print $3, $6}' "$WORK/par.trail" | sort | uniq -d)"
ok "and there were some ($(awk '$3 == "notice" || $3 == "expire"' "$WORK/par.trail" | wc -l))" test "$(awk '$3 == "notice" || $3 == "expire"' "$WORK/par.trail" | wc -l)" -gt 0
expect 0 "audit verify after parallel ticks" -- "$OCOP" --db "$PAR" --json audit verify
check "valid" "out['valid']"

# --- two deliverers at once ----------------------------------------------------------------------
PENDING=$(wc -l <"$WORK/par.keys")
for round in 1 2 3 4 5; do
  PIDS=()
  for i in 1 2; do
    "$OCOP" --db "$PAR" --json --now "2029-10-30T08:0${round}:00+07:00" deliver >"$WORK/deliver-$round-$i.json" \
      2>"$WORK/deliver-$round-$i.err" &
    PIDS+=($!)
  done
  for i in 1 2; do
    wait "${PIDS[$((i - 1))]}"
    rc=$?
    ok "deliver round $round, process $i exits 0 (got $rc: $(head -c 300 "$WORK/deliver-$round-$i.err"))" test "$rc" -eq 0
  done
  left=$("$OCOP" --db "$PAR" --json outbox --state pending | "$PY" -c "import json,sys; print(len(json.load(sys.stdin)))")
  [ "$left" -eq 0 ] && break
done
"$PY" - "$WORK" "$round" >"$WORK/deliver.txt" <<'PY'
import json, sys
work, rounds = sys.argv[1], int(sys.argv[2])
rs = [json.load(open(f"{work}/deliver-{r}-{i}.json")) for r in range(1, rounds + 1) for i in (1, 2)]
print(f"rounds {rounds}; sent per process {[r['sent'] for r in rs]}; failed {sum(r['failed'] for r in rs)};"
      f" lost claims {sum(m['lost_claim'] for r in rs for m in r['messages'])}")
PY
echo "deliver ($BACKEND): $(cat "$WORK/deliver.txt")"
expect 0 "outbox --state sent" -- "$OCOP" --db "$PAR" --json outbox --state sent
check "every message ($PENDING) sent, after one attempt" "len(out) == $PENDING and all(m['attempts'] == 1 for m in out)"
cp "$WORK/out" "$WORK/sent.json"
expect 0 "outbox" -- "$OCOP" --db "$PAR" --json outbox
check "nothing else in the outbox" "len(out) == $PENDING and all(m['state'] == 'sent' for m in out)"
"$PY" - "$WORK" >"$WORK/received.txt" <<'PY'
import collections, email, json, os, sys
work = sys.argv[1]
sent = json.load(open(f"{work}/sent.json"))
mail_ids = collections.Counter()
for name in os.listdir(f"{work}/mail/new"):
    m = email.message_from_bytes(open(os.path.join(work, "mail/new", name), "rb").read())
    mail_ids[m["X-OCOP-Outbox-Id"]] += 1
    mail_ids[m["Message-ID"]] += 0  # noted below
msgids = collections.Counter(email.message_from_bytes(open(os.path.join(work, "mail/new", n), "rb").read())["Message-ID"]
                             for n in os.listdir(f"{work}/mail/new"))
hooks = [json.loads(l) for l in open(f"{work}/hook.log", encoding="utf-8")]
keys = collections.Counter(h["key"] for h in hooks)
want_mail = {str(m["id"]) for m in sent if m["channel"] == "email"}
want_hook = {f"ocop-{m['id']}" for m in sent if m["channel"] == "webhook"}
problems = []
if set(k for k in mail_ids if k and not k.startswith("<")) != want_mail: problems.append("e-mails: other outbox ids than the sent ones")
if any(n != 1 for n in msgids.values()): problems.append(f"a Message-ID twice: {[k for k, n in msgids.items() if n != 1][:3]}")
if len(msgids) != len(want_mail): problems.append(f"{len(msgids)} e-mails for {len(want_mail)} messages")
if set(keys) != want_hook: problems.append(f"webhook keys {len(keys)} for {len(want_hook)} messages")
if any(n != 1 for n in keys.values()): problems.append(f"an Idempotency-Key twice: {[k for k, n in keys.items() if n != 1][:3]}")
if not all(h["signature_ok"] and h["status"] == 200 for h in hooks): problems.append("an unsigned or refused webhook call")
print(f"{len(msgids)} e-mails, {len(keys)} webhook calls")
for p in problems: print("problem", p)
PY
ok "each e-mail and webhook call arrived exactly once ($(head -1 "$WORK/received.txt"); $(grep '^problem' "$WORK/received.txt" | tr '\n' ' '))" \
  test -z "$(grep '^problem' "$WORK/received.txt")"
ok "both channels were used" grep -q '^[1-9][0-9]* e-mails, [1-9][0-9]* webhook calls' "$WORK/received.txt"

echo "parallel_schedulers ($BACKEND): $pass passed, $failed failed"
[ "$failed" -eq 0 ]
