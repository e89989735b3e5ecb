#!/usr/bin/env bash
# `ocop archive --until YEAR DEST` and `ocop audit verify --archive DEST` (issue 14, item 3;
# docs/operations.md, "Archive"), on a generated two-year workload (bench/gen_workload.py, 1,000
# dossiers over 2026 and 2027): the refusal while a cycle is open; an archive of 2026 whose live
# trail and archive both verify; a second run that archives nothing twice; reads of an archived
# dossier; a run stopped after its manifest (finished by the rerun) and before it (refused);
# tampering with the archive (a record changed, removed, reordered; a row file changed; the
# manifest changed) and with the live trail after the cut (a record after the checkpoint
# changed or removed, the checkpoint removed, a record kept before it changed or removed): each
# detected, the record named where there is one.
# Usage: archive_test.sh PATH/TO/ocop REPO_DIR
set -euo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { echo "FAIL: $1"; FAIL=$((FAIL + 1)); }
# expect CODE NAME -- COMMAND...: the exit code, output in $WORK/out and $WORK/err
expect() {
  local want=$1 name=$2
  shift 3
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  set -e
  if [ "$rc" = "$want" ]; then ok; else bad "$name: exit $rc, expected $want: $(head -c 400 "$WORK/err")"; fi
}
# grep_err NAME PATTERN: stderr of the last command matches
grep_err() { if grep -qE "$2" "$WORK/err"; then ok; else bad "$1: stderr does not match /$2/: $(head -c 400 "$WORK/err")"; fi; }

python3 "$REPO/bench/gen_workload.py" --dossiers 1000 --years 2026-2027 --events "$WORK/events.jsonl" \
  --config "$WORK/bench.yaml" >/dev/null
export OCOP_CONFIG="$WORK/bench.yaml"
export OCOP_DB=$(new_db live)
"$OCOP" init --simulation >/dev/null
"$OCOP" import --batch 500 "$WORK/events.jsonl" >/dev/null
EVENTS=$(wc -l <"$WORK/events.jsonl")
LATER=(--now 2028-01-10T09:00:00+07:00)

# A cycle still open: refused, nothing written.
expect 4 "archive while 2027 is open" -- "$OCOP" --now 2027-06-01T09:00:00+07:00 archive --until 2027 "$WORK/early"
grep_err "the open cycle is named" "cycle 2027 is still open"
[ ! -e "$WORK/early" ] && ok || bad "a refused archive left a directory"
expect 2 "a year out of range" -- "$OCOP" "${LATER[@]}" archive --until 99 "$WORK/early"

# Copies of the database before the archive: for the stopped-run case and a trail without the
# archive's checkpoint below.
BEFORE=$(clone_db "$OCOP_DB" before)
UNARCHIVED=$(clone_db "$OCOP_DB" unarchived)

# The archive of 2026.
expect 0 "archive 2026" -- "$OCOP" --json "${LATER[@]}" archive --until 2026 "$WORK/a2026"
python3 - "$WORK/out" "$WORK/a2026" <<'PY' && ok || bad "the archive's report and files"
import json, os, sys
r, d = json.load(open(sys.argv[1])), sys.argv[2]
assert r["dossiers"] > 50 and r["records"] > 500, r
assert r["kept"].get("a certificate in force", 0) > 0, r  # 2026's certificates are in force in 2028
m = json.load(open(os.path.join(d, "manifest.json")))
assert m["kind"] == "ocop archive" and m["id"] == r["archive"] and m["until"] == 2026, m
assert m["dossiers"] == r["dossiers"] and m["audit"]["records"] == r["records"], m
lines = open(os.path.join(d, "audit.jsonl")).read().splitlines()
assert len(lines) == r["records"]
seqs = [json.loads(l)["seq"] for l in lines]
assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
ids = {json.loads(l)["id"] for l in open(os.path.join(d, "dossiers.jsonl"))}
assert len(ids) == r["dossiers"] and all(json.loads(l)["dossier"] in ids for l in lines)
assert all(json.loads(l)["year"] == 2026 for l in open(os.path.join(d, "dossiers.jsonl")))
PY
CHECKPOINT=$(python3 -c "import json; print(json.load(open('$WORK/out'))['checkpoint'])")
test "$CHECKPOINT" -eq $((EVENTS + 1)) && ok || bad "checkpoint $CHECKPOINT is not record $((EVENTS + 1))"
ARCHIVED=$(head -1 "$WORK/a2026/dossiers.jsonl" | python3 -c "import json, sys; print(json.load(sys.stdin)['id'])")
test "$(db_sql "$OCOP_DB" "SELECT COUNT(*) FROM audit WHERE dossier = '$ARCHIVED'")" = 0 && ok || bad "records of $ARCHIVED left"
test "$(db_sql "$OCOP_DB" "SELECT COUNT(*) FROM dossiers WHERE id = '$ARCHIVED'")" = 0 && ok || bad "$ARCHIVED left"
test "$(db_sql "$OCOP_DB" "SELECT COUNT(*) FROM dossiers WHERE year = 2027")" -gt 0 && ok || bad "2027 was archived too"

