#!/usr/bin/env bash
# `ocop backup` and `ocop restore` (issue 14; store/backup.hpp): a backup taken while an import
# writes is consistent (its chain verifies and its head is in the live chain), documents come
# with it and back byte for byte, and restore refuses what it must, changing nothing: an
# existing backup directory or database, a damaged database file or document, a backup without
# its manifest, a chain rewritten together with the manifest's hash, and PostgreSQL.
# Usage: backup_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
trap 'kill $IMPORT_PID 2>/dev/null; rm -rf "$WORK"' EXIT
export OCOP_CONFIG="$REPO/config/sample.yaml" OCOP_DB="sqlite:$WORK/ocop.db"
unset OCOP_DOCUMENTS_DIR
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
expect() {  # expect CODE WHAT TEXT COMMAND...: exit CODE and TEXT on stderr
  local code=$1 what=$2 text=$3; shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"; local rc=$?
  if [ $rc -eq "$code" ] && grep -q -- "$text" "$WORK/err"; then ok "$what"; else bad "$what (exit $rc: $(cat "$WORK/err"))"; fi
}
tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

"$OCOP" init --simulation >/dev/null
printf 'Phiếu\000\377 kiểm nghiệm' >"$WORK/phieu.bin"
"$OCOP" import "$REPO/config/sample-events.jsonl" >/dev/null
"$OCOP" --now 2026-12-01T09:00:00+07:00 fire attach TQ-2026-0026 --actor producer.mylam --file "$WORK/phieu.bin" \
  --data '{"kind":"photo"}' >/dev/null || bad "attach a document"
SHA=$(sha256sum "$WORK/phieu.bin" | cut -c1-64)

# A backup while another process writes: notes on a dossier, one per transaction.
python3 - "$WORK/more.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as out:
    for i in range(3000):
        out.write(json.dumps({"key": "note-%d" % i, "event": "annotate", "dossier": "TQ-2026-0026",
                              "actor": "producer.mylam", "at": "2026-12-01T10:00:00+07:00",
                              "data": {"note": "Ghi chú số %d" % i}}, ensure_ascii=False) + "\n")
PY
"$OCOP" import --batch 1 "$WORK/more.jsonl" >/dev/null 2>&1 &
IMPORT_PID=$!
"$OCOP" --json backup "$WORK/b1" >"$WORK/b1.json" 2>"$WORK/err" && ok "backup while an import writes" || bad "backup: $(cat "$WORK/err")"
wait $IMPORT_PID && ok "the import went on beside the backup" || bad "the import failed"; IMPORT_PID=
"$OCOP" --json audit verify | python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if j['records'] > $(python3 -c "import json; print(json.load(open('$WORK/b1.json'))['records'])") else 1)" &&
  ok "the live chain grew past the backup's" || bad "the import did not write after the backup"
HEAD=$(python3 -c "import json; print(json.load(open('$WORK/b1.json'))['head'])")
[ -s "$WORK/b1/manifest.json" ] && [ -s "$WORK/b1/ocop.db" ] && ok "the backup holds the database and its manifest" || bad "backup files"
"$OCOP" audit verify --anchor "$HEAD" >/dev/null && ok "the backup's head is in the live chain" || bad "anchor"
python3 - "$WORK/b1/manifest.json" "$SHA" <<'PY' && ok "the manifest names the stored document and those without bytes" || bad "manifest documents"
import json, sys
m = json.load(open(sys.argv[1]))
assert [d["sha256"] for d in m["documents"]] == [sys.argv[2]], m["documents"]
assert len(m["not_stored"]) > 0 and m["audit"]["records"] > 1700 and m["schema_version"] >= 8
PY
[ -z "$(ls "$WORK"/b1/ocop.db-* 2>/dev/null)" ] && ok "the backup is one database file" || bad "wal left in the backup"

