// `ocop migrate`: plans are checked before anything moves; each dossier moves in its own
// transaction with an audit record naming the plan and its reason (engine/ocop/migration.hpp).
#include "config/yaml_config.hpp"
#include "fixture.hpp"
#include "ocop/migration.hpp"

using namespace ocop;
using nlohmann::json;
using ocop::testing::Db;

namespace {

const std::string kHistory = std::string(OCOP_SOURCE_DIR) + "/tests/data/config/history.yaml";
const std::string kReform = std::string(OCOP_SOURCE_DIR) + "/config/plans/reform-2025-07-01.yaml";

// A dossier of Việt Quang registered in June 2025 (R148), forwarded to the district.
void at_district(Db& db, const std::string& id) {
  db.clock.set(*parse_instant("2025-06-02T08:00:00+07:00", 420));
  BOOST_REQUIRE(db.fire("register", "", "producer.vietquang",
                        {{"id", id},
                         {"product", "Chè " + id},
                         {"product_set", "tea"},
                         {"producer", "HTX"},
                         {"unit", "HG-BQ-VIETQUANG"},
                         {"registration_type", "new"}})
                    .status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "officer.vietquang").status.ok());
  BOOST_REQUIRE(db.fire("forward", id, "officer.vietquang").status.ok());
}

