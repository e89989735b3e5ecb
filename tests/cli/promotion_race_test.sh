#!/usr/bin/env bash
# The capacity races of spec §10 with several processes: organisers selecting at once never
# exceed the activity's booths, and one producer's applications sent at once never exceed its
# booth limit (max_booths_per_producer, 2 by default). Every loser is refused (4) or loses the
# race for the row (5); none is accepted beyond a limit.
#
# Eight certificates of eight producers and four of one producer (lib/recognised.py, imported).
# Each round uses a fresh activity:
#  - select, ROUNDS times: booths 3, eight applications of one booth, then eight `ocop fire
#    select` processes at once: exactly 3 exit 0, the others 4 (or 5); `ocop activity` shows
#    booths_selected 3 and three selected.
#  - select, mixed sizes, once: booths 3, applications of 2 and 1 booths alternately: the winners'
#    booths are booths_selected ≤ 3, and each refused one did not fit beside them.
#  - apply, ROUNDS times: the one producer's four certificates apply at once (one booth each):
#    exactly 2 exit 0; `ocop activity` shows two applied.
#  - plan_activity six times at once without an id: six distinct generated ids, all exit 0.
#  - `ocop inspections plan` twice at once, at 50% then 100%: each certificate planned once.
# Then the audit chain holds (each object's version equals its records) and grew by exactly the
# accepted events. On SQLite the processes queue on the write lock (BEGIN IMMEDIATE, busy
# timeout); on PostgreSQL on the activity's row (FOR UPDATE). Runs on SQLite and, as
# cli_promotion_race_test_postgresql, on PostgreSQL (scripts/with-postgres.sh).
# Usage: promotion_race_test.sh PATH/TO/ocop REPO_DIR [ROUNDS]
set -uo pipefail
OCOP=$1
REPO=$2
ROUNDS=${3:-3}
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
WORK=$(mktemp -d)
source "$(dirname "$0")/lib/backend.sh"  # this spelling: tests/CMakeLists.txt looks for it
trap 'drop_dbs; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db race)
export OCOP_CONFIG="$REPO/tests/data/config/gen_workload.yaml"
pass=0
failed=0
source "$LIB/asserts.sh"
NOW="--now 2026-04-02T09:00:00+07:00"
records() { "$OCOP" --json audit verify | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])'; }

expect 0 "init" -- "$OCOP" init --simulation
python3 - "$WORK/spec.json" <<'PY'
import json, sys
spec = [{"id": "BX-2026-%06d" % (100 + i), "unit": "BX-C%04d" % (1 + (i - 1) % 5),
         "producer": "Chủ thể số %d" % i} for i in range(1, 9)]
spec += [{"id": "BX-2026-%06d" % (200 + i), "unit": "BX-C0003", "producer": "HTX Nông sản Sạch C0003",
          "product": "Sản phẩm %d của HTX" % i} for i in range(1, 5)]
json.dump(spec, open(sys.argv[1], "w"), ensure_ascii=False)
PY
N=$(python3 "$LIB/recognised.py" "$WORK/history.jsonl" "$(cat "$WORK/spec.json")")
expect 0 "import twelve recognised dossiers" -- "$OCOP" --json import "$WORK/history.jsonl"
check "all applied" "out['applied'] == $N and out['refused'] == 0"
SELECTORS=(); for i in 1 2 3 4 5 6 7 8; do SELECTORS+=("BX-2026-$(printf %06d $((100 + i)))"); done
SAME=(); for i in 1 2 3 4; do SAME+=("BX-2026-$(printf %06d $((200 + i)))"); done

plan_open() {  # plan_open ID BOOTHS: a fair with a given id, registration open
  local data="{\"id\":\"$1\",\"name\":\"Hội chợ $1\",\"kind\":\"fair\",\"unit\":\"BX\",\"venue\":\"Sân vận động\",
    \"registration_opens\":\"2026-04-01\",\"registration_closes\":\"2026-04-20\",\"starts\":\"2026-05-01\",
    \"ends\":\"2026-05-05\",\"booths\":$2}"
  expect 0 "$1: plan" -- "$OCOP" $NOW fire plan_activity --actor organiser --data "$data"
  expect 0 "$1: open" -- "$OCOP" $NOW fire open_registration "$1" --actor organiser
}

