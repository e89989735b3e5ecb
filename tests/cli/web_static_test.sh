#!/usr/bin/env bash
# `ocop serve --web DIR`: the web application's files (adapters/http/static_files.cpp), with the
# real binary and raw HTTP requests: content types, caching of hashed assets, ETag and 304, HEAD,
# the fallback to index.html for application routes but never for /api/, path traversal refused
# (encoded too), symbolic links not followed, bad directories refused at start, --web '' (API only).
# Usage: web_static_test.sh PATH/TO/ocop REPO_DIR
set -uo pipefail
OCOP=$1
REPO=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
exec python3 "$REPO/tests/cli/web_static_test.py" "$OCOP" "$REPO" "$WORK"
