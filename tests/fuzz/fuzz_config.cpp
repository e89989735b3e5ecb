// libFuzzer harness for the YAML configuration loader (adapters/config): any bytes, as a
// configuration and as a migration plan. The loader must never crash, leak or grow past its
// limits (config/README.md "Limits"): bad input is a list of problems, never an exception.
//
// Built and run by hand from the repository's root (tests/fuzz/CMakeLists.txt is the CI build):
//   clang++-14 -std=c++20 -fsanitize=fuzzer,address -g -O1 -Iadapters -Iengine \
//     tests/fuzz/fuzz_config.cpp adapters/config/yaml_config.cpp adapters/config/config_file.cpp \
//     adapters/config/yaml/*.cpp engine/config.cpp engine/names.cpp engine/time.cpp engine/notify.cpp \
//     -lyaml-cpp -o fuzz_config
//   mkdir -p fuzz-work && ./fuzz_config -rss_limit_mb=2048 -max_len=65536 -max_total_time=60 \
//     fuzz-work tests/fuzz/corpus/config
// (new inputs go to fuzz-work; the seed corpus stays as committed).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/yaml_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = ocop::config::load_string(text, "fuzz.yaml");
  // Every problem says what is wrong.
  for (const auto& p : config.problems)
    if (p.message.empty() || p.to_string().empty()) __builtin_trap();
  auto plan = ocop::config::load_plan_string(text, "fuzz-plan.yaml");
  for (const auto& p : plan.problems)
    if (p.message.empty()) __builtin_trap();
  return 0;
}
