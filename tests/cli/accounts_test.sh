#!/usr/bin/env bash
# End-to-end tests of the account commands (ocop user ..., ocop token ...): passwords from stdin
# (never argv), sign-in and its failures (an unknown user answered as a wrong password), the
# lock-out and its end, invitations used once, TOTP enrolment and codes (replay refused), sign
# out everywhere, API tokens (shown once, listed without the secret, revoked), demo passwords on
# a simulation database only, exit codes, and the audit chain with the account records in it.
# Usage: accounts_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db ocop)
# The sample with argon2id's cheaper cost (tests only: config/README.md).
sed 's/^  password_hashing: moderate/  password_hashing: interactive/' "$REPO/config/sample.yaml" >"$WORK/province.yaml"
export OCOP_CONFIG="$WORK/province.yaml"
T0=2026-03-02T08:00:00+07:00
NOW=(--now "$T0")
pass=0
failed=0
source "$(dirname "$0")/lib/asserts.sh"

# feed INPUT COMMAND...: COMMAND with INPUT (one line per argument after the first) on stdin.
feed() {
  local input=$1
  shift
  printf '%s\n' "$input" | "$@"
}
feed2() {
  local a=$1 b=$2
  shift 2
  printf '%s\n%s\n' "$a" "$b" | "$@"
}
# The TOTP code of base32 SECRET at unix time T (RFC 6238, SHA-1, 6 digits, 30 s).
totp() {
  python3 -c '
import base64, hashlib, hmac, struct, sys
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
mac = hmac.new(key, struct.pack(">Q", int(sys.argv[2]) // 30), hashlib.sha1).digest()
o = mac[19] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))' "$1" "$2"
}
epoch() { date -d "$1" +%s; }
# lacks TEXT NEEDLE / has TEXT NEEDLE: whether TEXT contains NEEDLE.
lacks() { [[ $1 != *"$2"* ]]; }
has() { [[ $1 == *"$2"* ]]; }

