// The configuration snapshot in tests (adapters/config/config_snapshot.hpp, config_cache.hpp):
// a Config taken through the database as commands take it, and the snapshot as one text to
// compare two Configs by. Header-only: it needs the adapters, which ocop_test_support does not
// link.
#pragma once

#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include "config/config_cache.hpp"
#include "config/config_snapshot.hpp"
#include "ocop/config.hpp"
#include "store/soci_store.hpp"

namespace ocop::testing {

// The snapshot's header, then a line per unit and user: two Configs with the same text hold the
// same configuration (the database keeps the parts apart).
inline std::string snapshot_text(const Config& c, const std::string& fingerprint = "fp") {
  std::string out = config::snapshot_header(c, fingerprint);
  for (const Unit& u : c.units()) (out += '\n') += config::unit_line(u);
  for (const User& u : c.users()) (out += '\n') += config::user_line(u);
  return out;
}

// `c` stored as the first command after a change stores it (config::store_snapshot, in a scratch
// SQLite database) and loaded as every later command loads it (config::load_snapshot), its
// directory then read whole: what those commands see. nullopt when the snapshot is not loaded.
inline std::optional<Config> through_snapshot(const Config& c, const std::string& fingerprint = "fp") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ocop-snapshot-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::optional<Config> out;
  {
    auto store = store::open("sqlite:" + (dir / "ocop.db").string());
    store->migrate();
    config::store_snapshot(*store, c, fingerprint);
    if (std::optional<Config> loaded = config::load_snapshot(*store, fingerprint)) {
      loaded->read_whole_directory();
      out = *loaded;  // a copy of a directory read whole reads nothing through the store
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return out;
}

}  // namespace ocop::testing
