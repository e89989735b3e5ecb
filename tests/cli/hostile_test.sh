#!/usr/bin/env bash
# Hostile input at the command line (docs/operations.md, "Limits on input"): event data nested
# 100,000 deep, a 200 MB line, /dev/zero, escape sequences in names and ids, damaged database
# files. Every `ocop` runs under a memory ceiling (ulimit -v 1 GiB; under AddressSanitizer,
# which reserves terabytes of address space, ASan's hard_rss_limit_mb instead), so a
# regression fails here instead of eating the machine.
# Usage: hostile_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP_BIN=$1
REPO=$2
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db ocop)
export OCOP_CONFIG="$REPO/tests/data/config/gen_workload.yaml"
pass=0
failed=0
source "$(dirname "$0")/lib/asserts.sh"

LIMIT_KB=$((1024 * 1024))
if ldd "$OCOP_BIN" 2>/dev/null | grep libasan >/dev/null; then  # not -q: under pipefail, ldd must not meet a closed pipe
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=1536"
  LIMIT_KB=unlimited
fi
ocop() { (ulimit -v "$LIMIT_KB" && exec timeout 120 "$OCOP_BIN" "$@"); }
OCOP=ocop
ESC=$'\e'
# no_raw_escape DESCRIPTION FILE: FILE holds no ESC, CR or BEL byte.
no_raw_escape() {
  if LC_ALL=C grep -q $'[\e\r\a]' "$2"; then
    failed=$((failed + 1)); echo "FAIL: $1: a raw control byte reached the terminal"; cat -v "$2" | head -5
  else pass=$((pass + 1)); fi
}
records() { "$OCOP" --json audit verify >"$WORK/v" 2>/dev/null; python3 -c "import json; print(json.load(open('$WORK/v'))['records'])"; }

ID=BX-2026-000001
NEW='{"id":"'$ID'","product":"Mật ong bạc hà","product_set":"honey","producer":"HTX Mật ong","unit":"BX-C0001"}'
expect 0 "init" -- "$OCOP" init
expect 0 "a dossier" -- "$OCOP" fire submit_idea --actor producer.bx-c0001 --data "$NEW"
base=$(records)

# --- depth ------------------------------------------------------------------------------------
python3 -c "
import json
d=50000
print('{\"event\":\"annotate\",\"dossier\":\"$ID\",\"actor\":\"producer.bx-c0001\",\"data\":{\"note\":\"x\",\"x\":' + '['*100000 + ']'*100000 + '}}')
print(json.dumps({'event':'annotate','dossier':'$ID','actor':'producer.bx-c0001','data':{'note':'after'}}))
" >"$WORK/deep.jsonl"
expect 2 "import of data nested 100,000 deep" -- "$OCOP" import "$WORK/deep.jsonl"
stderr_has "the line's number and why" "deep.jsonl:1: refused (bad_input): the line nests arrays or objects more than 17 levels deep"
grep -q "applied 1, skipped 0 (duplicate key), refused 1" "$WORK/out" && pass=$((pass + 1)) ||
  { failed=$((failed + 1)); echo "FAIL: the next line is applied"; cat "$WORK/out"; }
DEEP=$(python3 -c "print('{\"note\":\"x\",\"x\":' + '['*50000 + ']'*50000 + '}')")
expect 2 "fire --data nested 50,000 deep" -- "$OCOP" --json fire annotate $ID --actor producer.bx-c0001 --data "$DEEP"
check "said so" "out['error']['message'] == '--data nests arrays or objects more than 16 levels deep'"
expect 2 "17 levels" -- "$OCOP" fire annotate $ID --actor producer.bx-c0001 \
  --data "{\"x\":$(python3 -c "print('['*16 + ']'*16)")}"
expect 0 "16 levels are accepted" -- "$OCOP" fire annotate $ID --actor producer.bx-c0001 \
  --data "{\"note\":\"x\",\"x\":$(python3 -c "print('['*15 + ']'*15)")}"
expect 0 "history of it" -- "$OCOP" --json history $ID
base=$((base + 2))
ok "nothing else was written" test "$(records)" = "$base"

