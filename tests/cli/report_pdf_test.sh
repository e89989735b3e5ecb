#!/usr/bin/env bash
# `ocop report --format pdf --output FILE` (adapters/report/office_pdf.cpp, laid out by
# libocop_print.so): the sample province's 2026 cycle imported, the yearly report read back with
# poppler (pdftotext -layout, pdfinfo; report_pdf_check.py) and every number of its tables and
# charts compared with `ocop report --json` and `ocop certificates --json`; Vietnamese text,
# numbered pages, the fonts embedded, page 1 rasterised by pdftoppm; a product whose name holds
# control characters and a 300-letter word (the row stays one row, the name cut with "…"), one
# that is not UTF-8 (SQLite);
# then the refusals: no --output, a directory, a missing directory (exit 1 naming the path,
# nothing left behind), days out of range, and the printing module missing. Runs on SQLite and,
# as cli_report_pdf_test_postgresql, on PostgreSQL.
# Usage: report_pdf_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
WORK=$(mktemp -d)
source "$LIB/backend.sh"  # tests/cli/lib/backend.sh: SQLite, or PostgreSQL (cli_NAME_postgresql)
trap 'drop_dbs; rm -rf "$WORK"' EXIT
for tool in pdftotext pdfinfo pdffonts pdftoppm; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is missing (scripts/setup.sh: poppler-utils)"; exit 1; }
done
DB=$(new_db reportpdf) || exit 1
export OCOP_DB=$DB
export OCOP_CONFIG="$REPO/config/sample.yaml"
pass=0
failed=0
source "$LIB/asserts.sh"
NOW=2029-06-01T09:00:00+07:00  # the sample's certificates end on 2029-07-28, 10-28 and 12-18
CHECK="$REPO/tests/cli/report_pdf_check.py"

expect 0 "init a simulation database" -- "$OCOP" init --simulation
expect 0 "import the sample's 2026 cycle" -- "$OCOP" import "$REPO/config/sample-events.jsonl"
"$OCOP" --json --now $NOW report >"$WORK/report.json"
"$OCOP" --json --now $NOW certificates --expiring-within 90 >"$WORK/expiring.json"

expect 0 "the yearly report" -- "$OCOP" --now $NOW report --format pdf --output "$WORK/r.pdf"
grep -q "^Wrote .*r.pdf" "$WORK/out" || { failed=$((failed + 1)); echo "FAIL: no 'Wrote' line"; cat "$WORK/out"; }
ok "a PDF" test "$(head -c 5 "$WORK/r.pdf")" = "%PDF-"
expect 0 "read by poppler: every number as the engine's" -- /usr/bin/python3 "$CHECK" \
  "$WORK/r.pdf" "$WORK/report.json" "$WORK/expiring.json" 2029-06-01 90
grep -q '^ok' "$WORK/out" || cat "$WORK/out"
expect 0 "pdffonts" -- pdffonts "$WORK/r.pdf"
ok "DejaVu Sans embedded (Vietnamese everywhere)" grep -Eq "DejaVuSans.* yes +yes" "$WORK/out"
expect 0 "page 1 rasterised" -- pdftoppm -png -r 60 -f 1 -l 1 "$WORK/r.pdf" "$WORK/page"
ok "a PNG of page 1" test -s "$(ls "$WORK"/page*.png 2>/dev/null | head -1)"
if [ -n "${OCOP_KEEP_PNG:-}" ]; then cp "$WORK"/page*.png "$OCOP_KEEP_PNG" 2>/dev/null; fi

# Every certificate in force listed (1200 days): the list runs over pages, the header repeated.
"$OCOP" --json --now $NOW certificates --expiring-within 1200 >"$WORK/expiring-1200.json"
expect 0 "--expiring-days 1200 --json, the same file replaced" -- "$OCOP" --json --now $NOW report --format pdf \
  --output "$WORK/r.pdf" --expiring-days 1200
check "--json: the file and its counts" "out['output'].endswith('r.pdf') and out['as_of'] == '2029-06-01' and out['in_force'] > 0 and out['expiring'] == out['in_force']"
expect 0 "the replaced file, every number" -- /usr/bin/python3 "$CHECK" \
  "$WORK/r.pdf" "$WORK/report.json" "$WORK/expiring-1200.json" 2029-06-01 1200
grep -q '^ok' "$WORK/out" || cat "$WORK/out"
ok "no .part file left" test ! -e "$WORK/r.pdf.part"

