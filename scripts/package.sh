#!/usr/bin/env bash
# Builds the Debian package: set up, build (build/ or $BUILD_DIR), then CPack into dist/.
# Install it with `apt install ./dist/ocop_*.deb` (docs/operations.md, "The Debian package").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p dist
(cd "${BUILD_DIR:-build}" && cpack -G DEB -B "$(pwd)/../dist" >/dev/null)
rm -rf dist/_CPack_Packages
ls -1 dist/ocop_*.deb
