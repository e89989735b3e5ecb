// libFuzzer harness for the YAML configuration loader (adapters/config): any bytes, as a
// configuration and as a migration plan. The loader must never crash, leak or grow past its
// limits (config/README.md "Limits"): bad input is a list of problems, never an exception.
//
// Built and run by scripts/fuzz.sh (tests/fuzz/CMakeLists.txt) over tests/fuzz/corpus/fuzz_config/:
//   FUZZERS=fuzz_config FUZZ_SECONDS=600 bash scripts/fuzz.sh
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
