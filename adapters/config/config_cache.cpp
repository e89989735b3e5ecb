#include "config/config_cache.hpp"

#include "config/config_file.hpp"
#include "config/config_snapshot.hpp"
#include "config/yaml_config.hpp"
#include "store/soci_store.hpp"

namespace ocop::config {

namespace {

// The directory of a stored snapshot, read through the store (one row per lookup; all rows in
// configuration order for the whole). A row that does not parse, or a whole that does not have
// the header's counts, is a damaged database: a StoreError that says how to store it again.
class StoredDirectory : public DirectoryReader {
 public:
  StoredDirectory(store::SociStore& store, std::string fingerprint, const SnapshotHeader& h)
      : store_(store), fingerprint_(std::move(fingerprint)), header_(h) {}

  bool unit(const std::string& code, Unit& out) const override {
    auto line = store_.config_directory_line(fingerprint_, 'U', code);
    if (!line) return absent();
    if (!unit_from_line(*line, out)) damaged("unit " + code + "'s row does not read");
    return true;
  }
  bool user(const std::string& id, User& out) const override {
    auto line = store_.config_directory_line(fingerprint_, 'P', id);
    if (!line) return absent();
    if (!user_from_line(*line, out)) damaged("user " + id + "'s row does not read");
    return true;
  }
  void read_units(std::vector<Unit>& out) const override {
    out.reserve(header_.units);
    bool ok = true;
    store_.scan_config_directory(fingerprint_, 'U', [&](const std::string& line) {
      ok = ok && unit_from_line(line, out.emplace_back());
    });
    check(ok, out.size(), header_.units, "units");
  }
  void read_users(std::vector<User>& out) const override {
    out.reserve(header_.users);
    bool ok = true;
    store_.scan_config_directory(fingerprint_, 'P', [&](const std::string& line) {
      ok = ok && user_from_line(line, out.emplace_back());
    });
    check(ok, out.size(), header_.users, "users");
  }

 private:
  // Not found: the answer, unless the snapshot's rows are gone altogether (another process
  // stored two newer configurations while this command ran).
  bool absent() const {
    if (!store_.has_config_directory(fingerprint_))
      throw StoreError(
          "the configuration stored in the database changed while this command ran (another process loaded a "
          "newer configuration file); run it again",
          false);
    return false;
  }
  // A whole read: every row parsed, as many as the header says.
  void check(bool parsed, std::size_t got, std::size_t want, const char* what) const {
    if (!parsed) damaged(std::string("one of its ") + what + " does not read");
    if (got == want) return;
    if (got == 0) absent();
    damaged(std::to_string(got) + " " + what + ", not " + std::to_string(want));
  }
  [[noreturn]] void damaged(const std::string& what) const {
    throw StoreError("the configuration snapshot stored in the database is damaged (" + what +
                         "); run `ocop init` with the configuration file to store it again",
                     false);
  }

  store::SociStore& store_;
  const std::string fingerprint_;
  const SnapshotHeader header_;
};

}  // namespace

void store_snapshot(store::SociStore& store, const Config& c, const std::string& fingerprint) {
  std::vector<store::SociStore::DirectoryRow> rows;
  rows.reserve(c.units().size() + c.users().size());
  for (const Unit& u : c.units()) rows.push_back({'U', u.code, unit_line(u)});
  for (const User& u : c.users()) rows.push_back({'P', u.id, user_line(u)});
  // The snapshot stored before stays readable for a command that began with it.
  const std::string previous = snapshot_fingerprint(store.meta("config_snapshot"));
  store.store_config_snapshot(snapshot_header(c, fingerprint), fingerprint, rows, previous);
}

std::optional<Config> load_snapshot(store::SociStore& store, const std::string& fingerprint) {
  SnapshotHeader h;
  std::optional<Config> c = from_snapshot_header(store.meta("config_snapshot"), fingerprint, h);
  if (!c) return std::nullopt;
  // A header whose rows are gone (deleted by hand, or a restore of part of the database) is no
  // snapshot: the file is parsed and the snapshot stored again.
  if (h.units + h.users > 0 && !store.has_config_directory(fingerprint)) return std::nullopt;
  c->read_directory_from(std::make_shared<StoredDirectory>(store, fingerprint, h), h.any_user_email);
  c->index();
  return c;
}

Status load_config(const std::string& path, Config& out, store::SociStore* store,
                   std::string* fingerprint_out) {
  std::string fp;
  if (store) {
    // The fingerprint first, without reading the file into memory: when it matches the stored
    // snapshot, the YAML is never read.
    if (auto problem = fingerprint_config_file(path, fp))
      return Status::BadInput("cannot read the configuration " + problem->to_string());
    try {
      if (auto c = load_snapshot(*store, fp)) {
        if (fingerprint_out) *fingerprint_out = fp;
        out = std::move(*c);
        return Status::Ok();
      }
    } catch (const StoreError&) {
      // fall through to the YAML
    }
  }
  std::string content;
  if (auto problem = read_config_file(path, content))
    return Status::BadInput("cannot read the configuration " + problem->to_string());
  fp = fingerprint(content);  // the content parsed, should the file have changed meanwhile
  if (fingerprint_out) *fingerprint_out = fp;
  auto r = load_string(content, path);
  if (!r.ok()) {
    std::string msg = "configuration " + path + " is invalid:";
    for (const auto& p : r.problems) msg += "\n  " + p.to_string();
    return Status::BadInput(msg);
  }
  out = std::move(r.config);
  if (store) {
    try {
      store_snapshot(*store, out, fp);
    } catch (const StoreError&) {
      // A read-only or busy database still works; it just parses the YAML again next time.
    }
  }
  return Status::Ok();
}

}  // namespace ocop::config
