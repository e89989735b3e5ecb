// A loaded configuration, serialised (compact JSON plus a tab-separated directory), so that a
// command does not re-parse a YAML file that has not changed since it was loaded: yaml-cpp needs
// ~165 ms for a national configuration (3,321 communes, 6,664 users). Its small sections are one
// JSON line, the header; its directory of units and users is one tab-separated line each, read
// field by field in place.
//
// The database stores the header (meta "config_snapshot") and each directory line as a row of
// its own (config_directory), written in one transaction (config/config_cache.hpp), so that a
// command reads the header and only the units and users it looks up (bench/README.md,
// bench/show.sh).
// A snapshot carries the fingerprint of the bytes it was parsed from: SHA-256 of the file's
// content and the snapshot format. A command hashes its --config file and uses the snapshot
// only when the fingerprints are equal; any change to the content (whatever its size or
// modification time) is parsed and validated again. Bump kSnapshotFormat whenever the loader
// derives something differently, so that older snapshots are ignored.
#pragma once

#include <optional>
#include <cstddef>
#include <string>
#include <string_view>

#include "ocop/config.hpp"

namespace ocop::config {

// The fingerprint of a configuration file's content; fingerprint_of: the same from the hex
// SHA-256 of the content (config/config_file.hpp hashes a file without reading it whole).
std::string fingerprint(const std::string& content);
std::string fingerprint_of(const std::string& sha256_hex);

// The parts, as the database stores them (config/config_cache.hpp): the header alone, and one
// line per unit and user (no line break; tabs, line breaks and backslashes escaped).
std::string snapshot_header(const Config& c, const std::string& fingerprint);
struct SnapshotHeader {
  std::size_t units = 0, users = 0;  // the directory's size
  bool any_user_email = false;
};
// The Config of a header (its directory empty), or nullopt when the header cannot be read or
// was taken from other content (another fingerprint or snapshot format).
std::optional<Config> from_snapshot_header(std::string_view header, const std::string& fingerprint,
                                           SnapshotHeader& out);
// The fingerprint a stored header names, empty when it names none (or is not a header).
std::string snapshot_fingerprint(std::string_view header);
std::string unit_line(const Unit& u);
std::string user_line(const User& u);
// False when the line is not one that unit_line / user_line wrote.
bool unit_from_line(std::string_view line, Unit& out);
bool user_from_line(std::string_view line, User& out);

}  // namespace ocop::config
