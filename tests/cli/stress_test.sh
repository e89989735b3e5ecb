#!/usr/bin/env bash
# Many processes at the same dossiers at once (issue 5): FIRERS processes each apply EVENTS
# `annotate` events with `ocop fire --expect-version`, re-reading `ocop show --json` and
# retrying after every conflict (exit 5), while IMPORTERS `ocop import` processes (--batch 1
# and --batch 5) apply files of events on the same dossiers, a few lines of which name a stale
# version. Afterwards: every fire was applied exactly once and every refusal was a conflict
# (exit 5); each dossier's version is 1 + the events applied to it; the trail holds exactly one
# record per applied event; `ocop audit verify` exits 0; an import run again skips every line.
# Runs on SQLite and, as cli_stress_test_postgresql, on PostgreSQL.
# Usage: stress_test.sh PATH/TO/ocop REPO_DIR [FIRERS EVENTS]
set -uo pipefail
OCOP=$1
REPO=$2
FIRERS=${3:-4}
EVENTS=${4:-20}
IMPORTERS=3
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db stress)
export OCOP_CONFIG="$REPO/tests/data/config/gen_workload.yaml"
pass=0
failed=0
source "$(dirname "$0")/lib/asserts.sh"

DOSSIERS=(BX-2026-000201 BX-2026-000202 BX-2026-000203)
expect 0 "init" -- "$OCOP" init --simulation
for d in "${DOSSIERS[@]}"; do
  expect 0 "create $d" -- "$OCOP" fire submit_idea --actor producer.bx-c0001 \
    --data '{"id":"'$d'","product":"Mật ong","product_set":"honey","producer":"HTX","unit":"BX-C0001"}'
done

