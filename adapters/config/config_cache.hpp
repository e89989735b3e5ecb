// The configuration a command runs with, cached in its database.
//
// load_config hashes the file (a regular file of at most 16 MiB: config_file.hpp), a piece at a
// time, and uses the snapshot stored in the database (config_snapshot.hpp) when the file's
// content is the one it was taken from; otherwise it reads, parses and validates the YAML and
// stores the snapshot again (store_snapshot). A database that cannot be read or written
// (read-only, busy) only costs the parse. Every front end (the CLI, the HTTP service on start
// and on reload) loads its configuration this way.
//
// A configuration loaded from the snapshot reads its directory (units and users) from the
// database on demand (Config::read_directory_from): `ocop show` reads the header and the one
// unit it names, not a national directory of 10,000 entries (issue 10, bench/README.md). Such a
// Config reads through `store`: it must not outlive it, and is used where the store is, on one
// thread at a time. Config::read_whole_directory() reads the rest at once (a long-lived
// process that shares its Config between threads calls it first).
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

// Stores `c`'s snapshot under `fingerprint` in one transaction: the header in meta
// "config_snapshot", the directory as rows (store::SociStore::store_config_snapshot). The
// previous snapshot's rows are kept for the commands still reading them; older ones go.
// Throws StoreError.
void store_snapshot(store::SociStore& store, const Config& c, const std::string& fingerprint);

// The Config of the stored snapshot taken from content with that fingerprint, its directory
// read on demand through `store`; nullopt when there is none, it cannot be read, or its
// directory's rows are gone.
std::optional<Config> load_snapshot(store::SociStore& store, const std::string& fingerprint);

}  // namespace ocop::config
