// ocop: the command line (spec §8). Parses arguments with CLI11, opens the store and the
// configuration, runs one command, prints text (or JSON with --json) and exits with the
// spec's codes: 0 done, 1 internal, 2 bad input, 3 not found, 4 refused, 5 conflict,
// 6 forbidden.
#include <pwd.h>
#include <termios.h>
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

#include "config/config_cache.hpp"
#include "config/config_snapshot.hpp"
#include "config/yaml_config.hpp"
#include "certificate_machine.hpp"
#include "activity_machine.hpp"
#include "cycle_machine.hpp"
#include "inspection_machine.hpp"
#include "participation_machine.hpp"
#include "dossier_machine.hpp"
#include "notify/curl_transports.hpp"
#include "print/printer.hpp"
#include "ocop/dispatch.hpp"
#include "ocop/executor.hpp"
#include "ocop/migration.hpp"
#include "ocop/product.hpp"
#include "ocop/rules.hpp"
#include "ocop/scheduler.hpp"
#include "report/office_file.hpp"
#include "views/vietnamese.hpp"
#include "store/archive.hpp"
#include "store/backup.hpp"
#include "store/damaged_database.hpp"
#include "store/file_blob_store.hpp"
#include "store/soci_store.hpp"
#include "event_lines.hpp"
#include "ocop/limits.hpp"
#include "terminal.hpp"
#include "ocop/accounts.hpp"
#include "ocop/app.hpp"
#include "security/sodium_secrets.hpp"
#include "views/json_views.hpp"
#include "http/api.hpp"
#include "http/serve.hpp"
#include "http/static_files.hpp"

using nlohmann::json;
using namespace ocop;
using ocop::cli::Term;
using ocop::cli::terminal_text;
namespace {

using views::dump;

struct Options {
  std::string db, config;
  bool json_out = false;
  std::string now;
};

// Prints an error the spec's way and returns its exit code. A damaged SQLite file is said so,
// with what to do; the text is escaped for the terminal (it may echo what was given).
int fail(const Options& o, const Status& given) {
  Status s = given;
  if (s.code() == Code::internal)
    if (auto m = store::damaged_database_message(o.db, s.message())) s = Status::Internal(*m);
  std::cerr << "error: " << terminal_text(s.message(), true) << "\n";
  if (o.json_out) std::cout << dump(views::error_json(s)) << "\n";
  return s.exit_code();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string default_config() { return std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml"; }

// Everything a command that touches the database needs: the store, the configuration, the
// clock, and the application over them (built on first use).
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
  // The application; `blobs` may be null (the database has no document directory).
  Application& app(std::unique_ptr<store::FileBlobStore> blob_store = nullptr) {
    if (!app_) {
      blobs_ = std::move(blob_store);
      dossiers_ = workflows::make_dossier_lifecycle();
      certificates_ = workflows::make_certificate_lifecycle();
      cycles_ = workflows::make_cycle_lifecycle();
      activities_ = workflows::make_activity_lifecycle();
      participations_ = workflows::make_participation_lifecycle();
      inspections_ = workflows::make_inspection_lifecycle();
      after_ = std::make_unique<AfterRecognition>(AfterRecognition{*activities_, *participations_, *inspections_});
      app_ = std::make_unique<Application>(
          config, *store, Workflows{*dossiers_, *certificates_, *cycles_, after_.get()}, clock(), blobs_.get());
    }
    return *app_;
  }
  int offset() const { return config.province.utc_offset_minutes; }

 private:
  SystemClock system_clock;
  FixedClock fixed_clock{Instant{}};
  std::unique_ptr<store::FileBlobStore> blobs_;
  std::unique_ptr<Lifecycle> dossiers_;
  std::unique_ptr<CertificateLifecycle> certificates_;
  std::unique_ptr<CycleLifecycle> cycles_;
  std::unique_ptr<ActivityLifecycle> activities_;
  std::unique_ptr<ParticipationLifecycle> participations_;
  std::unique_ptr<InspectionLifecycle> inspections_;
  std::unique_ptr<AfterRecognition> after_;
  std::unique_ptr<Application> app_;
};

// Whoever runs the CLI on the server (with the database itself at hand) reads everything: every
// read takes this scope (ocop/read_scope.hpp; the HTTP service scopes its users' reads).
const ReadScope kOperator = ReadScope::unrestricted();

using config::load_config;  // config/config_cache.hpp: the file, or its snapshot in the database

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
                : v.is_string() ? Term(v.get<std::string>()).c_str()
                                : dump(v, -1).c_str());
  }
  if (const auto& r = c["revocation"]; r.is_object())
    std::printf("%-18s %s%s%s, decision %s of %s\n", "revoked:", Term(r["ground"].get<std::string>()).c_str(),
                r.contains("ground_text") ? " — " : "",
                r.contains("ground_text") ? Term(r["ground_text"].get<std::string>()).c_str() : "",
                Term(r["decision_no"].get<std::string>()).c_str(),
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

// An activity, participation or inspection: every field, in the view's order.
// The fields people look for first come first; the rest follow in the view's (sorted) order.
void print_object_text(const json& j) {
  static const std::vector<std::string> first = {
      "id",         "name",          "kind",     "state",     "activity", "certificate", "dossier",
      "product",    "producer",      "unit",     "level",     "venue",    "registration_opens",
      "registration_closes", "starts", "ends",   "booths",    "due",      "remedy_due",  "result"};
  auto line = [](const std::string& k, const json& v) {
    std::printf("%-24s %s\n", (k + ":").c_str(),
                v.is_null()     ? "-"
                : v.is_string() ? Term(v.get<std::string>()).c_str()
                                : Term(dump(v, -1)).c_str());
  };
  for (const auto& k : first)
    if (j.contains(k)) line(k, j[k]);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(first.begin(), first.end(), it.key()) == first.end()) line(it.key(), it.value());
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
                : v.is_string() ? Term(v.get<std::string>()).c_str()
                                : dump(v, -1).c_str());
  }
}

// --- commands: parse, call the application, render ---------------------------------------------

// Prints a JSON value on stdout (with --json).
void print_json(const json& j) { std::cout << dump(j) << "\n"; }

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
    config::store_snapshot(*store, cfg, fp);
    bool sim = store->meta("simulation") == "true";
    if (o.json_out) {
      print_json({{"database", store::redact_url(o.db)},
                  {"created", fresh},
                  {"migrations_applied", applied},
                  {"schema_version", store->schema_version()},
                  {"simulation", sim},
                  {"config", o.config},
                  {"units", cfg.units().size()},
                  {"users", cfg.users().size()},
                  {"rule_sets", cfg.rule_sets.size()}});
    } else {
      std::printf("%s %s (schema version %d, %d migration(s) applied%s)\n", fresh ? "created" : "opened",
                  store::redact_url(o.db).c_str(), store->schema_version(), applied,
                  sim ? ", simulation" : "");
      std::printf("configuration %s: %zu units, %zu users, %zu rule sets\n", o.config.c_str(),
                  cfg.units().size(), cfg.users().size(), cfg.rule_sets.size());
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
    for (const auto& p : r.problems) std::cerr << terminal_text(p.to_string()) << "\n";
    if (o.json_out) {
      json probs = json::array();
      for (const auto& p : r.problems)
        probs.push_back({{"file", p.file}, {"line", p.line}, {"key", p.key}, {"message", p.message}});
      print_json({{"valid", false}, {"problems", probs}});
    }
    std::cerr << "error: " << terminal_text(path) << ": " << r.problems.size() << " problem(s)\n";
    return 2;
  }
  if (o.json_out)
    print_json({{"valid", true},
                {"file", path},
                {"units", r.config.units().size()},
                {"users", r.config.users().size()},
                {"rule_sets", r.config.rule_sets.size()}});
  else
    std::printf("%s: valid (%zu units, %zu users, %zu rule sets)\n", path.c_str(), r.config.units().size(),
                r.config.users().size(), r.config.rule_sets.size());
  return 0;
}

Status parse_data(const std::string& text, json& out) {
  if (text.empty()) {
    out = json::object();
    return Status::Ok();
  }
  if (text.size() > limits::kMaxLineBytes)
    return Status::BadInput("--data is longer than " + std::to_string(limits::kMaxLineBytes) + " bytes");
  if (Status st = check_json_nesting(text, limits::kMaxDataDepth, "--data"); !st.ok()) return st;
  out = json::parse(text, nullptr, false);
  if (out.is_discarded()) return Status::BadInput("--data is not valid JSON: " + text);
  if (!out.is_object()) return Status::BadInput("--data must be a JSON object");
  return Status::Ok();
}

// `fire attach --file PATH`: the file must be a regular, readable file; the application checks
// it against the document policy and stages its bytes.
Status attach_file(const Options& o, Session& s, const std::string& path, EventRequest& req) {
  namespace fs = std::filesystem;
  const fs::path file(path);
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (!fs::exists(st)) return Status::BadInput("cannot read " + path + ": no such file");
  if (!fs::is_regular_file(st)) return Status::BadInput("cannot read " + path + ": not a regular file");
  const auto size = fs::file_size(file, ec);
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::BadInput("cannot read " + path + ": " + std::strerror(errno));
  Application& app = s.app(open_blobs(o, s));
  return app.stage_attachment(req, in, ec ? -1 : static_cast<std::int64_t>(size), file.filename().string());
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
  if (!file.empty()) {
    if (Status st = attach_file(o, s, file, req); !st.ok()) return fail(o, st);
  }
  FireResult r = s.app(open_blobs(o, s)).fire(std::move(req));
  if (!r.status.ok()) return fail(o, r.status);
  const json j = views::fire_json(r, s.config);
  if (o.json_out) {
    print_json(j);
  } else {
    if (r.duplicate)
      std::printf("(key %s was seen before: nothing written; the first result follows)\n", Term(key).c_str());
    if (r.certificate)
      print_certificate_text(j);
    else if (r.dossier)
      print_dossier_text(j);
    else
      print_object_text(j);
  }
  return 0;
}

