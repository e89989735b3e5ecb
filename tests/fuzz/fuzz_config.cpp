// libFuzzer: the YAML configuration loader (ocop::config::load_string) on any text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/yaml_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto r = ocop::config::load_string(text, "fuzz.yaml");
  (void)r;
  return 0;
}
