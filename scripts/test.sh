#!/usr/bin/env bash
# The whole test suite: set up, build, run every test through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ROOT=$(pwd)
cd "${BUILD_DIR:-build}" && "$ROOT/scripts/with-postgres.sh" ctest --output-on-failure
