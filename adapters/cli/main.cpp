// ocop: the command line (spec §8). Parses arguments with CLI11, opens the store and the
// configuration, runs one command, prints text (or JSON with --json) and exits with the
// spec's codes: 0 done, 1 internal, 2 bad input, 3 not found, 4 refused, 5 conflict,
// 6 forbidden.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "config/config_file.hpp"
#include "config/config_snapshot.hpp"
#include "config/yaml_config.hpp"
#include "certificate_machine.hpp"
#include "cycle_machine.hpp"
#include "dossier_machine.hpp"
#include "notify/curl_transports.hpp"
#include "ocop/audit.hpp"
#include "ocop/dispatch.hpp"
#include "ocop/executor.hpp"
#include "ocop/migration.hpp"
#include "ocop/product.hpp"
#include "ocop/rules.hpp"
#include "ocop/scheduler.hpp"
#include "ocop/sha256.hpp"
#include "store/file_blob_store.hpp"
#include "store/soci_store.hpp"
#include "event_lines.hpp"

using nlohmann::json;
using namespace ocop;

namespace {

// JSON for people and scripts; invalid UTF-8 from the command line is replaced, not fatal.
std::string dump(const json& j, int indent = 2) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

struct Options {
  std::string db, config;
  bool json_out = false;
  std::string now;
};

// Prints an error the spec's way and returns its exit code.
int fail(const Options& o, const Status& s) {
  std::cerr << "error: " << s.message() << "\n";
  if (o.json_out)
    std::cout << dump(json{
                     {"error",
                      {{"code", code_name(s.code())}, {"exit", s.exit_code()}, {"message", s.message()}}}})
              << "\n";
  return s.exit_code();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string default_config() { return std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml"; }

// Everything a command that touches the database needs.
struct Session {
  std::unique_ptr<store::SociStore> store;
  Config config;
  bool simulation = false;
  std::optional<Instant> now;  // --now (simulation only)
  // The clock the commands use: --now on a simulation database, else the system's.
  const Clock& clock() {
    if (!now) return system_clock;
    fixed_clock.set(*now);
    return fixed_clock;
  }
  // The province's date now (by --now on a simulation database).
  Date today() const {
    return local_date(now.value_or(SystemClock().now()), config.province.utc_offset_minutes);
  }

 private:
  SystemClock system_clock;
  FixedClock fixed_clock{Instant{}};
};

// Loads the configuration: from the snapshot stored in the database when the file's content
// is the one the snapshot was taken from, otherwise from the YAML, refreshing the snapshot
// (one meta value, written atomically). `store` may be null (no snapshot then). `fp`, when
// given, receives the content's fingerprint.
Status load_config(const std::string& path, Config& out, store::SociStore* store = nullptr,
                   std::string* fp_out = nullptr) {
  std::string content;  // a regular file of at most 16 MiB (config/config_file.hpp)
  if (auto problem = config::read_config_file(path, content))
    return Status::BadInput("cannot read the configuration " + problem->to_string());
  const std::string fp = config::fingerprint(content);
  if (fp_out) *fp_out = fp;
  if (store) {
    try {
      if (auto c = config::from_snapshot(store->meta("config_snapshot"), fp)) {
        out = std::move(*c);
        return Status::Ok();
      }
    } catch (const StoreError&) {
      // fall through to the YAML
    }
  }
  auto r = config::load_string(content, path);
  if (!r.ok()) {
    std::string msg = "configuration " + path + " is invalid:";
    for (const auto& p : r.problems) msg += "\n  " + p.to_string();
    return Status::BadInput(msg);
  }
  out = std::move(r.config);
  if (store) {
    try {
      store->set_meta("config_snapshot", config::to_snapshot(out, fp));
    } catch (const StoreError&) {
      // A read-only or busy database still works; it just parses the YAML again next time.
    }
  }
  return Status::Ok();
}

// Opens the database (which must be initialised) and the configuration.
Status open_session(const Options& o, Session& s, bool need_config = true) {
  std::string url_error;
  if (store::parse_url(o.db, url_error).backend.empty()) return Status::BadInput(url_error);
  try {
    s.store = store::open(o.db);
    if (s.store->schema_version() == 0)
      return Status::BadInput("database " + store::redact_url(o.db) +
                              " is not initialised: run `ocop init` first");
    if (s.store->pending_migrations() > 0)
      return Status::BadInput("database " + store::redact_url(o.db) +
                              " has an older schema: run `ocop init` to migrate it");
    s.simulation = s.store->meta("simulation") == "true";
  } catch (const StoreError& e) {
    return Status::Internal(e.what());
  }
  if (need_config) {
    if (Status st = load_config(o.config, s.config, s.store.get()); !st.ok()) return st;
  }
  if (!o.now.empty()) {
    if (!s.simulation)
      return Status::BadInput("--now is accepted only by a simulation database (ocop init --simulation)");
    auto t = parse_instant(o.now, s.config.province.utc_offset_minutes);
    if (!t)
      return Status::BadInput("--now \"" + o.now + "\" is not an ISO 8601 time (2026-03-02T08:15:00+07:00)");
    s.now = t;
  }
  return Status::Ok();
}

void print_certificate_text(const json& c) {
  static const char* keys[] = {"id",    "state",       "dossier",   "product",     "unit",         "stars",
                               "level", "decision_no", "issued_on", "valid_until", "superseded_by"};
  for (const char* k : keys) {
    const auto& v = c[k];
    std::printf("%-18s %s\n", (std::string(k) + ":").c_str(),
                v.is_null()     ? "-"
                : v.is_string() ? v.get<std::string>().c_str()
                                : dump(v, -1).c_str());
  }
  if (const auto& r = c["revocation"]; r.is_object())
    std::printf("%-18s %s%s%s, decision %s of %s\n", "revoked:", r["ground"].get<std::string>().c_str(),
                r.contains("ground_text") ? " — " : "",
                r.contains("ground_text") ? r["ground_text"].get<std::string>().c_str() : "",
                r["decision_no"].get<std::string>().c_str(),
                r["revoked_on"].is_string() ? r["revoked_on"].get<std::string>().c_str() : "-");
}

// The blob store of the session's database (store/file_blob_store.hpp for where it is), or
// null when there is no directory for it (a PostgreSQL database without one configured).
std::unique_ptr<store::FileBlobStore> open_blobs(const Options& o, const Session& s) {
  std::string url_error;
  const std::string dir = store::documents_dir(
      store::parse_url(o.db, url_error), s.config.documents.directory, env_or("OCOP_DOCUMENTS_DIR", ""));
  return dir.empty() ? nullptr : std::make_unique<store::FileBlobStore>(dir);
}

const char* const kNoDocumentsDir =
    "documents of a PostgreSQL database need a directory: set OCOP_DOCUMENTS_DIR or documents.directory in "
    "the "
    "configuration";

// `fire attach --file PATH`: checks the kind and the file's size against the configuration,
// stages the file's bytes in the blob store (published by the executor if the event is
// accepted) and fills data.name (default: the file's name), data.sha256 and data.bytes.
Status attach_file(const Options& o, const Session& s, const std::string& path, EventRequest& req,
                   std::unique_ptr<store::FileBlobStore>& blobs, StagedBlob& staged) {
  namespace fs = std::filesystem;
  if (req.event != "attach")
    return Status::BadInput(
        "--file goes with the attach event only (other events name documents in data.documents)");
  const json* kind = req.data.contains("kind") ? &req.data["kind"] : nullptr;
  if (!kind || !kind->is_string() || kind->get_ref<const std::string&>().empty())
    return Status::BadInput("attach: data.kind is required: the kind of document the file is");
  if (Status st = check_document_policy(s.config, kind->get<std::string>(), -1, "attach: data"); !st.ok())
    return st;
  for (const char* k : {"sha256", "bytes"})
    if (req.data.contains(k))
      return Status::BadInput(std::string("attach --file: data.") + k + " comes from the file; leave it out");
  const fs::path file(path);
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (!fs::exists(st)) return Status::BadInput("cannot read " + path + ": no such file");
  if (!fs::is_regular_file(st)) return Status::BadInput("cannot read " + path + ": not a regular file");
  const std::int64_t max = s.config.documents.max_bytes;
  const auto size = fs::file_size(file, ec);
  if (!ec && size > static_cast<std::uintmax_t>(max))
    return Status::BadInput(path + " is " + std::to_string(size) + " bytes, over the limit of " +
                            std::to_string(max) + " bytes (documents.max_bytes)");
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::BadInput("cannot read " + path + ": " + std::strerror(errno));
  blobs = open_blobs(o, s);
  if (!blobs) return Status::BadInput(kNoDocumentsDir);
  if (Status st2 = blobs->stage(in, max, staged); !st2.ok())
    return Status::Error(st2.code(), path + ": " + st2.message());
  if (!req.data.contains("name") || req.data["name"].is_null()) req.data["name"] = file.filename().string();
  req.data["sha256"] = staged.sha256;
  req.data["bytes"] = staged.bytes;
  req.blobs.push_back(staged);
  return Status::Ok();
}

void print_dossier_text(const json& d) {
  static const char* keys[] = {
      "id",       "state",      "level",      "version",           "unit",  "product", "product_set",
      "producer", "year",       "rule_set",   "registration_type", "score", "stars",   "certificate",
      "round",    "created_at", "updated_at", "state_since"};
  for (const char* k : keys) {
    if (!d.contains(k)) continue;
    const auto& v = d[k];
    std::printf("%-18s %s\n", (std::string(k) + ":").c_str(),
                v.is_null()     ? "-"
                : v.is_string() ? v.get<std::string>().c_str()
                                : dump(v, -1).c_str());
  }
}

// --- commands -------------------------------------------------------------------------------

int cmd_init(const Options& o, bool simulation) {
  std::string url_error;
  if (store::parse_url(o.db, url_error).backend.empty()) return fail(o, Status::BadInput(url_error));
  Config cfg;
  std::string fp;
  if (Status st = load_config(o.config, cfg, nullptr, &fp); !st.ok()) return fail(o, st);
  try {
    auto store = store::open(o.db);
    bool fresh = store->schema_version() == 0;
    int applied = store->migrate();
    if (fresh) {
      store->set_meta("simulation", simulation ? "true" : "false");
      store->set_meta("created_at", format_instant(SystemClock().now(), 0));
    } else if ((store->meta("simulation") == "true") != simulation && simulation) {
      return fail(o, Status::BadInput("database " + store::redact_url(o.db) +
                                      " exists and is not a simulation database; "
                                      "a simulation database must be created fresh"));
    }
    store->set_meta("config_source", o.config);
    store->set_meta("config_snapshot", config::to_snapshot(cfg, fp));
    bool sim = store->meta("simulation") == "true";
    if (o.json_out) {
      std::cout << json{{"database", store::redact_url(o.db)},
                        {"created", fresh},
                        {"migrations_applied", applied},
                        {"schema_version", store->schema_version()},
                        {"simulation", sim},
                        {"config", o.config},
                        {"units", cfg.units.size()},
                        {"users", cfg.users.size()},
                        {"rule_sets", cfg.rule_sets.size()}}
                       .dump(2, ' ', false, json::error_handler_t::replace)

                << "\n";
    } else {
      std::printf("%s %s (schema version %d, %d migration(s) applied%s)\n", fresh ? "created" : "opened",
                  store::redact_url(o.db).c_str(), store->schema_version(), applied,
                  sim ? ", simulation" : "");
      std::printf("configuration %s: %zu units, %zu users, %zu rule sets\n", o.config.c_str(),
                  cfg.units.size(), cfg.users.size(), cfg.rule_sets.size());
    }
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

int cmd_config_check(const Options& o, const std::string& file) {
  const std::string path = file.empty() ? o.config : file;
  auto r = config::load_file(path);
  if (!r.ok()) {
    for (const auto& p : r.problems) std::cerr << p.to_string() << "\n";
    if (o.json_out) {
      json probs = json::array();
      for (const auto& p : r.problems)
        probs.push_back({{"file", p.file}, {"line", p.line}, {"key", p.key}, {"message", p.message}});
      std::cout << json{{"valid", false}, {"problems", probs}}.dump(2, ' ', false,
                                                                    json::error_handler_t::replace)
                << "\n";
    }
    std::cerr << "error: " << path << ": " << r.problems.size() << " problem(s)\n";
    return 2;
  }
  if (o.json_out)
    std::cout << json{{"valid", true},
                      {"file", path},
                      {"units", r.config.units.size()},
                      {"users", r.config.users.size()},
                      {"rule_sets", r.config.rule_sets.size()}}
                     .dump(2, ' ', false, json::error_handler_t::replace)

              << "\n";
  else
    std::printf("%s: valid (%zu units, %zu users, %zu rule sets)\n", path.c_str(), r.config.units.size(),
                r.config.users.size(), r.config.rule_sets.size());
  return 0;
}

Status parse_data(const std::string& text, json& out) {
  if (text.empty()) {
    out = json::object();
    return Status::Ok();
  }
  out = json::parse(text, nullptr, false);
  if (out.is_discarded()) return Status::BadInput("--data is not valid JSON: " + text);
  if (!out.is_object()) return Status::BadInput("--data must be a JSON object");
  return Status::Ok();
}

int cmd_fire(const Options& o, const std::string& event, const std::string& dossier, const std::string& actor,
             const std::string& data, const std::string& key, std::optional<long long> version,
             const std::string& file) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  EventRequest req;
  req.event = event;
  req.dossier = dossier;
  req.actor = actor;
  req.key = key;
  if (version) req.expected_version = *version;
  if (Status st = parse_data(data, req.data); !st.ok()) return fail(o, st);
  std::unique_ptr<store::FileBlobStore> blobs;
  StagedBlob staged;
  if (!file.empty()) {
    if (Status st = attach_file(o, s, file, req, blobs, staged); !st.ok()) return fail(o, st);
  }
  auto lifecycle = workflows::make_dossier_lifecycle();
  auto certificates = workflows::make_certificate_lifecycle();
  const Clock& clock = s.clock();
  Executor ex(s.config, *lifecycle, *certificates, *s.store, clock);
  ex.set_blob_store(blobs.get());
  FireResult r = ex.fire(req);
  if (blobs) blobs->discard(staged);  // refused: the copy goes; accepted: it was published
  if (!r.status.ok()) return fail(o, r.status);
  if (o.json_out) {
    json j = r.result;
    if (r.duplicate) j["duplicate"] = true;
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } else {
    if (r.duplicate)
      std::printf("(key %s was seen before: nothing written; the first result follows)\n", key.c_str());
    if (parse_certificate_event(event))
      print_certificate_text(r.result);
    else
      print_dossier_text(r.result);
  }
  return 0;
}

int cmd_migrate(const Options& o, const std::string& plan_path, const std::string& actor, bool dry_run) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto loaded = config::load_plan_file(plan_path);
  if (!loaded.ok()) {
    for (const auto& p : loaded.problems) std::cerr << p.to_string() << "\n";
    return fail(o, Status::BadInput("migration plan " + plan_path + " is invalid (" +
                                    std::to_string(loaded.problems.size()) + " problem(s))"));
  }
  const Clock& clock = s.clock();
  Migrator m(s.config, *s.store, clock);
  MigrationReport r;
  try {
    r = m.run(loaded.plan, actor, dry_run);
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  std::map<std::string, int> counts;
  for (const auto& mv : r.moves)
    counts[std::string(to_string(mv.from_state)) + "@" + mv.from_level + " -> " +
           std::string(to_string(mv.to_state)) + "@" + mv.to_level]++;
  if (o.json_out) {
    json moves = json::array();
    for (const auto& mv : r.moves)
      moves.push_back({{"dossier", mv.dossier},
                       {"unit", mv.unit},
                       {"from", {{"state", to_string(mv.from_state)}, {"level", mv.from_level}}},
                       {"to", {{"state", to_string(mv.to_state)}, {"level", mv.to_level}}},
                       {"version", mv.version ? json(mv.version) : json(nullptr)}});
    json j = {{"plan", loaded.plan.id}, {"dry_run", dry_run}, {"moved", dry_run ? 0 : r.moves.size()},
              {"moves", moves},         {"counts", counts},   {"problems", r.problems}};
    if (!r.status.ok())
      j["error"] = {{"code", code_name(r.status.code())},
                    {"exit", r.status.exit_code()},
                    {"message", r.status.message()}};
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } else {
    for (const auto& [what, n] : counts) std::printf("  %-48s %d\n", what.c_str(), n);
    if (r.status.ok())
      std::printf("plan %s: %zu dossier(s) %s\n", loaded.plan.id.c_str(), r.moves.size(),
                  dry_run ? "would move (dry run: nothing written)" : "moved");
    else if (!r.moves.empty() && !dry_run)
      std::printf("plan %s: %zu dossier(s) moved before the failure\n", loaded.plan.id.c_str(),
                  r.moves.size());
  }
  if (!r.status.ok()) {
    for (const auto& p : r.problems) std::cerr << p << "\n";
    std::cerr << "error: " << r.status.message() << "\n";
    return r.status.exit_code();
  }
  return 0;
}

int cmd_show(const Options& o, const std::string& id) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  try {
    auto d = s.store->load_dossier(id);
    if (!d) return fail(o, Status::NotFound("dossier " + id + " not found"));
    json j = dossier_json(*d, s.config.province.utc_offset_minutes);
    // A dossier of a unit merged away is listed and scoped under its successor (docs/design.md).
    if (const Unit* now = s.config.unit_on(d->unit, s.today()); now && now->code != d->unit)
      j["unit_now"] = now->code;
    json docs = json::array();
    for (const auto& doc : s.store->documents(id))
      docs.push_back({{"kind", doc.kind}, {"name", doc.name}, {"sha256", doc.sha256}, {"bytes", doc.bytes}});
    j["documents"] = docs;
    if (!d->level.empty()) {
      json sheets = json::array();
      for (const auto& sh : s.store->scoresheets(id, d->level))
        sheets.push_back(
            {{"member", sh.member}, {"A", sh.a}, {"B", sh.b}, {"C", sh.c}, {"total", sh.total()}});
      j["scoresheets"] = sheets;
    }
    if (o.json_out) {
      std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      print_dossier_text(j);
      std::printf("%-18s %zu\n", "documents:", j["documents"].size());
      for (const auto& doc : j["documents"])
        std::printf("  - %s: %s\n", doc["kind"].get<std::string>().c_str(),
                    doc["name"].get<std::string>().c_str());
      if (j.contains("scoresheets") && !j["scoresheets"].empty()) {
        std::printf("scoresheets at the %s level:\n", d->level.c_str());
        for (const auto& sh : j["scoresheets"])
          std::printf("  - %-24s A %-5s B %-5s C %-5s total %s\n", sh["member"].get<std::string>().c_str(),
                      format_score(sh["A"]).c_str(), format_score(sh["B"]).c_str(),
                      format_score(sh["C"]).c_str(), format_score(sh["total"]).c_str());
      }
    }
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

int cmd_documents(const Options& o, const std::string& id) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  try {
    if (!s.store->load_dossier(id)) return fail(o, Status::NotFound("dossier " + id + " not found"));
    auto blobs = open_blobs(o, s);  // null: "stored" is unknown
    const int off = s.config.province.utc_offset_minutes;
    json arr = json::array();
    for (const auto& doc : s.store->documents(id)) {
      auto label = s.config.document_kinds.find(doc.kind);
      arr.push_back(
          {{"kind", doc.kind},
           {"kind_name", label == s.config.document_kinds.end() ? json(nullptr) : json(label->second)},
           {"name", doc.name},
           {"sha256", doc.sha256},
           {"bytes", doc.bytes},
           {"at", format_instant(doc.at, off)},
           {"stored", blobs ? json(blobs->contains(doc.sha256)) : json(nullptr)}});
    }
    if (o.json_out) {
      std::cout << dump(arr) << "\n";
      return 0;
    }
    std::printf("%-20s %-10s %-6s %-25s %-64s  %s\n", "KIND", "BYTES", "STORED", "ATTACHED", "SHA256",
                "NAME");
    for (const auto& d : arr)
      std::printf("%-20s %-10lld %-6s %-25s %-64s  %s\n", d["kind"].get<std::string>().c_str(),
                  static_cast<long long>(d["bytes"].get<std::int64_t>()),
                  d["stored"].is_null()     ? "?"
                  : d["stored"].get<bool>() ? "yes"
                                            : "no",
                  d["at"].get<std::string>().c_str(), d["sha256"].get<std::string>().c_str(),
                  d["name"].get<std::string>().c_str());
    std::printf("(%zu document(s))\n", arr.size());
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

int cmd_document_get(const Options& o, const std::string& sha256) {
  if (!is_sha256_hex(sha256))
    return fail(o, Status::BadInput("\"" + sha256 + "\" is not a SHA-256 (64 lower-case hex digits)"));
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  try {
    auto doc = s.store->find_document(sha256);
    if (!doc) return fail(o, Status::NotFound("no document has SHA-256 " + sha256));
    auto blobs = open_blobs(o, s);
    if (!blobs) return fail(o, Status::BadInput(kNoDocumentsDir));
    if (!blobs->contains(sha256))
      return fail(o, Status::NotFound("document " + sha256 + " (" + doc->name + ", dossier " + doc->dossier +
                                      ") is recorded, but its bytes are not in " + blobs->root() +
                                      ": it was attached as data only (import, or --data with a sha256), or "
                                      "its file was removed"));
    if (Status st = blobs->read(sha256, std::cout); !st.ok()) return fail(o, st);
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

int cmd_list(const Options& o, DossierFilter f, const std::string& unit) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  if (!f.state.empty() && !parse_state(f.state))
    return fail(o, Status::BadInput("--state \"" + f.state + "\" is not a dossier state"));
  if (!unit.empty()) {
    // A unit's dossiers, including those of units merged into it (or below it) by today.
    if (!s.config.unit(unit))
      return fail(o, Status::BadInput("--unit \"" + unit + "\" is not a configured unit"));
    f.units = s.config.units_under(unit, s.today());
  }
  try {
    auto rows = s.store->list_dossiers(f);
    if (o.json_out) {
      json arr = json::array();
      for (const auto& d : rows) arr.push_back(dossier_json(d, s.config.province.utc_offset_minutes));
      std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      std::printf("%-18s %-15s %-9s %-20s %-6s %s\n", "ID", "STATE", "LEVEL", "UNIT", "STARS", "PRODUCT");
      for (const auto& d : rows)
        std::printf("%-18s %-15s %-9s %-20s %-6s %s\n", d.id.c_str(), std::string(to_string(d.state)).c_str(),
                    d.level.empty() ? "-" : d.level.c_str(), d.unit.c_str(),
                    d.stars ? std::to_string(*d.stars).c_str() : "-", d.product.c_str());
      std::printf("(%zu dossier(s))\n", rows.size());
    }
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

json audit_json(const AuditRecord& r, int offset) {
  return {{"seq", r.seq},
          {"at", format_instant(r.at, offset)},
          {"actor", r.actor},
          {"role", r.role},
          {"dossier", r.dossier},
          {"event", r.event},
          {"from", r.from_state},
          {"to", r.to_state},
          {"level", r.level},
          {"data",
           [&] {
             json d = json::parse(r.data, nullptr, false);
             return d.is_discarded() ? json(r.data) : d;  // a damaged record shows as stored
           }()},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

int cmd_history(const Options& o, const std::string& id) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  try {
    if (!s.store->load_dossier(id)) return fail(o, Status::NotFound("dossier " + id + " not found"));
    auto recs = s.store->history(id);
    const int off = s.config.province.utc_offset_minutes;
    if (o.json_out) {
      json arr = json::array();
      for (const auto& r : recs) arr.push_back(audit_json(r, off));
      std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      for (const auto& r : recs)
        std::printf("#%-8lld %s  %-16s %-18s %s -> %s%s%s\n", static_cast<long long>(r.seq),
                    format_instant(r.at, off).c_str(), r.event.c_str(), r.actor.c_str(), r.from_state.c_str(),
                    r.to_state.c_str(), r.level.empty() ? "" : " @", r.level.c_str());
    }
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

int cmd_audit_verify(const Options& o, const std::string& anchor) {
  Session s;
  if (Status st = open_session(o, s, false); !st.ok()) return fail(o, st);
  try {
    ChainVerifier v;
    bool anchor_seen = anchor.empty();
    s.store->scan_audit([&](const AuditRecord& r) {
      if (!anchor_seen && r.hash == anchor) anchor_seen = true;
      return v.feed(r);
    });
    std::optional<std::string> problem = v.failure();
    if (!problem && !anchor_seen)
      problem = "no record has the anchored hash " + anchor +
                " (records after it, or it, were removed; or the anchor is from another database)";
    if (!problem) {
      auto mismatches = s.store->version_mismatches(5);
      if (!mismatches.empty()) {
        std::string all;
        for (const auto& m : mismatches) all += (all.empty() ? "" : "; ") + m;
        problem = all + " (records were removed or a dossier was altered)";
      }
    }
    if (problem) {
      if (o.json_out)
        std::cout
            << dump(
                   json{{"valid", false},
                        {"checked", v.checked()},
                        {"problem", *problem},
                        {"error",
                         {{"code", "refused"}, {"exit", 4}, {"message", "audit chain broken: " + *problem}}}})
            << "\n";
      std::cerr << "error: audit chain broken: " << *problem << "\n";
      return 4;
    }
    if (o.json_out)
      std::cout << json{{"valid", true}, {"records", v.checked()}, {"head", v.head()}}.dump(
                       2, ' ', false, json::error_handler_t::replace)
                << "\n";
    else
      std::printf("audit chain verified: %lld record(s), head %s\n", static_cast<long long>(v.checked()),
                  v.head().c_str());
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

int cmd_audit_export(const Options& o, const std::string& format) {
  if (format != "jsonl" && format != "csv")
    return fail(o, Status::BadInput("--format must be jsonl or csv, not \"" + format + "\""));
  Session s;
  if (Status st = open_session(o, s, false); !st.ok()) return fail(o, st);
  try {
    if (format == "csv") std::cout << "seq,at,actor,role,dossier,event,from,to,level,data,prev_hash,hash\n";
    s.store->scan_audit([&](const AuditRecord& r) {
      if (format == "jsonl") {
        std::cout << dump(audit_json(r, 0), -1) << "\n";
      } else {
        std::cout << r.seq << "," << format_instant(r.at, 0) << "," << csv_field(r.actor) << ","
                  << csv_field(r.role) << "," << csv_field(r.dossier) << "," << r.event << "," << r.from_state
                  << "," << r.to_state << "," << r.level << "," << csv_field(r.data) << "," << r.prev_hash
                  << "," << r.hash << "\n";
      }
      return true;
    });
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

int cmd_certificates(const Options& o, const std::string& state, int within, const std::string& unit,
                     int stars) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  static const std::set<std::string> states = {"active", "expiring", "expired", "revoked", "superseded"};
  if (!state.empty() && !states.count(state))
    return fail(o, Status::BadInput("--state \"" + state +
                                    "\" is not a certificate state (active, expiring, "
                                    "expired, revoked, superseded)"));
  if (stars != 0 && (stars < 1 || stars > 5))
    return fail(o, Status::BadInput("--stars must be 1 to 5, not " + std::to_string(stars)));
  CertificateFilter f;
  f.state = state;
  if (!unit.empty()) {  // the unit, every unit below it, and those merged into it by today
    if (!s.config.unit(unit))
      return fail(o, Status::BadInput("--unit \"" + unit + "\" is not a configured unit"));
    f.units = s.config.units_under(unit, s.today());
  }
  f.stars = stars;
  if (within >= 0) {
    Instant now = s.now.value_or(SystemClock().now());
    f.valid_until_on_or_before = add_days(local_date(now, s.config.province.utc_offset_minutes), within);
  }
  try {
    auto rows = s.store->certificates(f);
    if (within >= 0) {  // "expiring within" means still valid: drop ended ones unless asked
      std::vector<Certificate> kept;
      for (auto& c : rows)
        if (!state.empty() || c.state == "active" || c.state == "expiring") kept.push_back(std::move(c));
      rows.swap(kept);
    }
    if (o.json_out) {
      json arr = json::array();
      for (const auto& c : rows) arr.push_back(certificate_json(c, &s.config));
      std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    } else {
      std::printf("%-26s %-5s %-9s %-20s %-11s %-11s %-10s %s\n", "ID", "STARS", "LEVEL", "UNIT", "ISSUED",
                  "VALID UNTIL", "STATE", "PRODUCT");
      for (const auto& c : rows)
        std::printf("%-26s %-5d %-9s %-20s %-11s %-11s %-10s %s\n", c.id.c_str(), c.stars, c.level.c_str(),
                    c.unit.c_str(), format_date(c.issued_on).c_str(), format_date(c.valid_until).c_str(),
                    c.state.c_str(), c.product.c_str());
      std::printf("(%zu certificate(s))\n", rows.size());
    }
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

// Every dossier and certificate a product has had across cycles (engine/ocop/product.hpp).
int cmd_product_show(const Options& o, const std::string& product, const std::string& producer) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  try {
    ProductHistory h;
    if (Status st = product_history(*s.store, product, producer, h); !st.ok()) return fail(o, st);
    const int off = s.config.province.utc_offset_minutes;
    const Dossier& latest = h.dossiers.back();
    if (o.json_out) {
      json dossiers = json::array(), certificates = json::array(), names = json::array();
      std::set<std::string> seen_names;
      for (const auto& d : h.dossiers) {
        dossiers.push_back(dossier_json(d, off));
        if (seen_names.insert(d.product).second) names.push_back(d.product);
      }
      for (const auto& c : h.certificates) certificates.push_back(certificate_json(c, &s.config));
      std::cout << dump(json{{"product", latest.product},
                             {"producer", latest.producer},
                             {"unit", latest.unit},
                             {"names", names},
                             {"dossiers", dossiers},
                             {"certificates", certificates}})
                << "\n";
      return 0;
    }
    std::printf("%s — %s (%s)\n", latest.product.c_str(), latest.producer.c_str(), latest.unit.c_str());
    std::printf("Dossiers (%zu):\n", h.dossiers.size());
    std::printf("  %-18s %-5s %-14s %-15s %-9s %-6s %-6s %s\n", "ID", "YEAR", "TYPE", "STATE", "LEVEL",
                "SCORE", "STARS", "CERTIFICATE");
    for (const auto& d : h.dossiers) {
      std::string cert = d.certificate.empty() ? "-" : d.certificate;
      if (!d.base_certificate.empty()) cert += " (builds on " + d.base_certificate + ")";
      std::printf("  %-18s %-5d %-14s %-15s %-9s %-6s %-6s %s\n", d.id.c_str(), d.year,
                  d.registration_type.empty() ? "-" : d.registration_type.c_str(),
                  std::string(to_string(d.state)).c_str(), d.level.empty() ? "-" : d.level.c_str(),
                  d.score ? format_score(*d.score).c_str() : "-",
                  d.stars ? std::to_string(*d.stars).c_str() : "-", cert.c_str());
    }
    std::printf("Certificates (%zu):\n", h.certificates.size());
    std::printf("  %-26s %-5s %-9s %-11s %-11s %-10s %s\n", "ID", "STARS", "LEVEL", "ISSUED", "VALID UNTIL",
                "STATE", "NOTE");
    for (const auto& c : h.certificates) {
      std::string note;
      if (!c.superseded_by.empty()) note = "superseded by " + c.superseded_by;
      if (!c.revocation_ground.empty()) {
        auto it = s.config.revocation_grounds.find(c.revocation_ground);
        note = "revoked (" + c.revocation_ground +
               (it == s.config.revocation_grounds.end() ? "" : ": " + it->second) + "), decision " +
               c.revocation_decision_no;
      }
      std::printf("  %-26s %-5d %-9s %-11s %-11s %-10s %s\n", c.id.c_str(), c.stars, c.level.c_str(),
                  format_date(c.issued_on).c_str(), format_date(c.valid_until).c_str(), c.state.c_str(),
                  note.c_str());
    }
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

int cmd_report(const Options& o) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  try {
    auto by_state = s.store->count_by_state_and_unit();
    auto by_stars = s.store->count_certificates_by_stars_and_unit();
    std::map<std::string, std::int64_t> states, stars;
    std::map<std::string, std::map<std::string, std::int64_t>> unit_states, unit_stars;
    for (const auto& r : by_state) {
      states[r.a] += r.n;
      unit_states[r.b][r.a] += r.n;
    }
    for (const auto& r : by_stars) {
      stars[r.a] += r.n;
      unit_stars[r.b][r.a] += r.n;
    }
    if (o.json_out) {
      json units = json::object();
      for (const auto& [u, m] : unit_states) units[u]["dossiers_by_state"] = m;
      for (const auto& [u, m] : unit_stars) units[u]["certificates_by_stars"] = m;
      std::cout << dump(json{
                       {"dossiers_by_state", states}, {"certificates_by_stars", stars}, {"units", units}})
                << "\n";
      return 0;
    }
    std::int64_t total = 0;
    for (const auto& [k, n] : states) total += n;
    std::printf("Dossiers by state (%lld):\n", static_cast<long long>(total));
    for (const auto& [k, n] : states) std::printf("  %-16s %6lld\n", k.c_str(), static_cast<long long>(n));
    std::printf("Recognised products (active certificates) by stars:\n");
    for (const auto& [k, n] : stars) std::printf("  %s★ %6lld\n", k.c_str(), static_cast<long long>(n));
    std::printf("Per unit:\n");
    for (const auto& [u, m] : unit_states) {
      const Unit* unit = s.config.unit(u);
      std::printf("  %s%s%s:", u.c_str(), unit ? " " : "", unit ? unit->name.c_str() : "");
      for (const auto& [k, n] : m) std::printf(" %s %lld", k.c_str(), static_cast<long long>(n));
      auto it = unit_stars.find(u);
      if (it != unit_stars.end()) {
        std::printf(" |");
        for (const auto& [k, n] : it->second) std::printf(" %s★ %lld", k.c_str(), static_cast<long long>(n));
      }
      std::printf("\n");
    }
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

json message_json(const OutboxMessage& m) {
  return {{"dedupe_key", m.dedupe_key},
          {"channel", m.channel},
          {"recipient", m.recipient},
          {"subject", m.subject},
          {"body", m.body},
          {"cause", m.cause},
          {"dossier", m.dossier.empty() ? json(nullptr) : json(m.dossier)}};
}

// `ocop tick [--dry-run]`: everything due on the clock's day (ocop/scheduler.hpp).
int cmd_tick(const Options& o, bool dry_run) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto lifecycle = workflows::make_dossier_lifecycle();
  auto certificates = workflows::make_certificate_lifecycle();
  auto cycles = workflows::make_cycle_lifecycle();
  const Clock& clock = s.clock();
  Executor ex(s.config, *lifecycle, *certificates, *s.store, clock);
  ex.set_lean(true);
  Scheduler scheduler(s.config, ex, *certificates, *cycles, *s.store, clock);
  TickReport r = scheduler.tick(dry_run);
  if (o.json_out) {
    json messages = json::array(), transitions = json::array();
    for (const auto& m : r.queued) messages.push_back(message_json(m));
    for (const auto& t : r.transitions)
      transitions.push_back(
          {{"kind", t.kind}, {"id", t.id}, {"event", t.event}, {"from", t.from}, {"to", t.to}});
    json j = {{"day", format_date(r.day)},
              {"previous", r.previous ? json(format_date(*r.previous)) : json(nullptr)},
              {"dry_run", dry_run},
              {"queued", r.queued.size()},
              {"already_queued", r.already_queued},
              {"already_fired", r.already_fired},
              {"counts", r.counts},
              {"messages", messages},
              {"transitions", transitions},
              {"notes", r.notes}};
    if (!r.status.ok())
      j["error"] = {{"code", code_name(r.status.code())},
                    {"exit", r.status.exit_code()},
                    {"message", r.status.message()}};
    std::cout << dump(j) << "\n";
  } else {
    std::printf("tick %s%s%s: %zu message(s) %s, %d already queued; %zu transition(s)%s\n",
                format_date(r.day).c_str(), r.previous ? " (last tick " : "",
                r.previous ? (format_date(*r.previous) + ")").c_str() : "", r.queued.size(),
                dry_run ? "would be queued" : "queued", r.already_queued, r.transitions.size(),
                dry_run ? " would be fired (dry run: nothing written)" : "");
    for (const auto& t : r.transitions)
      std::printf("  %-11s %-28s %-6s %s -> %s\n", t.kind.c_str(), t.id.c_str(), t.event.c_str(),
                  t.from.c_str(), t.to.c_str());
    for (const auto& m : r.queued)
      std::printf("  %-58s -> %s\n      %s\n", m.dedupe_key.c_str(), m.recipient.c_str(), m.subject.c_str());
    for (const auto& n : r.notes) std::printf("  note: %s\n", n.c_str());
  }
  if (!r.status.ok()) {
    std::cerr << "error: " << r.status.message() << "\n";
    return r.status.exit_code();
  }
  return 0;
}

// `ocop cycle show [YEAR]`: milestones, rounds, counts by state and unit, what is overdue.
int cmd_cycle_show(const Options& o, int year) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  if (year == 0) year = year_of(s.today());
  auto lifecycle = workflows::make_dossier_lifecycle();
  auto certificates = workflows::make_certificate_lifecycle();
  auto cycles = workflows::make_cycle_lifecycle();
  FixedClock clock(s.now.value_or(SystemClock().now()));
  Executor ex(s.config, *lifecycle, *certificates, *s.store, clock);
  Scheduler scheduler(s.config, ex, *certificates, *cycles, *s.store, clock);
  CycleReport r = scheduler.cycle_report(year);
  if (!r.status.ok()) return fail(o, r.status);
  auto milestone_label = [](const CycleMilestone& m) {
    return m.round ? "round " + m.round->id + " cut-off (" + std::string(to_string(m.round->level)) +
                         ", meeting " + format_date(m.round->meeting) + ")"
                   : m.name;
  };
  if (o.json_out) {
    json milestones = json::array(), overdue = json::array();
    for (const auto& m : r.milestones)
      milestones.push_back({{"name", m.name},
                            {"round", m.round ? json(m.round->id) : json(nullptr)},
                            {"level", m.round ? json(to_string(m.round->level)) : json(nullptr)},
                            {"meeting", m.round ? json(format_date(m.round->meeting)) : json(nullptr)},
                            {"date", format_date(m.date)},
                            {"passed", m.passed},
                            {"working_days_left", m.working_days_left},
                            {"waiting", m.waiting},
                            {"overdue", m.passed && m.waiting > 0}});
    for (const auto& od : r.overdue)
      overdue.push_back({{"rule", od.rule},
                         {"dossier", od.line.dossier},
                         {"product", od.line.product},
                         {"state", to_string(od.line.state)},
                         {"level", od.line.level.empty() ? json(nullptr) : json(od.line.level)},
                         {"unit", od.line.unit},
                         {"since", format_date(od.line.since)},
                         {"waited_working_days", od.line.waited},
                         {"escalated", od.escalated}});
    json units = json::object();
    for (const auto& [u, m] : r.by_unit) units[u] = m;
    json j = {{"year", year},
              {"state", to_string(r.state)},
              {"configured", r.cycle != nullptr},
              {"opens", r.cycle ? json(format_date(r.cycle->first_day())) : json(nullptr)},
              {"closes", r.cycle ? json(format_date(r.cycle->last_day())) : json(nullptr)},
              {"carry_over",
               r.cycle ? json(r.cycle->carry_over == CarryOver::next ? "next" : "report") : json(nullptr)},
              {"today", format_date(r.day)},
              {"milestones", milestones},
              {"dossiers_by_state", r.by_state},
              {"units", units},
              {"carried_in", r.carried_in},
              {"overdue", overdue}};
    std::cout << dump(j) << "\n";
    return 0;
  }
  std::printf("Cycle %d: %s", year, std::string(to_string(r.state)).c_str());
  if (r.cycle)
    std::printf(" (%s to %s; unfinished dossiers at the close: %s)",
                format_date(r.cycle->first_day()).c_str(), format_date(r.cycle->last_day()).c_str(),
                r.cycle->carry_over == CarryOver::next ? "carried into the next cycle" : "reported");
  else
    std::printf(" (not configured)");
  std::printf("; today %s\n", format_date(r.day).c_str());
  if (!r.milestones.empty()) {
    std::printf("Milestones:\n");
    for (const auto& m : r.milestones)
      std::printf(
          "  %s  %-52s %s, %d dossier(s) waiting%s\n", format_date(m.date).c_str(),
          milestone_label(m).c_str(),
          m.passed ? "passed" : (std::to_string(m.working_days_left) + " working day(s) left").c_str(),
          m.waiting, m.passed && m.waiting ? "  OVERDUE" : "");
  }
  std::int64_t total = 0;
  for (const auto& [k, n] : r.by_state) total += n;
  std::printf("Dossiers by state (%lld):\n", static_cast<long long>(total));
  for (const auto& [k, n] : r.by_state) std::printf("  %-16s %6lld\n", k.c_str(), static_cast<long long>(n));
  if (r.carried_in)
    std::printf("Carried in from earlier cycles (unfinished): %lld\n", static_cast<long long>(r.carried_in));
  std::printf("Per unit:\n");
  for (const auto& [u, m] : r.by_unit) {
    const Unit* unit = s.config.unit(u);
    std::printf("  %s%s%s:", u.c_str(), unit ? " " : "", unit ? unit->name.c_str() : "");
    for (const auto& [k, n] : m) std::printf(" %s %lld", k.c_str(), static_cast<long long>(n));
    std::printf("\n");
  }
  std::printf("Overdue (%zu):\n", r.overdue.size());
  for (const auto& od : r.overdue)
    std::printf("  %-16s %-14s %-10s since %s, %d working day(s)%s  %s (%s)\n", od.line.dossier.c_str(),
                std::string(to_string(od.line.state)).c_str(), od.line.unit.c_str(),
                format_date(od.line.since).c_str(), od.line.waited, od.escalated ? ", escalated" : "",
                od.line.product.c_str(), od.rule.c_str());
  return 0;
}

int cmd_import(const Options& o, const std::string& file, int batch) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  const int offset = s.config.province.utc_offset_minutes;
  // The file is read and parsed on a second thread while the events before are applied.
  cli::EventLineReader reader(file, s.simulation, offset);
  if (!reader.opened()) return fail(o, Status::BadInput("cannot read " + file));
  const bool tty = isatty(2) && !o.json_out;
  long total_lines = 0;
  if (tty) {
    std::ifstream count(file);
    std::string l;
    while (std::getline(count, l)) ++total_lines;
  }
  auto lifecycle = workflows::make_dossier_lifecycle();
  auto certificates = workflows::make_certificate_lifecycle();
  const Clock& clock = s.clock();
  Executor ex(s.config, *lifecycle, *certificates, *s.store, clock);
  ex.set_lean(true);

  long applied = 0, skipped = 0, refused = 0, shown = 0;
  int first_code = 0;
  const long kShowRefusals = 50;
  auto refuse = [&](long line, const std::string& key, const Status& st) {
    ++refused;
    if (!first_code) first_code = st.exit_code();
    if (shown++ < kShowRefusals)
      std::cerr << "\r" << file << ":" << line << ": " << (key.empty() ? "" : key + ": ") << "refused ("
                << code_name(st.code()) << "): " << st.message() << "\n";
  };
  // A refused line, kept until its batch is settled (a batch that rolls back is replayed).
  struct Refusal {
    const cli::EventLine* line;
    Status status;
  };
  auto tally = [](const cli::EventLine& p, const FireResult& r, long& a, long& sk,
                  std::vector<Refusal>& refusals) {
    if (!r.status.ok())
      refusals.push_back({&p, r.status});
    else if (r.duplicate)
      ++sk;
    else
      ++a;
  };

  // A database failure that retrying did not cure stops the import: every event before it
  // that was counted as applied is committed, none after it was tried.
  std::optional<FireResult> db_failure;
  long failed_line = 0;
  std::vector<cli::EventLine> pending;
  // Applies the pending events; false when the database failed (db_failure says how).
  auto flush = [&]() -> bool {
    if (pending.empty()) return true;
    long a = 0, sk = 0;
    std::vector<Refusal> refusals;
    bool done = false;
    if (batch > 1) {
      // The whole batch is one transaction: a retryable failure (busy, deadlock, a
      // serialization failure, a key a concurrent importer committed first) rolls all of it
      // back and runs it once more; after that, or after any other failure, its events are
      // applied one by one, each in its own transaction (and retried as fire() does), so
      // that none is lost or applied twice. One by one also ends the deadlocks that batches
      // over the same dossiers in different orders would keep running into.
      RetryPolicy policy = ex.retry_policy();
      policy.attempts = std::min(policy.attempts, 2);
      for (int attempt = 1; !done; ++attempt) {
        a = sk = 0;
        refusals.clear();
        try {
          s.store->begin();
          for (const auto& p : pending) tally(p, ex.fire_in_transaction(p.req), a, sk, refusals);
          s.store->commit();
          done = true;
        } catch (const StoreError& e) {
          try {
            s.store->rollback();
          } catch (...) {
          }
          if (e.retryable() && attempt < policy.attempts) {
            retry_backoff(policy, attempt);
            continue;
          }
          std::cerr << "\rwarning: batch rolled back (" << e.what() << "); applying its events one by one\n";
          break;
        } catch (const std::exception& e) {
          try {
            s.store->rollback();
          } catch (...) {
          }
          std::cerr << "\rwarning: batch rolled back (" << e.what() << "); applying its events one by one\n";
          break;
        }
      }
      if (!done) {
        a = sk = 0;
        refusals.clear();
      }
    }
    if (!done) {
      for (const auto& p : pending) {
        FireResult r = ex.fire(p.req);
        if (r.database_failed) {
          db_failure = std::move(r);
          failed_line = p.line;
          break;
        }
        tally(p, r, a, sk, refusals);
      }
    }
    applied += a;
    skipped += sk;
    for (const auto& r : refusals) refuse(r.line->line, r.line->req.key, r.status);
    pending.clear();
    return !db_failure;
  };

  std::vector<cli::EventLine> chunk;
  long last_shown = 0;
  std::string read_error;  // the reading thread failed (read_failed(), or an exception it threw)
  auto next_lines = [&]() {
    try {
      return reader.next(chunk);
    } catch (const std::exception& e) {
      read_error = e.what();
      return false;
    }
  };
  while (!db_failure && next_lines()) {
    for (auto& l : chunk) {
      if (!l.status.ok()) {
        if (!flush()) break;  // keep the file's order: everything before this line is applied first
        refuse(l.line, "", l.status);
        continue;
      }
      const long line = l.line;
      pending.push_back(std::move(l));
      if (static_cast<int>(pending.size()) >= batch && !flush()) break;
      if (tty && line - last_shown >= 500) {
        last_shown = line;
        int pct = total_lines ? static_cast<int>(100 * line / total_lines) : 0;
        std::fprintf(stderr, "\rimporting %s: %ld/%ld events (%d%%)", file.c_str(), line, total_lines, pct);
      }
    }
  }
  if (!db_failure) flush();
  if (tty) std::fprintf(stderr, "\r%*s\r", 70, "");
  if (!db_failure && (reader.read_failed() || !read_error.empty())) {
    // Reading failed part-way: what was read is applied (and counted); the rest was not read.
    std::cerr << "error: reading " << file << " failed part-way"
              << (read_error.empty() ? "" : " (" + read_error + ")")
              << "; the events counted below are applied, the rest of the file was not read\n";
    if (!first_code) first_code = static_cast<int>(Code::internal);
    ++refused;
  }
  if (shown > kShowRefusals) std::cerr << "(" << (shown - kShowRefusals) << " more refusals not shown)\n";
  if (db_failure) {
    // Everything counted is committed; the line that failed and every line after it were not
    // applied by this run. Keys make the same command, run again, skip what is done.
    const std::string msg =
        db_failure->status.message() + "\nimport stopped at " + file + ":" + std::to_string(failed_line) +
        ": the " + std::to_string(applied) +
        " event(s) counted as applied before it are committed; run the same import again to "
        "continue (events with keys that are already applied are skipped)";
    std::cerr << "error: " << msg << "\n";
    if (o.json_out)
      std::cout << json{{"file", file},
                        {"applied", applied},
                        {"skipped", skipped},
                        {"refused", refused},
                        {"stopped_at_line", failed_line},
                        {"error", {{"code", code_name(Code::internal)}, {"exit", 1}, {"message", msg}}}}
                       .dump(2, ' ', false, json::error_handler_t::replace)
                << "\n";
    else
      std::printf(
          "%s: applied %ld, skipped %ld (duplicate key), refused %ld; stopped at line %ld (database "
          "failure)\n",
          file.c_str(), applied, skipped, refused, failed_line);
    return static_cast<int>(Code::internal);
  }
  if (o.json_out)
    std::cout << json{{"file", file}, {"applied", applied}, {"skipped", skipped}, {"refused", refused}}.dump(
                     2, ' ', false, json::error_handler_t::replace)
              << "\n";
  else
    std::printf("%s: applied %ld, skipped %ld (duplicate key), refused %ld\n", file.c_str(), applied, skipped,
                refused);
  return refused ? first_code : 0;
}

// --- the outbox -------------------------------------------------------------------------------

json outbox_json(const OutboxMessage& m, int off) {
  auto opt = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  return {{"id", m.id},
          {"state", m.state},
          {"channel", m.channel},
          {"recipient", m.recipient},
          {"subject", m.subject},
          {"cause", m.cause},
          {"dossier", opt(m.dossier)},
          {"attempts", m.attempts},
          {"created_at", format_instant(m.created_at, off)},
          {"next_attempt_at",
           m.state == "pending" ? json(format_instant(m.next_attempt_at, off)) : json(nullptr)},
          {"sent_at", m.state == "sent" ? json(format_instant(m.sent_at, off)) : json(nullptr)},
          {"last_error", opt(m.last_error)},
          {"claimed_by", opt(m.claimed_by)},
          {"lease_until", m.state == "sending" ? json(format_instant(m.lease_until, off)) : json(nullptr)},
          {"dedupe_key", m.dedupe_key},
          {"idempotency_key", idempotency_key(m)},
          {"body", m.body}};
}

// `ocop deliver [--limit N]`: sends due messages (engine/ocop/dispatch.hpp). Exits 0 when it
// ran, whatever the receivers answered; the counts say what happened.
int cmd_deliver(const Options& o, int limit) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  if (limit < 0) return fail(o, Status::BadInput("--limit must not be negative"));
  notify::global_init();
  const Clock& clock = s.clock();
  const int off = s.config.province.utc_offset_minutes;
  notify::SmtpTransport smtp(s.config.channels, clock, off);
  notify::WebhookTransport webhook(s.config.channels);
  Dispatcher d(s.config, *s.store, clock);
  d.set_transport("email", &smtp);
  d.set_transport("webhook", &webhook);
  DeliveryReport r;
  try {
    r = d.run(limit);
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  if (r.held > 0)  // a channel that cannot send, with messages waiting for it
    for (const auto& [channel, why] : r.unavailable)
      std::cerr << "warning: " << channel << " messages are held: " << why << "\n";
  if (o.json_out) {
    json msgs = json::array();
    for (const auto& dm : r.messages) {
      json j = outbox_json(dm.message, off);
      j.erase("body");
      j["lost_claim"] = dm.lost_claim;
      msgs.push_back(std::move(j));
    }
    json unavailable = json::object();
    for (const auto& [channel, why] : r.unavailable) unavailable[channel] = why;
    std::cout << dump(json{{"sent", r.sent},
                           {"failed", r.failed},
                           {"dead", r.dead},
                           {"held", r.held},
                           {"unavailable", unavailable},
                           {"messages", msgs}})
              << "\n";
    return 0;
  }
  for (const auto& dm : r.messages) {
    const OutboxMessage& m = dm.message;
    std::string what = dm.lost_claim       ? "not recorded: its claim ran out and another deliverer took it"
                       : m.state == "sent" ? "sent"
                       : m.state == "dead"
                           ? "dead after " + std::to_string(m.attempts) + " attempt(s): " + m.last_error
                           : "failed (attempt " + std::to_string(m.attempts) + " of " +
                                 std::to_string(s.config.channels.max_attempts) + ", next at " +
                                 format_instant(m.next_attempt_at, off) + "): " + m.last_error;
    std::printf("#%lld %-7s %s: %s\n", static_cast<long long>(m.id), m.channel.c_str(), m.recipient.c_str(),
                what.c_str());
  }
  std::printf("sent %d, failed %d (will retry), dead %d, held %d\n", r.sent, r.failed, r.dead, r.held);
  return 0;
}

int cmd_outbox(const Options& o, const std::string& state, int limit) {
  if (!state.empty() && !is_outbox_state(state))
    return fail(o, Status::BadInput("--state \"" + state +
                                    "\" is not an outbox state (pending, sending, sent, dead)"));
  if (limit < 0) return fail(o, Status::BadInput("--limit must not be negative"));
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  const int off = s.config.province.utc_offset_minutes;
  try {
    auto rows = s.store->outbox(state, limit);
    if (o.json_out) {
      json arr = json::array();
      for (const auto& m : rows) arr.push_back(outbox_json(m, off));
      std::cout << dump(arr) << "\n";
      return 0;
    }
    std::printf("%-6s %-8s %-8s %-3s %-25s %-40s %s\n", "ID", "STATE", "CHANNEL", "TRY", "WHEN", "RECIPIENT",
                "SUBJECT");
    for (const auto& m : rows) {
      const Instant when = m.state == "sent"      ? m.sent_at
                           : m.state == "sending" ? m.lease_until
                                                  : m.next_attempt_at;
      std::printf("%-6lld %-8s %-8s %-3d %-25s %-40s %s\n", static_cast<long long>(m.id), m.state.c_str(),
                  m.channel.c_str(), m.attempts, m.state == "dead" ? "-" : format_instant(when, off).c_str(),
                  m.recipient.c_str(), m.subject.c_str());
      if (!m.last_error.empty() && m.state != "sent") std::printf("       error: %s\n", m.last_error.c_str());
    }
    std::printf("(%zu message(s); WHEN: pending = next attempt, sending = claim ends, sent = sent)\n",
                rows.size());
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

// `ocop outbox retry ID`: a dead (or waiting) message back to pending, due now, attempts 0.
int cmd_outbox_retry(const Options& o, const std::string& id_text) {
  long long id = 0;
  try {
    size_t used = 0;
    id = std::stoll(id_text, &used);
    if (used != id_text.size() || id <= 0) throw std::invalid_argument(id_text);
  } catch (const std::exception&) {
    return fail(o, Status::BadInput("\"" + id_text + "\" is not an outbox message id (a positive number)"));
  }
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  const Instant now = s.now.value_or(SystemClock().now());
  const int off = s.config.province.utc_offset_minutes;
  try {
    auto m = s.store->outbox_message(id);
    if (!m) return fail(o, Status::NotFound("outbox message " + id_text + " not found"));
    s.store->begin();
    bool done = s.store->retry_outbox(id, now);
    s.store->commit();
    if (!done) {
      auto now_m = s.store->outbox_message(id);
      const std::string st = now_m ? now_m->state : m->state;
      return fail(o, Status::Refused("outbox message " + id_text + " is " + st +
                                     (st == "sent" ? ": it was delivered; nothing to retry"
                                                   : ": a deliverer holds it; wait until its claim ends")));
    }
    auto after = s.store->outbox_message(id);
    if (o.json_out) {
      json j = outbox_json(*after, off);
      j.erase("body");
      std::cout << dump(j) << "\n";
    } else {
      std::printf(
          "outbox message %lld is pending again (was %s after %d attempt(s)); next `ocop deliver` sends it\n",
          id, m->state.c_str(), m->attempts);
    }
  } catch (const StoreError& e) {
    try {
      s.store->rollback();
    } catch (...) {
    }
    return fail(o, Status::Internal(e.what()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"ocop: the OCOP cycle engine (Chương trình Mỗi xã một sản phẩm)"};
  app.require_subcommand(1);
  app.add_option("--db", o.db,
                 "database URL: sqlite:PATH or postgresql://... (default $OCOP_DB, else sqlite:ocop.db)");
  app.add_option("--config", o.config, "configuration file (default $OCOP_CONFIG, else the shipped sample)");
  app.add_flag("--json", o.json_out, "print JSON on stdout");
  app.add_option("--now", o.now, "the clock, ISO 8601 (simulation databases only)");

  bool simulation = false;
  auto* init = app.add_subcommand("init", "create or migrate the database and load the configuration");
  init->add_flag("--simulation", simulation, "a simulation database: accepts --now and event timestamps");

  auto* config = app.add_subcommand("config", "configuration commands");
  config->require_subcommand(1);
  std::string check_file;
  auto* check = config->add_subcommand("check", "validate a configuration file");
  check->add_option("file", check_file, "the file (default: --config)");

  std::string event, dossier, actor, data, key;
  std::optional<long long> version;
  auto* fire = app.add_subcommand("fire", "fire one event");
  fire->add_option("event", event, "the event")->required();
  fire->add_option(
      "dossier", dossier,
      "the dossier (omit for submit_idea or a new register); for revoke, the certificate (DOSSIER/LEVEL)");
  fire->add_option("--actor", actor, "the user firing it")->required();
  fire->add_option("--data", data, "the event's data, a JSON object");
  fire->add_option("--key", key, "idempotency key");
  fire->add_option("--expect-version", version, "fail with a conflict unless the dossier is at this version");
  std::string attach_path;
  fire->add_option("--file", attach_path,
                   "attach: store this file (kind in --data; name, sha256 and bytes are filled in)");

  std::string show_id;
  auto* show = app.add_subcommand("show", "show one dossier");
  show->add_option("dossier", show_id)->required();

  DossierFilter filter;
  std::string list_unit;
  auto* list = app.add_subcommand("list", "list dossiers");
  list->add_option("--state", filter.state);
  list->add_option("--unit", list_unit, "a unit: its dossiers and those of units below it or merged into it");
  list->add_option("--level", filter.level);
  list->add_option("--year", filter.year);
  list->add_option("--product-set", filter.product_set);
  list->add_option("--limit", filter.limit);

  std::string docs_id;
  auto* documents = app.add_subcommand(
      "documents", "a dossier's documents: kind, size, SHA-256, whether the bytes are stored");
  documents->add_option("dossier", docs_id)->required();

  auto* document = app.add_subcommand("document", "document commands");
  document->require_subcommand(1);
  std::string get_sha;
  auto* get = document->add_subcommand(
      "get", "write a stored document's exact bytes to stdout (checked against its SHA-256)");
  get->add_option("sha256", get_sha, "the document's SHA-256")->required();

  std::string hist_id;
  auto* migrate = app.add_subcommand("migrate", "moves dossiers in flight to another rule set by a plan");
  std::string plan_path, migrate_actor;
  bool migrate_dry = false;
  migrate->add_option("--plan", plan_path, "the plan (YAML; config/plans/ has the 2025 reform's)")
      ->required();
  migrate->add_option("--actor", migrate_actor, "who runs it (a role that lists `migrate`)")->required();
  migrate->add_flag("--dry-run", migrate_dry, "check the plan and show what would move; write nothing");
  auto* history = app.add_subcommand("history", "a dossier's audit records, oldest first");
  history->add_option("dossier", hist_id)->required();

  std::string import_file;
  int batch = 1;
  auto* import = app.add_subcommand("import", "apply a JSONL file of events");
  import->add_option("file", import_file)->required();
  import->add_option("--batch", batch, "events per transaction (default 1)")->check(CLI::Range(1, 100000));

  auto* audit = app.add_subcommand("audit", "audit trail commands");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "recompute the hash chain");
  std::string anchor;
  verify->add_option(
      "--anchor", anchor,
      "a head hash published earlier (printed by a previous verify): it must still be in the chain");
  std::string format = "jsonl";
  auto* exportc = audit->add_subcommand("export", "export the trail");
  exportc->add_option("--format", format, "jsonl or csv");

  std::string cert_state, cert_unit;
  int within = -1, cert_stars = 0;
  auto* certs = app.add_subcommand("certificates", "list certificates");
  certs->add_option("--state", cert_state);
  certs->add_option("--expiring-within", within, "days")->check(CLI::NonNegativeNumber);
  certs->add_option("--unit", cert_unit);
  certs->add_option("--stars", cert_stars);

  std::string product_arg, product_producer;
  auto* product = app.add_subcommand("product", "a product's history across cycles");
  product->require_subcommand(1);
  auto* product_show =
      product->add_subcommand("show", "every dossier and certificate a product has had, oldest first");
  product_show->add_option("product", product_arg, "a dossier id, a certificate id or the exact product name")
      ->required();
  product_show->add_option("--producer", product_producer,
                           "the producer, when several make a product of that name");

  auto* report =
      app.add_subcommand("report", "the cycle's outcome: dossiers by state, certificates by stars, per unit");

  bool tick_dry = false;
  auto* tick = app.add_subcommand("tick",
                                  "run what is due now: reminders, escalations, certificate notices and "
                                  "expiries, cycles opening and closing");
  tick->add_flag("--dry-run", tick_dry, "show what would be queued and fired; write nothing");

  auto* cycle = app.add_subcommand("cycle", "cycle commands");
  cycle->require_subcommand(1);
  int cycle_year = 0;
  auto* cycle_show =
      cycle->add_subcommand("show", "a cycle: milestones, rounds, counts by state and unit, what is overdue");
  cycle_show->add_option("year", cycle_year, "the year (default: the current one)")
      ->check(CLI::Range(1900, 2999));

  int deliver_limit = 0;
  auto* deliver =
      app.add_subcommand("deliver", "send pending notifications (e-mail by SMTP, webhook by HTTP POST)");
  deliver->add_option("--limit", deliver_limit, "send at most N messages (default: all that are due)");

  std::string outbox_state, retry_id;
  int outbox_limit = 0;
  auto* outbox = app.add_subcommand("outbox", "list notifications: pending, sending, sent, dead");
  outbox->require_subcommand(0, 1);
  outbox->add_option("--state", outbox_state, "pending, sending, sent or dead");
  outbox->add_option("--limit", outbox_limit, "at most N messages, oldest first");
  auto* outbox_retry =
      outbox->add_subcommand("retry", "a dead or waiting message back to pending, attempts reset");
  outbox_retry->add_option("id", retry_id, "the message's id (ocop outbox)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    if (rc != 0 && o.json_out)
      std::cout << dump(json{{"error", {{"code", "bad_input"}, {"exit", 2}, {"message", e.what()}}}}) << "\n";
    return rc == 0 ? 0 : 2;
  }
  if (o.db.empty()) o.db = env_or("OCOP_DB", "sqlite:ocop.db");
  if (o.config.empty()) o.config = env_or("OCOP_CONFIG", default_config());

  try {
    if (*init) return cmd_init(o, simulation);
    if (*check) return cmd_config_check(o, check_file);
    if (*fire) return cmd_fire(o, event, dossier, actor, data, key, version, attach_path);
    if (*show) return cmd_show(o, show_id);
    if (*documents) return cmd_documents(o, docs_id);
    if (*get) return cmd_document_get(o, get_sha);
    if (*list) return cmd_list(o, filter, list_unit);
    if (*history) return cmd_history(o, hist_id);
    if (*migrate) return cmd_migrate(o, plan_path, migrate_actor, migrate_dry);
    if (*import) return cmd_import(o, import_file, batch);
    if (*verify) return cmd_audit_verify(o, anchor);
    if (*exportc) return cmd_audit_export(o, format);
    if (*certs) return cmd_certificates(o, cert_state, within, cert_unit, cert_stars);
    if (*product_show) return cmd_product_show(o, product_arg, product_producer);
    if (*report) return cmd_report(o);
    if (*tick) return cmd_tick(o, tick_dry);
    if (*cycle_show) return cmd_cycle_show(o, cycle_year);
    if (*deliver) return cmd_deliver(o, deliver_limit);
    if (*outbox_retry) return cmd_outbox_retry(o, retry_id);
    if (*outbox) return cmd_outbox(o, outbox_state, outbox_limit);
  } catch (const std::exception& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 2;
}
