#!/usr/bin/env bash
# The scheduler inside `ocop serve --scheduler` (issue 11, item 4) on one database shared by
# several serve processes: exactly one ticks and delivers (the lease: an advisory lock on
# PostgreSQL, a flock beside the SQLite file); killed with SIGKILL, another takes over; a third
# waits while a holder lives and takes over from one stopped with SIGTERM. Its ticks equal
# `ocop tick` on a copy of the database, a tick after them queues nothing (idempotent), every
# message reaches a real SMTP server or HTTP receiver once, and the chain verifies. Also: the
# options' errors, and --tick-from (no tick before that time of day). Driven by
# serve_scheduler_test.py; runs on SQLite and, as cli_serve_scheduler_test_postgresql, on
# PostgreSQL (lib/backend.sh). Skips (77) when aiosmtpd is missing.
# Usage: serve_scheduler_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
source "$LIB/receivers.sh"
WORK=$(mktemp -d)
source "$LIB/backend.sh"
cleanup() {
  stop_receivers
  drop_dbs
  rm -rf "$WORK"
}
trap cleanup EXIT
unset OCOP_DOCUMENTS_DIR
export OCOP_TEST_SECRET="bí-mật-ký-webhook"
start_receivers
source "$LIB/tick_workload.sh"
tick_workload 150

DB=$(new_db sched) || exit 1
"$OCOP" --db "$DB" init --simulation >/dev/null || { echo "FAIL: init"; exit 1; }
"$OCOP" --db "$DB" --json import "$WORK/events.jsonl" >"$WORK/import.json" || { echo "FAIL: import"; exit 1; }
REF=$(clone_db "$DB" ref) || exit 1
python3 "$LIB/../serve_scheduler_test.py" "$OCOP" "$WORK" "$DB" "$REF"
