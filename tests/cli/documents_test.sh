#!/usr/bin/env bash
# End-to-end tests of documents: `fire attach --file`, `documents`, `document get`.
# The hash is checked, a file over the limit and an unconfigured kind are refused with nothing
# written, required kinds follow the product group, and the bytes come back unchanged.
# Usage: documents_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db ocop)
# The sample, with a small limit so that "too big" is cheap to make.
sed 's/^  max_bytes: 20971520 .*/  max_bytes: 4096/' "$REPO/config/sample.yaml" >"$WORK/province.yaml"
export OCOP_CONFIG="$WORK/province.yaml"
unset OCOP_DOCUMENTS_DIR
BLOBS="$WORK/ocop.db.documents"
# A PostgreSQL database keeps its files where OCOP_DOCUMENTS_DIR says (a SQLite one beside itself).
[ "$BACKEND" = postgresql ] && export OCOP_DOCUMENTS_DIR="$BLOBS"
NOW=(--now 2026-03-02T08:00:00+07:00)
pass=0
failed=0

source "$(dirname "$0")/lib/asserts.sh"

blob_count() { find "$BLOBS" -type f 2>/dev/null | wc -l; }
state_of() {  # version and number of audit records of a dossier
  "$OCOP" --json show "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['version'])"
  "$OCOP" --json history "$1" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))"
}
sha() { sha256sum "$1" | cut -c1-64; }
meta() {  # a document given as data only: meta KIND SHA256 BYTES
  printf '{"kind":"%s","name":"%s.pdf","sha256":"%s","bytes":%s}' "$1" "$1" "$2" "$3"
}

expect 0 "init" -- "$OCOP" init --simulation

# --- required kinds by product group (sample: samples at registration, except tourism) ------
FORMS="$(meta registration_form "$(printf %064d 1)" 10),$(meta self_assessment "$(printf %064d 2)" 20)"
SAMPLES=$(meta samples "$(printf %064d 3)" 30)
FOOD='"id":"TQ-2026-0901","product":"Chè Shan tuyết Chiêm Hóa","product_set":"tea","producer":"HTX Chè Chiêm Hóa","unit":"TQ-CHIEMHOA","registration_type":"new"'
TOUR='"id":"TQ-2026-0902","product":"Homestay Chiêm Hóa","product_set":"community_tourism","producer":"HTX Du lịch Chiêm Hóa","unit":"TQ-CHIEMHOA","registration_type":"new"'
expect 4 "a food product registered without samples" -- "$OCOP" "${NOW[@]}" fire register --actor producer.chiemhoa --data "{$FOOD,\"documents\":[$FORMS]}"
stderr_has "the missing kind is named" "required documents missing for register: samples"
expect 3 "and nothing was created" -- "$OCOP" show TQ-2026-0901
expect 0 "a community-tourism product registers without samples" -- "$OCOP" "${NOW[@]}" fire register --actor producer.chiemhoa --data "{$TOUR,\"documents\":[$FORMS]}"
expect 0 "the food product with its samples" -- "$OCOP" "${NOW[@]}" fire register --actor producer.chiemhoa --data "{$FOOD,\"documents\":[$FORMS,$SAMPLES]}"
D=TQ-2026-0901

# --- a file stored by content, bytes returned unchanged --------------------------------------
FILE="$WORK/Phiếu kết quả kiểm nghiệm – Chè.bin"
printf '%%PDF\000\377\376\303(\000 tiếng Việt\r\n\000' >"$FILE"
H=$(sha "$FILE")
SIZE=$(stat -c %s "$FILE")
expect 0 "attach a file" -- "$OCOP" --json "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$FILE" --data '{"kind":"test_report"}'
check "the dossier moved one version" "out['version'] == 2 and out['state'] == 'submitted'"
ok "the blob's name is the SHA-256 of the content" test -f "$BLOBS/${H:0:2}/${H:2}"
ok "the blob holds the file's bytes" cmp -s "$FILE" "$BLOBS/${H:0:2}/${H:2}"
ok "one blob, no scratch copy left" test "$(blob_count)" -eq 1
expect 0 "documents --json" -- "$OCOP" --json documents $D
check "the document as stored" "[d for d in out if d['kind'] == 'test_report'] == [{'kind': 'test_report', 'kind_name': 'Phiếu kết quả kiểm nghiệm', 'name': 'Phiếu kết quả kiểm nghiệm – Chè.bin', 'sha256': '$H', 'bytes': $SIZE, 'at': '2026-03-02T08:00:00+07:00', 'stored': True}]"
check "declared documents are not stored" "all(d['stored'] is False for d in out if d['kind'] != 'test_report') and len(out) == 4"
expect 0 "documents as a table" -- "$OCOP" documents $D
if grep -q "test_report .* yes .*$H  Phiếu kết quả kiểm nghiệm – Chè.bin" "$WORK/out"; then pass=$((pass + 1)); else
  failed=$((failed + 1)); echo "FAIL: the table row"; cat "$WORK/out"; fi