int cmd_migrate(const Options& o, const std::string& plan_path, const std::string& actor, bool dry_run) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto loaded = config::load_plan_file(plan_path);
  if (!loaded.ok()) {
    for (const auto& p : loaded.problems) std::cerr << terminal_text(p.to_string()) << "\n";
    return fail(o, Status::BadInput("migration plan " + plan_path + " is invalid (" +
                                    std::to_string(loaded.problems.size()) + " problem(s))"));
  }
  MigrationReport r = s.app().migrate(loaded.plan, actor, dry_run);
  const json j = views::migration_json(r, loaded.plan.id, dry_run);
  if (o.json_out) {
    print_json(j);
  } else {
    for (const auto& [what, n] : j["counts"].items())
      std::printf("  %-48s %d\n", Term(what).c_str(), n.get<int>());
    if (r.status.ok())
      std::printf("plan %s: %zu dossier(s) %s\n", loaded.plan.id.c_str(), r.moves.size(),
                  dry_run ? "would move (dry run: nothing written)" : "moved");
    else if (!r.moves.empty() && !dry_run)
      std::printf("plan %s: %zu dossier(s) moved before the failure\n", loaded.plan.id.c_str(),
                  r.moves.size());
  }
  if (!r.status.ok()) {
    for (const auto& p : r.problems) std::cerr << terminal_text(p) << "\n";
    std::cerr << "error: " << terminal_text(r.status.message(), true) << "\n";
    return r.status.exit_code();
  }
  return 0;
}

int cmd_show(const Options& o, const std::string& id) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().show(kOperator, id);
  if (!r.ok()) return fail(o, r.status);
  const json j = views::dossier_view_json(r.value, s.offset());
  if (o.json_out) {
    print_json(j);
    return 0;
  }
  print_dossier_text(j);
  std::printf("%-18s %zu\n", "documents:", j["documents"].size());
  for (const auto& doc : j["documents"])
    std::printf("  - %s: %s\n", Term(doc["kind"].get<std::string>()).c_str(),
                Term(doc["name"].get<std::string>()).c_str());
  if (j.contains("scoresheets") && !j["scoresheets"].empty()) {
    std::printf("scoresheets at the %s level:\n", r.value.dossier.level.c_str());
    for (const auto& sh : j["scoresheets"])
      std::printf("  - %-24s A %-5s B %-5s C %-5s total %s\n", Term(sh["member"].get<std::string>()).c_str(),
                  format_score(sh["A"]).c_str(), format_score(sh["B"]).c_str(), format_score(sh["C"]).c_str(),
                  format_score(sh["total"]).c_str());
  }
  return 0;
}

int cmd_documents(const Options& o, const std::string& id) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app(open_blobs(o, s)).documents(kOperator, id);  // no blob store: "stored" is unknown
  if (!r.ok()) return fail(o, r.status);
  json arr = json::array();
  for (const auto& d : r.value) arr.push_back(views::document_json(d, s.offset()));
  if (o.json_out) {
    print_json(arr);
    return 0;
  }
  std::printf("%-20s %-10s %-6s %-25s %-64s  %s\n", "KIND", "BYTES", "STORED", "ATTACHED", "SHA256", "NAME");
  for (const auto& d : arr)
    std::printf("%-20s %-10lld %-6s %-25s %-64s  %s\n", Term(d["kind"].get<std::string>()).c_str(),
                static_cast<long long>(d["bytes"].get<std::int64_t>()),
                d["stored"].is_null()     ? "?"
                : d["stored"].get<bool>() ? "yes"
                                          : "no",
                d["at"].get<std::string>().c_str(), d["sha256"].get<std::string>().c_str(),
                Term(d["name"].get<std::string>()).c_str());
  std::printf("(%zu document(s))\n", arr.size());
  return 0;
}

int cmd_document_get(const Options& o, const std::string& sha256) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  if (Status st = s.app(open_blobs(o, s)).document_bytes(kOperator, sha256, std::cout); !st.ok())
    return fail(o, st);
  return 0;
}

int cmd_list(const Options& o, const DossierQuery& q) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().list(kOperator, q);
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out) {
    json arr = json::array();
    for (const auto& d : r.value) arr.push_back(views::dossier_json(d, s.offset()));
    print_json(arr);
    return 0;
  }
  std::printf("%-18s %-15s %-9s %-20s %-6s %s\n", "ID", "STATE", "LEVEL", "UNIT", "STARS", "PRODUCT");
  for (const auto& d : r.value)
    std::printf("%-18s %-15s %-9s %-20s %-6s %s\n", Term(d.id).c_str(),
                std::string(to_string(d.state)).c_str(), d.level.empty() ? "-" : Term(d.level).c_str(),
                Term(d.unit).c_str(), d.stars ? std::to_string(*d.stars).c_str() : "-",
                Term(d.product).c_str());
  std::printf("(%zu dossier(s))\n", r.value.size());
  return 0;
}

int cmd_history(const Options& o, const std::string& id) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().history(kOperator, id);
  if (!r.ok()) return fail(o, r.status);
  const int off = s.offset();
  if (o.json_out) {
    json arr = json::array();
    for (const auto& rec : r.value) arr.push_back(views::audit_json(rec, off));
    print_json(arr);
    return 0;
  }
  for (const auto& rec : r.value)
    std::printf("#%-8lld %s  %-16s %-18s %s -> %s%s%s\n", static_cast<long long>(rec.seq),
                format_instant(rec.at, off).c_str(), Term(rec.event).c_str(), Term(rec.actor).c_str(),
                Term(rec.from_state).c_str(), Term(rec.to_state).c_str(), rec.level.empty() ? "" : " @",
                Term(rec.level).c_str());
  return 0;
}

int cmd_audit_verify(const Options& o, const std::string& anchor, const std::vector<std::string>& archive_dirs) {
  Session s;
  if (Status st = open_session(o, s, false); !st.ok()) return fail(o, st);
  std::vector<std::unique_ptr<ArchivedTrail>> trails;
  std::vector<ArchivedTrail*> archives;
  for (const auto& dir : archive_dirs) {
    Status st;
    trails.push_back(store::open_archived_trail(dir, st));
    if (!st.ok()) {
      if (st.code() != Code::refused) return fail(o, st);
      // A damaged archive is a broken chain (exit 4), as a damaged trail is.
      AuditVerification v;
      v.problem = st.message();
      if (o.json_out) print_json(views::verification_json(v));
      std::cerr << "error: audit chain broken: " << terminal_text(v.problem, true) << "\n";
      return 4;
    }
    archives.push_back(trails.back().get());
  }
  AuditVerification v = s.app().audit_verify(kOperator, anchor, archives);
  if (!v.status.ok()) return fail(o, v.status);
  if (o.json_out) print_json(views::verification_json(v));
  if (!v.valid) {
    std::cerr << "error: audit chain broken: " << terminal_text(v.problem, true) << "\n";
    return 4;
  }
  if (!o.json_out)
    std::printf("audit chain verified: %lld record(s)%s, head %s\n", static_cast<long long>(v.checked),
                archives.empty() ? "" : " (archives and live trail, from the first record)", v.head.c_str());
  return 0;
}

// --- archives (store/archive.hpp; docs/operations.md, "Archive") ------------------------------

// `ocop archive --until YEAR DEST`: moves the dossiers of closed cycles up to YEAR, with their
// records, rows and documents, into DEST, and leaves a checkpoint in the trail. In steps, each
// safe to stop after: the archive is written, fsynced and checked (manifest last) before one
// transaction deletes anything; a rerun with the same DEST finishes a run stopped after its
// manifest, and says so when it was finished already.
int cmd_archive(const Options& o, int until, const std::string& dest) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  const Instant now = s.clock().now();
  auto blobs = open_blobs(o, s);
  const std::string docs = blobs ? blobs->root() : "";
  store::ArchiveManifest m;
  std::error_code ec;
  bool resumed = false;
  store::ArchivePlan plan;
  if (std::filesystem::exists(dest, ec)) {
    if (Status st = store::check_archive(dest, m, true); !st.ok()) return fail(o, st);
    if (store::archive_committed(*s.store, m.id)) {
      const std::int64_t purged = store::purge_documents(*s.store, m, docs);
      if (o.json_out)
        print_json({{"archive", m.id}, {"already", true}, {"dossiers", m.dossiers}, {"records", m.records},
                    {"documents_removed", purged}});
      else
        std::printf("archive %s is done already (%lld dossier(s), %lld record(s)): nothing archived again\n",
                    m.id.c_str(), static_cast<long long>(m.dossiers), static_cast<long long>(m.records));
      return 0;
    }
    if (m.until != until)
      return fail(o, Status::BadInput(dest + " is the archive until " + std::to_string(m.until) + ", not " +
                                      std::to_string(until)));
    resumed = true;  // written, not committed: finish it
  } else {
    std::map<int, Date> last_days;
    for (const auto& [year, c] : s.config.cycles) last_days[year] = c.last_day();
    try {
      if (Status st = store::plan_archive(*s.store, until, last_days, local_date(now, s.offset()), plan); !st.ok())
        return fail(o, st);
    } catch (const std::exception& e) {
      return fail(o, Status::Internal(std::string("database: ") + e.what()));
    }
    if (plan.dossiers.empty()) {
      if (o.json_out)
        print_json({{"archive", nullptr}, {"dossiers", 0}, {"kept", plan.kept}});
      else {
        std::printf("nothing to archive until %d\n", until);
        for (const auto& [why, n] : plan.kept) std::printf("  kept live: %lld (%s)\n", static_cast<long long>(n), why.c_str());
      }
      return 0;
    }
    // The archive's own chain check first: what is archived must be a proven trail.
    AuditVerification v = s.app().audit_verify(kOperator, "");
    if (!v.status.ok()) return fail(o, v.status);
    if (!v.valid) return fail(o, Status::Refused("the audit chain does not verify, nothing archived: " + v.problem));
    if (Status st = store::write_archive(*s.store, plan, docs, dest, format_instant(now, s.offset()),
                                         store::redact_url(o.db), m);
        !st.ok())
      return fail(o, st);
  }
  std::int64_t checkpoint = 0;
  if (Status st = store::commit_archive(*s.store, m, dest, now, "operator", checkpoint); !st.ok()) return fail(o, st);
  const std::int64_t purged = store::purge_documents(*s.store, m, docs);
  if (o.json_out) {
    print_json({{"archive", m.id}, {"dest", dest}, {"until", until}, {"dossiers", m.dossiers}, {"records", m.records},
                {"checkpoint", checkpoint}, {"documents", m.documents.size()}, {"documents_removed", purged},
                {"resumed", resumed}, {"kept", plan.kept}});
  } else {
    std::printf("archived %lld dossier(s) and %lld audit record(s) until %d into %s (archive %s%s); checkpoint "
                "record %lld; %zu document(s) moved\n",
                static_cast<long long>(m.dossiers), static_cast<long long>(m.records), until, Term(dest).c_str(),
                m.id.c_str(), resumed ? ", finished from an earlier run" : "", static_cast<long long>(checkpoint),
                m.documents.size());
    for (const auto& [why, n] : plan.kept) std::printf("  kept live: %lld (%s)\n", static_cast<long long>(n), why.c_str());
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
  if (format == "csv") std::cout << "seq,at,actor,role,dossier,event,from,to,level,data,prev_hash,hash\n";
  Status st = s.app().audit_export(kOperator, [&](const AuditRecord& r) {
    if (format == "jsonl") {
      std::cout << dump(views::audit_json(r, 0), -1) << "\n";
    } else {
      std::cout << r.seq << "," << format_instant(r.at, 0) << "," << csv_field(r.actor) << ","
                << csv_field(r.role) << "," << csv_field(r.dossier) << "," << r.event << "," << r.from_state
                << "," << r.to_state << "," << r.level << "," << csv_field(r.data) << "," << r.prev_hash
                << "," << r.hash << "\n";
    }
  });
  return st.ok() ? 0 : fail(o, st);
}