expect 2 "a backup never writes into an existing directory" "exists" "$OCOP" backup "$WORK/b1"
BEFORE=$(tree_sum "$WORK/b1")

# Restore into a new place, and the same chain and document come back.
export OCOP_DB="sqlite:$WORK/r1/ocop.db"
mkdir "$WORK/r1"
"$OCOP" --json restore "$WORK/b1" >"$WORK/r1.json" 2>"$WORK/err" && ok "restore" || bad "restore: $(cat "$WORK/err")"
"$OCOP" --json audit verify | grep -q "$HEAD" && ok "the restored chain has the backup's head" || bad "restored head"
"$OCOP" document get "$SHA" | cmp -s - "$WORK/phieu.bin" && ok "the document comes back byte for byte" || bad "document bytes"
"$OCOP" show TQ-2026-0026 >/dev/null && ok "the restored database serves" || bad "show after restore"
expect 2 "restore never overwrites a database" "never overwrites" "$OCOP" restore "$WORK/b1"
[ "$(tree_sum "$WORK/b1")" = "$BEFORE" ] && ok "restoring changed nothing in the backup" || bad "the backup changed"

# Damage: each refused with the file named, and nothing restored.
refused_and_nothing() {  # refused_and_nothing WHAT TEXT BACKUP
  export OCOP_DB="sqlite:$WORK/r2/ocop.db"
  rm -rf "$WORK/r2"; mkdir "$WORK/r2"
  expect 4 "$1" "$2" "$OCOP" restore "$3"
  [ -z "$(ls -A "$WORK/r2")" ] && ok "$1: nothing restored" || bad "$1: files left: $(ls -A "$WORK/r2")"
}
cp -a "$WORK/b1" "$WORK/b2"
printf '\x01' | dd of="$WORK/b2/ocop.db" bs=1 seek=5000 conv=notrunc 2>/dev/null
refused_and_nothing "a damaged database file" "ocop.db is damaged" "$WORK/b2"
rm -rf "$WORK/b2"; cp -a "$WORK/b1" "$WORK/b2"
printf 'X' | dd of="$WORK/b2/documents/${SHA:0:2}/${SHA:2}" bs=1 seek=0 conv=notrunc 2>/dev/null
refused_and_nothing "a damaged document" "is damaged" "$WORK/b2"
rm -rf "$WORK/b2"; cp -a "$WORK/b1" "$WORK/b2"; rm "$WORK/b2/manifest.json"
refused_and_nothing "a backup without its manifest" "incomplete backup" "$WORK/b2"
# A chain rewritten, and the manifest's hash of the file recomputed to match: the restored
# chain does not verify to the manifest's head.
rm -rf "$WORK/b2"; cp -a "$WORK/b1" "$WORK/b2"
python3 - "$WORK/b2" <<'PY'
import hashlib, json, os, sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(os.path.join(d, "ocop.db"))
c.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 10"); c.commit(); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()
for side in ("-wal", "-shm"):
    p = os.path.join(d, "ocop.db" + side)
    if os.path.exists(p): os.remove(p)
m = json.load(open(os.path.join(d, "manifest.json")))
data = open(os.path.join(d, "ocop.db"), "rb").read()
m["database"]["sha256"] = hashlib.sha256(data).hexdigest(); m["database"]["bytes"] = len(data)
json.dump(m, open(os.path.join(d, "manifest.json"), "w"))
PY
refused_and_nothing "a rewritten chain with a matching file hash" "restored audit chain is not the backup" "$WORK/b2"

export OCOP_DB=postgresql://ocop@127.0.0.1:1/ocop
expect 2 "backup of PostgreSQL points to pg_dump" "pg_dump" "$OCOP" backup "$WORK/pg"
[ ! -e "$WORK/pg" ] && ok "nothing created for PostgreSQL" || bad "a directory was created for PostgreSQL"

[ "$fails" -eq 0 ] && echo "1 passed, 0 failed" || { echo "$fails check(s) failed"; exit 1; }