# A product named by someone careless or hostile: escape sequences, a newline, a tab, a bidi
# override, a 300-letter word. The row keeps its numbers on one line, the name is cut with "…",
# no control character reaches the text.
ID=$(python3 -c "import json,sys; print(json.load(open('$WORK/expiring.json'))[0]['id'])")
HOSTILE=$'Mật ong\x1b[31mĐỎ\nhai\t\xe2\x80\xae'"$(printf 'X%.0s' $(seq 300))"' cuối'
db_sql "$DB" "UPDATE certificates SET product = '$HOSTILE' WHERE id = '$ID'" >/dev/null ||
  { failed=$((failed + 1)); echo "FAIL: renaming $ID"; }
"$OCOP" --json --now $NOW certificates --expiring-within 90 >"$WORK/expiring-hostile.json"
expect 0 "the report with the hostile name" -- "$OCOP" --now $NOW report --format pdf --output "$WORK/h.pdf"
expect 0 "its numbers still line up" -- /usr/bin/python3 "$CHECK" \
  "$WORK/h.pdf" "$WORK/report.json" "$WORK/expiring-hostile.json" 2029-06-01 90
grep -q '^ok' "$WORK/out" || cat "$WORK/out"
pdftotext -layout "$WORK/h.pdf" "$WORK/h.txt"
ok "the name, its control characters as spaces" grep -q "Mật ong \[31mĐỎ hai" "$WORK/h.txt"
ok "the 300-letter word cut" grep -q "XXX…" "$WORK/h.txt"
ok "not all of it" test "$(grep -o X "$WORK/h.txt" | wc -l)" -lt 300
ok "no escape character" test "$(tr -cd '\033' <"$WORK/h.txt" | wc -c)" -eq 0

# Bytes that are not UTF-8 (SQLite stores them; PostgreSQL refuses them): a truncated sequence,
# 0xFF, a surrogate, an overlong form, five combining marks, a C1 control. Each bad sequence is
# drawn as U+FFFD, the marks kept to two, the control a space; the report is written.
if [ "$BACKEND" = sqlite ]; then
  ID2=$(python3 -c "import json,sys; print(json.load(open('$WORK/expiring.json'))[1]['id'])")
  db_sql "$DB" "UPDATE certificates SET product = CAST(X'4DE1BAAD74FF20EDA08020C320E0808F2061CC81CC81CC81CC81CC8120C2857A' AS TEXT) WHERE id = '$ID2'"
  expect 0 "the report with a name that is not UTF-8" -- "$OCOP" --now $NOW report --format pdf --output "$WORK/u.pdf"
  pdftotext -layout "$WORK/u.pdf" "$WORK/u.txt"
  ok "bad sequences as U+FFFD, two marks, the control a space" grep -q "$(printf 'M\xe1\xba\xadt\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd a\xcc\x81\xcc\x81 z')" "$WORK/u.txt"
fi

# Refusals: exit 2 (or 1 for a file that cannot be written), a message that says what, no file.
expect 2 "an unknown format" -- "$OCOP" report --format docx --output "$WORK/x.docx"
stderr_has "--format names the choices" "must be text, xlsx or pdf"
expect 2 "pdf without --output" -- "$OCOP" report --format pdf
stderr_has "--output is needed" "needs --output"
expect 2 "--output a directory" -- "$OCOP" report --format pdf --output "$WORK"
stderr_has "a directory is named" "is a directory"
expect 2 "--expiring-days out of range" -- "$OCOP" report --format pdf --output "$WORK/x.pdf" --expiring-days 5000
expect 1 "a missing directory" -- "$OCOP" report --format pdf --output "$WORK/nowhere/x.pdf"
stderr_has "the path is named" "$WORK/nowhere/x.pdf"
ok "nothing written" test ! -e "$WORK/x.pdf" -a ! -e "$WORK/nowhere" -a ! -e "$WORK/x.docx"

# Without the printing module (a copy of ocop alone, no OCOP_PLUGIN_DIR): a clear error, and
# every other command still works.
if [ "$BACKEND" = sqlite ]; then
  mkdir -p "$WORK/alone" && cp "$OCOP" "$WORK/alone/ocop"
  expect 1 "no libocop_print.so" -- env -u OCOP_PLUGIN_DIR "$WORK/alone/ocop" report --format pdf --output "$WORK/y.pdf"
  stderr_has "the module is named" "libocop_print.so) could not be loaded"
  stderr_has "how to point at it" "OCOP_PLUGIN_DIR"
  ok "nothing written" test ! -e "$WORK/y.pdf" -a ! -e "$WORK/y.pdf.part"
  expect 0 "the text report without it" -- env -u OCOP_PLUGIN_DIR "$WORK/alone/ocop" report
fi

echo "report_pdf_test ($BACKEND): $pass passed, $failed failed"
[ "$failed" -eq 0 ]
