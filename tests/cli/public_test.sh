#!/usr/bin/env bash
# The public face (issue 13, docs/public.md), end to end, driven by public_test.py: verification
# codes (migration 9 gives existing certificates theirs), `ocop certificate qr|pdf` decoded with
# zbarimg (the PDF rendered by pdftoppm) and followed to a running `ocop serve`, the page's and
# the API's state today (in force, expiring, expired, revoked at once, superseded), pdftotext's
# Vietnamese, only public fields, 404 for unknown codes, the rate limit's 429, refused arguments.
# Runs on SQLite and, as cli_public_test_postgresql, on PostgreSQL (lib/backend.sh).
# Usage: public_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
source "$REPO/tests/cli/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
for tool in zbarimg pdftoppm pdftotext; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is missing (scripts/setup.sh: zbar-tools, poppler-utils)"; exit 1; }
done
DB=$(new_db public) || exit 1
export OCOP_DB=$DB OCOP_CONFIG=$REPO/config/sample.yaml
"$OCOP" init --simulation >/dev/null || { echo "FAIL: init"; exit 1; }
"$OCOP" import "$REPO/config/sample-events.jsonl" >/dev/null || { echo "FAIL: import"; exit 1; }
# A version-8 database with certificates: take migration 9 back, then migrate again.
db_sql "$DB" "DROP INDEX certificates_verification_code; ALTER TABLE certificates DROP COLUMN verification_code;
  DELETE FROM meta WHERE key = 'verification_secret'; DELETE FROM schema_migrations WHERE version = 9" >/dev/null ||
  { echo "FAIL: taking migration 9 back"; exit 1; }
python3 "$REPO/tests/cli/public_test.py" "$OCOP" "$REPO" "$WORK" "$DB"
