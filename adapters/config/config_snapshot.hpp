// A loaded configuration, serialised (compact JSON plus a tab-separated directory), so that a
// command does not re-parse a YAML file that has not changed since it was loaded: yaml-cpp needs
// ~165 ms for a national configuration (3,321 communes, 6,664 users); the snapshot loads in 22 M
// instructions (49 M in format 7; bench/README.md, bench/show.sh): its small sections are one JSON
// line, its directory of units and users tab-separated lines read field by field in place, and
// Config::index() builds flat tables of positions rather than hash maps of copied keys.
//
// The snapshot is stored in the database (meta "config_snapshot", one value, so it is written
// atomically) and carries the fingerprint of the bytes it was parsed from: SHA-256 of the file's
// content and the snapshot format. A command reads its --config file, hashes it, and uses the
// snapshot only when the fingerprints are equal; any change to the content (whatever its size
// or modification time) is parsed and validated again. Bump kSnapshotFormat whenever the loader
// derives something differently, so that older snapshots are ignored.
#pragma once

#include <optional>
#include <string>

#include "ocop/config.hpp"

namespace ocop::config {

// The fingerprint of a configuration file's content.
std::string fingerprint(const std::string& content);
std::string to_snapshot(const Config& c, const std::string& fingerprint);
// nullopt when the snapshot cannot be read or was taken from other content.
std::optional<Config> from_snapshot(const std::string& bytes, const std::string& fingerprint);

}  // namespace ocop::config