expect 0 "the live trail verifies from the checkpoint on" -- "$OCOP" audit verify
expect 0 "archive and live trail verify together" -- "$OCOP" audit verify --archive "$WORK/a2026"
grep -q "$((EVENTS + 1)) record(s) (archives and live trail" "$WORK/out" && ok || bad "the merged count: $(cat "$WORK/out")"

# Twice: nothing archived twice.
expect 0 "the same archive again" -- "$OCOP" "${LATER[@]}" archive --until 2026 "$WORK/a2026"
grep -q "done already" "$WORK/out" && ok || bad "rerun: $(cat "$WORK/out")"
expect 0 "2026 again into a new directory" -- "$OCOP" "${LATER[@]}" archive --until 2026 "$WORK/a2026b"
grep -q "nothing to archive" "$WORK/out" && ok || bad "second archive: $(cat "$WORK/out")"
[ ! -e "$WORK/a2026b" ] && ok || bad "an empty archive directory was made"
test "$(db_sql "$OCOP_DB" "SELECT COUNT(*) FROM audit WHERE event = 'archive'")" = 1 && ok || bad "more than one checkpoint"

# Reads of an archived dossier say where it went.
for cmd in show history documents; do
  expect 3 "$cmd of an archived dossier" -- "$OCOP" $cmd "$ARCHIVED"
  grep_err "$cmd says archived" "$ARCHIVED was archived \(cycle 2026, archive until-2026-cut-$EVENTS"
done
"$OCOP" --json list --year 2026 | python3 -c "
import json, sys
assert '$ARCHIVED' not in [d['id'] for d in json.load(sys.stdin)]" && ok || bad "list shows the archived dossier"

# A run stopped after its manifest: the rerun finishes it. (The archive written from the copy
# taken before is the one an interrupted run on this database would have left.)
cp -r "$WORK/a2026" "$WORK/stopped"
expect 0 "finish a stopped run" -- env OCOP_DB="$BEFORE" "$OCOP" "${LATER[@]}" archive --until 2026 "$WORK/stopped"
grep -q "finished from an earlier run" "$WORK/out" && ok || bad "resume: $(cat "$WORK/out")"
expect 0 "the finished run verifies" -- env OCOP_DB="$BEFORE" "$OCOP" audit verify --archive "$WORK/stopped"
# ... and one stopped before its manifest is refused, nothing deleted.
cp -r "$WORK/a2026" "$WORK/partial" && rm "$WORK/partial/manifest.json"
expect 2 "an incomplete archive" -- "$OCOP" "${LATER[@]}" archive --until 2026 "$WORK/partial"
grep_err "incomplete says so" "incomplete archive \(no manifest.json"

# More records after the checkpoint: a note on a dossier that stays live.
LIVE=$(db_sql "$OCOP_DB" "SELECT id FROM dossiers WHERE year = 2027 ORDER BY id LIMIT 1")
WHO=$(db_sql "$OCOP_DB" "SELECT actor FROM audit WHERE dossier = '$LIVE' ORDER BY seq LIMIT 1")
"$OCOP" "${LATER[@]}" fire annotate "$LIVE" --actor "$WHO" --data '{"note":"sau lưu trữ"}' >/dev/null
"$OCOP" "${LATER[@]}" fire annotate "$LIVE" --actor "$WHO" --data '{"note":"lần hai"}' >/dev/null
expect 0 "verify after more events" -- "$OCOP" audit verify --archive "$WORK/a2026"
HEAD=$((CHECKPOINT + 2))

