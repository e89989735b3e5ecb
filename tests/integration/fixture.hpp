// A real SQLite database in a temporary directory, the synthetic province of
// tests/data/config/gen_workload.yaml, the MSM lifecycle and a fixed clock.
#pragma once

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <random>

#include "certificate_machine.hpp"
#include "config/yaml_config.hpp"
#include "dossier_machine.hpp"
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

struct Db {
  std::filesystem::path dir = temp_dir();
  std::string url = "sqlite:" + (dir / "ocop.db").string();
  Config config;
  std::unique_ptr<Lifecycle> lifecycle = workflows::make_dossier_lifecycle();
  std::unique_ptr<CertificateLifecycle> certificates = workflows::make_certificate_lifecycle();
  std::unique_ptr<store::SociStore> store;
  FixedClock clock{*parse_instant("2026-03-02T08:00:00+07:00", 420)};
  std::unique_ptr<Executor> ex;

  explicit Db(const std::string& config_file = std::string(OCOP_SOURCE_DIR) + "/tests/data/config/gen_workload.yaml") {
    auto r = config::load_file(config_file);
    BOOST_REQUIRE_MESSAGE(r.ok(), "the test configuration loads: " + (r.ok() ? "" : r.problems[0].to_string()));
    config = std::move(r.config);
    store = store::open(url);
    store->migrate();
    ex = std::make_unique<Executor>(config, *lifecycle, *certificates, *store, clock);
  }
  ~Db() {
    ex.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

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

  bool verify(std::string* why = nullptr) {
    ChainVerifier v;
    store->scan_audit([&](const AuditRecord& r) { return v.feed(r); });
    if (why && v.failure()) *why = *v.failure();
    if (v.ok()) {
      auto m = store->version_mismatches(1);
      if (!m.empty()) {
        if (why) *why = m.front();
        return false;
      }
    }
    return v.ok();
  }
};

inline nlohmann::json doc(const std::string& kind) {
  return {{"kind", kind}, {"name", kind + ".pdf"}, {"sha256", sha256_hex(kind)}, {"bytes", 1234}};
}

inline nlohmann::json new_product(const std::string& id, const std::string& unit = "BX-C0001") {
  return {{"id", id}, {"product", "Chè Shan tuyết Cao Bồ"}, {"product_set", "tea"},
          {"producer", "HTX Chè Cao Bồ"}, {"unit", unit}};
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

inline void score_all(Db& db, const std::string& id, double a, double b, double c, int members = 5,
                      const std::string& prefix = "member.") {
  for (int i = 1; i <= members; ++i)
    BOOST_REQUIRE(db.fire("score", id, prefix + std::to_string(i), {{"A", a}, {"B", b}, {"C", c}}).status.ok());
}

}  // namespace ocop::testing