// --- backups (store/backup.hpp; docs/operations.md, "Backups") --------------------------------

// The audit chain of the SQLite database at `path`, verified through the application (no
// migration check: a backup from an older version is verified as it is).
AuditVerification verify_copy(const std::string& path) {
  Session c;
  try {
    c.store = store::open("sqlite:" + path);
  } catch (const StoreError& e) {
    AuditVerification v;
    v.status = Status::Internal(e.what());
    return v;
  }
  return c.app().audit_verify(kOperator, "");
}

// `ocop backup DEST`: a consistent copy of a SQLite database and its documents, taken while
// other processes work on it, its chain verified, and a manifest written last.
int cmd_backup(const Options& o, const std::string& dest) {
  std::string url_error;
  const store::DbUrl u = store::parse_url(o.db, url_error);
  if (u.backend.empty()) return fail(o, Status::BadInput(url_error));
  if (u.backend != "sqlite3")
    return fail(o, Status::BadInput("ocop backup copies a SQLite database; back up PostgreSQL with pg_dump "
                                    "(docs/operations.md, \"Backups\")"));
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  std::error_code ec;
  if (std::filesystem::exists(dest, ec)) return fail(o, Status::BadInput("backup directory " + dest + " exists: give a new one"));
  auto failed = [&](const Status& st) {
    std::filesystem::remove_all(dest, ec);  // never a half backup left to be mistaken for one
    return fail(o, st);
  };
  store::BackupManifest m;
  m.created_at = format_instant(s.clock().now(), s.offset());
  m.source = store::redact_url(o.db);
  m.simulation = s.simulation;
  m.schema_version = s.store->schema_version();
  if (Status st = store::copy_database(u.path, dest); !st.ok()) return failed(st);
  auto blobs = open_blobs(o, s);
  if (Status st = store::copy_documents(blobs ? blobs->root() : "", dest, m); !st.ok()) return failed(st);
  AuditVerification v = verify_copy(dest + "/" + store::kBackupDatabase);
  if (!v.status.ok()) return failed(v.status);
  if (!v.valid) return failed(Status::Refused("the copy's audit chain does not verify: " + v.problem));
  m.audit_records = v.checked;
  m.audit_head = v.head;
  if (Status st = store::write_manifest(dest, m); !st.ok()) return failed(st);
  if (o.json_out)
    print_json({{"backup", dest}, {"records", m.audit_records}, {"head", m.audit_head},
                {"documents", m.documents.size()}, {"documents_not_stored", m.not_stored.size()},
                {"database_bytes", m.database_bytes}, {"schema_version", m.schema_version}});
  else
    std::printf("backup %s: %lld audit record(s), head %s; %zu document(s) copied, %zu named without bytes; "
                "database %lld bytes\n",
                Term(dest).c_str(), static_cast<long long>(m.audit_records), m.audit_head.c_str(),
                m.documents.size(), m.not_stored.size(), static_cast<long long>(m.database_bytes));
  return 0;
}

// `ocop restore SRC`: checks every hash of a backup, copies it to --db (a SQLite file that
// must not exist) and its documents directory, and verifies the restored chain's head.
int cmd_restore(const Options& o, const std::string& src) {
  std::string url_error;
  const store::DbUrl u = store::parse_url(o.db, url_error);
  if (u.backend.empty()) return fail(o, Status::BadInput(url_error));
  if (u.backend != "sqlite3")
    return fail(o, Status::BadInput("ocop restore writes a SQLite database; restore PostgreSQL with pg_restore "
                                    "(docs/operations.md, \"Backups\")"));
  Config cfg;
  if (Status st = load_config(o.config, cfg); !st.ok()) return fail(o, st);
  store::BackupManifest m;
  if (Status st = store::check_backup(src, m); !st.ok()) return fail(o, st);
  const std::string docs = store::documents_dir(u, cfg.documents.directory, env_or("OCOP_DOCUMENTS_DIR", ""));
  std::vector<std::string> created;
  if (Status st = store::restore_files(src, m, u.path, docs, created); !st.ok()) return fail(o, st);
  AuditVerification v = verify_copy(u.path);
  if (!v.status.ok() || !v.valid || v.head != m.audit_head || v.checked != m.audit_records) {
    store::remove_restored(created, docs);
    if (!v.status.ok()) return fail(o, v.status);
    return fail(o, Status::Refused("the restored audit chain is not the backup's (" +
                                   (v.valid ? "head " + v.head + ", " + std::to_string(v.checked) + " records"
                                            : v.problem) +
                                   "; the manifest says head " + m.audit_head + ", " +
                                   std::to_string(m.audit_records) + " records): nothing restored"));
  }
  if (o.json_out)
    print_json({{"restored", store::redact_url(o.db)}, {"from", src}, {"records", v.checked}, {"head", v.head},
                {"documents", m.documents.size()}, {"schema_version", m.schema_version}});
  else
    std::printf("restored %s from %s: %lld audit record(s), head %s; %zu document(s)%s\n",
                store::redact_url(o.db).c_str(), Term(src).c_str(), static_cast<long long>(v.checked),
                v.head.c_str(), m.documents.size(),
                m.schema_version < store::SociStore::latest_schema_version() ? " (run `ocop init` to migrate it)" : "");
  return 0;
}

int cmd_certificates(const Options& o, const CertificateQuery& q) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().certificates(kOperator, q);
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out) {
    json arr = json::array();
    for (const auto& c : r.value) arr.push_back(views::certificate_json(c, &s.config));
    print_json(arr);
    return 0;
  }
  std::printf("%-26s %-5s %-9s %-20s %-11s %-11s %-10s %s\n", "ID", "STARS", "LEVEL", "UNIT", "ISSUED",
              "VALID UNTIL", "STATE", "PRODUCT");
  for (const auto& c : r.value)
    std::printf("%-26s %-5d %-9s %-20s %-11s %-11s %-10s %s\n", Term(c.id).c_str(), c.stars,
                Term(c.level).c_str(), Term(c.unit).c_str(), format_date(c.issued_on).c_str(),
                format_date(c.valid_until).c_str(), Term(c.state).c_str(), Term(c.product).c_str());
  std::printf("(%zu certificate(s))\n", r.value.size());
  return 0;
}

// `ocop certificate qr|pdf ID --output FILE` (issue 13; docs/public.md): the request is checked
// first (the file's type, where it goes, the public address: 2), then the certificate (3).
int cmd_certificate_print(const Options& o, bool pdf, const std::string& id, const std::string& output,
                          const std::string& base_url) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  print::QrFormat format;
  if (!pdf)
    if (Status st = print::qr_format(output, format); !st.ok()) return fail(o, st);
  if (Status st = print::check_output(output); !st.ok()) return fail(o, st);
  std::string url;
  if (Status st = print::verification_url(base_url, s.config, "CODE", url); !st.ok()) return fail(o, st);
  auto r = s.app().public_certificate(kOperator, id);
  if (!r.ok()) return fail(o, r.status);
  if (Status st = print::verification_url(base_url, s.config, r.value.code, url); !st.ok()) return fail(o, st);
  Status st = pdf ? print::write_certificate_pdf(r.value, s.config, url, s.app().today(), output)
                  : print::write_qr(url, output);
  if (!st.ok()) return fail(o, st);
  if (o.json_out)
    print_json({{"certificate", r.value.id}, {"code", r.value.code}, {"url", url}, {"status", r.value.status},
                {"output", output}});
  else
    std::printf("%s: %s of certificate %s, for %s\n", Term(output).c_str(), pdf ? "the certificate (PDF)" : "QR code",
                Term(r.value.id).c_str(), Term(url).c_str());
  return 0;
}

