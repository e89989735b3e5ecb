#!/usr/bin/env bash
# A whole simulated year ticked day by day: a generated workload (bench/gen_workload.py,
# 200 dossiers, 20 communes; certificates valid 2 months so that notices and expiries fall in
# the year) is imported one day at a time and `ocop tick` runs every morning at 07:00 from
# 2026-01-01 to 2027-01-10 (the stalled rule shortened to 2 working days + 1 to escalate, and the
# cut-off reminder moved to 60 working days ahead, so that every kind fires). The counts of reminders, escalations, milestone reminders, kick-off
# messages, notices and expiries are compared with counts computed independently, in Python,
# from the event file and the configuration (tests/cli/lib/year_expect.py).
# Usage: year_test.sh PATH/TO/ocop REPO_DIR
set -euo pipefail
OCOP=$1
REPO=$2
GEN="$REPO/bench/gen_workload.py"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 "$GEN" --dossiers 200 --communes 20 --events "$WORK/events.jsonl" --config "$WORK/gen.yaml" >/dev/null
python3 "$REPO/tests/cli/lib/year_expect.py" "$OCOP" "$WORK"
