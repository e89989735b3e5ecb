#!/usr/bin/env bash
# `ocop report --format xlsx --output FILE` (adapters/report/): the sample province's 2026 cycle
# imported, the spreadsheet opened with openpyxl (an independent reader, report_xlsx_check.py)
# and every number, date and row compared with `ocop report --json` and `ocop certificates
# --json`; the header rows frozen and filtered; then the refusals: an unknown format, xlsx
# without --output, --output with text, a directory, a missing directory (nothing left
# behind), days out of range, and the writer's module missing (its name and where it looked).
# An existing file is replaced whole. Runs on SQLite and, as cli_report_xlsx_test_postgresql,
# on PostgreSQL.
# Usage: report_xlsx_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
WORK=$(mktemp -d)
source "$LIB/backend.sh"  # tests/cli/lib/backend.sh: SQLite, or PostgreSQL (cli_NAME_postgresql)
trap 'drop_dbs; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db report)
export OCOP_CONFIG="$REPO/config/sample.yaml"
pass=0
failed=0
source "$LIB/asserts.sh"
NOW=2029-06-01T09:00:00+07:00  # the sample's certificates end on 2029-07-28, 10-28 and 12-18

expect 0 "init a simulation database" -- "$OCOP" init --simulation
expect 0 "import the sample's 2026 cycle" -- "$OCOP" import "$REPO/config/sample-events.jsonl"
"$OCOP" --json --now $NOW report >"$WORK/report.json"
"$OCOP" --json --now $NOW certificates >"$WORK/certificates.json"
"$OCOP" --json --now $NOW certificates --expiring-within 90 >"$WORK/expiring.json"

expect 0 "the spreadsheet" -- "$OCOP" --now $NOW report --format xlsx --output "$WORK/r.xlsx"
expect 0 "read by openpyxl: every number as the engine's" -- /usr/bin/python3 "$REPO/tests/cli/report_xlsx_check.py" \
  "$WORK/r.xlsx" "$WORK/report.json" "$WORK/certificates.json" "$WORK/expiring.json" 2029-06-01 90 "$OCOP"
grep -q '^ok' "$WORK/out" || { failed=$((failed + 1)); cat "$WORK/out" "$WORK/err"; }

# --json says what was written; another horizon, the same file replaced whole.
"$OCOP" --json --now $NOW certificates --expiring-within 1200 >"$WORK/expiring-1200.json"
expect 0 "--expiring-days 1200 --json" -- "$OCOP" --json --now $NOW report --format xlsx --output "$WORK/r.xlsx" --expiring-days 1200
check "--json: the file and its counts" "out['output'].endswith('r.xlsx') and out['as_of'] == '2029-06-01' and out['in_force'] > 0 and out['expiring'] == out['in_force']"
expect 0 "the replaced file" -- /usr/bin/python3 "$REPO/tests/cli/report_xlsx_check.py" \
  "$WORK/r.xlsx" "$WORK/report.json" "$WORK/certificates.json" "$WORK/expiring-1200.json" 2029-06-01 1200 "$OCOP"
ok "no .part file left" test ! -e "$WORK/r.xlsx.part"

# Refusals: exit 2 (or 1 for a file that cannot be written), a message that says what, no file.
expect 2 "--format docx" -- "$OCOP" report --format docx --output "$WORK/x.docx"
stderr_has "--format names the choices" "must be text, xlsx or pdf"
expect 2 "xlsx without --output" -- "$OCOP" report --format xlsx
stderr_has "--output is needed" "needs --output"
expect 2 "--output with the text report" -- "$OCOP" report --output "$WORK/x.xlsx"
expect 2 "--output a directory" -- "$OCOP" report --format xlsx --output "$WORK"
stderr_has "a directory is named" "is a directory"
expect 2 "--expiring-days out of range" -- "$OCOP" report --format xlsx --output "$WORK/x.xlsx" --expiring-days 5000
expect 1 "a missing directory" -- "$OCOP" report --format xlsx --output "$WORK/nowhere/x.xlsx"
stderr_has "the path is named" "$WORK/nowhere/x.xlsx"
ok "nothing written" test ! -e "$WORK/x.xlsx" -a ! -e "$WORK/nowhere"

# Without the writer's module (a copy of ocop alone, no OCOP_PLUGIN_DIR): a clear error, and
# every other command still works.
if [ "$BACKEND" = sqlite ]; then
  mkdir -p "$WORK/alone" && cp "$OCOP" "$WORK/alone/ocop"
  expect 1 "no libocop_xlsx.so" -- env -u OCOP_PLUGIN_DIR "$WORK/alone/ocop" report --format xlsx --output "$WORK/y.xlsx"
  stderr_has "the module is named" "libocop_xlsx.so) could not be loaded"
  stderr_has "how to point at it" "OCOP_PLUGIN_DIR"
  expect 0 "the text report without it" -- env -u OCOP_PLUGIN_DIR "$WORK/alone/ocop" report
fi

echo "report_xlsx_test ($BACKEND): $pass passed, $failed failed"
[ "$failed" -eq 0 ]