// Every dossier and certificate a product has had across cycles (engine/ocop/product.hpp).
int cmd_product_show(const Options& o, const std::string& product, const std::string& producer) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().product(kOperator, product, producer);
  if (!r.ok()) return fail(o, r.status);
  const ProductHistory& h = r.value;
  if (o.json_out) {
    print_json(views::product_json(h, s.config));
    return 0;
  }
  const Dossier& latest = h.dossiers.back();
  std::printf("%s — %s (%s)\n", Term(latest.product).c_str(), Term(latest.producer).c_str(),
              Term(latest.unit).c_str());
  std::printf("Dossiers (%zu):\n", h.dossiers.size());
  std::printf("  %-18s %-5s %-14s %-15s %-9s %-6s %-6s %s\n", "ID", "YEAR", "TYPE", "STATE", "LEVEL", "SCORE",
              "STARS", "CERTIFICATE");
  for (const auto& d : h.dossiers) {
    std::string cert = d.certificate.empty() ? "-" : d.certificate;
    if (!d.base_certificate.empty()) cert += " (builds on " + d.base_certificate + ")";
    std::printf("  %-18s %-5d %-14s %-15s %-9s %-6s %-6s %s\n", Term(d.id).c_str(), d.year,
                d.registration_type.empty() ? "-" : Term(d.registration_type).c_str(),
                std::string(to_string(d.state)).c_str(), d.level.empty() ? "-" : Term(d.level).c_str(),
                d.score ? format_score(*d.score).c_str() : "-",
                d.stars ? std::to_string(*d.stars).c_str() : "-", Term(cert).c_str());
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
    std::printf("  %-26s %-5d %-9s %-11s %-11s %-10s %s\n", Term(c.id).c_str(), c.stars,
                Term(c.level).c_str(), format_date(c.issued_on).c_str(), format_date(c.valid_until).c_str(),
                Term(c.state).c_str(), Term(note).c_str());
  }
  return 0;
}

std::string money(std::int64_t v) { return views::vn_number(v); }  // 12500000 -> "12.500.000"

std::string by_state_text(const std::map<std::string, std::int64_t>& m) {
  std::string out;
  for (const auto& [k, n] : m) out += (out.empty() ? "" : " ") + k + " " + std::to_string(n);
  return out.empty() ? "-" : out;
}

// `ocop report --format xlsx|pdf --output FILE`: the offices' spreadsheet
// (report/office_workbook.hpp) or the yearly report (report/office_pdf.hpp).
int cmd_report_file(const Options& o, Session& s, const std::string& format, const std::string& output,
                    int expiring_days) {
  if (output.empty())
    return fail(o, Status::BadInput("--format " + format + " needs --output FILE (" +
                                    (format == "xlsx" ? "a spreadsheet" : "a PDF") + " is not text)"));
  if (std::filesystem::is_directory(output))
    return fail(o, Status::BadInput("--output " + output + " is a directory; name the file to write"));
  auto r = s.app().office_report(kOperator, expiring_days);
  if (!r.ok()) return fail(o, r.status);
  if (Status written = report::write_office_file(format, r.value, s.config, output); !written.ok())
    return fail(o, written);
  if (o.json_out)
    print_json({{"output", output},
                {"in_force", r.value.in_force.size()},
                {"expiring", r.value.expiring.size()},
                {"as_of", format_date(r.value.as_of)}});
  else
    std::printf("Wrote %s: %zu product(s) in force, %zu ending within %d days\n", Term(output).c_str(),
                r.value.in_force.size(), r.value.expiring.size(), expiring_days);
  return 0;
}

int cmd_report(const Options& o, const std::string& format, const std::string& output, int expiring_days) {
  if (format != "text" && !report::is_office_format(format))
    return fail(o, Status::BadInput("--format must be text, xlsx or pdf, not \"" + format + "\" (--json for JSON)"));
  if (format == "text" && !output.empty())
    return fail(o, Status::BadInput("--output is for --format xlsx or pdf; the text report goes to standard output"));
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  if (format != "text") return cmd_report_file(o, s, format, output, expiring_days);
  auto r = s.app().report(kOperator);
  if (!r.ok()) return fail(o, r.status);
  const Report& rep = r.value;
  if (o.json_out) {
    print_json(views::report_json(rep));
    return 0;
  }
  std::printf("Dossiers by state (%lld):\n", static_cast<long long>(rep.dossiers()));
  for (const auto& [k, n] : rep.dossiers_by_state)
    std::printf("  %-16s %6lld\n", k.c_str(), static_cast<long long>(n));
  std::printf("Recognised products (active certificates) by stars:\n");
  for (const auto& [k, n] : rep.certificates_by_stars)
    std::printf("  %s★ %6lld\n", k.c_str(), static_cast<long long>(n));
  std::printf("Per unit:\n");
  for (const auto& [u, m] : rep.unit_dossiers_by_state) {
    const Unit* unit = s.config.unit(u);
    std::printf("  %s%s%s:", Term(u).c_str(), unit ? " " : "", unit ? Term(unit->name).c_str() : "");
    for (const auto& [k, n] : m) std::printf(" %s %lld", k.c_str(), static_cast<long long>(n));
    auto it = rep.unit_certificates_by_stars.find(u);
    if (it != rep.unit_certificates_by_stars.end()) {
      std::printf(" |");
      for (const auto& [k, n] : it->second) std::printf(" %s★ %lld", k.c_str(), static_cast<long long>(n));
    }
    std::printf("\n");
  }
  const PromotionUnitRow& pr = rep.promotion;
  std::printf("Trade promotion: %lld activit%s, %lld participation(s) selected, support %s đ, revenue %s đ, "
              "%lld contract(s)\n",
              static_cast<long long>(pr.activities), pr.activities == 1 ? "y" : "ies",
              static_cast<long long>(pr.participations_selected), money(pr.support_vnd).c_str(),
              money(pr.revenue_vnd).c_str(), static_cast<long long>(pr.contracts));
  for (const auto& [u, row] : rep.unit_promotion) {
    if (!row.activities && !row.participations_selected) continue;
    std::printf("  %-12s activities %lld, selected %lld, support %s đ, revenue %s đ, contracts %lld\n", Term(u).c_str(),
                static_cast<long long>(row.activities), static_cast<long long>(row.participations_selected),
                money(row.support_vnd).c_str(), money(row.revenue_vnd).c_str(), static_cast<long long>(row.contracts));
  }
  std::printf("Inspections after recognition: %s\n", by_state_text(pr.inspections_by_result).c_str());
  for (const auto& [u, row] : rep.unit_promotion)
    if (!row.inspections_by_result.empty())
      std::printf("  %-12s %s\n", Term(u).c_str(), by_state_text(row.inspections_by_result).c_str());
  return 0;
}

// --- after recognition (spec §10.3) ------------------------------------------------------------

int cmd_activities(const Options& o, const ActivityQuery& q) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().activities(kOperator, q);
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out) {
    json arr = json::array();
    for (const auto& a : r.value) arr.push_back(views::activity_summary_json(a, s.offset()));
    print_json(arr);
    return 0;
  }
  std::printf("%-22s %-13s %-19s %-10s %-10s %-10s %-7s %s\n", "ID", "KIND", "STATE", "UNIT", "STARTS", "ENDS",
              "BOOTHS", "NAME / PARTICIPATIONS");
  for (const auto& sum : r.value) {
    const Activity& a = sum.activity;
    std::printf("%-22s %-13s %-19s %-10s %-10s %-10s %3lld/%-3d %s\n", Term(a.id).c_str(), Term(a.kind).c_str(),
                Term(a.state).c_str(), Term(a.unit).c_str(), format_date(a.starts).c_str(),
                format_date(a.ends).c_str(), static_cast<long long>(sum.totals.booths_selected), a.booths,
                Term(a.name).c_str());
    std::printf("%-22s %s\n", "", by_state_text(sum.totals.by_state).c_str());
  }
  std::printf("(%zu activit%s)\n", r.value.size(), r.value.size() == 1 ? "y" : "ies");
  return 0;
}

int cmd_activity(const Options& o, const std::string& id) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().activity(kOperator, id);
  if (!r.ok()) return fail(o, r.status);
  const ActivityView& v = r.value;
  if (o.json_out) {
    print_json(views::activity_view_json(v, s.offset()));
    return 0;
  }
  print_object_text(views::activity_json(v.activity, s.offset()));
  std::printf("Participations (%zu):\n", v.participations.size());
  std::printf("  %-36s %-11s %-6s %14s %14s %9s  %s\n", "ID", "STATE", "BOOTHS", "SUPPORT (đ)", "REVENUE (đ)",
              "CONTRACTS", "PRODUCT — PRODUCER");
  for (const auto& p : v.participations)
    std::printf("  %-36s %-11s %-6d %14s %14s %9s  %s — %s\n", Term(p.id).c_str(), Term(p.state).c_str(), p.booths,
                money(p.support_vnd).c_str(), p.revenue_vnd ? money(*p.revenue_vnd).c_str() : "-",
                p.contracts ? std::to_string(*p.contracts).c_str() : "-", Term(p.product).c_str(),
                Term(p.producer).c_str());
  const ActivityTotals& t = v.totals;
  std::printf("Totals (selected and reported): %lld of %d booths, support %s đ, revenue %s đ, %lld contract(s)\n",
              static_cast<long long>(t.booths_selected), v.activity.booths, money(t.support_vnd).c_str(),
              money(t.revenue_vnd).c_str(), static_cast<long long>(t.contracts));
  std::printf("By state: %s\n", by_state_text(t.by_state).c_str());
  return 0;
}