MigrationPlan reform() {
  auto r = config::load_plan_file(kReform);
  BOOST_REQUIRE_MESSAGE(r.ok(), "the sample plan loads");
  return r.plan;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(migration)

BOOST_AUTO_TEST_CASE(a_malformed_plan_reports_every_problem_with_its_line) {
  auto r = config::load_plan_file(std::string(OCOP_SOURCE_DIR) + "/tests/data/plans/invalid.yaml");
  BOOST_REQUIRE(!r.ok());
  std::string all;
  for (const auto& p : r.problems) all += p.to_string() + "\n";
  BOOST_TEST_MESSAGE(all);
  for (const char* want :
       {"invalid.yaml:1: id: ", "must not contain spaces", "reason: ", "invalid.yaml:4: filter.states[0]",
        "invalid.yaml:4: filter.years[0]", "invalid.yaml:7: map[1].to_level: required key",
        "invalid.yaml:8: map[2].level", "invalid.yaml:8: map[2].extra: unknown key"})
    BOOST_CHECK_MESSAGE(all.find(want) != std::string::npos, "reported: " << want);
  auto empty = config::load_plan_string("", "empty.yaml");
  BOOST_TEST(!empty.ok());
  auto missing = config::load_plan_file("/nonexistent/plan.yaml");
  BOOST_TEST(missing.problems.at(0).to_string().find("cannot open") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_plan_that_does_not_fit_the_configuration_moves_nothing) {
  Db db(kHistory);
  at_district(db, "D1");
  auto r = config::load_plan_string(R"(id: p
reason: "thử"
from_rule_set: R148
to_rule_set: R999
map:
  - {state: submitted, level: district, to_state: scored, to_level: commune}
  - {state: submitted, level: district, to_state: submitted, to_level: province}
  - {state: recognized, level: district, to_state: submitted, to_level: province}
)",
                                    "p.yaml");
  BOOST_REQUIRE(r.ok());
  db.clock.set(*parse_instant("2025-07-02T08:00:00+07:00", 420));
  Migrator m(db.config, *db.store, db.clock);
  auto rep = m.run(r.plan, "coordinator.tq", false);
  BOOST_TEST(rep.status.exit_code() == 2);
  std::string all;
  for (const auto& p : rep.problems) all += p + "\n";
  BOOST_TEST_MESSAGE(all);
  BOOST_TEST(all.find("to_rule_set: \"R999\" is not a configured rule set") != std::string::npos);
  BOOST_TEST(all.find("p.yaml:7: state: submitted@district is mapped twice (also at line 6)") !=
             std::string::npos);
  BOOST_TEST(all.find("p.yaml:8: to_state: recognized maps only to recognized") != std::string::npos);
  BOOST_TEST(db.store->load_dossier("D1")->version == 3);

  // to a screening level, `scored` cannot be a target
  auto s = config::load_plan_string(R"(id: p2
reason: "thử"
from_rule_set: R148
to_rule_set: R148_1489
map: [{state: submitted, level: district, to_state: scored, to_level: commune}]
)",
                                    "p2.yaml");
  auto rep2 = m.run(s.plan, "coordinator.tq", false);
  BOOST_TEST(rep2.status.exit_code() == 2);
  BOOST_TEST(rep2.problems.at(0).find("p2.yaml:5: to_state: scored needs a council level") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_dry_run_writes_nothing_and_a_run_records_the_plan) {
  Db db(kHistory);
  at_district(db, "D1");
  at_district(db, "D2");
  const auto records = db.audit_count();
  db.clock.set(*parse_instant("2025-07-02T08:00:00+07:00", 420));
  Migrator m(db.config, *db.store, db.clock);
  auto dry = m.run(reform(), "coordinator.tq", true);
  BOOST_REQUIRE(dry.status.ok());
  BOOST_TEST(dry.moves.size() == 2u);
  BOOST_TEST(dry.moves[0].to_level == "province");
  BOOST_TEST(dry.moves[0].version == 0);
  BOOST_TEST(db.audit_count() == records);
  BOOST_TEST(db.store->load_dossier("D1")->level == "district");

  auto run = m.run(reform(), "coordinator.tq", false);
  BOOST_REQUIRE(run.status.ok());
  BOOST_TEST(run.moves.size() == 2u);
  BOOST_TEST(db.audit_count() == records + 2);
  auto d = *db.store->load_dossier("D1");
  BOOST_TEST(d.rule_set == "R148_1489");
  BOOST_TEST(d.level == "province");
  BOOST_TEST(d.level_index == 1);
  BOOST_TEST(d.version == 4);
  BOOST_TEST(d.state_since.seconds == db.clock.now().seconds);
  const AuditRecord last = db.store->history("D1").back();
  BOOST_TEST(last.event == "migrate");
  BOOST_TEST(last.actor == "coordinator.tq");
  BOOST_TEST(last.role == "coordinator");
  BOOST_TEST(last.from_state == "submitted");
  BOOST_TEST(last.level == "province");
  json data = json::parse(last.data);
  BOOST_TEST(data["plan"] == "reform-2025-07-01");
  BOOST_TEST(data["from_level"] == "district");
  BOOST_TEST(data["to_rule_set"] == "R148_1489");
  BOOST_TEST(data["reason"].get<std::string>().find("Bỏ cấp huyện") == 0u);
  std::string why;
  BOOST_TEST(db.verify(&why), why);
  // Nothing is moved twice.
  auto again = m.run(reform(), "coordinator.tq", false);
  BOOST_TEST(again.status.ok());
  BOOST_TEST(again.moves.empty());
  BOOST_TEST(db.audit_count() == records + 2);
}

BOOST_AUTO_TEST_CASE(an_actor_without_authority_over_a_dossier_refuses_the_whole_plan) {
  Db db(kHistory);
  at_district(db, "D1");
  db.clock.set(*parse_instant("2025-06-20T08:00:00+07:00", 420));
  Migrator m(db.config, *db.store, db.clock);
  // Before the reform, the district's coordinator cannot migrate (no such role) and Tuyên
  // Quang's has no authority over Hà Giang's communes yet.
  auto r = m.run(reform(), "coordinator.tq", false);
  BOOST_TEST(r.status.exit_code() == 6);
  BOOST_TEST(r.problems.at(0).find("unit HG-BQ-VIETQUANG is outside coordinator.tq's scope") !=
             std::string::npos);
  BOOST_TEST(m.run(reform(), "nobody", false).status.exit_code() == 2);
  BOOST_TEST(db.store->load_dossier("D1")->version == 3);
  // firing `migrate` as an event is refused as bad input
  BOOST_TEST(db.fire("migrate", "D1", "coordinator.tq").status.exit_code() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
