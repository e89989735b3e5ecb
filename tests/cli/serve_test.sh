#!/usr/bin/env bash
# `ocop serve` end to end: the real binary on an ephemeral port, driven by serve_test.py with
# real HTTP clients: the route table against docs/openapi.json, every route, every problem code,
# paging, ETag / If-Match between two clients, Idempotency-Key, 401, CSRF, a forbidden actor,
# security headers, an oversized body and headers, slow-headers clients, SIGTERM during
# requests (every 2xx answered is in the database, the chain verifies), SIGHUP with a bad file,
# the outbox's depth in /metrics, sessions past their idle and absolute timeouts (401; a
# simulation database's clock).
# Runs on SQLite and, as cli_serve_test_postgresql, on PostgreSQL (lib/backend.sh).
# Usage: serve_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
source "$REPO/tests/cli/lib/backend.sh"
trap 'drop_dbs; rm -rf "$WORK"' EXIT
DB=$(new_db serve) || exit 1
SIM_DB=$(new_db serve_sim) || exit 1
# Debian's python3, whose python3-openpyxl reads the report's spreadsheet.
/usr/bin/python3 "$REPO/tests/cli/serve_test.py" "$OCOP" "$REPO" "$WORK" "$DB" "$SIM_DB"
