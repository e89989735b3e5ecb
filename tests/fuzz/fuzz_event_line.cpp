// libFuzzer: one line of an event file (spec §9) through the CLI's parser, as `ocop import`
// reads it. Input: the line's bytes. Fuzzed both as a real and as a simulation database.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/event_lines.hpp"
#include "ocop/executor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (bool simulation : {false, true}) {
    ocop::EventRequest req;
    ocop::Status st = ocop::cli::parse_event_line(text, simulation, 420, req);
    if (st.ok()) ocop::prepare_request(req);  // what the reader does next: the canonical text
  }
  return 0;
}