# A firer: the caller's retry loop. Logs "applied DOSSIER" and "conflict DOSSIER" lines; any
# other exit code is logged as "unexpected CODE ..." and ends the firer.
firer() {
  local w=$1 i d v rc log="$WORK/firer-$1.log"
  for ((i = 0; i < EVENTS; i++)); do
    d=${DOSSIERS[$(((w + i) % ${#DOSSIERS[@]}))]}
    while :; do
      v=$("$OCOP" --json show "$d" | sed -n 's/^ *"version": \([0-9]*\).*/\1/p')
      "$OCOP" fire annotate "$d" --actor coordinator --data '{"note":"ghi chú '$w/$i'"}' \
        --key "f$w-$i" --expect-version "$v" >/dev/null 2>"$WORK/firer-$w.err"
      rc=$?
      if [ $rc -eq 0 ]; then echo "applied $d" >>"$log"; break; fi
      if [ $rc -eq 5 ]; then echo "conflict $d" >>"$log"; continue; fi
      echo "unexpected $rc $d $(cat "$WORK/firer-$w.err")" >>"$log"
      return
    done
  done
}

# Import files: 25 annotate events each, round robin over the dossiers; every tenth line
# carries "version": 1, long stale, and must be refused as a conflict.
python3 - "$WORK" "$IMPORTERS" "${DOSSIERS[@]}" <<'PY'
import json, sys
work, n, dossiers = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for k in range(n):
    with open(f"{work}/import-{k}.jsonl", "w") as f:
        for i in range(25):
            e = {"key": f"i{k}-{i}", "event": "annotate", "actor": "coordinator",
                 "dossier": dossiers[(k + i) % len(dossiers)], "data": {"note": f"nhập {k}/{i}"}}
            if i % 10 == 9:
                e["version"] = 1
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
PY

for ((w = 0; w < FIRERS; w++)); do firer "$w" & done
for ((k = 0; k < IMPORTERS; k++)); do
  BATCH=$([ $k -eq 0 ] && echo 5 || echo 1)
  ( "$OCOP" --json import --batch "$BATCH" "$WORK/import-$k.jsonl" >"$WORK/import-$k.json" 2>"$WORK/import-$k.err"
    echo $? >"$WORK/import-$k.rc" ) &
done
wait

python3 - "$WORK" "$FIRERS" "$EVENTS" "$IMPORTERS" "${DOSSIERS[@]}" >"$WORK/expected.txt" <<'PY'
import json, sys, collections
work, firers, events, importers, dossiers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
applied = collections.Counter()
conflicts = 0
problems = []
for w in range(firers):
    for line in open(f"{work}/firer-{w}.log"):
        kind, rest = line.split(" ", 1)
        if kind == "applied": applied[rest.strip()] += 1
        elif kind == "conflict": conflicts += 1
        else: problems.append(line.strip())
fired = sum(applied.values())
if fired != firers * events: problems.append(f"fired {fired}, expected {firers * events}")
imported = 0
for k in range(importers):
    rc = int(open(f"{work}/import-{k}.rc").read())
    r = json.load(open(f"{work}/import-{k}.json"))
    lines = [json.loads(l) for l in open(f"{work}/import-{k}.jsonl")]
    stale = sum(1 for e in lines if "version" in e)
    err = open(f"{work}/import-{k}.err").read()
    if rc != 5 or r["refused"] != stale or r["applied"] != len(lines) - stale or r["skipped"] != 0:
        problems.append(f"import {k}: exit {rc}, {r}")
    if err.count("refused (conflict)") != stale:
        problems.append(f"import {k}: refusals are not all conflicts: {err}")
    for e in lines:
        if "version" not in e: applied[e["dossier"]] += 1
    imported += len(lines) - stale
for d in dossiers: print(d, 1 + applied[d])
print("records", len(dossiers) + fired + imported)
print("conflicts", conflicts)
for p in problems: print("problem", p)
PY
if grep -q '^problem' "$WORK/expected.txt"; then
  failed=$((failed + 1))
  echo "FAIL: a writer saw something else than success or a conflict:"
  grep '^problem' "$WORK/expected.txt" | head -10
else
  pass=$((pass + 1))
fi
echo "stress ($BACKEND): $FIRERS firers x $EVENTS events and $IMPORTERS importers; conflicts retried by firers: $(sed -n 's/^conflicts //p' "$WORK/expected.txt")"

for d in "${DOSSIERS[@]}"; do
  want=$(sed -n "s/^$d //p" "$WORK/expected.txt")
  expect 0 "show $d" -- "$OCOP" --json show "$d"
  check "$d is at version $want (1 + the events applied to it)" "out['version'] == $want"
done
RECORDS=$(sed -n 's/^records //p' "$WORK/expected.txt")
expect 0 "the chain verifies after concurrent writers" -- "$OCOP" --json audit verify
check "one record per applied event ($RECORDS)" "out['valid'] and out['records'] == $RECORDS"

# Running an import again applies nothing twice: every keyed line is skipped (the stale ones
# are still conflicts).
expect 5 "an import run again" -- "$OCOP" --json import "$WORK/import-1.jsonl"
check "skips what it applied" "out['applied'] == 0 and out['skipped'] == 23 and out['refused'] == 2"
expect 0 "still verifies" -- "$OCOP" --json audit verify
check "and holds no new record" "out['records'] == $RECORDS"

# The same file imported by three processes at once (an import started twice): every event is
# applied by exactly one of them and skipped by the others, creations included (a concurrent
# creation with the same key is a duplicate, never "already exists").
python3 - "$WORK/same.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(40):
        d = f"BX-2026-{300 + i:06d}"
        f.write(json.dumps({"key": f"s{i}-0", "event": "submit_idea", "actor": "producer.bx-c0002",
                            "data": {"id": d, "product": "Chè", "product_set": "tea", "producer": "HTX",
                                     "unit": "BX-C0002"}}, ensure_ascii=False) + "\n")
        f.write(json.dumps({"key": f"s{i}-1", "event": "accept_idea", "actor": "officer.bx-c0002",
                            "dossier": d}) + "\n")
PY
for k in 0 1 2; do
  ( "$OCOP" --json import "$WORK/same.jsonl" >"$WORK/same-$k.json" 2>"$WORK/same-$k.err"; echo $? >"$WORK/same-$k.rc" ) &
done
wait
python3 - "$WORK" >"$WORK/same.txt" <<'PY'
import json, sys
work = sys.argv[1]
rs = [json.load(open(f"{work}/same-{k}.json")) for k in range(3)]
rcs = [int(open(f"{work}/same-{k}.rc").read()) for k in range(3)]
a, s, r = (sum(x[f] for x in rs) for f in ("applied", "skipped", "refused"))
print("ok" if (a, s, r) == (80, 160, 0) and rcs == [0, 0, 0] else f"bad {rs} {rcs} {open(work + '/same-0.err').read()[:300]}")
PY
ok "one file imported by three processes at once: each event applied once ($(cat "$WORK/same.txt"))" grep -q '^ok' "$WORK/same.txt"
expect 0 "verifies after the same file three times at once" -- "$OCOP" --json audit verify
check "one record per event" "out['valid'] and out['records'] == $RECORDS + 80"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