int cmd_inspections(const Options& o, const InspectionQuery& q) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().inspections(kOperator, q);
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out) {
    json arr = json::array();
    for (const auto& i : r.value) arr.push_back(views::inspection_json(i, s.offset()));
    print_json(arr);
    return 0;
  }
  std::printf("%-24s %-26s %-12s %-16s %-10s %-10s %s\n", "ID", "CERTIFICATE", "UNIT", "STATE", "DUE", "REMEDY DUE",
              "PRODUCT");
  for (const auto& i : r.value)
    std::printf("%-24s %-26s %-12s %-16s %-10s %-10s %s\n", Term(i.id).c_str(), Term(i.certificate).c_str(),
                Term(i.unit).c_str(), Term(i.state).c_str(), format_date(i.due).c_str(),
                i.remedy_due ? format_date(*i.remedy_due).c_str() : "-", Term(i.product).c_str());
  std::printf("(%zu inspection(s))\n", r.value.size());
  return 0;
}

int cmd_inspections_plan(const Options& o, InspectionPlanRequest rq, const std::string& due) {
  auto d = parse_date(due);
  if (!d) return fail(o, Status::BadInput("--due must be a date YYYY-MM-DD, not \"" + due + "\""));
  rq.due = *d;
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  InspectionPlan p = s.app().plan_inspections(rq);
  if (o.json_out) print_json(views::inspection_plan_json(p));
  if (!p.status.ok()) {
    Options text_only = o;  // the JSON above carries the error already
    text_only.json_out = false;
    return fail(text_only, p.status);
  }
  if (!o.json_out) {
    for (const auto& u : p.units)
      std::printf("%-12s %4lld in force, %3lld wanted (%d%%), %3lld already inspected or planned, %3zu planned now\n",
                  Term(u.unit).c_str(), static_cast<long long>(u.in_force), static_cast<long long>(u.wanted),
                  rq.share, static_cast<long long>(u.already), u.planned.size());
    std::printf("%lld inspection(s) planned, due %s\n", static_cast<long long>(p.planned), format_date(rq.due).c_str());
  }
  return 0;
}

// `ocop tick [--dry-run]`: everything due on the clock's day (ocop/scheduler.hpp).
int cmd_tick(const Options& o, bool dry_run) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  TickReport r = s.app().tick(dry_run);
  if (o.json_out) {
    print_json(views::tick_json(r));
  } else {
    std::printf("tick %s%s%s: %zu message(s) %s, %d already queued; %zu transition(s)%s\n",
                format_date(r.day).c_str(), r.previous ? " (last tick " : "",
                r.previous ? (format_date(*r.previous) + ")").c_str() : "", r.queued.size(),
                dry_run ? "would be queued" : "queued", r.already_queued, r.transitions.size(),
                dry_run ? " would be fired (dry run: nothing written)" : "");
    for (const auto& t : r.transitions)
      std::printf("  %-11s %-28s %-6s %s -> %s\n", t.kind.c_str(), Term(t.id).c_str(), t.event.c_str(),
                  t.from.c_str(), t.to.c_str());
    for (const auto& m : r.queued)
      std::printf("  %-58s -> %s\n      %s\n", Term(m.dedupe_key).c_str(), Term(m.recipient).c_str(),
                  Term(m.subject).c_str());
    for (const auto& n : r.notes) std::printf("  note: %s\n", Term(n).c_str());
  }
  if (!r.status.ok()) {
    std::cerr << "error: " << terminal_text(r.status.message(), true) << "\n";
    return r.status.exit_code();
  }
  return 0;
}

// `ocop cycle show [YEAR]`: milestones, rounds, counts by state and unit, what is overdue.
int cmd_cycle_show(const Options& o, int year) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  CycleReport r = s.app().cycle(kOperator, year);
  if (!r.status.ok()) return fail(o, r.status);
  if (o.json_out) {
    print_json(views::cycle_json(r));
    return 0;
  }
  auto milestone_label = [](const CycleMilestone& m) {
    return m.round ? "round " + m.round->id + " cut-off (" + std::string(to_string(m.round->level)) +
                         ", meeting " + format_date(m.round->meeting) + ")"
                   : m.name;
  };
  std::printf("Cycle %d: %s", r.year, std::string(to_string(r.state)).c_str());
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
    std::printf("  %s%s%s:", Term(u).c_str(), unit ? " " : "", unit ? Term(unit->name).c_str() : "");
    for (const auto& [k, n] : m) std::printf(" %s %lld", k.c_str(), static_cast<long long>(n));
    std::printf("\n");
  }
  std::printf("Overdue (%zu):\n", r.overdue.size());
  for (const auto& od : r.overdue)
    std::printf("  %-16s %-14s %-10s since %s, %d working day(s)%s  %s (%s)\n", Term(od.line.dossier).c_str(),
                std::string(to_string(od.line.state)).c_str(), Term(od.line.unit).c_str(),
                format_date(od.line.since).c_str(), od.line.waited, od.escalated ? ", escalated" : "",
                Term(od.line.product).c_str(), Term(od.rule).c_str());
  return 0;
}

// Prints an import's refusals (at most kShow) and its progress bar on a terminal.
class ImportPrinter : public ImportObserver {
 public:
  ImportPrinter(const std::string& file, bool tty) : file_(file), tty_(tty) {
    if (tty_) total_ = cli::count_lines(file);  // the total, for the percentage
  }
  void refused(long line, const std::string& key, const Status& st) override {
    if (shown_++ < kShow)
      std::cerr << "\r" << terminal_text(file_) << ":" << line << ": "
                << (key.empty() ? "" : terminal_text(key) + ": ") << "refused (" << code_name(st.code())
                << "): " << terminal_text(st.message()) << "\n";
  }
  void progress(long line) override {
    if (!tty_ || line - last_ < 500) return;
    last_ = line;
    const int pct = total_ ? static_cast<int>(100 * line / total_) : 0;
    std::fprintf(stderr, "\rimporting %s: %ld/%ld events (%d%%)", file_.c_str(), line, total_, pct);
  }
  void batch_fallback(const std::string& why) override {
    std::cerr << "\rwarning: batch rolled back (" << terminal_text(why)
              << "); applying its events one by one\n";
  }
  void finish() {
    if (tty_) std::fprintf(stderr, "\r%*s\r", 70, "");
    if (shown_ > kShow) std::cerr << "(" << (shown_ - kShow) << " more refusals not shown)\n";
  }

 private:
  static constexpr long kShow = 50;
  const std::string file_;
  const bool tty_;
  long total_ = 0, last_ = 0, shown_ = 0;
};

int cmd_import(const Options& o, const std::string& file, int batch) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  // The file is read and parsed on a second thread while the events before are applied.
  cli::EventLineReader reader(file, s.simulation, s.offset());
  if (!reader.opened()) return fail(o, Status::BadInput("cannot read " + file));
  ImportPrinter printer(file, isatty(2) && !o.json_out);
  ImportResult r = s.app().import(reader, ImportOptions{batch}, printer);
  printer.finish();
  if (!r.database_failure.ok()) {
    // Everything counted is committed; the line that failed and every line after it were not
    // applied by this run. Keys make the same command, run again, skip what is done.
    const std::string msg =
        store::damaged_database_message(o.db, r.database_failure.message())
            .value_or(r.database_failure.message()) +
        "\nimport stopped at " + file + ":" + std::to_string(r.stopped_at_line) + ": the " +
        std::to_string(r.applied) +
        " event(s) counted as applied before it are committed; run the same import again to "
        "continue (events with keys that are already applied are skipped)";
    std::cerr << "error: " << terminal_text(msg, true) << "\n";
    if (o.json_out) {
      json j = views::import_json(r, file);
      j["error"] = views::error_json(Status::Internal(msg))["error"];
      print_json(j);
    } else {
      std::printf(
          "%s: applied %ld, skipped %ld (duplicate key), refused %ld; stopped at line %ld (database "
          "failure)\n",
          file.c_str(), r.applied, r.skipped, r.refused, r.stopped_at_line);
    }
    return static_cast<int>(Code::internal);
  }
  if (!r.read_failure.empty() || reader.read_failed())
    std::cerr << "error: reading " << terminal_text(file) << " failed part-way"
              << (r.read_failure.empty() ? "" : " (" + terminal_text(r.read_failure) + ")")
              << "; the events counted below are applied, the rest of the file was not read\n";
  if (o.json_out)
    print_json(views::import_json(r, file));
  else
    std::printf("%s: applied %ld, skipped %ld (duplicate key), refused %ld\n", file.c_str(), r.applied,
                r.skipped, r.refused);
  return r.refused ? r.first_code : 0;
}

// --- the outbox -------------------------------------------------------------------------------

// `ocop deliver [--limit N]`: sends due messages (engine/ocop/dispatch.hpp). Exits 0 when it
// ran, whatever the receivers answered; the counts say what happened.
int cmd_deliver(const Options& o, int limit) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  notify::global_init();
  const Clock& clock = s.clock();
  const int off = s.offset();
  notify::Transports transports(s.config.channels, clock, off);
  auto result = s.app().deliver(limit, transports.by_channel());
  if (!result.ok()) return fail(o, result.status);
  const DeliveryReport& r = result.value;
  if (r.held > 0)  // a channel that cannot send, with messages waiting for it
    for (const auto& [channel, why] : r.unavailable)
      std::cerr << "warning: " << channel << " messages are held: " << terminal_text(why) << "\n";
  if (o.json_out) {
    print_json(views::delivery_json(r, off));
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
    std::printf("#%lld %-7s %s: %s\n", static_cast<long long>(m.id), m.channel.c_str(),
                Term(m.recipient).c_str(), Term(what).c_str());
  }
  std::printf("sent %d, failed %d (will retry), dead %d, held %d\n", r.sent, r.failed, r.dead, r.held);
  return 0;
}

