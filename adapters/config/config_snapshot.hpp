// A loaded configuration, serialised (compact JSON plus a tab-separated directory), so that a command does
// not re-parse a YAML file that has not changed since it was loaded: yaml-cpp needs ~165 ms for
// a national configuration (3,321 communes, 6,663 users); the snapshot loads in a few ms.
//
// The snapshot is stored in the database (table meta) by whichever command parsed the file,
// with the file's fingerprint (absolute path, size, modification time). A command whose
// --config has the same fingerprint uses the snapshot; any change to the file re-parses and
// re-validates it. The format is internal: a snapshot from another engine version is ignored.
#pragma once

#include <optional>
#include <string>

#include "ocop/config.hpp"

namespace ocop::config {

// "path|size|mtime_ns|format version", or "" when the file cannot be stat'ed.
std::string fingerprint(const std::string& path);
std::string to_snapshot(const Config& c);
// nullopt when the snapshot cannot be read (then the caller parses the YAML).
std::optional<Config> from_snapshot(const std::string& bytes);

}  // namespace ocop::config