# Tampering with the archive: each on a copy of it.
tamper_archive() {  # NAME PYTHON-ON-DIR PATTERN
  rm -rf "$WORK/t" && cp -r "$WORK/a2026" "$WORK/t"
  python3 - "$WORK/t" <<<"$2"
  expect 4 "archive: $1" -- "$OCOP" audit verify --archive "$WORK/t"
  grep_err "archive: $1 is named" "$3"
}
FIRST=$(head -1 "$WORK/a2026/audit.jsonl" | python3 -c "import json, sys; print(json.load(sys.stdin)['seq'])")
SECOND=$(sed -n 2p "$WORK/a2026/audit.jsonl" | python3 -c "import json, sys; print(json.load(sys.stdin)['seq'])")
tamper_archive "a record changed" '
import json, sys
p = sys.argv[1] + "/audit.jsonl"; lines = open(p).read().splitlines()
r = json.loads(lines[0]); r["actor"] = "someone.else"; lines[0] = json.dumps(r, ensure_ascii=False)
open(p, "w").write("\n".join(lines) + "\n")' "audit record $FIRST \(dossier .*content does not match its hash"
tamper_archive "a record removed" '
import sys
p = sys.argv[1] + "/audit.jsonl"; lines = open(p).read().splitlines(); del lines[1]
open(p, "w").write("\n".join(lines) + "\n")' "audit record [0-9]+: expected sequence $SECOND"
tamper_archive "records reordered" '
import sys
p = sys.argv[1] + "/audit.jsonl"; lines = open(p).read().splitlines(); lines[0], lines[1] = lines[1], lines[0]
open(p, "w").write("\n".join(lines) + "\n")' "audit record [0-9]+: expected sequence $FIRST"
tamper_archive "a dossier row changed" '
import sys
p = sys.argv[1] + "/dossiers.jsonl"; t = open(p).read(); open(p, "w").write(t.replace("{\"", "{ \"", 1))' \
  "dossiers.jsonl was changed"
tamper_archive "the manifest changed" '
import json, sys
p = sys.argv[1] + "/manifest.json"; m = json.load(open(p)); m["created_at"] = "2020-01-01T00:00:00+07:00"
open(p, "w").write(json.dumps(m, indent=2))' "checkpoint of archive until-2026-cut-$EVENTS\): the archive's manifest.json is not the one"
tamper_archive "a record removed, the manifest made to match" '
import json, sys
p = sys.argv[1] + "/audit.jsonl"; lines = open(p).read().splitlines(); del lines[-1]
open(p, "w").write("\n".join(lines) + "\n")
import hashlib, os
m = json.load(open(sys.argv[1] + "/manifest.json")); b = open(p, "rb").read()
m["files"]["audit.jsonl"] = {"sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)}; m["audit"]["records"] -= 1
open(sys.argv[1] + "/manifest.json", "w").write(json.dumps(m, indent=2))' "audit record [0-9]+: expected sequence [0-9]+"
expect 4 "an archive the trail has no checkpoint of" -- env OCOP_DB="$UNARCHIVED" "$OCOP" audit verify --archive "$WORK/a2026"

# Tampering with the live trail after the cut: each on a copy of the database.
tamper_live() {  # NAME SQL PATTERN [--archive]
  local db
  db=$(clone_db "$OCOP_DB" "t$((PASS + FAIL))")
  db_sql "$db" "$2" >/dev/null
  expect 4 "live: $1" -- env OCOP_DB="$db" "$OCOP" audit verify ${4:+--archive "$WORK/a2026"}
  grep_err "live: $1 is named" "$3"
}
KEPT=$(db_sql "$OCOP_DB" "SELECT seq FROM audit WHERE seq < $CHECKPOINT AND seq > 100 ORDER BY seq LIMIT 1")
tamper_live "a record after the checkpoint changed" "UPDATE audit SET data = '{\"note\":\"khác\"}' WHERE seq = $HEAD" \
  "audit record $HEAD \(dossier $LIVE, annotate\): content does not match"
tamper_live "a record after the checkpoint removed" "DELETE FROM audit WHERE seq = $((CHECKPOINT + 1))" \
  "audit record $HEAD: expected sequence $((CHECKPOINT + 1))"
tamper_live "the checkpoint removed" "DELETE FROM audit WHERE seq = $CHECKPOINT" \
  "audit record $CHECKPOINT, the checkpoint of the newest archive, is missing"
tamper_live "the checkpoint altered" "UPDATE audit SET data = replace(data, '\"until\":2026', '\"until\":2027') WHERE seq = $CHECKPOINT" \
  "audit record $CHECKPOINT \(dossier archive:until-2026-cut-$EVENTS, archive\): content does not match"
tamper_live "a kept record changed" "UPDATE audit SET actor = 'someone.else' WHERE seq = $KEPT" \
  "audit record $KEPT \(dossier .*content does not match"
tamper_live "a kept record removed" "DELETE FROM audit WHERE seq = $KEPT" \
  "audit record $CHECKPOINT \(checkpoint of archive until-2026-cut-$EVENTS\) says [0-9]+ record\(s\) were kept"
tamper_live "a kept record removed, with the archive" "DELETE FROM audit WHERE seq = $KEPT" \
  "audit record $((KEPT + 1)): expected sequence $KEPT" --archive

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