# --- size -------------------------------------------------------------------------------------
python3 -c "
import json
for n in (70000, 10):
  print(json.dumps({'event':'annotate','dossier':'$ID','actor':'producer.bx-c0001','data':{'note':'x'*n}}))
" >"$WORK/big.jsonl"
expect 2 "import of a 70 KB note" -- "$OCOP" import "$WORK/big.jsonl"
stderr_has "over the data limit" "big.jsonl:1: refused (bad_input): annotate: data is 70011 bytes as canonical JSON, over the limit of 65536 bytes"
grep -q "applied 1," "$WORK/out" && pass=$((pass + 1)) || { failed=$((failed + 1)); echo "FAIL: line 2 applied"; }
base=$((base + 1))
python3 -c "
import sys
w=sys.stdout.buffer
w.write(b'{\"event\":\"annotate\",\"dossier\":\"$ID\",\"actor\":\"producer.bx-c0001\",\"data\":{\"note\":\"')
block=b'x'*(1<<20)
for _ in range(200): w.write(block)
w.write(b'\"}}\n{\"event\":\"annotate\",\"dossier\":\"$ID\",\"actor\":\"producer.bx-c0001\",\"data\":{\"note\":\"after\"}}\n')
" >"$WORK/huge.jsonl"
expect 2 "import of a 200 MB line" -- "$OCOP" import "$WORK/huge.jsonl"
stderr_has "refused at the line limit" "huge.jsonl:1: refused (bad_input): the line is longer than 1048576 bytes (1 MiB); the rest of the file was not read"
rm -f "$WORK/huge.jsonl"
expect 2 "import /dev/zero" -- "$OCOP" import /dev/zero
stderr_has "stops at the line limit" "/dev/zero:1: refused (bad_input): the line is longer than 1048576 bytes"
ok "nothing written by the refused lines" test "$(records)" = "$base"
expect 0 "audit verify" -- "$OCOP" audit verify

# --- control characters -----------------------------------------------------------------------
BAD='{"product":"Cam\u001b[2J\u001b]0;owned\u0007","product_set":"honey","producer":"HTX","unit":"BX-C0001"}'
expect 2 "a product name with escape sequences" -- "$OCOP" fire submit_idea --actor producer.bx-c0001 --data "$BAD"
stderr_has "which field" "submit_idea: data.product contains U+001B (a control character) at byte 3"
BAD='{"product":"Cam","product_set":"honey","producer":"HTX\r\nerror: forged","unit":"BX-C0001"}'
expect 2 "a producer with CR LF" -- "$OCOP" fire submit_idea --actor producer.bx-c0001 --data "$BAD"
stderr_has "which field" "data.producer contains U+000D"
expect 2 "a raw escape in --data" -- "$OCOP" fire submit_idea --actor producer.bx-c0001 \
  --data "{\"product\":\"Cam${ESC}[2J\",\"product_set\":\"honey\",\"producer\":\"HTX\",\"unit\":\"BX-C0001\"}"
no_raw_escape "the refusal of a raw escape" "$WORK/err"
printf '%s\n' '{"event":"submit_idea","actor":"producer.bx-c0001","data":{"product":"Cam\u202egnac","product_set":"honey","producer":"HTX","unit":"BX-C0001"}}' >"$WORK/bidi.jsonl"
expect 2 "import of a bidi override" -- "$OCOP" import "$WORK/bidi.jsonl"
stderr_has "line and field" "bidi.jsonl:1: refused (bad_input): submit_idea: data.product contains U+202E"
expect 2 "an actor with an escape" -- "$OCOP" fire annotate $ID --actor "x${ESC}[2J" --data '{"note":"x"}'
stderr_has "the actor" 'the actor contains U+001B'
no_raw_escape "the actor's refusal" "$WORK/err"
expect 0 "a note keeps its line breaks" -- "$OCOP" fire annotate $ID --actor producer.bx-c0001 --data '{"note":"dòng 1\ndòng 2"}'
base=$((base + 1))
ok "nothing written by the refused names" test "$(records)" = "$base"