expect 0 "history" -- "$OCOP" --json history $D
check "the audit record carries the hash" "out[-1]['event'] == 'attach' and out[-1]['data'] == {'kind': 'test_report', 'name': 'Phiếu kết quả kiểm nghiệm – Chè.bin', 'sha256': '$H', 'bytes': $SIZE}"
"$OCOP" document get "$H" >"$WORK/got" 2>"$WORK/err"
ok "document get exits 0" test $? -eq 0
ok "document get returns the exact bytes" cmp -s "$FILE" "$WORK/got"
expect 0 "the same file on another dossier" -- "$OCOP" "${NOW[@]}" fire attach TQ-2026-0902 --actor producer.chiemhoa --file "$FILE" --data '{"kind":"photo","name":"Ảnh homestay.jpg"}'
ok "identical content is stored once" test "$(blob_count)" -eq 1
expect 0 "" -- "$OCOP" --json documents TQ-2026-0902
check "its own name, the same hash" "[(d['name'], d['sha256'], d['stored']) for d in out if d['kind'] == 'photo'] == [('Ảnh homestay.jpg', '$H', True)]"

# --- refusals: exit 2, nothing written ------------------------------------------------------
BEFORE=$(state_of $D)
head -c 4097 /dev/urandom >"$WORK/big.bin"
expect 2 "a file over documents.max_bytes" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK/big.bin" --data '{"kind":"label"}'
stderr_has "the limit is named" "over the limit of 4096 bytes (documents.max_bytes)"
head -c 4096 /dev/urandom >"$WORK/edge.bin"
expect 2 "a kind that is not configured" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK/edge.bin" --data '{"kind":"video"}'
stderr_has "the kind is named" "\"video\" is not a configured document kind"
expect 2 "no kind" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK/edge.bin"
expect 2 "a missing file" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK/nope.pdf" --data '{"kind":"label"}'
stderr_has "a missing file is named" "nope.pdf: no such file"
expect 2 "a directory" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK" --data '{"kind":"label"}'
expect 2 "--file with another event" -- "$OCOP" "${NOW[@]}" fire annotate $D --actor producer.chiemhoa --file "$WORK/edge.bin" --data '{"note":"x"}'
expect 2 "--file with a sha256 of its own" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK/edge.bin" --data "{\"kind\":\"label\",\"sha256\":\"$H\"}"
expect 2 "declared: an upper-case hash" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --data "$(meta label "${H^^}" 10)"
expect 2 "declared: a negative size" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --data "$(meta label "$H" -1)"
expect 2 "declared: over the limit" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --data "$(meta label "$H" 4097)"
expect 2 "--json error object" -- "$OCOP" --json "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK/big.bin" --data '{"kind":"label"}'
check "bad_input" "out['error']['code'] == 'bad_input' and out['error']['exit'] == 2"
ok "refusals wrote nothing (version, audit records)" test "$(state_of $D)" = "$BEFORE"
ok "refusals stored no bytes" test "$(blob_count)" -eq 1
expect 6 "a refused event (forbidden) stores no bytes" -- "$OCOP" "${NOW[@]}" fire attach $D --actor officer.chiemhoa --file "$WORK/edge.bin" --data '{"kind":"label"}'
ok "still one blob" test "$(blob_count)" -eq 1
expect 0 "the file at the limit is accepted" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK/edge.bin" --data '{"kind":"label"}'
ok "two blobs" test "$(blob_count)" -eq 2

# --- document get: unknown, declared only, malformed, damaged -------------------------------
expect 3 "an unknown hash" -- "$OCOP" document get "$(sha256sum <<<nothing | cut -c1-64)"
expect 3 "a document declared without its bytes" -- "$OCOP" --json document get "$(printf %064d 1)"
check "not_found" "out['error']['code'] == 'not_found' and 'attached as data only' in out['error']['message']"
expect 2 "not a SHA-256" -- "$OCOP" document get ABC
expect 3 "documents of an unknown dossier" -- "$OCOP" documents TQ-2026-9999
chmod u+w "$BLOBS/${H:0:2}/${H:2}"
printf 'X' | dd of="$BLOBS/${H:0:2}/${H:2}" bs=1 seek=3 conv=notrunc status=none
expect 4 "a damaged blob is detected" -- "$OCOP" document get "$H"
stderr_has "and said so" "do not match their SHA-256"
ok "nothing of it goes to stdout" test ! -s "$WORK/out"
expect 0 "attaching the file again repairs it" -- "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$FILE" --data '{"kind":"test_report"}'
"$OCOP" document get "$H" >"$WORK/got" 2>/dev/null
ok "the bytes are back" cmp -s "$FILE" "$WORK/got"

# --- OCOP_DOCUMENTS_DIR puts the bytes elsewhere ---------------------------------------------
printf 'ảnh' >"$WORK/photo.jpg"
expect 0 "attach with OCOP_DOCUMENTS_DIR" -- env OCOP_DOCUMENTS_DIR="$WORK/elsewhere" "$OCOP" "${NOW[@]}" fire attach $D --actor producer.chiemhoa --file "$WORK/photo.jpg" --data '{"kind":"photo"}'
P=$(sha "$WORK/photo.jpg")
ok "stored in that directory" test -f "$WORK/elsewhere/${P:0:2}/${P:2}"
expect 0 "and read from it" -- env OCOP_DOCUMENTS_DIR="$WORK/elsewhere" "$OCOP" document get "$P"

expect 0 "the audit chain holds" -- "$OCOP" audit verify

echo "documents_test: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
