// Reading a configuration or migration plan file, within bounds (config/README.md "Limits").
//
// A configuration is read whole into memory and parsed into a tree, so both are bounded: a
// path that is not a regular file (a directory, /dev/zero, a pipe) or a file past kMaxFileBytes
// is refused before a byte is read, and the loader (config/yaml_config.hpp) refuses a document
// that nests deeper than kMaxDepth or holds more than kMaxValues values or kMaxTextBytes of
// text, counting every alias (`*name`) as all it repeats, so an alias bomb ("billion laughs")
// is refused at the alias that crosses the bound. The national configuration (bench/national.py,
// 3,321 communes, two users each) is 1 MB, 104,000 values, 6 levels deep.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "config/yaml_config.hpp"

namespace ocop::config {

inline constexpr std::size_t kMaxFileBytes = 16u << 20;  // 16 MiB
inline constexpr std::size_t kMaxValues = 1'000'000;     // scalars, empty values, lists, mappings
inline constexpr std::size_t kMaxTextBytes = 64u << 20;  // the scalars' text, 64 MiB
inline constexpr int kMaxDepth = 64;                     // lists and mappings inside each other

// Reads the regular file `path` into `content`. Returns the problem ("path: what") when the
// path cannot be opened, is not a regular file or is larger than kMaxFileBytes; nothing is
// read then.
std::optional<Problem> read_config_file(const std::string& path, std::string& content);

// The fingerprint (config/config_snapshot.hpp) of the file's content, read a piece at a time
// into a small buffer, with the same checks and problems as read_config_file.
std::optional<Problem> fingerprint_config_file(const std::string& path, std::string& fingerprint);

// "16 MiB", "1,000,000": the limits as the messages and the documentation write them.
std::string grouped(std::size_t n);

}  // namespace ocop::config