expect 3 "an unknown id with escapes" -- "$OCOP" show "X${ESC}[2J${ESC}]0;owned"$'\a\r\n'"error: forged"
stderr_has "echoed escaped" 'dossier X\\x1b\[2J\\x1b\]0;owned\\x07\\r'
no_raw_escape "the unknown id's echo" "$WORK/err"
expect 3 "the same with --json" -- "$OCOP" --json show "X${ESC}[2J"
check "JSON escapes it" "out['error']['message'] == 'dossier X\x1b[2J not found'"
no_raw_escape "the JSON error" "$WORK/out"
expect 2 "an unknown unit with an escape" -- "$OCOP" list --unit "U${ESC}[2J"
no_raw_escape "the unknown unit's echo" "$WORK/err"

# Names stored before the door checked them are printed escaped.
if [ "$BACKEND" = postgresql ]; then E="chr(27)"; CR="chr(13)"; else E="char(27)"; CR="char(13)"; fi
db_sql "$OCOP_DB" "UPDATE dossiers SET product = 'Cam' || $E || '[2J' || $E || ']0;t' || $CR, producer = 'HTX' || $E || '[31m' WHERE id = '$ID'" >/dev/null
expect 0 "list" -- "$OCOP" list
no_raw_escape "list" "$WORK/out"
grep -qF 'Cam\x1b[2J\x1b]0;t\r' "$WORK/out" && pass=$((pass + 1)) || { failed=$((failed + 1)); echo "FAIL: list shows the escape"; cat -v "$WORK/out"; }
expect 0 "show" -- "$OCOP" show $ID
no_raw_escape "show" "$WORK/out"
expect 0 "product show" -- "$OCOP" product show $ID
no_raw_escape "product show" "$WORK/out"
grep -qF 'HTX\x1b[31m' "$WORK/out" && pass=$((pass + 1)) || { failed=$((failed + 1)); echo "FAIL: product show shows the producer escaped"; cat -v "$WORK/out"; }
expect 0 "show --json" -- "$OCOP" --json show $ID
check "JSON carries the stored text" "out['product'] == 'Cam\x1b[2J\x1b]0;t\r'"
no_raw_escape "show --json" "$WORK/out"

# --- damaged database files (SQLite) ----------------------------------------------------------
if [ "$BACKEND" = sqlite ]; then
  DBF=${OCOP_DB#sqlite:}
  sqlite3 "$DBF" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  size=$(stat -c %s "$DBF")
  cp "$DBF" "$WORK/truncated.db" && truncate -s 3000 "$WORK/truncated.db"
  cp "$DBF" "$WORK/header.db" && printf 'X' | dd of="$WORK/header.db" bs=1 seek=0 conv=notrunc status=none
  cp "$DBF" "$WORK/garbage.db" &&
    head -c $((size - 4096)) /dev/urandom | dd of="$WORK/garbage.db" bs=4096 seek=1 conv=notrunc status=none
  cp "$DBF" "$WORK/half.db" && truncate -s $((size / 2)) "$WORK/half.db"
  printf 'not a database at all, just text\n%.0s' {1..200} >"$WORK/text.db"
  for f in truncated header garbage half text; do
    expect 1 "a damaged database: $f" -- "$OCOP" --db "sqlite:$WORK/$f.db" list
    stderr_has "$f: which file and what it is" "database file $WORK/$f.db is not an OCOP database, or it is damaged"
    stderr_has "$f: where to read on" "docs/operations.md"
    if grep -q "sqlite3_statement_backend" "$WORK/err"; then
      failed=$((failed + 1)); echo "FAIL: $f: SOCI's text reached the user"; cat "$WORK/err"; else pass=$((pass + 1)); fi
  done
  expect 1 "a damaged database, with --json" -- "$OCOP" --json --db "sqlite:$WORK/header.db" show $ID
  check "the JSON error says it too" "out['error']['exit'] == 1 and 'damaged' in out['error']['message']"
  expect 1 "a damaged database: init" -- "$OCOP" --db "sqlite:$WORK/header.db" init
  stderr_has "init: which file" "header.db is not an OCOP database"
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