int cmd_outbox(const Options& o, const std::string& state, int limit) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto r = s.app().outbox(kOperator, state, limit);
  if (!r.ok()) return fail(o, r.status);
  const int off = s.offset();
  if (o.json_out) {
    json arr = json::array();
    for (const auto& m : r.value) arr.push_back(views::outbox_json(m, off));
    print_json(arr);
    return 0;
  }
  std::printf("%-6s %-8s %-8s %-3s %-25s %-40s %s\n", "ID", "STATE", "CHANNEL", "TRY", "WHEN", "RECIPIENT",
              "SUBJECT");
  for (const auto& m : r.value) {
    const Instant when = m.state == "sent"      ? m.sent_at
                         : m.state == "sending" ? m.lease_until
                                                : m.next_attempt_at;
    std::printf("%-6lld %-8s %-8s %-3d %-25s %-40s %s\n", static_cast<long long>(m.id), m.state.c_str(),
                m.channel.c_str(), m.attempts, m.state == "dead" ? "-" : format_instant(when, off).c_str(),
                Term(m.recipient).c_str(), Term(m.subject).c_str());
    if (!m.last_error.empty() && m.state != "sent")
      std::printf("       error: %s\n", Term(m.last_error).c_str());
  }
  std::printf("(%zu message(s); WHEN: pending = next attempt, sending = claim ends, sent = sent)\n",
              r.value.size());
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
  auto r = s.app().outbox_retry(id);
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out) {
    json j = views::outbox_json(r.value.after, s.offset());
    j.erase("body");
    print_json(j);
  } else {
    std::printf(
        "outbox message %lld is pending again (was %s after %d attempt(s)); next `ocop deliver` sends it\n",
        id, r.value.before.state.c_str(), r.value.before.attempts);
  }
  return 0;
}


// --- accounts: passwords, invitations, TOTP, sign-out, tokens (ocop/accounts.hpp) ------------

// The documented password `ocop user demo-passwords` gives every user of a simulation database.
const char* const kDemoPassword = "ocop-demo-2026";

// Who runs an account command, for the audit record: --actor, else "cli:" and the login name.
std::string cli_actor(const std::string& given) {
  if (!given.empty()) return given;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return std::string("cli:") + pw->pw_name;
  return "cli:uid" + std::to_string(geteuid());
}

// Accounts over the session's store, configuration and clock; the argon2id cost from
// security.password_hashing.
struct AccountsCli {
  std::unique_ptr<security::SodiumSecrets> secrets;
  std::unique_ptr<EngineAccounts> accounts;
};
AccountsCli make_accounts(Session& s) {
  security::PasswordCost cost = security::PasswordCost::moderate;
  security::parse_password_cost(s.config.security.password_hashing, cost);
  AccountsCli a;
  a.secrets = std::make_unique<security::SodiumSecrets>(cost);
  a.accounts = std::make_unique<EngineAccounts>(s.config, *s.store, *a.secrets, s.clock(), s.config.security);
  return a;
}

// One line from stdin without its line end; on a terminal, prompted on stderr without echo.
// False at the end of input.
bool read_secret_line(const std::string& prompt, std::string& out) {
  const bool tty = isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  const bool got = static_cast<bool>(std::getline(std::cin, out));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return got;
}

// A new password from stdin: twice on a terminal (they must match), once from a pipe.
Status read_new_password(const std::string& user, std::string& out) {
  if (!read_secret_line("New password for " + user + ": ", out))
    return Status::BadInput("no password on stdin (the password is read from stdin, never from the arguments)");
  if (isatty(STDIN_FILENO)) {
    std::string again;
    if (!read_secret_line("Again: ", again) || again != out) return Status::BadInput("the passwords differ");
  }
  return Status::Ok();
}

int cmd_user_password(const Options& o, const std::string& user, const std::string& actor) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  if (!s.config.user(user)) return fail(o, Status::NotFound("no configured user \"" + user + "\""));
  std::string password;
  if (Status st = read_new_password(user, password); !st.ok()) return fail(o, st);
  if (Status st = a.accounts->set_password(user, password, cli_actor(actor)); !st.ok()) return fail(o, st);
  if (o.json_out)
    print_json({{"user", user}, {"password_set", true}});
  else
    std::printf("password set for %s; their sessions were ended\n", Term(user).c_str());
  return 0;
}

int cmd_user_invite(const Options& o, const std::string& user, const std::string& actor) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  auto r = a.accounts->invite(user, cli_actor(actor));
  if (!r.ok()) return fail(o, r.status);
  const Instant expires{s.clock().now().seconds + 3600LL * s.config.security.invitation_hours};
  if (o.json_out) {
    print_json({{"user", user}, {"invitation", r.value}, {"expires", format_instant(expires, s.offset())}});
  } else {
    std::printf("%s\n", r.value.c_str());
    std::fprintf(stderr,
                 "one-time invitation for %s, good until %s: give it to them by a trusted channel; it is not "
                 "shown again\n",
                 Term(user).c_str(), format_instant(expires, s.offset()).c_str());
  }
  return 0;
}

// `ocop user accept-invitation`: the secret, then the new password, on stdin.
int cmd_user_accept(const Options& o) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  std::string secret, password;
  if (!read_secret_line("Invitation: ", secret)) return fail(o, Status::BadInput("no invitation on stdin"));
  if (Status st = read_new_password("you", password); !st.ok()) return fail(o, st);
  if (Status st = a.accounts->accept_invitation(secret, password); !st.ok()) return fail(o, st);
  if (o.json_out)
    print_json({{"password_set", true}});
  else
    std::printf("password set\n");
  return 0;
}

int cmd_user_totp(const Options& o, const std::string& user, const std::string& actor) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  auto r = a.accounts->enrol_totp(user, cli_actor(actor));
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out) {
    print_json({{"user", user}, {"uri", r.value.uri}, {"secret", r.value.secret}});
  } else {
    std::printf("%s\n", r.value.uri.c_str());
    std::fprintf(stderr,
                 "scan it into an authenticator app now (it is not shown again); %s signs in with its 6-digit "
                 "codes%s\n",
                 Term(user).c_str(),
                 needs_second_factor(s.config, s.config.security, user) ? "" : " (their roles do not require it)");
  }
  return 0;
}

int cmd_user_signout(const Options& o, const std::string& user, const std::string& actor) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  if (Status st = a.accounts->logout_everywhere(user, cli_actor(actor)); !st.ok()) return fail(o, st);
  if (o.json_out)
    print_json({{"user", user}, {"signed_out", true}});
  else
    std::printf("%s is signed out everywhere\n", Term(user).c_str());
  return 0;
}

// `ocop user login USER`: checks a password (stdin) and a code as the service does, and opens a
// session (printed: the value of the service's cookie). For operators and tests.
int cmd_user_login(const Options& o, const std::string& user, const std::string& code, const std::string& address) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  std::string password;
  if (!read_secret_line("Password for " + user + ": ", password))
    return fail(o, Status::BadInput("no password on stdin"));
  auto r = a.accounts->login(LoginRequest{user, password, code, address});
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out)
    print_json({{"user", user}, {"session", r.value.session}, {"second_factor", r.value.principal.second_factor}});
  else
    std::printf("%s\n", r.value.session.c_str());
  return 0;
}

// `ocop user session`: the session id on stdin; who it belongs to (refreshes it).
int cmd_user_session(const Options& o) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  std::string session;
  if (!read_secret_line("Session: ", session)) return fail(o, Status::BadInput("no session on stdin"));
  auto r = a.accounts->authenticate_session(session);
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out)
    print_json({{"user", r.value.user}, {"via", r.value.via}, {"second_factor", r.value.second_factor}});
  else
    std::printf("%s\n", r.value.user.c_str());
  return 0;
}

// `ocop user demo-passwords`: every configured user gets the documented demo password, on a
// simulation database only.
int cmd_user_demo_passwords(const Options& o, const std::string& actor) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  if (!s.simulation)
    return fail(o, Status::Refused("demo passwords are given only on a simulation database (ocop init "
                                   "--simulation): a real one gets its passwords by `ocop user password` or "
                                   "an invitation"));
  auto a = make_accounts(s);
  auto r = a.accounts->set_demo_passwords(kDemoPassword, cli_actor(actor));
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out) {
    print_json({{"users", r.value}, {"password", kDemoPassword}});
  } else {
    std::printf("%d user(s) now sign in with the password \"%s\"", r.value, kDemoPassword);
    std::printf(" (users whose roles need a second factor also need `ocop user totp USER`)\n");
  }
  return 0;
}

int cmd_token_create(const Options& o, const std::string& user, int days, const std::string& note,
                     const std::string& actor) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  auto r = a.accounts->create_token(user, days, cli_actor(actor), note);
  if (!r.ok()) return fail(o, r.status);
  if (o.json_out) {
    print_json({{"token", r.value.token},
                {"id", r.value.id},
                {"user", user},
                {"expires", format_instant(r.value.expires, s.offset())}});
  } else {
    std::printf("%s\n", r.value.token.c_str());
    std::fprintf(stderr, "token %s for %s, until %s: it is not shown again (revoke: ocop token revoke %s)\n",
                 r.value.id.c_str(), Term(user).c_str(), format_instant(r.value.expires, s.offset()).c_str(),
                 r.value.id.c_str());
  }
  return 0;
}

int cmd_token_list(const Options& o, const std::string& user) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  auto r = a.accounts->tokens(user);
  if (!r.ok()) return fail(o, r.status);
  const int off = s.offset();
  const Instant now = s.clock().now();
  auto state = [&](const TokenInfo& t) {
    return t.revoked ? "revoked" : (now < t.expires ? "active" : "expired");
  };
  if (o.json_out) {
    json arr = json::array();
    for (const auto& t : r.value)
      arr.push_back({{"id", t.id},
                     {"user", t.user},
                     {"created", format_instant(t.created, off)},
                     {"expires", format_instant(t.expires, off)},
                     {"revoked", t.revoked},
                     {"state", state(t)},
                     {"note", t.note}});
    print_json(arr);
    return 0;
  }
  std::printf("%-16s %-24s %-8s %-25s %-25s %s\n", "ID", "USER", "STATE", "CREATED", "EXPIRES", "NOTE");
  for (const auto& t : r.value)
    std::printf("%-16s %-24s %-8s %-25s %-25s %s\n", t.id.c_str(), Term(t.user).c_str(), state(t),
                format_instant(t.created, off).c_str(), format_instant(t.expires, off).c_str(), Term(t.note).c_str());
  std::printf("(%zu token(s))\n", r.value.size());
  return 0;
}

