// The configuration a command runs with, cached in its database.
//
// load_config reads the file (a regular file of at most 16 MiB: config_file.hpp) and uses the
// snapshot stored in the database (config_snapshot.hpp) when the file's content is the one it
// was taken from; otherwise it parses and validates the YAML and refreshes the snapshot (one
// meta value, written atomically). A database that cannot be read or written (read-only, busy)
// only costs the parse. Every front end (the CLI, the HTTP service on start and on reload) loads
// its configuration this way.
#pragma once

#include <string>

#include "ocop/config.hpp"
#include "ocop/status.hpp"

namespace ocop::store {
class SociStore;
}

namespace ocop::config {

// `store` may be null (no snapshot then). `fingerprint_out`, when given, receives the content's
// fingerprint. An unreadable or invalid file is bad input listing every problem.
Status load_config(const std::string& path, Config& out, store::SociStore* store = nullptr,
                   std::string* fingerprint_out = nullptr);

}  // namespace ocop::config
