#!/usr/bin/env bash
# bench/gen_workload.py, the workload generator of the tests and benchmarks:
# - deterministic: the same arguments give byte-identical events, configuration and outcome,
#   run twice and under both `python3` and Debian's `/usr/bin/python3`; another seed gives
#   other events;
# - its one-province configuration is still tests/data/config/gen_workload.yaml, but for the
#   lines that file's header says were added by hand;
# - a national-shaped four-year workload (3 provinces; upgrades of earlier certificates and
#   re-evaluations of expiring ones) is a valid configuration and imports with 0 refused, to the
#   outcome the generator computed on its own (dossiers by state, certificates by stars,
#   superseded; the certificates that upgrades and re-evaluations name superseded by theirs);
# - with --promotion the events after recognition are appended (the dossiers' lines unchanged; 0,0
#   gives the same events and the promotion's configuration), deterministic, and import with 0
#   refused to the activities, participations and inspections by state the generator computed;
# - bad arguments are refused with exit 2 and a message naming the argument, and write nothing.
# Runs on SQLite and, as cli_generator_test_postgresql, on PostgreSQL.
# Usage: generator_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
GEN="$REPO/bench/gen_workload.py"
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
pass=0
failed=0
source "$(dirname "$0")/lib/asserts.sh"

# --- determinism ---------------------------------------------------------------------------------
ARGS=(--dossiers 400 --years 2026-2029 --communes 12 --provinces 3 --seed 7)
run() {  # DIR PYTHON: the workload of ARGS into DIR
  mkdir -p "$1"
  expect 0 "$2 writes the workload into $(basename "$1")" -- \
    "$2" "$GEN" "${ARGS[@]}" --events "$1/e.jsonl" --config "$1/c.yaml" --summary "$1/s.json"
}
run "$WORK/a" python3
run "$WORK/a2" python3
run "$WORK/b" /usr/bin/python3
for f in e.jsonl c.yaml s.json; do
  ok "$f is byte-identical when written again" cmp -s "$WORK/a/$f" "$WORK/a2/$f"
  ok "python3 and /usr/bin/python3 write the same $f" cmp -s "$WORK/a/$f" "$WORK/b/$f"
done
ok "the events are not empty ($(wc -l <"$WORK/a/e.jsonl") lines)" test "$(wc -l <"$WORK/a/e.jsonl")" -gt 4000
expect 0 "another seed" -- python3 "$GEN" "${ARGS[@]}" --seed 8 --events "$WORK/seed8.jsonl"
ok "gives other events" test -n "$(cmp "$WORK/a/e.jsonl" "$WORK/seed8.jsonl" 2>&1)"

# --- the tests' configuration is the generator's -------------------------------------------------
expect 0 "the one-province configuration of 5 communes" -- python3 "$GEN" --communes 5 --config "$WORK/five.yaml"
python3 - "$WORK/five.yaml" "$REPO/tests/data/config/gen_workload.yaml" >"$WORK/same.txt" 2>&1 <<'PY'
import sys
gen = open(sys.argv[1], encoding="utf-8").read()
ours = open(sys.argv[2], encoding="utf-8").read()
# The additions by hand that the file's header lists: revoke, revocation grounds, the scheduler,
# the organiser's and inspectors' users.
auditor = '  - {id: auditor, name: "Thanh tra", roles: [auditor], unit: BX}\n'
gen = gen.split("\n", 1)[1]
gen = gen.replace(auditor, auditor + '  - {id: scheduler, name: "Bộ lập lịch", roles: [scheduler], unit: BX}\n'
                  '  - {id: organiser, name: "Trung tâm Xúc tiến thương mại tỉnh", roles: [organiser], unit: BX, email: xttm@bx.example.vn}\n'
                  '  - {id: inspector, name: "Đoàn hậu kiểm tỉnh", roles: [inspector], unit: BX}\n'
                  '  - {id: inspector.bx-c0001, name: "Cán bộ kiểm tra xã C0001", roles: [inspector], unit: BX-C0001}\n')
gen = gen.replace("  signer: [recognize, not_recognize, annotate, close_inspection]\n",
                  "  signer: [recognize, not_recognize, revoke, annotate, close_inspection]\n")
gen = gen.replace("  auditor: []\n", """  auditor: []
  scheduler: [notice, expire, open_registration, close_registration, start_activity, finish_activity, remedy_overdue]
revocation_grounds:
  food_safety: "Vi phạm quy định về an toàn thực phẩm"
  fraud: "Gian lận, giả mạo hồ sơ đánh giá, phân hạng"
  production_stopped: "Ngừng sản xuất, kinh doanh sản phẩm"
""") + "scheduler: {actor: scheduler}\n"
ours = "".join(l for l in ours.splitlines(True) if not l.startswith("#"))
if gen != ours:
    import difflib
    sys.stdout.writelines(list(difflib.unified_diff(ours.splitlines(True), gen.splitlines(True), "tests/data", "generated"))[:20])
    sys.exit(1)