int cmd_token_revoke(const Options& o, const std::string& id, const std::string& actor) {
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  auto a = make_accounts(s);
  if (Status st = a.accounts->revoke_token(id, cli_actor(actor)); !st.ok()) return fail(o, st);
  if (o.json_out)
    print_json({{"id", id}, {"revoked", true}});
  else
    std::printf("token %s revoked\n", Term(id).c_str());
  return 0;
}

// `ocop serve`: the HTTP service (adapters/http). The database must be initialised; the
// configuration is loaded as for any command, and again from the same file on SIGHUP.
struct ServeArgs {
  http::ServeOptions o;
  bool print_routes = false;
  std::string tick_every, deliver_every, lease_retry, tick_from;  // the scheduler's, as given
};

// The scheduler's options (docs/operations.md, "The scheduler in the service"): durations
// such as 30s, 5m, 1h; a time of day HH:MM.
Status scheduler_options(const ServeArgs& a, http::SchedulerOptions& s) {
  const std::pair<const std::string*, std::int64_t*> durations[] = {
      {&a.tick_every, &s.tick_every_ms}, {&a.deliver_every, &s.deliver_every_ms}, {&a.lease_retry, &s.lease_retry_ms}};
  const char* names[] = {"--tick-every", "--deliver-every", "--lease-retry"};
  for (int i = 0; i < 3; ++i) {
    if (durations[i].first->empty()) continue;
    auto ms = parse_duration_ms(*durations[i].first);
    if (!ms || *ms < 100)
      return Status::BadInput(std::string(names[i]) + " must be a duration such as 500ms, 30s, 5m or 1h (at least "
                              "100ms, at most a year), not \"" + *durations[i].first + "\"");
    *durations[i].second = *ms;
  }
  if (!a.tick_from.empty()) {
    auto minutes = parse_time_of_day(a.tick_from);
    if (!minutes) return Status::BadInput("--tick-from must be a time of day HH:MM, not \"" + a.tick_from + "\"");
    s.tick_from_minutes = *minutes;
  }
  const bool any = !a.tick_every.empty() || !a.deliver_every.empty() || !a.lease_retry.empty() || !a.tick_from.empty();
  if (any && !s.enabled)
    return Status::BadInput("--tick-every, --deliver-every, --lease-retry and --tick-from need --scheduler");
  return Status::Ok();
}

// The engine's accounts for each worker thread: its own Secrets (argon2id at the configured
// cost) and EngineAccounts over the thread's store, configuration and clock.
http::AccountsFactory accounts_factory() {
  return [](store::SociStore& store, const Config& config, const Clock& clock) -> std::unique_ptr<Accounts> {
    struct Owned : EngineAccounts {
      Owned(std::unique_ptr<security::SodiumSecrets> s, const Config& c, Store& st, const Clock& k)
          : EngineAccounts(c, st, *s, k, c.security), secrets(std::move(s)) {}
      std::unique_ptr<security::SodiumSecrets> secrets;
    };
    security::PasswordCost cost = security::PasswordCost::moderate;
    security::parse_password_cost(config.security.password_hashing, cost);
    return std::make_unique<Owned>(std::make_unique<security::SodiumSecrets>(cost), config, store, clock);
  };
}

