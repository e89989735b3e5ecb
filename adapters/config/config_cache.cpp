#include "config/config_cache.hpp"

#include "config/config_file.hpp"
#include "config/config_snapshot.hpp"
#include "config/yaml_config.hpp"
#include "store/soci_store.hpp"

namespace ocop::config {

Status load_config(const std::string& path, Config& out, store::SociStore* store,
                   std::string* fingerprint_out) {
  std::string content;
  if (auto problem = read_config_file(path, content))
    return Status::BadInput("cannot read the configuration " + problem->to_string());
  const std::string fp = fingerprint(content);
  if (fingerprint_out) *fingerprint_out = fp;
  if (store) {
    try {
      if (auto c = from_snapshot(store->meta("config_snapshot"), fp)) {
        out = std::move(*c);
        return Status::Ok();
      }
    } catch (const StoreError&) {
      // fall through to the YAML
    }
  }
  auto r = load_string(content, path);
  if (!r.ok()) {
    std::string msg = "configuration " + path + " is invalid:";
    for (const auto& p : r.problems) msg += "\n  " + p.to_string();
    return Status::BadInput(msg);
  }
  out = std::move(r.config);
  if (store) {
    try {
      store->set_meta("config_snapshot", to_snapshot(out, fp));
    } catch (const StoreError&) {
      // A read-only or busy database still works; it just parses the YAML again next time.
    }
  }
  return Status::Ok();
}

}  // namespace ocop::config