# race NAME COMMAND-TEMPLATE...: runs one background process per line of $WORK/jobs (each line:
# the arguments after `ocop`), all at once; their exit codes go to $WORK/NAME.codes, one a line,
# in the jobs' order.
race() {
  local name=$1 i=0 pids=()
  while IFS= read -r line; do
    # shellcheck disable=SC2086
    eval "\"\$OCOP\" $line" >"$WORK/$name.$i.out" 2>"$WORK/$name.$i.err" &
    pids+=($!)
    i=$((i + 1))
  done <"$WORK/jobs"
  : >"$WORK/$name.codes"
  for pid in "${pids[@]}"; do
    wait "$pid"
    echo $? >>"$WORK/$name.codes"
  done
}
count() { grep -cx "$2" "$WORK/$1.codes"; }  # count NAME CODE
tally() { sort "$WORK/$1.codes" | uniq -c | awk '{printf "%sexit %s×%s", (NR > 1 ? ", " : ""), $2, $1}'; }
SUMMARY=()

START=$(records)
ACCEPTED=0
# --- organisers selecting at once ---------------------------------------------------------------------
for round in $(seq 1 "$ROUNDS"); do
  ACT="RACE-SEL-$round"
  plan_open "$ACT" 3
  ACCEPTED=$((ACCEPTED + 2))
  for d in "${SELECTORS[@]}"; do
    expect 0 "$ACT: apply $d" -- "$OCOP" $NOW fire apply --actor coordinator --data "{\"activity\":\"$ACT\",\"certificate\":\"$d/province\"}"
    ACCEPTED=$((ACCEPTED + 1))
  done
  : >"$WORK/jobs"
  for d in "${SELECTORS[@]}"; do echo "--json $NOW fire select $ACT/$d --actor organiser" >>"$WORK/jobs"; done
  race "sel-$round"
  won=$(count "sel-$round" 0)
  refused=$(count "sel-$round" 4)
  conflict=$(count "sel-$round" 5)
  SUMMARY+=("$BACKEND select round $round: $(tally "sel-$round")")
  ok "$ACT: exactly 3 of 8 selects succeed (got $(tally "sel-$round"))" test "$won" -eq 3
  ok "$ACT: the others are refused or lose the race ($(tally "sel-$round"))" test $((won + refused + conflict)) -eq 8
  ACCEPTED=$((ACCEPTED + won))
  for i in $(seq 0 7); do
    if [ "$(sed -n "$((i + 1))p" "$WORK/sel-$round.codes")" = 4 ]; then
      grep -q '"refused"' "$WORK/sel-$round.$i.out" && grep -q "3 booths" "$WORK/sel-$round.$i.out" ||
        { failed=$((failed + 1)); echo "FAIL: $ACT: refusal $i does not name the booths:"; cat "$WORK/sel-$round.$i.out"; }
    fi
  done
  expect 0 "$ACT: the activity" -- "$OCOP" --json activity "$ACT"
  check "$ACT: booths_selected 3, three selected, five still applied" "out['activity']['booths_selected'] == 3 and out['totals']['booths_selected'] == 3 and out['totals']['by_state'] == {'selected': 3, 'applied': 5}"
  # The winners are the processes that exited 0.
  python3 - "$WORK" "sel-$round" "$ACT" >"$WORK/winners.txt" <<'PY'
import json, sys
work, name, act = sys.argv[1:]
codes = open(f"{work}/{name}.codes").read().split()
print(" ".join(sorted(json.load(open(f"{work}/{name}.{i}.out"))["id"] for i, c in enumerate(codes) if c == "0")))
PY
  check "$ACT: the selected ones are the winners" "' '.join(sorted(p['id'] for p in out['participations'] if p['state'] == 'selected')) == '$(cat "$WORK/winners.txt")'"