COORD=coordinator.tq.thu
SIGNER=$(python3 -c "
import re,sys
for line in open('$WORK/province.yaml'):
    m = re.search(r'\{id: ([^,]+),.*roles: \[signer\]', line)
    if m: print(m.group(1)); break")
PW="mật khẩu đủ dài 2026"

expect 0 "init" -- "$OCOP" init --simulation

# --- passwords --------------------------------------------------------------------------------
expect 2 "a password only on stdin: none given" -- "$OCOP" "${NOW[@]}" user password "$COORD" </dev/null
stderr_has "says where the password comes from" "stdin"
expect 2 "a short password" -- feed "short" "$OCOP" "${NOW[@]}" user password "$COORD"
stderr_has "says why" "shorter than 12"
expect 3 "an unknown user" -- feed "$PW" "$OCOP" "${NOW[@]}" user password nobody.here
expect 2 "no password in the arguments" -- "$OCOP" "${NOW[@]}" user password "$COORD" "$PW"
expect 0 "set a password" -- feed "$PW" "$OCOP" --json "${NOW[@]}" user password "$COORD"
check "says so" "out == {'user': '$COORD', 'password_set': True}"
ok "the password is stored as argon2id, never in clear" \
  test "$(db_sql "$OCOP_DB" "SELECT substr(password_hash, 1, 10) FROM accounts WHERE id = '$COORD'")" = '$argon2id$'
ok "no table holds the password" lacks "$(db_sql "$OCOP_DB" "SELECT * FROM accounts")" "mật khẩu đủ dài"

# --- sign-in ----------------------------------------------------------------------------------
expect 0 "sign in" -- feed "$PW" "$OCOP" "${NOW[@]}" user login "$COORD"
SESSION=$(cat "$WORK/out")
ok "a 43-character session id" test ${#SESSION} -eq 43
expect 0 "the session is the user's" -- feed "$SESSION" "$OCOP" --json "${NOW[@]}" user session
check "whose" "out['user'] == '$COORD' and out['via'] == 'session'"
ok "only the session's SHA-256 is stored" \
  test "$(db_sql "$OCOP_DB" "SELECT COUNT(*) FROM sessions WHERE id_hash = '$(printf %s "$SESSION" | sha256sum | cut -c1-64)'")" = 1
expect 6 "a wrong password" -- feed "wrong password!!" "$OCOP" "${NOW[@]}" user login "$COORD"
cp "$WORK/err" "$WORK/err.wrong"
expect 6 "an unknown user" -- feed "$PW" "$OCOP" "${NOW[@]}" user login nobody.here
ok "an unknown user gets the same answer as a wrong password" cmp -s "$WORK/err" "$WORK/err.wrong"
expect 6 "an unknown session" -- feed "made-up-session" "$OCOP" "${NOW[@]}" user session
expect 2 "a malformed code" -- feed "$PW" "$OCOP" "${NOW[@]}" user login "$COORD" --code 12ab56
expect 6 "--json error" -- feed "wrong password!!" "$OCOP" --json "${NOW[@]}" user login "$COORD"
check "error object" "out['error']['exit'] == 6"

# --- lock-out ---------------------------------------------------------------------------------
# Two failures so far; three more make five in a row.
for i in 1 2 3; do
  expect 6 "wrong password $i" -- feed "wrong password!!" "$OCOP" "${NOW[@]}" user login "$COORD"
done
expect 6 "locked: the right password is refused" -- feed "$PW" "$OCOP" --now 2026-03-02T08:14:00+07:00 user login "$COORD"
ok "same message while locked" cmp -s "$WORK/err" "$WORK/err.wrong"
expect 0 "the lock-out ends after 15 minutes" -- feed "$PW" "$OCOP" --now 2026-03-02T08:15:00+07:00 user login "$COORD"
expect 0 "history of the account" -- "$OCOP" --json history "user:$COORD"
check "password_set, failures, locked_out, login" \
  "[r['event'] for r in out].count('locked_out') == 1 and out[0]['event'] == 'password_set' and out[-1]['event'] == 'login'"
check "no record holds the password" "all('mật khẩu' not in json.dumps(r, ensure_ascii=False) for r in out)"

# --- several processes at once: the failures are counted in the database, once each ------------
RACER=council.tq.hoa
expect 0 "a password for the racer" -- feed "$PW" "$OCOP" "${NOW[@]}" user password "$RACER"
for i in $(seq 1 10); do
  (printf 'wrong password!!\n' | "$OCOP" "${NOW[@]}" user login "$RACER" >/dev/null 2>"$WORK/race.$i"; echo $? >"$WORK/race.$i.rc") &
done
wait
ok "ten wrong sign-ins at once: each refused (6)" test "$(cat "$WORK"/race.*.rc | sort -u)" = 6
expect 0 "the racer's history" -- "$OCOP" --json history "user:$RACER"
check "ten failures recorded, one lock-out after the fifth" \
  "[r['event'] for r in out].count('login_failed') == 10 and [r['event'] for r in out].count('locked_out') == 1 and sum(1 for r in out if r['event'] == 'login_failed' and r['data'].get('reason') == 'locked') == 5"
expect 0 "the chain holds after the race" -- "$OCOP" audit verify

# --- sessions end ------------------------------------------------------------------------------
expect 6 "idle for 30 minutes" -- feed "$SESSION" "$OCOP" --now 2026-03-02T08:30:00+07:00 user session
expect 0 "sign in again" -- feed "$PW" "$OCOP" --now 2026-03-02T09:00:00+07:00 user login "$COORD"
S2=$(cat "$WORK/out")
expect 0 "sign out everywhere" -- "$OCOP" --now 2026-03-02T09:01:00+07:00 user signout "$COORD"
expect 6 "the session is gone" -- feed "$S2" "$OCOP" --now 2026-03-02T09:02:00+07:00 user session
expect 3 "sign out an unknown user" -- "$OCOP" "${NOW[@]}" user signout nobody.here

# --- invitations --------------------------------------------------------------------------------
expect 0 "invite" -- "$OCOP" --now 2026-03-02T10:00:00+07:00 user invite council.tq.binh
INV=$(cat "$WORK/out")
ok "a one-time secret" test ${#INV} -eq 43
stderr_has "says it is shown once" "not shown again"
expect 3 "invite an unknown user" -- "$OCOP" "${NOW[@]}" user invite nobody.here
expect 2 "a short password does not use the invitation up" -- \
  feed2 "$INV" "short" "$OCOP" --now 2026-03-02T10:01:00+07:00 user accept-invitation
expect 0 "accept the invitation" -- feed2 "$INV" "$PW" "$OCOP" --now 2026-03-02T10:02:00+07:00 user accept-invitation
expect 5 "an invitation used twice" -- feed2 "$INV" "$PW" "$OCOP" --now 2026-03-02T10:03:00+07:00 user accept-invitation
expect 6 "an unknown invitation" -- feed2 "made-up" "$PW" "$OCOP" --now 2026-03-02T10:03:00+07:00 user accept-invitation
expect 0 "the invited user signs in" -- feed "$PW" "$OCOP" --now 2026-03-02T10:04:00+07:00 user login council.tq.binh

# --- TOTP ---------------------------------------------------------------------------------------
ok "the sample has a signer" test -n "$SIGNER"
expect 0 "a signer's password" -- feed "$PW" "$OCOP" "${NOW[@]}" user password "$SIGNER"
expect 6 "a signer without a second factor cannot sign in" -- feed "$PW" "$OCOP" "${NOW[@]}" user login "$SIGNER"
expect 0 "enrol" -- "$OCOP" "${NOW[@]}" user totp "$SIGNER"
URI=$(cat "$WORK/out")
SECRET=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' <<<"$URI")
ok "an otpauth URI" grep -q "^otpauth://totp/OCOP%20TQ:$SIGNER?secret=[A-Z2-7]\{32\}&issuer=OCOP%20TQ&algorithm=SHA1&digits=6&period=30$" <<<"$URI"
EXPORT=$("$OCOP" audit export)
ok "the enrolment is in the audit trail" has "$EXPORT" "totp_enrolled"
ok "the TOTP secret is not" lacks "$EXPORT" "$SECRET"
T1=2026-03-02T11:00:00+07:00
CODE=$(totp "$SECRET" "$(epoch "$T1")")
expect 6 "the password alone" -- feed "$PW" "$OCOP" --now "$T1" user login "$SIGNER"
stderr_has "asks for the code" "second factor is required"
expect 0 "with the code" -- feed "$PW" "$OCOP" --now "$T1" --json user login "$SIGNER" --code "$CODE"
check "second factor" "out['second_factor'] is True"
expect 6 "the same code again (replay)" -- feed "$PW" "$OCOP" --now "$T1" user login "$SIGNER" --code "$CODE"
T2=2026-03-02T11:00:30+07:00
expect 0 "the next step's code" -- feed "$PW" "$OCOP" --now "$T2" user login "$SIGNER" --code "$(totp "$SECRET" "$(epoch "$T2")")"
expect 6 "a code five minutes old" -- feed "$PW" "$OCOP" --now 2026-03-02T11:06:00+07:00 user login "$SIGNER" --code "$(totp "$SECRET" "$(epoch "$T1")")"

# --- tokens -------------------------------------------------------------------------------------
expect 0 "create a token" -- "$OCOP" --json "${NOW[@]}" token create "$COORD" --expires 30 --note "cổng huyện"
check "the token once" "out['token'].startswith('ocop_') and len(out['token']) == 48 and out['user'] == '$COORD'"
TOKEN=$(python3 -c "import json; print(json.load(open('$WORK/out'))['token'])")
TOKEN_ID=$(python3 -c "import json; print(json.load(open('$WORK/out'))['id'])")
expect 0 "text output prints only the token on stdout" -- "$OCOP" --now 2026-03-02T08:01:00+07:00 token create "$COORD" --expires 1
ok "one line" test "$(wc -l <"$WORK/out")" -eq 1
expect 0 "list" -- "$OCOP" --json "${NOW[@]}" token list
check "two, without secrets" "len(out) == 2 and all('token' not in t for t in out) and out[0]['id'] == '$TOKEN_ID' and out[0]['note'] == 'cổng huyện' and out[0]['state'] == 'active'"
ok "the secret is stored only as its SHA-256" \
  test "$(db_sql "$OCOP_DB" "SELECT COUNT(*) FROM api_tokens WHERE hash = '$(printf %s "$TOKEN" | sha256sum | cut -c1-64)'")" = 1
STORED="$(db_sql "$OCOP_DB" "SELECT * FROM api_tokens")$("$OCOP" audit export)"
ok "the token's id is stored and audited" has "$STORED" "$TOKEN_ID"
ok "its secret nowhere in clear" lacks "$STORED" "${TOKEN#ocop_}"
expect 0 "list one user's" -- "$OCOP" --json "${NOW[@]}" token list "$SIGNER"
check "none" "out == []"
expect 3 "list an unknown user's" -- "$OCOP" "${NOW[@]}" token list nobody.here
expect 0 "the second token has expired a day later" -- "$OCOP" --json --now 2026-03-03T08:01:00+07:00 token list "$COORD"
check "states" "[t['state'] for t in out] == ['active', 'expired']"
expect 0 "revoke" -- "$OCOP" "${NOW[@]}" token revoke "$TOKEN_ID"
expect 4 "revoke again" -- "$OCOP" "${NOW[@]}" token revoke "$TOKEN_ID"
expect 3 "revoke an unknown token" -- "$OCOP" "${NOW[@]}" token revoke no-such-token
expect 0 "list after revoking" -- "$OCOP" --json "${NOW[@]}" token list "$COORD"
check "revoked" "out[0]['revoked'] is True and out[0]['state'] == 'revoked'"
expect 3 "a token for an unknown user" -- "$OCOP" "${NOW[@]}" token create nobody.here --expires 30
expect 2 "zero days" -- "$OCOP" "${NOW[@]}" token create "$COORD" --expires 0
expect 2 "more than max_token_days" -- "$OCOP" "${NOW[@]}" token create "$COORD" --expires 366
expect 2 "--expires is required" -- "$OCOP" "${NOW[@]}" token create "$COORD"
expect 2 "--json error on bad input" -- "$OCOP" --json "${NOW[@]}" token create "$COORD" --expires 0
check "error object" "out['error']['exit'] == 2"

# --- demo passwords -------------------------------------------------------------------------------
expect 0 "demo passwords on a simulation database" -- "$OCOP" --json "${NOW[@]}" user demo-passwords
check "every user" "out['users'] > 100 and out['password'] == 'ocop-demo-2026'"
expect 0 "a sample user signs in with it" -- feed "ocop-demo-2026" "$OCOP" "${NOW[@]}" user login producer.bacquang

# --- the chain ----------------------------------------------------------------------------------
expect 0 "audit verify with the account records" -- "$OCOP" audit verify
N_ACCOUNT=$(db_sql "$OCOP_DB" "SELECT COUNT(*) FROM audit WHERE dossier LIKE 'user:%'")
ok "account records are in the chain" test "$N_ACCOUNT" -gt 100
# An account's record removed: audit verify names the account.
LAST=$(db_sql "$OCOP_DB" "SELECT MAX(seq) FROM audit")
db_sql "$OCOP_DB" "DELETE FROM audit WHERE seq = $LAST" >/dev/null
expect 4 "a removed account record is found" -- "$OCOP" audit verify
ok "names the account" grep -q "account user:" "$WORK/out" "$WORK/err"

# --- a real (not simulation) database refuses demo passwords --------------------------------------
export OCOP_DB=$(new_db real)
expect 0 "init a real database" -- "$OCOP" init
expect 4 "demo passwords refused" -- "$OCOP" user demo-passwords
stderr_has "says why" "simulation"
ok "nothing written" test "$(db_sql "$OCOP_DB" "SELECT COUNT(*) FROM accounts")" = 0

echo "accounts_test: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