PY
ok "tests/data/config/gen_workload.yaml is the generator's, plus its listed additions ($(head -c 400 "$WORK/same.txt"))" \
  test ! -s "$WORK/same.txt"

# --- a national-shaped, four-year workload imports to the outcome computed -----------------------
expect 0 "its configuration is valid" -- "$OCOP" config check "$WORK/a/c.yaml"
export OCOP_CONFIG="$WORK/a/c.yaml" OCOP_DB=$(new_db years)
TOTAL=$(wc -l <"$WORK/a/e.jsonl")
expect 0 "init" -- "$OCOP" init --simulation
expect 0 "import the four years" -- "$OCOP" --json import --batch 200 "$WORK/a/e.jsonl"
check "every event applied, none refused" "out['applied'] == $TOTAL and out['refused'] == 0 and out['skipped'] == 0"
expect 0 "the chain verifies" -- "$OCOP" audit verify
expect 0 "report" -- "$OCOP" --json report
cp "$WORK/out" "$WORK/report.json"
db_sql "$OCOP_DB" "SELECT state, COUNT(*) FROM certificates GROUP BY state ORDER BY state" >"$WORK/certs.txt"
db_sql "$OCOP_DB" "SELECT registration_type, COUNT(*) FROM dossiers WHERE registration_type IS NOT NULL GROUP BY registration_type ORDER BY registration_type" >"$WORK/registrations.txt"
db_sql "$OCOP_DB" "SELECT COUNT(*) FROM certificates c JOIN certificates n ON n.id = c.superseded_by JOIN dossiers d ON d.id = n.dossier WHERE n.dossier <> c.dossier AND d.base_certificate = c.id" >"$WORK/by-later.txt"
db_sql "$OCOP_DB" "SELECT COUNT(DISTINCT unit) FROM dossiers" >"$WORK/units.txt"
python3 - "$WORK" >"$WORK/outcome.txt" 2>&1 <<'PY'
import json, sys
w = sys.argv[1]
want = json.load(open(f"{w}/a/s.json"))
report = json.load(open(f"{w}/report.json"))
rows = lambda f: {k: int(v) for k, v in (l.split("|") for l in open(f"{w}/{f}").read().split())}
certs, regs = rows("certs.txt"), rows("registrations.txt")
by_later = int(open(f"{w}/by-later.txt").read())
stars = {str(k): v for k, v in report["certificates_by_stars"].items()}
problems = []
if report["dossiers_by_state"] != want["dossiers_by_state"]: problems.append(f"states {report['dossiers_by_state']} != {want['dossiers_by_state']}")
if stars != want["certificates_by_stars"]: problems.append(f"stars {stars} != {want['certificates_by_stars']}")
if sum(certs.values()) != want["certificates"] or certs.get("superseded", 0) != want["superseded"]: problems.append(f"certificates {certs}")
if regs != want["registrations"]: problems.append(f"registrations {regs} != {want['registrations']}")
if by_later != want["superseded_by_later_dossiers"]: problems.append(f"superseded by upgrades {by_later} != {want['superseded_by_later_dossiers']}")
if not (regs.get("upgrade", 0) > 0 and regs.get("re_evaluation", 0) > 0 and by_later > 0): problems.append(f"no upgrades or re-evaluations: {regs}, {by_later}")
if not all(want["dossiers_by_state"].get(s, 0) > 0 for s in ("recognized", "not_recognized", "rejected", "withdrawn")): problems.append("an outcome is missing")
print(f"states {report['dossiers_by_state']}, certificates {certs}, registrations {regs}, superseded by later dossiers {by_later}")
for p in problems: print("problem", p)
PY
ok "the outcome is the one the generator computed ($(tr '\n' ' ' <"$WORK/outcome.txt"))" test -z "$(grep '^problem' "$WORK/outcome.txt")"
ok "the dossiers are spread over the three provinces' communes ($(cat "$WORK/units.txt"))" test "$(cat "$WORK/units.txt")" -eq 12

# --- events after recognition (--promotion): appended, and imported with 0 refused --------------
PARGS=("${ARGS[@]}" --promotion 30,400 --fair 60 --inspections 20)
for d in p p2; do
  mkdir -p "$WORK/$d"
  expect 0 "with --promotion into $d" -- python3 "$GEN" "${PARGS[@]}" --events "$WORK/$d/e.jsonl" --config "$WORK/$d/c.yaml" --summary "$WORK/$d/s.json"