done

# --- mixed sizes -------------------------------------------------------------------------------------
ACT=RACE-MIX
plan_open "$ACT" 3
ACCEPTED=$((ACCEPTED + 2))
: >"$WORK/jobs"
for i in "${!SELECTORS[@]}"; do
  d=${SELECTORS[$i]}
  expect 0 "$ACT: apply $d for $((2 - i % 2)) booth(s)" -- "$OCOP" $NOW fire apply --actor coordinator --data "{\"activity\":\"$ACT\",\"certificate\":\"$d/province\",\"booths\":$((2 - i % 2))}"
  ACCEPTED=$((ACCEPTED + 1))
  echo "--json $NOW fire select $ACT/$d --actor organiser" >>"$WORK/jobs"
done
race mix
SUMMARY+=("$BACKEND select of 2 and 1 booths: $(tally mix)")
won=$(count mix 0)
ok "$ACT: the others are refused or lose the race ($(tally mix))" test $((won + $(count mix 4) + $(count mix 5))) -eq 8
ok "$ACT: someone wins" test "$won" -ge 1
ACCEPTED=$((ACCEPTED + won))
expect 0 "$ACT: the activity" -- "$OCOP" --json activity "$ACT"
cp "$WORK/out" "$WORK/mix.json"
python3 - "$WORK" <<'PY' >"$WORK/mix.check"
import json, sys
work = sys.argv[1]
v = json.load(open(f"{work}/mix.json"))
codes = open(f"{work}/mix.codes").read().split()
booths = {p["id"]: p["booths"] for p in v["participations"]}
selected = [p["id"] for p in v["participations"] if p["state"] == "selected"]
ids = [f"RACE-MIX/BX-2026-{100 + i:06d}" for i in range(1, 9)]
winners = sorted(ids[i] for i, c in enumerate(codes) if c == "0")
used = v["totals"]["booths_selected"]
problems = []
if used > 3: problems.append(f"booths_selected {used} > 3")
if used != sum(booths[p] for p in selected): problems.append("booths_selected is not the selected ones' booths")
if sorted(selected) != winners: problems.append(f"selected {selected} are not the winners {winners}")
for i, c in enumerate(codes):
    if c == "4" and used + booths[ids[i]] <= 3: problems.append(f"{ids[i]} ({booths[ids[i]]} booths) refused though it fits")
print("; ".join(problems) or "ok")
PY
ok "$ACT: never beyond the booths, and no refusal that would have fitted: $(cat "$WORK/mix.check")" test "$(cat "$WORK/mix.check")" = ok

# --- one producer's applications at once -----------------------------------------------------------
for round in $(seq 1 "$ROUNDS"); do
  ACT="RACE-APP-$round"
  plan_open "$ACT" 10
  ACCEPTED=$((ACCEPTED + 2))
  : >"$WORK/jobs"
  for d in "${SAME[@]}"; do
    echo "--json $NOW fire apply --actor producer.bx-c0003 --data '{\"activity\":\"$ACT\",\"certificate\":\"$d/province\"}'" >>"$WORK/jobs"
  done
  race "app-$round"
  won=$(count "app-$round" 0)
  SUMMARY+=("$BACKEND apply round $round: $(tally "app-$round")")
  ok "$ACT: exactly 2 of the producer's 4 applications succeed (got $(tally "app-$round"))" test "$won" -eq 2
  ok "$ACT: the others are refused or lose the race ($(tally "app-$round"))" test $((won + $(count "app-$round" 4) + $(count "app-$round" 5))) -eq 4
  ACCEPTED=$((ACCEPTED + won))
  expect 0 "$ACT: the activity" -- "$OCOP" --json activity "$ACT"
  check "$ACT: two applied, one booth each, of the one producer" "out['totals']['by_state'] == {'applied': 2} and [p['booths'] for p in out['participations']] == [1, 1] and {p['producer'] for p in out['participations']} == {'HTX Nông sản Sạch C0003'}"
  # A loser applying again, alone, is refused by the producer's limit.
  loser=$(grep -nvx 0 "$WORK/app-$round.codes" | head -1 | cut -d: -f1)
  if [ -n "$loser" ]; then
    expect 4 "$ACT: a loser again, alone" -- "$OCOP" --json $NOW fire apply --actor producer.bx-c0003 --data "{\"activity\":\"$ACT\",\"certificate\":\"${SAME[$((loser - 1))]}/province\"}"
    check "$ACT: refused by the producer's limit" "'at most 2 per producer' in out['error']['message']"
  fi
