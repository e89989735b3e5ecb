#!/usr/bin/env bash
# The main job: set up, build, create ocop.db from the shipped sample configuration, import
# the sample province's 2026 cycle, and print the cycle's outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
DB=${OCOP_DEMO_DB:-ocop.db}
rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.documents"
export OCOP_DB="sqlite:$DB" OCOP_CONFIG=config/sample.yaml
./build/ocop init --simulation
./build/ocop import config/sample-events.jsonl
./build/ocop audit verify
./build/ocop report
# The sixth step (spec §10): the year's promotion activities, the spring fair's applications and
# outcome, and the autumn inspection round (`ocop report` above has their totals per unit).
./build/ocop activities --year 2026
./build/ocop activity TQ-XT-2026-001
./build/ocop inspections --year 2026