done
for f in e.jsonl c.yaml s.json; do ok "--promotion: $f is byte-identical when written again" cmp -s "$WORK/p/$f" "$WORK/p2/$f"; done
N=$(wc -l <"$WORK/a/e.jsonl")
ok "--promotion appends to the dossiers' events, which stay as they are" cmp -s "$WORK/a/e.jsonl" <(head -n "$N" "$WORK/p/e.jsonl")
expect 0 "--promotion 0,0" -- python3 "$GEN" "${ARGS[@]}" --promotion 0,0 --events "$WORK/p/zero.jsonl" --config "$WORK/p/zero.yaml"
ok "--promotion 0,0: the same events, the configuration with the promotion's people" cmp -s "$WORK/a/e.jsonl" "$WORK/p/zero.jsonl"
ok "--promotion 0,0: the same configuration as with activities" cmp -s "$WORK/p/c.yaml" "$WORK/p/zero.yaml"
expect 0 "the promotion's configuration is valid" -- "$OCOP" config check "$WORK/p/c.yaml"
tail -n +"$((N + 1))" "$WORK/p/e.jsonl" >"$WORK/p/after.jsonl"
PTOTAL=$(wc -l <"$WORK/p/after.jsonl")
OCOP_CONFIG="$WORK/p/c.yaml" expect 0 "import the events after recognition" -- "$OCOP" --json import --batch 50 "$WORK/p/after.jsonl"
check "every one applied, none refused ($PTOTAL)" "out['applied'] == $PTOTAL and out['refused'] == 0 and out['skipped'] == 0"
OCOP_CONFIG="$WORK/p/c.yaml" expect 0 "the chain still verifies" -- "$OCOP" audit verify
for t in activities participations inspections; do
  db_sql "$OCOP_DB" "SELECT state, COUNT(*) FROM $t GROUP BY state ORDER BY state" >"$WORK/p/$t.txt"
done
python3 - "$WORK/p" >"$WORK/p/outcome.txt" 2>&1 <<'PY'
import json, sys
w = sys.argv[1]
want = json.load(open(f"{w}/s.json"))["promotion"]
rows = lambda t: {k: int(v) for k, v in (l.split("|") for l in open(f"{w}/{t}.txt").read().split())}
problems = [f"{t} {rows(t)} != {want[t + '_by_state']}" for t in ("activities", "participations", "inspections")
            if rows(t) != want[t + "_by_state"]]
if sum(rows("participations").values()) != 400 or sum(rows("activities").values()) != 30:
    problems.append("not 30 activities and 400 participations")
if len(want["activities_by_state"]) < 5:
    problems.append(f"activities in too few states on the tick day: {want['activities_by_state']}")
print(json.dumps({t: rows(t) for t in ("activities", "participations", "inspections")}))
for p in problems: print("problem", p)
PY
ok "activities, participations and inspections by state are the generator's ($(head -c 400 "$WORK/p/outcome.txt"))" \
  test -z "$(grep '^problem' "$WORK/p/outcome.txt")"

# --- bad arguments: exit 2, the argument named, nothing written ---------------------------------
bad() {  # DESCRIPTION TEXT_IN_STDERR ARGS...
  local what=$1 text=$2
  shift 2
  rm -f "$WORK/bad.jsonl" "$WORK/bad.yaml"
  expect 2 "$what" -- python3 "$GEN" "$@" --events "$WORK/bad.jsonl" --config "$WORK/bad.yaml"
  stderr_has "$what: says why" "$text"
  ok "$what: writes nothing" test ! -e "$WORK/bad.jsonl" -a ! -e "$WORK/bad.yaml"
}
bad "a year the calendar does not know" "--years '2036'" --years 2036
bad "years that are not years" "--years 'next'" --years next
bad "a council smaller than its quorum" "--members 4" --members 4
bad "a negative size" "--dossiers -1" --dossiers -1
bad "fewer communes than provinces" "--communes 2" --communes 2 --provinces 3
bad "a size that is not a number" "--dossiers: invalid int value" --dossiers many
bad "--promotion that is not two counts" "--promotion '30'" --promotion 30
bad "--fair larger than the participations" "--fair 500" --promotion 3,100 --fair 500
bad "--inspections without --promotion" "go with --promotion" --inspections 5
expect 2 "nothing to write" -- python3 "$GEN" --dossiers 5
stderr_has "says so" "nothing to write"
expect 1 "a directory that does not exist" -- python3 "$GEN" --dossiers 5 --events "$WORK/no/such/dir/e.jsonl"
stderr_has "names the file" "cannot write $WORK/no/such/dir/e.jsonl"

echo "generator ($BACKEND): $pass passed, $failed failed"
[ "$failed" -eq 0 ]
