// A real database, the synthetic province of tests/data/config/gen_workload.yaml, the MSM
// lifecycle and a fixed clock. The database is a SQLite file in a temporary directory, or,
// with OCOP_TEST_BACKEND=postgresql, a fresh PostgreSQL database created for the test (and
// dropped after it) on the server OCOP_TEST_POSTGRES names (scripts/with-postgres.sh starts a
// throwaway one). CTest runs the suite both ways (integration, integration_postgresql); the
// PostgreSQL run exits 77 (skipped) when no server is given.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

#include "activity_machine.hpp"
#include "certificate_machine.hpp"
#include "inspection_machine.hpp"
#include "participation_machine.hpp"
#include "config/yaml_config.hpp"
#include "views/json_views.hpp"
#include "cycle_machine.hpp"
#include "dossier_machine.hpp"
#include "ocop/app.hpp"
#include "ocop/audit.hpp"
#include "ocop/executor.hpp"
#include "store/soci_store.hpp"

namespace ocop::testing {

inline std::filesystem::path temp_dir() {
  std::random_device rd;
  auto p = std::filesystem::temp_directory_path() / ("ocop-test-" + std::to_string(rd()));
  std::filesystem::create_directories(p);
  return p;
}

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The CLI's operator: every read sees everything (ocop/read_scope.hpp).
inline const ReadScope kOperator = ReadScope::unrestricted();

inline bool postgresql_backend() { return env("OCOP_TEST_BACKEND") == "postgresql"; }

// The server URL with another database name.
inline std::string with_database(const std::string& server_url, const std::string& name) {
  std::string base = server_url, query;
  if (auto q = base.find('?'); q != std::string::npos) {
    query = base.substr(q);
    base.resize(q);
  }
  auto slash = base.find('/', base.find("://") + 3);
  if (slash != std::string::npos) base.resize(slash);
  return base + "/" + name + query;
}

// The URL of a new, empty database: a SQLite file in `dir`, or a PostgreSQL database
// (`pg_name` receives its name, to drop it afterwards).
inline std::string fresh_database(const std::filesystem::path& dir, std::string& pg_name) {
  if (!postgresql_backend()) return "sqlite:" + (dir / "ocop.db").string();
  std::random_device rd;
  pg_name = "ocop_t_" + std::to_string(rd()) + std::to_string(rd() % 1000);
  const std::string server = env("OCOP_TEST_POSTGRES");
  store::open(server)->exec("CREATE DATABASE " + pg_name);
  return with_database(server, pg_name);
}

inline void drop_database(const std::string& pg_name) {
  if (pg_name.empty()) return;
  try {
    store::open(env("OCOP_TEST_POSTGRES"))->exec("DROP DATABASE IF EXISTS " + pg_name + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "warning: could not drop test database " << pg_name << ": " << e.what() << "\n";
  }
}

// The PostgreSQL run skips (CTest's SKIP_RETURN_CODE 77) when no server is given.
struct BackendCheck {
  BackendCheck() {
    if (postgresql_backend() && env("OCOP_TEST_POSTGRES").empty()) {
      std::cout << "SKIP: OCOP_TEST_BACKEND=postgresql but OCOP_TEST_POSTGRES is not set\n";
      std::exit(77);
    }
  }
};

struct Db {
  std::filesystem::path dir = temp_dir();
  std::string pg_name;
  std::string url = fresh_database(dir, pg_name);
  Config config;
  std::unique_ptr<Lifecycle> lifecycle = workflows::make_dossier_lifecycle();
  std::unique_ptr<CertificateLifecycle> certificates = workflows::make_certificate_lifecycle();
  std::unique_ptr<ActivityLifecycle> activities = workflows::make_activity_lifecycle();
  std::unique_ptr<ParticipationLifecycle> participations = workflows::make_participation_lifecycle();
  std::unique_ptr<InspectionLifecycle> inspections = workflows::make_inspection_lifecycle();
  AfterRecognition after{*activities, *participations, *inspections};
  std::unique_ptr<store::SociStore> store;
  FixedClock clock{*parse_instant("2026-03-02T08:00:00+07:00", 420)};
  std::unique_ptr<Executor> ex;

  explicit Db(const std::string& config_file = std::string(OCOP_SOURCE_DIR) +
                                               "/tests/data/config/gen_workload.yaml") {
    auto r = config::load_file(config_file);
    BOOST_REQUIRE_MESSAGE(r.ok(),
                          "the test configuration loads: " + (r.ok() ? "" : r.problems[0].to_string()));
    config = std::move(r.config);
    store = store::open(url);
    store->migrate();
    ex = std::make_unique<Executor>(config, *lifecycle, *certificates, *store, clock);
    ex->set_after_recognition(&after);
  }
  ~Db() {
    ex.reset();
    store.reset();
    drop_database(pg_name);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  bool postgresql() const { return !pg_name.empty(); }

  // An event's result as the CLI's --json prints it (adapters/views).
  nlohmann::json view(const FireResult& r) const { return views::fire_json(r, config); }

  FireResult fire(const std::string& event, const std::string& dossier, const std::string& actor,
                  nlohmann::json data = nlohmann::json::object(), const std::string& key = "") {
    EventRequest req;
    req.event = event;
    req.dossier = dossier;
    req.actor = actor;
    req.data = std::move(data);
    req.key = key;
    clock.set(Instant{clock.now().seconds + 3600});
    return ex->fire(req);
  }

  std::int64_t audit_count() { return store->audit_head().seq; }

  // The chain and every dossier's version against its records, as `ocop audit verify` checks them.
  bool verify(std::string* why = nullptr) {
    auto cycles = workflows::make_cycle_lifecycle();
    Application app(config, *store, Workflows{*lifecycle, *certificates, *cycles, &after}, clock);
    AuditVerification v = app.audit_verify(kOperator, "");
    if (why && !(v.status.ok() && v.valid)) *why = v.status.ok() ? v.problem : v.status.message();
    return v.status.ok() && v.valid;
  }
};

inline nlohmann::json doc(const std::string& kind) {
  return {{"kind", kind}, {"name", kind + ".pdf"}, {"sha256", sha256_hex(kind)}, {"bytes", 1234}};
}

// The ids of a list of dossiers, in its order.
inline std::vector<std::string> dossier_ids(const std::vector<Dossier>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.id);
  return out;
}

inline nlohmann::json new_product(const std::string& id, const std::string& unit = "BX-C0001") {
  return {{"id", id},
          {"product", "Chè Shan tuyết Cao Bồ"},
          {"product_set", "tea"},
          {"producer", "HTX Chè Cao Bồ"},
          {"unit", unit}};
}

// Takes a dossier straight to `under_review` at the province council.
inline void to_province_review(Db& db, const std::string& id, const std::string& unit = "BX-C0001") {
  std::string officer = "officer." + std::string(unit == "BX-C0001" ? "bx-c0001" : "bx-c0002");
  std::string producer = "producer." + std::string(unit == "BX-C0001" ? "bx-c0001" : "bx-c0002");
  auto data = new_product(id, unit);
  data["registration_type"] = "new";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  BOOST_REQUIRE(db.fire("register", "", producer, data).status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, officer).status.ok());
  BOOST_REQUIRE(db.fire("assess", id, officer, {{"locality", {{"origin", 2}}}}).status.ok());
  BOOST_REQUIRE(db.fire("forward", id, officer).status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "coordinator", {{"round", "2026-1"}}).status.ok());
}

// The province's spring fair: plan_activity's data, organised by BX.
inline nlohmann::json fair(int booths = 3) {
  return {{"name", "Hội chợ OCOP tỉnh mùa xuân 2026"},
          {"kind", "fair"},
          {"unit", "BX"},
          {"venue", "Quảng trường tỉnh"},
          {"registration_opens", "2026-04-01"},
          {"registration_closes", "2026-04-20"},
          {"starts", "2026-05-01"},
          {"ends", "2026-05-05"},
          {"booths", booths},
          {"booth_fee_vnd", 4000000},
          {"support_percent", 50},
          {"support_cap_vnd", 3000000}};
}

inline void score_all(Db& db, const std::string& id, double a, double b, double c, int members = 5,
                      const std::string& prefix = "member.") {
  for (int i = 1; i <= members; ++i)
    BOOST_REQUIRE(
        db.fire("score", id, prefix + std::to_string(i), {{"A", a}, {"B", b}, {"C", c}}).status.ok());
}

}  // namespace ocop::testing