int cmd_serve(const Options& o, ServeArgs a) {
  if (a.print_routes) {  // the route table, for the OpenAPI check (tests/cli/serve_test.sh)
    for (const auto& r : http::routes()) std::printf("%s %s\n", r.method, r.pattern);
    return 0;
  }
  if (Status st = scheduler_options(a, a.o.scheduler); !st.ok()) return fail(o, st);
  Session s;
  if (Status st = open_session(o, s); !st.ok()) return fail(o, st);
  a.o.db = o.db;
  a.o.config_path = o.config;
  // The service shares its Config between threads and closes this connection: its directory is
  // read whole now, not on demand through the connection (config/config_cache.hpp).
  try {
    s.config.read_whole_directory();
  } catch (const StoreError& e) {
    return fail(o, Status::Internal(e.what()));
  }
  a.o.config = std::make_shared<const Config>(s.config);
  a.o.documents_env = env_or("OCOP_DOCUMENTS_DIR", "");
  a.o.simulation = s.simulation;
  a.o.now = s.now;
  a.o.accounts = accounts_factory();
  s.store.reset();  // the workers open their own connections
  return http::serve(std::move(a.o));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"ocop: the OCOP cycle engine (Chương trình Mỗi xã một sản phẩm)"};
  app.require_subcommand(1);
  // The global options may also follow the command (`ocop list --json`), as in git or kubectl:
  // every subcommand added below inherits this.
  app.fallthrough();
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

  DossierQuery filter;
  auto* list = app.add_subcommand("list", "list dossiers");
  list->add_option("--state", filter.state);
  list->add_option("--unit", filter.unit,
                   "a unit: its dossiers and those of units below it or merged into it");
  list->add_option("--level", filter.level);
  list->add_option("--year", filter.year);
  list->add_option("--product-set", filter.product_set);
  list->add_option("--round", filter.round, "an evaluation round's id");
  list->add_option("--search", filter.text,
                   "words to find in the product's and producer's names, accents and case ignored");
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
  auto* history = app.add_subcommand(
      "history", "the audit records of a dossier, activity, participation or inspection, oldest first");
  history->add_option("dossier", hist_id)->required();

  std::string import_file;
  int batch = 1;
  auto* import = app.add_subcommand("import", "apply a JSONL file of events");
  import->add_option("file", import_file)->required();
  import->add_option("--batch", batch, "events per transaction (default 1)")->check(CLI::Range(1, 100000));

  std::string backup_dest, restore_src;
  auto* backup = app.add_subcommand("backup", "copy the SQLite database and its documents into a new directory, verified");
  backup->add_option("dest", backup_dest, "the backup directory to create")->required();
  auto* restore = app.add_subcommand("restore", "restore a backup directory to --db (which must not exist)");
  restore->add_option("src", restore_src, "a directory made by ocop backup")->required();
  std::string archive_dest;
  int archive_until = 0;
  auto* archive = app.add_subcommand(
      "archive", "move the dossiers of closed cycles up to a year into an archive directory, keeping the chain provable");
  archive->add_option("--until", archive_until, "the last cycle year to archive")->required()->check(CLI::Range(2000, 2200));
  archive->add_option("dest", archive_dest, "the archive directory to create (or to finish, after a stopped run)")
      ->required();

  auto* audit = app.add_subcommand("audit", "audit trail commands");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "recompute the hash chain");
  std::string anchor;
  verify->add_option(
      "--anchor", anchor,
      "a head hash published earlier (printed by a previous verify): it must still be in the chain");
  std::vector<std::string> verify_archives;
  verify->add_option("--archive", verify_archives,
                     "an archive directory (ocop archive): verify it and the trail together from the first record "
                     "(repeat for every archive of the trail)");
  std::string format = "jsonl";
  auto* exportc = audit->add_subcommand("export", "export the trail");
  exportc->add_option("--format", format, "jsonl or csv");

  CertificateQuery cert_query;
  auto* certs = app.add_subcommand("certificates", "list certificates");
  certs->add_option("--state", cert_query.state);
  certs->add_option("--expiring-within", cert_query.expiring_within_days, "days")
      ->check(CLI::NonNegativeNumber);
  certs->add_option("--unit", cert_query.unit);
  certs->add_option("--stars", cert_query.stars);

  std::string print_id, print_output, print_base_url;
  auto* cert_cmd = app.add_subcommand("certificate", "one certificate: its QR code and printable sheet");
  cert_cmd->require_subcommand(1);
  auto* cert_qr = cert_cmd->add_subcommand(
      "qr", "write the QR code of the certificate's public verification page (PNG or SVG, by --output's extension)");
  auto* cert_pdf = cert_cmd->add_subcommand(
      "pdf", "write the printable certificate (giấy chứng nhận, A4 PDF in Vietnamese) with its QR code");
  for (auto* c : {cert_qr, cert_pdf}) {
    c->add_option("id", print_id, "the certificate's id (ocop certificates)")->required();
    c->add_option("--output", print_output, "the file to write")->required();
    c->add_option("--base-url", print_base_url,
                  "the public address of `ocop serve` (https://HOST); default: province.public_url");
  }

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
  std::string report_format = "text", report_output;
  int report_expiring_days = 90;
  report->add_option("--format", report_format,
                     "text (default), xlsx (the offices' spreadsheet) or pdf (the yearly report with its charts); "
                     "xlsx and pdf need --output");
  report->add_option("--output", report_output, "the .xlsx or .pdf file to write (replaced whole)");
  report->add_option("--expiring-days", report_expiring_days,
                     "xlsx, pdf: list certificates in force that end within this many days (default 90)")
      ->check(CLI::Range(0, 3650));

  ActivityQuery activity_query;
  auto* activities = app.add_subcommand("activities", "promotion activities (fairs, points of sale) with their booths");
  activities->add_option("--state", activity_query.state);
  activities->add_option("--year", activity_query.year, "the year the activity starts")->check(CLI::Range(1900, 2999));
  activities->add_option("--unit", activity_query.unit, "organised by that unit or below");
  std::string activity_id;
  auto* activity = app.add_subcommand("activity", "one promotion activity: its participations and totals");
  activity->add_option("id", activity_id)->required();

  InspectionQuery inspection_query;
  auto* inspections = app.add_subcommand("inspections", "inspections after recognition (hậu kiểm)");
  inspections->require_subcommand(0, 1);
  inspections->add_option("--state", inspection_query.state);
  inspections->add_option("--year", inspection_query.year, "the year of `due`")->check(CLI::Range(1900, 2999));
  inspections->add_option("--unit", inspection_query.unit, "products of that unit or below");
  InspectionPlanRequest plan_request;
  std::string plan_due;
  auto* inspections_plan = inspections->add_subcommand(
      "plan", "plan a round: in each unit, the oldest PERCENT of its certificates in force not inspected lately");
  inspections_plan->add_option("--actor", plan_request.actor)->required();
  inspections_plan->add_option("--year", plan_request.year)->required()->check(CLI::Range(1900, 2999));
  inspections_plan->add_option("--share", plan_request.share, "percent of each unit's certificates in force")
      ->required();
  inspections_plan->add_option("--due", plan_due, "the inspections' due date YYYY-MM-DD")->required();

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

  ServeArgs serve_args;
  auto* serve = app.add_subcommand("serve", "the HTTP service (API under /api/v1; docs/operations.md)");
  serve->add_option("--listen", serve_args.o.listen, "HOST:PORT to listen on, an IP address (default 127.0.0.1:8080)");
  serve->add_flag("--allow-remote", serve_args.o.allow_remote,
                  "listen on an address that is not loopback (TLS belongs to a proxy in front)");
  serve->add_option("--origin", serve_args.o.origins,
                    "an origin (https://host) allowed to send unsafe requests with the session cookie; "
                    "default: the request's Host");
  serve->add_option("--web", serve_args.o.web_dir,
                    "the web application's built directory (docs/web.md); default: $OCOP_WEB_DIR, else web/ "
                    "beside this executable when built; --web '' serves the API only");
  serve_args.o.web_dir = http::default_web_dir();
  serve->add_option("--readers", serve_args.o.readers, "reader threads (default 2)")->check(CLI::Range(1, 64));
  serve->add_option("--max-connections", serve_args.o.max_connections, "open connections (default 512)")
      ->check(CLI::Range(1, 100000));
  serve->add_option("--max-queue", serve_args.o.max_queue, "requests waiting per pool before 503 (default 256)")
      ->check(CLI::Range(1, 100000));
  serve->add_option("--max-header-bytes", serve_args.o.max_header_bytes, "request line and headers (default 16384)")
      ->check(CLI::Range(1024, 1 << 20));
  serve->add_option("--max-body-bytes", serve_args.o.max_body_bytes,
                    "a JSON body (default 1052672); uploads: documents.max_bytes")
      ->check(CLI::Range(1024, 64 << 20));
  serve->add_option("--read-timeout-ms", serve_args.o.read_timeout_ms,
                    "a request must arrive whole within this of its first byte (default 10000)")
      ->check(CLI::Range(100, 600000));
  serve->add_option("--idle-timeout-ms", serve_args.o.idle_timeout_ms,
                    "a kept-alive connection without a request is closed after this (default 60000)")
      ->check(CLI::Range(100, 3600000));
  serve->add_option("--group-commit", serve_args.o.max_group,
                    "events that arrive while a commit runs share the next one, at most N (default 64; 1: "
                    "one transaction per event)")
      ->check(CLI::Range(1, 10000));
  serve->add_option("--public-rate", serve_args.o.public_rate_per_minute,
                    "requests a minute each client address may make to the public pages and API (/verify, "
                    "/api/v1/public; default 60; 0: no limit)")
      ->check(CLI::Range(0, 1000000));
  serve->add_flag("--scheduler", serve_args.o.scheduler.enabled,
                  "run tick and deliver on an interval while this process holds the database's scheduler lease "
                  "(one process of all those sharing the database at a time)");
  serve->add_option("--tick-every", serve_args.tick_every, "with --scheduler: how often to tick (default 1h)");
  serve->add_option("--tick-from", serve_args.tick_from,
                    "with --scheduler: no tick before this time of day, HH:MM in the province's zone (default 06:00)");
  serve->add_option("--deliver-every", serve_args.deliver_every,
                    "with --scheduler: how often to send due notifications (default 1m)");
  serve->add_option("--lease-retry", serve_args.lease_retry,
                    "with --scheduler: how often a process without the lease asks for it, and the holder checks "
                    "it (default 10s)");
  serve->add_flag("--print-routes", serve_args.print_routes, "print the route table and exit");

  // Accounts (ocop/accounts.hpp; docs/operations.md "Sign-in").
  std::string acct_user, acct_actor, login_code, login_address, token_note, token_id;
  int token_days = 0;
  auto* user_cmd = app.add_subcommand("user", "accounts: passwords, invitations, second factor, sessions");
  user_cmd->require_subcommand(1);
  auto* user_password =
      user_cmd->add_subcommand("password", "set a user's password, read from stdin (no echo on a terminal)");
  user_password->add_option("user", acct_user)->required();
  auto* user_invite = user_cmd->add_subcommand("invite", "print a one-time secret with which USER sets a password");
  user_invite->add_option("user", acct_user)->required();
  auto* user_accept = user_cmd->add_subcommand(
      "accept-invitation", "set a password with an invitation: the secret, then the password, on stdin");
  auto* user_totp = user_cmd->add_subcommand("totp", "enrol USER's second factor: prints an otpauth:// URI once");
  user_totp->add_option("user", acct_user)->required();
  auto* user_signout = user_cmd->add_subcommand("signout", "end every session of USER (sign out everywhere)");
  user_signout->add_option("user", acct_user)->required();
  auto* user_login = user_cmd->add_subcommand(
      "login", "sign in as the service does (password on stdin); prints the new session's id");
  user_login->add_option("user", acct_user)->required();
  user_login->add_option("--code", login_code, "the 6-digit TOTP code, for users who need one");
  user_login->add_option("--address", login_address, "the client's address (throttling)");
  auto* user_session = user_cmd->add_subcommand("session", "whose is the session id on stdin (refreshes it)");
  auto* user_demo = user_cmd->add_subcommand(
      "demo-passwords", "simulation databases only: every configured user gets the demo password");
  for (auto* c : {user_password, user_invite, user_totp, user_signout, user_demo})
    c->add_option("--actor", acct_actor, "who does it, for the audit trail (default cli:LOGIN)");

  auto* token_cmd = app.add_subcommand("token", "API tokens for integrations");
  token_cmd->require_subcommand(1);
  auto* token_create = token_cmd->add_subcommand("create", "create a token for USER; prints it once");
  token_create->add_option("user", acct_user)->required();
  token_create->add_option("--expires", token_days, "days until it expires")->required();
  token_create->add_option("--note", token_note, "what it is for");
  auto* token_list = token_cmd->add_subcommand("list", "tokens (of USER): id, state, dates, note; never the secret");
  token_list->add_option("user", acct_user);
  auto* token_revoke = token_cmd->add_subcommand("revoke", "revoke a token by its id");
  token_revoke->add_option("id", token_id)->required();
  for (auto* c : {token_create, token_revoke})
    c->add_option("--actor", acct_actor, "who does it, for the audit trail (default cli:LOGIN)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    if (rc != 0 && o.json_out) std::cout << dump(views::error_json(Status::BadInput(e.what()))) << "\n";
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
    if (*list) return cmd_list(o, filter);
    if (*history) return cmd_history(o, hist_id);
    if (*migrate) return cmd_migrate(o, plan_path, migrate_actor, migrate_dry);
    if (*import) return cmd_import(o, import_file, batch);
    if (*backup) return cmd_backup(o, backup_dest);
    if (*restore) return cmd_restore(o, restore_src);
    if (*archive) return cmd_archive(o, archive_until, archive_dest);
    if (*verify) return cmd_audit_verify(o, anchor, verify_archives);
    if (*exportc) return cmd_audit_export(o, format);
    if (*certs) return cmd_certificates(o, cert_query);
    if (*cert_qr) return cmd_certificate_print(o, false, print_id, print_output, print_base_url);
    if (*cert_pdf) return cmd_certificate_print(o, true, print_id, print_output, print_base_url);
    if (*product_show) return cmd_product_show(o, product_arg, product_producer);
    if (*report) return cmd_report(o, report_format, report_output, report_expiring_days);
    if (*activities) return cmd_activities(o, activity_query);
    if (*activity) return cmd_activity(o, activity_id);
    if (*inspections_plan) return cmd_inspections_plan(o, plan_request, plan_due);
    if (*inspections) return cmd_inspections(o, inspection_query);
    if (*tick) return cmd_tick(o, tick_dry);
    if (*cycle_show) return cmd_cycle_show(o, cycle_year);
    if (*deliver) return cmd_deliver(o, deliver_limit);
    if (*outbox_retry) return cmd_outbox_retry(o, retry_id);
    if (*outbox) return cmd_outbox(o, outbox_state, outbox_limit);
    if (*serve) return cmd_serve(o, std::move(serve_args));
    if (*user_password) return cmd_user_password(o, acct_user, acct_actor);
    if (*user_invite) return cmd_user_invite(o, acct_user, acct_actor);
    if (*user_accept) return cmd_user_accept(o);
    if (*user_totp) return cmd_user_totp(o, acct_user, acct_actor);
    if (*user_signout) return cmd_user_signout(o, acct_user, acct_actor);
    if (*user_login) return cmd_user_login(o, acct_user, login_code, login_address);
    if (*user_session) return cmd_user_session(o);
    if (*user_demo) return cmd_user_demo_passwords(o, acct_actor);
    if (*token_create) return cmd_token_create(o, acct_user, token_days, token_note, acct_actor);
    if (*token_list) return cmd_token_list(o, acct_user);
    if (*token_revoke) return cmd_token_revoke(o, token_id, acct_actor);
  } catch (const std::exception& e) {
    return fail(o, Status::Internal(e.what()));
  }
  return 2;
}
