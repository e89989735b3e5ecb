#!/usr/bin/env bash
# One read command on a national configuration (issue 10): `ocop show ID` and `ocop list --limit`
# against bench/national.py's configuration with its people (3,356 units, 6,664 users) and its
# 100,000 dossiers, with the configuration snapshot already stored (the first command after a
# change of the file parses the YAML and stores it; every later one reads the snapshot). Target:
# at most 15 ms wall time per command on an idle machine. Also times `ocop --help` (the process
# alone: loading the program and its shared libraries) for comparison.
#
# Uses hyperfine (apt-get install hyperfine: a bench tool, not a dependency of the build or the
# tests) when it is installed, else a loop timed by the shell; RUNS=N runs each N times (100 and
# 50 by default). Figures: bench/README.md.
# Usage: bench/show.sh   (build first: scripts/build.sh; OCOP_BIN=path/to/ocop to choose)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/show
OCOP_BIN=$(realpath "${OCOP_BIN:-./build/ocop}")
rm -rf "$OUT"
mkdir -p "$OUT"
export OCOP_CONFIG="$OUT/national.yaml" OCOP_DB="sqlite:$OUT/national.db"
python3 bench/national.py config "$OCOP_CONFIG" --users
"$OCOP_BIN" init --simulation >/dev/null
python3 bench/national.py fill "$OUT/national.db" 2026-11-16 >/dev/null
# The first command stores the snapshot; check that each timed command works.
"$OCOP_BIN" show P01-2026-000001 >/dev/null
"$OCOP_BIN" --json show P01-2026-050001 >/dev/null
"$OCOP_BIN" list --limit 20 >/dev/null
"$OCOP_BIN" list --unit P01-C0001 --limit 20 >/dev/null

COMMANDS=("$OCOP_BIN --help"
  "$OCOP_BIN show P01-2026-000001"
  "$OCOP_BIN --json show P01-2026-050001"
  "$OCOP_BIN list --limit 20"
  "$OCOP_BIN list --unit P01-C0001 --limit 20")
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 5 --runs "${RUNS:-100}" --export-markdown "$OUT/show.md" "${COMMANDS[@]}"
else
  for c in "${COMMANDS[@]}"; do
    start=$(date +%s%N)
    for _ in $(seq "${RUNS:-50}"); do $c >/dev/null; done
    echo "$c: $(((($(date +%s%N) - start) / ${RUNS:-50}) / 1000)) µs per run (mean of ${RUNS:-50})"
  done
fi