done

# --- generated ids at once -----------------------------------------------------------------------------
# Six organisers plan a fair of the same unit and year without an id at once: each gets its own
# generated id (a clash on the id is retried, never answered with a conflict or a duplicate).
: >"$WORK/jobs"
for i in 1 2 3 4 5 6; do
  echo "--json $NOW fire plan_activity --actor organiser --data '{\"name\":\"Phiên chợ $i\",\"kind\":\"fair\",\"unit\":\"BX\",\"venue\":\"Chợ\",\"registration_opens\":\"2027-04-01\",\"registration_closes\":\"2027-04-20\",\"starts\":\"2027-05-01\",\"ends\":\"2027-05-05\",\"booths\":5}'" >>"$WORK/jobs"
done
race plan
SUMMARY+=("$BACKEND plan_activity without ids: $(tally plan)")
ok "six plan_activity at once all succeed ($(tally plan))" test "$(count plan 0)" -eq 6
ACCEPTED=$((ACCEPTED + $(count plan 0)))
expect 0 "the planned fairs" -- "$OCOP" --json activities --year 2027
check "six distinct generated ids" "sorted(a['id'] for a in out) == ['BX-XT-2027-%03d' % i for i in range(1, 7)] and sorted(a['name'] for a in out) == ['Phiên chợ %d' % i for i in range(1, 7)]"

# --- two inspection rounds at once -------------------------------------------------------------------
# In force: BX-C0001 2, BX-C0002 2, BX-C0003 6, BX-C0004 1, BX-C0005 1. At 50%: 1+1+3+1+1 = 7; at
# 100%: 12. Two planners at once plan each certificate once.
for share in 50 100; do
  printf '%s\n' "--json $NOW inspections plan --actor inspector --year 2026 --share $share --due 2026-09-30" \
    "--json $NOW inspections plan --actor inspector --year 2026 --share $share --due 2026-09-30" >"$WORK/jobs"
  race "plan-$share"
  SUMMARY+=("$BACKEND inspections plan --share $share twice at once: $(tally "plan-$share")")
  ok "two inspection plans at $share% at once both succeed ($(tally "plan-$share"))" test "$(count "plan-$share" 0)" -eq 2
  total=$([ "$share" = 50 ] && echo 7 || echo 12)
  added=$([ "$share" = 50 ] && echo 7 || echo 5)
  planned=$(python3 -c 'import json,sys; print(sum(json.load(open(f))["planned"] for f in sys.argv[1:]))' \
    "$WORK/plan-$share.0.out" "$WORK/plan-$share.1.out" 2>/dev/null)
  ok "the two $share% plans together planned $added (got $planned)" test "$planned" = "$added"
  expect 0 "inspections after the $share% plans" -- "$OCOP" --json inspections
  check "$total inspections, one per certificate" "len(out) == $total and len({i['certificate'] for i in out}) == $total"
  ACCEPTED=$((ACCEPTED + ${planned:-0}))
done

expect 0 "audit verify" -- "$OCOP" --json audit verify
check "the chain holds and grew by the accepted events only" "out['valid'] is True and out['records'] == $START + $ACCEPTED"
printf '%s\n' "${SUMMARY[@]}"
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
