#!/usr/bin/env bash
# The public feed of certificates (GET /feeds/certificates.atom and .json, no sign-in) and the
# webhook messages of a certificate's end: the sample province's 2026 cycle imported; every
# recognition in the feed, newest first, paged with ?before; a revocation and the expiries of a
# tick three years on at the top of both feeds and in the outbox as certificate.revoked and
# certificate.expired webhooks; hostile parameters refused; nothing private in the feed. Runs on
# SQLite and, as cli_feed_test_postgresql, on PostgreSQL.
# Usage: feed_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
LIB="$(cd "$(dirname "$0")" && pwd)/lib"
WORK=$(mktemp -d)
source "$LIB/backend.sh"  # tests/cli/lib/backend.sh: SQLite, or PostgreSQL (cli_NAME_postgresql)
trap 'drop_dbs; rm -rf "$WORK"' EXIT
export OCOP_DB=$(new_db feed)
export OCOP_CONFIG="$REPO/config/sample.yaml"
"$OCOP" init --simulation >/dev/null && "$OCOP" import "$REPO/config/sample-events.jsonl" >/dev/null ||
  { echo "FAIL: the sample did not import"; exit 1; }
/usr/bin/python3 "$REPO/tests/cli/feed_test.py" "$OCOP" "$REPO" "$WORK"
