#!/usr/bin/env bash
# The whole test suite: set up, build, run every test through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}" && ctest --output-on-failure
