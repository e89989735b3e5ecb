#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with clang-14 into build-fuzz/ and runs each one
# for a bounded time over its seed corpus, tests/fuzz/corpus/NAME/. Fails on a crash, a leak,
# running out of memory (-rss_limit_mb) or an input that takes too long (-timeout).
#   FUZZ_SECONDS   seconds per fuzzer (default 60)
#   FUZZERS        which ones (default: fuzz_event_line fuzz_event_data fuzz_config fuzz_http_request)
# Inputs that fail are kept in build-fuzz/artifacts/NAME/; new inputs found stay in
# build-fuzz/corpus/NAME/ (the committed seeds are not changed).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZERS=${FUZZERS:-"fuzz_event_line fuzz_event_data fuzz_config fuzz_http_request"}
BUILD_DIR=${BUILD_DIR:-build-fuzz}
CXX=${FUZZ_CXX:-clang++-14} cmake -S . -B "$BUILD_DIR" -G Ninja -DOCOP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "$@" >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" -j "$(nproc)" --target $FUZZERS
status=0
for f in $FUZZERS; do
  mkdir -p "$BUILD_DIR/corpus/$f" "$BUILD_DIR/artifacts/$f"
  echo "== $f: ${FUZZ_SECONDS}s over tests/fuzz/corpus/$f =="
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$BUILD_DIR/tests/fuzz/$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$BUILD_DIR/artifacts/$f/" "$BUILD_DIR/corpus/$f" "tests/fuzz/corpus/$f" \
    >"$BUILD_DIR/$f.log" 2>&1; then
    echo "FAIL: $f (input in $BUILD_DIR/artifacts/$f/):"
    grep -E "ERROR|SUMMARY|Test unit written|==[0-9]+==" "$BUILD_DIR/$f.log" | head -20
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$BUILD_DIR/$f.log" | tr '\n' ' '
    echo
  fi
done
exit $status
