// The YAML configuration loader (spec §5): a valid file gives the expected model; every kind of
// mistake is reported with its file, line and key, all of them in one run.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_config.hpp"
#include "ocop/config.hpp"

using namespace ocop;
using ocop::config::LoadResult;
using ocop::config::Problem;

namespace {

const std::string kData = std::string(OCOP_SOURCE_DIR) + "/tests/data/config/";

// A minimal valid configuration; the tests below change one line of it (numbers on the right).
const std::string kBase = R"(province: {code: HG, name: "Hà Giang", timezone: Asia/Ho_Chi_Minh}
units:
  - {code: VN, name: "Trung ương", level: central}
  - {code: HG, name: "Hà Giang", level: province, parent: VN}
  - {code: HG-BQ, name: "Bắc Quang", level: district, parent: HG, valid_to: 2025-06-30}
  - {code: HG-VQ, name: "Việt Quang", level: commune, parent: HG-BQ}
users:
  - {id: lan, name: "Nguyễn Thị Lan", roles: [coordinator], unit: HG}
  - {id: minh, name: "Hoàng Văn Minh", roles: [screener], unit: HG-VQ}
roles:
  coordinator: [submit_idea, register, forward]
  screener: [accept_idea, return_idea, assess]
rule_sets:
  - id: R148_1489
    effective_from: 2025-07-06
    parts: {A: 40, B: 25, C: 35}
    stars: [{stars: 1, min: 0}, {stars: 2, min: 30}, {stars: 3, min: 50}, {stars: 4, min: 70}, {stars: 5, min: 90}]
    levels:
      - {level: commune, kind: screen}
      - {level: province, kind: council, quorum: 5, recognizes: [3, 4], forward_min: 90}
      - {level: central, kind: council, quorum: 5, recognizes: [5]}
calendar:
  weekend: [sat, sun]
  holidays: [2026-02-16, 2026-02-17]
reminders:
  - {id: stalled, kind: stalled, state: submitted, after_days: 10}
  - {id: cutoff, kind: before_milestone, milestone: round_cutoff, days_before: 7}
)";
//  1 province   2 units   3 VN   4 HG   5 HG-BQ   6 HG-VQ   7 users   8 lan   9 minh   10 roles
// 11 coordinator   12 screener   13 rule_sets   14 id   15 effective_from   16 parts   17 stars
// 18 levels   19 commune   20 province   21 central   22 calendar   23 weekend   24 holidays
// 25 reminders   26 stalled   27 cutoff

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}
std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}
// kBase with line `n` (1-based) replaced by `text` (which may hold several lines).
std::string with_line(int n, const std::string& text) {
  auto lines = lines_of(kBase);
  lines.at(static_cast<size_t>(n - 1)) = text;
  return joined(lines);
}
// kBase with lines `from`..`to` (1-based, inclusive) replaced by `text`.
std::string with_lines(int from, int to, const std::string& text) {
  auto lines = lines_of(kBase);
  lines.erase(lines.begin() + (from - 1), lines.begin() + to);
  lines.insert(lines.begin() + (from - 1), text);
  return joined(lines);
}
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}
std::string with_inserted(int after, const std::string& text) {
  auto lines = lines_of(kBase);
  lines.insert(lines.begin() + after, text);
  return joined(lines);
}

LoadResult load(const std::string& text) { return config::load_string(text, "test.yaml"); }

std::string dump(const LoadResult& r) {
  std::string s;
  for (const auto& p : r.problems) s += "\n  " + p.to_string();
  return s;
}

// The only problem is at `line`, under `key`, and its message contains `message`.
void expect_one(const LoadResult& r, int line, const std::string& key, const std::string& message) {
  BOOST_TEST_INFO("problems:" << dump(r));
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  const Problem& p = r.problems[0];
  BOOST_TEST(p.file == "test.yaml");
  BOOST_TEST(p.line == line);
  BOOST_TEST(p.key == key);
  BOOST_TEST(p.message.find(message) != std::string::npos, "message: " << p.message);
}

bool has_problem(const LoadResult& r, int line, const std::string& key, const std::string& message) {
  return std::any_of(r.problems.begin(), r.problems.end(), [&](const Problem& p) {
    return p.line == line && p.key == key && p.message.find(message) != std::string::npos;
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_loader)

// --- valid files ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_minimal_base_is_valid) {
  auto r = load(kBase);
  BOOST_TEST(r.ok(), dump(r));
  BOOST_TEST(r.config.source == "test.yaml");
  BOOST_TEST(r.config.units().size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_valid_file_loads_with_the_expected_content) {
  const std::string path = kData + "valid.yaml";
  auto r = config::load_file(path);
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  const Config& c = r.config;
  BOOST_TEST(c.source == path);

  BOOST_TEST(c.province.code == "HG");
  BOOST_TEST(c.province.name == "Hà Giang");
  BOOST_TEST(c.province.utc_offset_minutes == 420);

  // Units: indexed, Vietnamese names byte for byte, validity and successors.
  BOOST_TEST(c.units().size() == 7u);
  const Unit* xa = c.unit("HG-XA");
  BOOST_REQUIRE(xa);
  BOOST_TEST(xa->name == "Xã Tân Quang");
  BOOST_TEST(xa->parent == "HG-BQ");
  BOOST_TEST(xa->successor == "TQ-VIETQUANG");
  BOOST_TEST(format_date(*xa->valid_to) == "2025-06-30");
  BOOST_TEST(!xa->valid_from.has_value());
  BOOST_TEST(static_cast<int>(xa->level) == static_cast<int>(UnitLevel::commune));
  const Unit* tq = c.unit("TQ-VIETQUANG");
  BOOST_REQUIRE(tq);
  BOOST_TEST(tq->name == "Vi\xe1\xbb\x87t Quang");  // "Việt Quang" in UTF-8
  BOOST_TEST(tq->valid_on(*parse_date("2025-07-01")));
  BOOST_TEST(!tq->valid_on(*parse_date("2025-06-30")));
  BOOST_TEST(c.unit("HG-BQ")->email == "ocop.bacquang@example.vn");  // on a continuation line
  BOOST_TEST(c.unit("NOPE") == nullptr);

  // Users: their event masks are the union of their roles' events.
  const User* producer = c.user("producer.1");
  BOOST_REQUIRE(producer);
  BOOST_TEST((producer->events & event_bit(Event::register_)) != 0u);
  BOOST_TEST((producer->events & event_bit(Event::submit_idea)) != 0u);
  BOOST_TEST((producer->events & event_bit(Event::accept_idea)) == 0u);
  const User* officer = c.user("officer.vietquang");
  BOOST_REQUIRE(officer);
  BOOST_TEST(officer->events == (c.roles.at("screener") | c.roles.at("coordinator")));
  BOOST_TEST((officer->events & event_bit(Event::assess)) != 0u);
  BOOST_TEST(c.user("auditor")->events == 0u);
  BOOST_TEST(c.user("auditor")->name.empty());
  BOOST_TEST(c.user("lan.nguyen")->name == "Nguyễn Thị Lan");
  BOOST_TEST(c.roles.at("producer") ==
             (event_bit(Event::submit_idea) | event_bit(Event::resubmit_idea) |
              event_bit(Event::submit_plan) | event_bit(Event::resubmit_plan) | event_bit(Event::register_) |
              event_bit(Event::resubmit) | event_bit(Event::withdraw) | event_bit(Event::attach) |
              event_bit(Event::annotate)));

  BOOST_TEST(c.product_sets.size() == 2u);
  BOOST_TEST(c.product_sets.at("tea").group == "food");
  BOOST_TEST(c.product_sets.at("tea").name == "Chè và các sản phẩm từ chè");
  BOOST_TEST(c.document_kinds.at("registration_form") == "Phiếu đăng ký");

  // Rule sets: sorted by effective_from although the file lists the newest first.
  BOOST_REQUIRE_EQUAL(c.rule_sets.size(), 3u);
  BOOST_TEST(c.rule_sets[0].id == "R1048");
  BOOST_TEST(c.rule_sets[1].id == "R148");
  BOOST_TEST(c.rule_sets[2].id == "R148_1489");
  BOOST_TEST(c.rule_set_on(*parse_date("2024-01-01"))->id == "R148");
  BOOST_TEST(c.rule_set_on(*parse_date("2025-07-06"))->id == "R148_1489");
  BOOST_TEST(c.rule_set_on(*parse_date("2019-01-01")) == nullptr);
  const RuleSet& r1048 = *c.rule_set("R1048");
  BOOST_TEST(r1048.parts[0] == 35);
  BOOST_TEST(r1048.parts[2] == 40);
  BOOST_TEST(static_cast<int>(r1048.rounding) == static_cast<int>(Rounding::half_up));
  BOOST_TEST(format_date(*r1048.effective_to) == "2023-02-23");
  BOOST_REQUIRE_EQUAL(r1048.levels.size(), 3u);
  BOOST_TEST(*r1048.levels[0].forward_min == 50);
  BOOST_TEST(r1048.levels[0].recognizes.empty());
  const RuleSet& now = *c.rule_set("R148_1489");
  BOOST_TEST(now.stars.size() == 5u);
  BOOST_TEST(now.stars[3].stars == 4);
  BOOST_TEST(now.stars[3].min == 70);
  BOOST_TEST(now.certificate_months == 36);
  BOOST_TEST(now.expiry_notice_days == 30);
  BOOST_TEST((now.mandatory.at(4) == std::vector<std::string>{"food_safety", "traceability"}));
  BOOST_REQUIRE_EQUAL(now.levels.size(), 3u);
  BOOST_TEST(static_cast<int>(now.levels[0].kind) == static_cast<int>(LevelKind::screen));
  BOOST_TEST(now.levels[1].quorum == 5);
  BOOST_TEST((now.levels[1].recognizes == std::vector<int>{3, 4}));
  BOOST_TEST(*now.levels[1].forward_min == 90);
  BOOST_TEST(!now.levels[2].forward_min.has_value());
  BOOST_TEST((now.documents.at(Event::register_) ==
              std::vector<std::string>{"registration_form", "self_assessment"}));
  BOOST_TEST((now.documents.at(Event::forward) == std::vector<std::string>{"commune_report"}));
  BOOST_TEST(now.locality_criteria.size() == 4u);

  // Calendar, cycles, reminders, channels.
  BOOST_TEST((c.calendar.weekend == std::array<bool, 7>{false, false, false, false, false, true, true}));
  BOOST_TEST(c.calendar.holidays.size() == 10u);
  BOOST_TEST(c.calendar.holidays.count(*parse_date("2026-02-17")) == 1u);
  BOOST_TEST(c.calendar.working_days.count(*parse_date("2026-01-03")) == 1u);
  const Cycle& y2026 = c.cycles.at(2026);
  BOOST_TEST(y2026.year == 2026);
  BOOST_TEST(format_date(y2026.milestones.at("plans_close")) == "2026-07-31");
  BOOST_REQUIRE_EQUAL(y2026.rounds.size(), 2u);
  BOOST_TEST(y2026.rounds[1].id == "2026-2");
  BOOST_TEST(format_date(y2026.rounds[1].meeting) == "2026-12-15");
  BOOST_REQUIRE_EQUAL(c.reminders.size(), 5u);
  BOOST_TEST((c.reminders[0].state == State::submitted));
  BOOST_TEST(c.reminders[0].after_days == 10);
  BOOST_TEST(*c.reminders[0].escalate_after_days == 5);
  BOOST_TEST(c.reminders[1].milestone == "ideas_close");
  BOOST_TEST(c.reminders[2].days_before == 7);
  BOOST_TEST(static_cast<int>(c.reminders[3].kind) == static_cast<int>(ReminderKind::certificate_expiry));
  BOOST_TEST(c.channels.smtp_url == "smtp://127.0.0.1:2525");
  BOOST_TEST(c.channels.smtp_from == "ocop@example.vn");
  BOOST_TEST(c.channels.webhook_url == "http://127.0.0.1:9000/ocop");
  BOOST_TEST(c.channels.max_attempts == 6);
}

BOOST_AUTO_TEST_CASE(the_gen_workload_configuration_loads_cleanly) {
  // `bench/gen_workload.py --communes 5 --config ...`, plus the lines its header names.
  auto r = config::load_file(kData + "gen_workload.yaml");
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_TEST(r.config.province.code == "BX");
  BOOST_TEST(r.config.units().size() == 7u);
  BOOST_TEST(r.config.product_sets.size() == 15u);
  BOOST_REQUIRE(r.config.user("officer.bx-c0003"));
  BOOST_TEST(r.config.user("officer.bx-c0003")->unit == "BX-C0003");
  BOOST_TEST((r.config.user("producer.bx-c0001")->events & event_bit(Event::register_)) != 0u);
  BOOST_TEST(r.config.rule_sets.at(0).levels.size() == 3u);
  BOOST_TEST(r.config.cycles.at(2026).rounds.size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_shipped_sample_loads_cleanly) {
  // config/sample.yaml: the README's main command uses it.
  const std::string path = std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml";
  auto r = config::load_file(path);
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_TEST(r.config.source == path);
  BOOST_TEST(r.config.province.code == "TQ");
  BOOST_TEST(r.config.province.utc_offset_minutes == 420);
  BOOST_REQUIRE(r.config.unit("TQ"));
  BOOST_TEST(static_cast<int>(r.config.unit("TQ")->level) == static_cast<int>(UnitLevel::province));
  BOOST_TEST(r.config.unit("HG")->successor == "TQ");
  BOOST_REQUIRE_EQUAL(r.config.rule_sets.size(), 3u);
  BOOST_TEST(r.config.rule_sets[0].id == "R1048");
  BOOST_TEST(r.config.rule_sets[2].id == "R148_1489");
  BOOST_TEST(r.config.cycles.count(2026) == 1u);
}

BOOST_AUTO_TEST_CASE(a_national_configuration_loads) {
  // The shape of gen_workload's configuration at national scale: 3,321 communes and two users
  // each. Guards against anything quadratic in the number of units or users.
  std::string text = R"(province: {code: BX, name: "Tỉnh Thử Nghiệm", timezone: Asia/Ho_Chi_Minh}
units:
  - {code: VN, name: "Trung ương", level: central}
  - {code: BX, name: "Tỉnh Thử Nghiệm", level: province, parent: VN}
)";
  std::string users = "users:\n";
  for (int i = 1; i <= 3321; ++i) {
    std::string c = "BX-C" + std::to_string(10000 + i).substr(1);
    text +=
        "  - {code: " + c + ", name: \"Xã " + c + "\", level: commune, parent: BX, email: x@bx.example.vn}\n";
    users += "  - {id: officer." + c + ", name: \"Cán bộ\", roles: [screener], unit: " + c + "}\n";
    users += "  - {id: producer." + c + ", name: \"Chủ thể\", roles: [coordinator], unit: " + c + "}\n";
  }
  text += users + kBase.substr(kBase.find("\nroles:") + 1);
  auto r = load(text);
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_TEST(r.config.units().size() == 3323u);
  BOOST_TEST(r.config.users().size() == 6642u);
  BOOST_TEST(r.config.user("producer.BX-C3321")->unit == "BX-C3321");
  BOOST_TEST(r.config.unit("BX-C1234")->parent == "BX");
}

// --- one mistake at a time: exact line and key ------------------------------------------------

BOOST_AUTO_TEST_CASE(an_unknown_top_level_key_is_a_problem) {
  auto r = load(with_line(22, "calender:"));
  expect_one(r, 22, "calender", "unknown key \"calender\" (did you mean \"calendar\"?)");
}

BOOST_AUTO_TEST_CASE(an_unknown_key_inside_an_entry_is_a_problem) {
  auto r = load(with_line(6, "  - {code: HG-VQ, name: \"Việt Quang\", level: commune, parnt: HG-BQ}"));
  BOOST_TEST_INFO("problems:" << dump(r));
  BOOST_TEST(has_problem(r, 6, "units[3].parnt", "unknown key \"parnt\" (did you mean \"parent\"?)"));
  // ... and the parent it should have named is then missing.
  BOOST_TEST(has_problem(r, 6, "units[3].parent", "required key \"parent\" is missing"));
  BOOST_TEST(r.problems.size() == 2u);

  auto r2 = load(with_line(20, "      - {level: province, kind: council, quorum: 5, colour: red}"));
  expect_one(r2, 20, "rule_sets[0].levels[1].colour", "unknown key \"colour\"; expected one of: level,");
}

BOOST_AUTO_TEST_CASE(a_bad_date_is_a_problem) {
  auto r = load(with_line(
      5, "  - {code: HG-BQ, name: \"Bắc Quang\", level: district, parent: HG, valid_to: 2025-06-31}"));
  expect_one(r, 5, "units[2].valid_to", "invalid date \"2025-06-31\" (expected YYYY-MM-DD");
  auto r2 = load(with_line(15, "    effective_from: 06/07/2025"));
  expect_one(r2, 15, "rule_sets[0].effective_from", "invalid date \"06/07/2025\"");
  auto r3 = load(with_line(24, "  holidays: [2026-02-16, 2026-2-17]"));
  expect_one(r3, 24, "calendar.holidays[1]", "invalid date \"2026-2-17\"");
  auto r4 = load(with_line(5,
                           "  - {code: HG-BQ, name: \"Bắc Quang\", level: district, parent: HG, valid_from: "
                           "2025-07-01, valid_to: 2025-06-30}"));
  expect_one(r4, 5, "units[2].valid_to", "valid_to 2025-06-30 is before valid_from 2025-07-01");
}

BOOST_AUTO_TEST_CASE(an_unknown_parent_is_a_problem) {
  auto r = load(with_line(6, "  - {code: HG-VQ, name: \"Việt Quang\", level: commune, parent: HG-XX}"));
  expect_one(r, 6, "units[3].parent", "unknown unit \"HG-XX\"");
  BOOST_TEST(r.problems[0].message == "unknown unit \"HG-XX\"");
}

BOOST_AUTO_TEST_CASE(a_parent_must_be_at_a_higher_level) {
  auto r = load(with_line(5, "  - {code: HG-BQ, name: \"Bắc Quang\", level: district, parent: VN}"));
  expect_one(r, 5, "units[2].parent",
             "parent \"VN\" is at the central level; a district's parent must be a province");
  auto r2 = load(with_inserted(6, "  - {code: HG-X, name: \"X\", level: commune, parent: HG-VQ}"));
  expect_one(r2, 7, "units[4].parent", "a commune's parent must be a district or a province");
  // A commune directly under its province (after the 2025 reform) is fine.
  BOOST_TEST(load(with_inserted(6, "  - {code: HG-X, name: \"X\", level: commune, parent: HG}")).ok());
}

BOOST_AUTO_TEST_CASE(a_duplicate_code_is_a_problem) {
  auto r = load(with_inserted(6, "  - {code: HG-VQ, name: \"Việt Quang 2\", level: commune, parent: HG}"));
  expect_one(r, 7, "units[4].code", "duplicate unit code \"HG-VQ\" (first at line 6)");
  auto r2 = load(with_inserted(9, "  - {id: lan, roles: [screener], unit: HG}"));
  expect_one(r2, 10, "users[2].id", "duplicate user id \"lan\" (first at line 8)");
}

BOOST_AUTO_TEST_CASE(an_unknown_role_event_is_a_problem) {
  auto r = load(with_line(12, "  screener: [accept_idea, acept_idea, assess]"));
  expect_one(r, 12, "roles.screener[1]", "unknown event \"acept_idea\"");
  BOOST_TEST(r.problems[0].message == "unknown event \"acept_idea\" (did you mean \"accept_idea\"?)");
  // "register" is the event's name (Event::register_ in C++).
  auto ok = load(with_line(12, "  screener: [register]"));
  BOOST_REQUIRE(ok.ok());
  BOOST_TEST(ok.config.roles.at("screener") == event_bit(Event::register_));
}

BOOST_AUTO_TEST_CASE(roles_may_list_certificate_events_but_not_supersede) {
  auto ok = load(with_line(11, "  coordinator: [recognize, revoke, notice, expire]"));
  BOOST_REQUIRE_MESSAGE(ok.ok(), dump(ok));
  BOOST_TEST(ok.config.roles.at("coordinator") ==
             (event_bit(Event::recognize) | certificate_event_bit(CertificateEvent::revoke) |
              certificate_event_bit(CertificateEvent::notice) |
              certificate_event_bit(CertificateEvent::expire)));
  BOOST_TEST((ok.config.user("lan")->events & certificate_event_bit(CertificateEvent::revoke)) != 0u);
  auto r = load(with_line(11, "  coordinator: [revoke, supersede]"));
  expect_one(r, 11, "roles.coordinator[1]", "supersede is not fired by a role");
  auto typo = load(with_line(11, "  coordinator: [revok]"));
  expect_one(typo, 11, "roles.coordinator[0]", "did you mean \"revoke\"?");
}

BOOST_AUTO_TEST_CASE(revocation_grounds_are_codes_with_vietnamese_text) {
  const std::string grounds =
      "revocation_grounds:\n"
      "  food_safety: \"Vi phạm quy định về an toàn thực phẩm\"\n"
      "  fraud: \"Gian lận hồ sơ\"";
  auto ok = load(with_inserted(12, grounds));
  BOOST_REQUIRE_MESSAGE(ok.ok(), dump(ok));
  BOOST_TEST(ok.config.revocation_grounds.size() == 2u);
  BOOST_TEST(ok.config.revocation_grounds.at("fraud") == "Gian lận hồ sơ");
  BOOST_TEST(load(kBase).config.revocation_grounds.empty());  // optional

  auto bad_code = load(with_inserted(12, "revocation_grounds:\n  Food Safety: \"An toàn thực phẩm\""));
  expect_one(bad_code, 14, "revocation_grounds.Food Safety", "must be a code of a-z, 0-9 and _");
  auto empty_text = load(with_inserted(12, "revocation_grounds:\n  fraud: \"  \""));
  expect_one(empty_text, 14, "revocation_grounds.fraud", "must not be empty");
  auto not_text = load(with_inserted(12, "revocation_grounds:\n  fraud: [a, b]"));
  BOOST_TEST(has_problem(not_text, 14, "revocation_grounds.fraud", ""), dump(not_text));
  auto dup = load(with_inserted(12, "revocation_grounds:\n  fraud: \"a\"\n  fraud: \"b\""));
  expect_one(dup, 15, "revocation_grounds.fraud", "duplicate key \"fraud\"");
  auto list = load(with_inserted(12, "revocation_grounds: [fraud, food_safety]"));
  expect_one(list, 13, "revocation_grounds", "a mapping ground -> Vietnamese text");
}

BOOST_AUTO_TEST_CASE(an_unknown_user_role_or_unit_is_a_problem) {
  auto r = load(with_line(9, "  - {id: minh, name: \"Minh\", roles: [screener, screner], unit: HG-XX}"));
  BOOST_TEST_INFO("problems:" << dump(r));
  BOOST_REQUIRE_EQUAL(r.problems.size(), 2u);
  BOOST_TEST(has_problem(r, 9, "users[1].roles[1]", "unknown role \"screner\" (did you mean \"screener\"?)"));
  BOOST_TEST(has_problem(r, 9, "users[1].unit", "unknown unit \"HG-XX\""));
}

BOOST_AUTO_TEST_CASE(star_bands_must_ascend) {
  auto r = load(with_line(17,
                          "    stars: [{stars: 1, min: 0}, {stars: 2, min: 30}, {stars: 3, min: 25}, {stars: "
                          "4, min: 70}, {stars: 5, min: 90}]"));
  expect_one(r, 17, "rule_sets[0].stars[2].min",
             "bands must ascend: min 25 is not above the previous band's min 30");
  auto r2 = load(with_line(17,
                           "    stars: [{stars: 1, min: 0}, {stars: 3, min: 30}, {stars: 2, min: 50}, "
                           "{stars: 4, min: 70}, {stars: 5, min: 90}]"));
  expect_one(r2, 17, "rule_sets[0].stars[2].stars", "bands must ascend: 2★ after 3★");
  auto r3 = load(with_line(17, "    stars: [{stars: 1, min: 0}, {stars: 6, min: 30}]"));
  BOOST_TEST(has_problem(r3, 17, "rule_sets[0].stars[1].stars", "6 is out of range (1 to 5)"), dump(r3));
}

BOOST_AUTO_TEST_CASE(a_council_needs_a_quorum) {
  auto r =
      load(with_line(20, "      - {level: province, kind: council, recognizes: [3, 4], forward_min: 90}"));
  expect_one(r, 20, "rule_sets[0].levels[1].quorum", "a council level needs quorum >= 1");
  auto r2 = load(with_line(21, "      - {level: central, kind: council, quorum: 0, recognizes: [5]}"));
  expect_one(r2, 21, "rule_sets[0].levels[2].quorum", "a council level needs quorum >= 1");
  auto r3 = load(with_line(19, "      - {level: commune, kind: screen, quorum: 3}"));
  expect_one(r3, 19, "rule_sets[0].levels[0].quorum", "quorum applies to council levels only");
}

BOOST_AUTO_TEST_CASE(levels_are_checked) {
  auto r = load(with_line(19, "      - {level: commune, kind: jury}"));
  expect_one(r, 19, "rule_sets[0].levels[0].kind", "unknown kind \"jury\"; expected one of: screen, council");
  auto r2 = load(with_line(21, "      - {level: commune, kind: council, quorum: 5, recognizes: [5]}"));
  expect_one(r2, 21, "rule_sets[0].levels[2].level", "levels must go from the lowest up");
  auto r3 = load(with_lines(18, 21, "    levels: []"));
  BOOST_TEST(has_problem(r3, 18, "rule_sets[0].levels", "at least one level is required"), dump(r3));
}

BOOST_AUTO_TEST_CASE(a_bad_reminder_state_is_a_problem) {
  auto r = load(with_line(26, "  - {id: stalled, kind: stalled, state: submited, after_days: 10}"));
  expect_one(r, 26, "reminders[0].state", "unknown state \"submited\" (did you mean \"submitted\"?)");
  auto r2 = load(with_line(26, "  - {id: stalled, kind: stalled, state: withdrawn, after_days: 10}"));
  expect_one(r2, 26, "reminders[0].state", "state \"withdrawn\" is final");
  auto r3 = load(with_line(26, "  - {id: stalled, kind: stalled, state: submitted}"));
  expect_one(r3, 26, "reminders[0].after_days", "required key \"after_days\" is missing");
  auto r4 =
      load(with_line(27, "  - {id: cutoff, kind: before_milestone, milestone: ideas_close, days_before: 7}"));
  expect_one(r4, 27, "reminders[1].milestone", "unknown milestone \"ideas_close\"");
  auto r5 = load(with_line(27, "  - {id: cutoff, kind: certificate_expiry, days_before: 7}"));
  expect_one(r5, 27, "reminders[1].days_before", "applies to before_milestone reminders only");
}

BOOST_AUTO_TEST_CASE(a_yaml_syntax_error_is_a_problem_with_its_line) {
  auto r = config::load_file(kData + "syntax_error.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].line == 4);
  BOOST_TEST(r.problems[0].key.empty());
  BOOST_TEST(r.problems[0].message.rfind("YAML syntax error: ", 0) == 0u, r.problems[0].message);
  BOOST_TEST(r.problems[0].to_string().rfind(kData + "syntax_error.yaml:4: YAML syntax error: ", 0) == 0u);

  auto r2 = load(with_line(11, "  coordinator: [submit_idea, \"register]"));
  BOOST_REQUIRE_EQUAL(r2.problems.size(), 1u);
  BOOST_TEST(r2.problems[0].message.find("YAML syntax error") == 0u);
  BOOST_TEST(r2.problems[0].line > 0);
}

BOOST_AUTO_TEST_CASE(a_missing_required_key_is_a_problem) {
  auto r = load(with_line(3, "  - {code: VN, level: central}"));
  expect_one(r, 3, "units[0].name", "required key \"name\" is missing");
  // In block style, an empty value is reported on its key's line.
  auto r2 = load(with_line(14, "  - id:"));
  expect_one(r2, 14, "rule_sets[0].id", "required key \"id\" has no value");
  auto r3 = load(with_line(6, "  - {code: HG-VQ, name: \"Việt Quang\", level: commune}"));
  expect_one(r3, 6, "units[3].parent", "required key \"parent\" is missing");
  // A whole section.
  auto text = kBase.substr(0, kBase.find("rule_sets:")) + kBase.substr(kBase.find("calendar:"));
  auto r4 = load(text);
  expect_one(r4, 0, "rule_sets", "required section \"rule_sets\" is missing");
  BOOST_TEST(r4.problems[0].to_string() == "test.yaml: rule_sets: required section \"rule_sets\" is missing");
}

BOOST_AUTO_TEST_CASE(several_problems_are_reported_in_one_run) {
  const std::string path = kData + "invalid_many.yaml";
  auto r = config::load_file(path);
  std::vector<std::pair<int, std::string>> got;
  for (const auto& p : r.problems) {
    BOOST_TEST(p.file == path);
    got.emplace_back(p.line, p.key);
  }
  std::vector<std::pair<int, std::string>> expected = {
      {6, "units[2].parent"},                 // unknown unit HG-XX
      {7, "units[3].code"},                   // duplicate HG-VQ
      {9, "users[0].phone"},                  // unknown key
      {11, "roles.coordinator[2]"},           // acept_idea
      {14, "rule_sets[0].effective_from"},    // 2025-07-32
      {16, "rule_sets[0].stars[2].stars"},    // 2★ after 3★
      {16, "rule_sets[0].stars[2].min"},      // 30 after 50
      {19, "rule_sets[0].levels[1].quorum"},  // council without quorum
      {21, "reminders[0].state"},             // submited
      {22, "calender"},                       // unknown section
  };
  BOOST_TEST_INFO("problems:" << dump(r));
  BOOST_TEST((got == expected));
  BOOST_TEST(r.problems[0].to_string() == path + ":6: units[2].parent: unknown unit \"HG-XX\"");
}

// --- the rest of the rules --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(time_zones) {
  auto utc = load(with_line(1, "province: {code: HG, name: \"Hà Giang\", timezone: UTC}"));
  BOOST_REQUIRE(utc.ok());
  BOOST_TEST(utc.config.province.utc_offset_minutes == 0);
  auto etc = load(with_line(1, "province: {code: HG, name: \"Hà Giang\", timezone: Etc/UTC}"));
  BOOST_TEST(etc.config.province.utc_offset_minutes == 0);
  auto dflt = load(with_line(1, "province: {code: HG, name: \"Hà Giang\"}"));
  BOOST_REQUIRE(dflt.ok());
  BOOST_TEST(dflt.config.province.utc_offset_minutes == 420);
  auto explicit_offset = load(with_line(
      1, "province: {code: HG, name: \"Hà Giang\", timezone: Asia/Ho_Chi_Minh, utc_offset: \"+07:00\"}"));
  BOOST_REQUIRE(explicit_offset.ok());
  BOOST_TEST(explicit_offset.config.province.utc_offset_minutes == 420);
  auto other = load(with_line(
      1, "province: {code: HG, name: \"Hà Giang\", timezone: Asia/Bangkok, utc_offset: \"+07:00\"}"));
  BOOST_REQUIRE(other.ok());
  BOOST_TEST(other.config.province.timezone == "Asia/Bangkok");
  expect_one(load(with_line(1, "province: {code: HG, name: \"Hà Giang\", timezone: Asia/Hanoi}")), 1,
             "province.timezone", "unknown time zone \"Asia/Hanoi\"");
  expect_one(
      load(with_line(1, "province: {code: HG, name: \"Hà Giang\", timezone: UTC, utc_offset: \"+07:00\"}")),
      1, "province.utc_offset", "contradicts timezone UTC (+00:00)");
  expect_one(load(with_line(1, "province: {code: HG, name: \"Hà Giang\", utc_offset: \"7\"}")), 1,
             "province.utc_offset", "invalid offset \"7\"");
  expect_one(load(with_line(1, "province: {code: XX, name: \"Hà Giang\"}")), 1, "province.code",
             "no unit \"XX\" in units");
}

BOOST_AUTO_TEST_CASE(public_url) {  // issue 13: where QR codes point
  auto ok = load(with_line(1, "province: {code: HG, name: \"Hà Giang\", public_url: \"https://ocop.hagiang.gov.vn\"}"));
  BOOST_REQUIRE(ok.ok());
  BOOST_TEST(ok.config.province.public_url == "https://ocop.hagiang.gov.vn");
  auto port = load(with_line(1, "province: {code: HG, name: \"Hà Giang\", public_url: \"http://10.0.0.5:8080/ocop\"}"));
  BOOST_TEST(port.config.province.public_url == "http://10.0.0.5:8080/ocop");
  BOOST_TEST(load(with_line(1, "province: {code: HG, name: \"Hà Giang\"}")).config.province.public_url.empty());
  for (const char* bad : {"ftp://x.vn", "https://x.vn/", "https://x.vn/?a=1", "https://", "ocop.vn", "https://x.vn/a b"})
    expect_one(load(with_line(1, std::string("province: {code: HG, name: \"Hà Giang\", public_url: \"") + bad + "\"}")),
               1, "province.public_url", "expected http(s)://HOST");
}

BOOST_AUTO_TEST_CASE(successors_and_emails) {
  auto ok = load(with_inserted(6,
                               "  - {code: HG-OLD, name: \"Cũ\", level: commune, parent: HG-BQ, valid_to: "
                               "2025-06-30, successor: HG-VQ}"));
  BOOST_REQUIRE_MESSAGE(ok.ok(), dump(ok));
  BOOST_TEST(ok.config.unit("HG-OLD")->successor == "HG-VQ");
  expect_one(load(with_inserted(6,
                                "  - {code: HG-OLD, name: \"Cũ\", level: commune, parent: HG-BQ, valid_to: "
                                "2025-06-30, successor: HG-NEW}")),
             7, "units[4].successor", "unknown unit \"HG-NEW\"");
  expect_one(load(with_inserted(
                 6, "  - {code: HG-OLD, name: \"Cũ\", level: commune, parent: HG-BQ, successor: HG-VQ}")),
             7, "units[4].successor", "valid_to is not set");
  // The successor must be valid the day after: HG-BQ itself ends on 2025-06-30.
  expect_one(load(with_inserted(6,
                                "  - {code: HG-OLD, name: \"Cũ\", level: commune, parent: HG-BQ, valid_to: "
                                "2025-06-30, successor: HG-BQ}")),
             7, "units[4].successor", "is not valid on 2025-07-01, the day after valid_to");
  expect_one(
      load(with_line(
          4, "  - {code: HG, name: \"Hà Giang\", level: province, parent: VN, email: ocop.example.vn}")),
      4, "units[1].email", "invalid email address \"ocop.example.vn\"");
  // A continuation line of a flow mapping keeps its own line number.
  expect_one(
      load(with_line(
          4, "  - {code: HG, name: \"Hà Giang\", level: province, parent: VN,\n     email: \"a b@x.vn\"}")),
      5, "units[1].email", "invalid email address");
}

BOOST_AUTO_TEST_CASE(rule_set_periods_must_not_overlap) {
  const std::string second = R"(  - id: R148
    effective_from: 2023-02-24
    effective_to: 2025-07-31
    parts: {A: 40, B: 25, C: 35}
    stars: [{stars: 1, min: 0}]
    levels: [{level: province, kind: council, quorum: 5}])";
  auto r = load(with_inserted(21, second));
  expect_one(r, 24, "rule_sets[1].effective_to",
             "rule set \"R148\" ends on 2025-07-31, overlapping rule set \"R148_1489\" which takes effect on "
             "2025-07-06");
  std::string same = second;
  same.replace(same.find("R148\n"), 4, "R148_1489");
  auto r2 = load(with_inserted(21, same));
  BOOST_TEST(has_problem(r2, 22, "rule_sets[1].id", "duplicate rule set id \"R148_1489\" (first at line 14)"),
             dump(r2));
}

BOOST_AUTO_TEST_CASE(calendar_and_cycles) {
  auto r = load(with_line(23, "  weekend: [sat, sunday]"));
  expect_one(r, 23, "calendar.weekend[1]", "unknown day \"sunday\" (did you mean \"sun\"?)");
  auto r2 = load(with_inserted(24, "  working_days: [2026-02-14, 2026-02-13]"));
  expect_one(r2, 25, "calendar.working_days[1]", "2026-02-13 is a Friday, not a weekend day");
  auto ok = load(with_line(23, "  weekend: [fri, sat]"));
  BOOST_REQUIRE(ok.ok());
  BOOST_TEST(
      (ok.config.calendar.weekend == std::array<bool, 7>{false, false, false, false, true, true, false}));

  const std::string cycles = R"(cycles:
  2026:
    milestones: {ideas_close: 2026-04-30}
    rounds:
      - {id: 2026-1, level: province, cutoff: 2026-06-30, meeting: 2026-06-15}
      - {id: 2026-1, level: commune, cutoff: 2026-09-30, meeting: 2026-10-15})";
  auto r3 = load(with_inserted(24, cycles));
  BOOST_TEST_INFO("problems:" << dump(r3));
  BOOST_TEST(r3.problems.size() == 3u);
  BOOST_TEST(has_problem(r3, 29, "cycles.2026.rounds[0].meeting",
                         "meeting 2026-06-15 is before the cut-off 2026-06-30"));
  BOOST_TEST(has_problem(r3, 30, "cycles.2026.rounds[1].id", "duplicate round id \"2026-1\""));
  BOOST_TEST(
      has_problem(r3, 30, "cycles.2026.rounds[1].level", "no rule set has a council at level \"commune\""));
  auto r4 = load(with_inserted(24, "cycles:\n  twenty: {milestones: {}}"));
  expect_one(r4, 26, "cycles.twenty", "expected a whole number, got \"twenty\"");
}

BOOST_AUTO_TEST_CASE(duplicate_yaml_keys_are_problems) {
  auto r = load(with_line(3, "  - {code: VN, name: \"Trung ương\", level: central, name: \"again\"}"));
  expect_one(r, 3, "units[0].name", "duplicate key \"name\" (first at line 3)");
  auto r2 = load(with_inserted(12, "  coordinator: [annotate]"));
  expect_one(r2, 13, "roles.coordinator", "duplicate key \"coordinator\" (first at line 11)");
}

BOOST_AUTO_TEST_CASE(wrong_shapes_are_problems) {
  expect_one(load(with_lines(2, 6, "units: HG")), 2, "units",
             "expected a list of units, got the text \"HG\"");
  expect_one(load(with_line(17, "    stars: {stars: 1, min: 0}")), 17, "rule_sets[0].stars",
             "expected a list of bands");
  expect_one(load(with_line(16, "    parts: {A: 40, B: -25, C: 35}")), 16, "rule_sets[0].parts.B",
             "-25 is out of range");
  expect_one(load(with_line(16, "    parts: {A: forty, B: 25, C: 35}")), 16, "rule_sets[0].parts.A",
             "expected a number, got \"forty\"");
  auto empty = load("");
  BOOST_REQUIRE_EQUAL(empty.problems.size(), 1u);
  BOOST_TEST(empty.problems[0].line == 0);
  expect_one(load("- 1\n- 2\n"), 1, "", "expected a mapping of sections");
}

BOOST_AUTO_TEST_CASE(anchors_and_aliases_are_followed) {
  std::string text =
      replaced(kBase, "[accept_idea, return_idea, assess]", "&screen [accept_idea, return_idea, assess]");
  text = replaced(text, "[submit_idea, register, forward]", "*screen");
  // coordinator now comes first and refers forward: not allowed in YAML, so swap the lines.
  auto lines = lines_of(text);
  std::swap(lines[10], lines[11]);
  auto r = load(joined(lines));
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_TEST(r.config.roles.at("coordinator") == r.config.roles.at("screener"));
}

BOOST_AUTO_TEST_CASE(text_encoding) {
  // A name saved in Windows-1258 instead of UTF-8: its line is named, and the checks go on.
  auto r =
      load(with_line(4, "  - {code: HG, name: \"H\xe0 Giang\", level: province, parent: VN, colour: red}"));
  BOOST_TEST_INFO("problems:" << dump(r));
  BOOST_REQUIRE_EQUAL(r.problems.size(), 2u);
  BOOST_TEST(r.problems[0].line == 4);
  BOOST_TEST(r.problems[0].message == "not valid UTF-8 (byte 0xE0); save the file as UTF-8");
  BOOST_TEST(r.problems[1].key == "units[1].colour");
  // Windows line endings and a byte order mark are fine.
  std::string crlf = "\xEF\xBB\xBF";
  for (const auto& l : lines_of(kBase)) crlf += l + "\r\n";
  auto ok = load(crlf);
  BOOST_REQUIRE_MESSAGE(ok.ok(), dump(ok));
  BOOST_TEST(ok.config.unit("HG-VQ")->name == "Việt Quang");
  BOOST_TEST(ok.config.province.code == "HG");
}

BOOST_AUTO_TEST_CASE(io_failure_is_a_problem) {
  auto r = config::load_file(kData + "no_such_file.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].line == 0);
  BOOST_TEST(r.problems[0].message.find("cannot open") == 0u);
  BOOST_TEST(r.problems[0].to_string().find("no_such_file.yaml: cannot open") != std::string::npos);
}

// --- documents: kinds, size limit, directory, required kinds by product group -------------------

namespace {
// The 1-based line of the first line of `text` that contains `needle`.
int line_with(const std::string& text, const std::string& needle) {
  auto lines = lines_of(text);
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find(needle) != std::string::npos) return static_cast<int>(i) + 1;
  BOOST_FAIL("no line contains " + needle);
  return 0;
}
const std::string kProductSets = R"(product_sets:
  tea: {group: food, name: "Chè"}
  homestay: {group: tourism, name: "Du lịch cộng đồng"}
)";
}  // namespace

BOOST_AUTO_TEST_CASE(without_a_documents_section_any_kind_and_20_mib) {
  auto r = load(kBase);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.config.document_kinds.empty());
  BOOST_TEST(r.config.documents.max_bytes == 20 * 1024 * 1024);
  BOOST_TEST(r.config.documents.directory.empty());
}

BOOST_AUTO_TEST_CASE(documents_section_and_required_kinds_by_group) {
  auto text = with_inserted(21,
                            "    documents: {register: [registration_form, samples]}\n"
                            "    documents_by_group: {tourism: {register: [registration_form]}}") +
              kProductSets + R"(documents:
  max_bytes: 1048576
  directory: /var/lib/ocop/documents
  kinds:
    registration_form: {name: "Phiếu đăng ký sản phẩm OCOP"}
    samples: {name: "Biên bản giao nhận mẫu sản phẩm"}
)";
  auto r = load(text);
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  const Config& c = r.config;
  BOOST_TEST(c.documents.max_bytes == 1048576);
  BOOST_TEST(c.documents.directory == "/var/lib/ocop/documents");
  BOOST_TEST(c.document_kinds.size() == 2u);
  BOOST_TEST(c.document_kinds.at("samples") == "Biên bản giao nhận mẫu sản phẩm");
  const RuleSet& rs = c.rule_sets.at(0);
  const auto* food = rs.required_documents(Event::register_, "food");
  const auto* tourism = rs.required_documents(Event::register_, "tourism");
  const auto* none = rs.required_documents(Event::register_, "");
  BOOST_REQUIRE(food && tourism && none);
  BOOST_TEST((*food == std::vector<std::string>{"registration_form", "samples"}));
  BOOST_TEST((*none == *food));
  BOOST_TEST((*tourism == std::vector<std::string>{"registration_form"}));
  BOOST_TEST(rs.required_documents(Event::forward, "tourism") == nullptr);  // the group names only register
}

BOOST_AUTO_TEST_CASE(documents_problems_are_all_reported) {
  auto text = with_inserted(21,
                            "    documents: {register: [registration_form]}\n"
                            "    documents_by_group: {turism: {register: []}, food: {regster: [], forward: "
                            "[registation_form]}}") +
              kProductSets + R"(documents:
  max_bytes: 20MB
  directory: var/ocop/documents
  kinds:
    registration_form: {name: "Phiếu đăng ký"}
    samples: {label: "Mẫu"}
)";
  auto r = load(text);
  BOOST_TEST_INFO("problems:" << dump(r));
  const int groups = line_with(text, "documents_by_group");
  const int samples = line_with(text, "samples: {label");
  BOOST_TEST(has_problem(r, groups, "rule_sets[0].documents_by_group.turism",
                         "unknown product group \"turism\" (did you mean \"tourism\"?)"));
  BOOST_TEST(
      has_problem(r, groups, "rule_sets[0].documents_by_group.food.regster", "unknown event \"regster\""));
  BOOST_TEST(has_problem(r, groups, "rule_sets[0].documents_by_group.food.forward[0]",
                         "unknown document kind \"registation_form\" (did you mean \"registration_form\"?)"));
  BOOST_TEST(has_problem(r, line_with(text, "max_bytes"), "documents.max_bytes", "expected a whole number"));
  BOOST_TEST(
      has_problem(r, line_with(text, "directory:"), "documents.directory", "expected an absolute path"));
  BOOST_TEST(has_problem(r, samples, "documents.kinds.samples.label", "unknown key \"label\""));
  BOOST_TEST(has_problem(r, samples, "documents.kinds.samples.name", "required key \"name\" is missing"));
  BOOST_TEST(r.problems.size() == 7u);
  // Each is file:line: key: problem.
  BOOST_TEST(r.problems.back().to_string().rfind(
                 "test.yaml:" + std::to_string(samples) + ": documents.kinds.samples", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(documents_limits_and_duplicate_kind_lists) {
  expect_one(load(kBase + "documents: {max_bytes: 0}\n"), 28, "documents.max_bytes", "0 is out of range");
  expect_one(load(kBase + "documents: {kinds: {}}\n"), 28, "documents.kinds", "at least one document kind");
  expect_one(load(kBase + "documents: {kinds: {photo: \"Ảnh\"}}\n"), 28, "documents.kinds.photo",
             "expected a document kind {name}");
  // The older form (kind -> name) still works, alone.
  auto legacy = load(kBase + "document_kinds: {photo: \"Ảnh\"}\ndocuments: {max_bytes: 100}\n");
  BOOST_REQUIRE_MESSAGE(legacy.ok(), dump(legacy));
  BOOST_TEST(legacy.config.document_kinds.at("photo") == "Ảnh");
  BOOST_TEST(legacy.config.documents.max_bytes == 100);
  expect_one(
      load(kBase + "document_kinds: {photo: \"Ảnh\"}\ndocuments:\n  kinds: {photo: {name: \"Ảnh\"}}\n"), 30,
      "documents.kinds", "listed twice, here and in document_kinds (line 28)");
  // A group needs product sets to come from.
  expect_one(load(with_inserted(21, "    documents_by_group: {tourism: {register: []}}")), 22,
             "rule_sets[0].documents_by_group.tourism", "no product set has a group");
}

BOOST_AUTO_TEST_SUITE_END()

#include "config/config_snapshot.hpp"
#include "snapshot_round_trip.hpp"

BOOST_AUTO_TEST_SUITE(config_snapshot)

using ocop::testing::snapshot_text;
using ocop::testing::through_snapshot;

BOOST_AUTO_TEST_CASE(a_snapshot_restores_the_same_configuration) {
  auto r = ocop::config::load_file(std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml");
  BOOST_REQUIRE(r.ok());
  auto back = through_snapshot(r.config);
  BOOST_REQUIRE(back.has_value());
  const ocop::Config& a = r.config;
  const ocop::Config& b = *back;
  BOOST_TEST(b.units().size() == a.units().size());
  BOOST_TEST(b.users().size() == a.users().size());
  BOOST_TEST(b.rule_sets.size() == a.rule_sets.size());
  // The snapshot is the same text when taken again: nothing was lost or reordered.
  BOOST_TEST(snapshot_text(b) == snapshot_text(a));
  // Indexes are rebuilt: lookups and event masks work.
  BOOST_REQUIRE(!a.users().empty());
  const ocop::User* u = b.user(a.users().back().id);
  BOOST_REQUIRE(u != nullptr);
  BOOST_TEST(u->events == a.user(a.users().back().id)->events);
  BOOST_TEST(b.rule_set_on(*ocop::parse_date("2026-03-02"))->id == "R148_1489");
  BOOST_TEST(b.rule_set_on(*ocop::parse_date("2024-03-02"))->id == "R148");
  BOOST_TEST(b.calendar.holidays == a.calendar.holidays);
  BOOST_TEST(!a.revocation_grounds.empty());
  BOOST_TEST(b.revocation_grounds == a.revocation_grounds);
  BOOST_TEST(b.roles.at("signer") == a.roles.at("signer"));
  BOOST_TEST((b.roles.at("signer") & certificate_event_bit(ocop::CertificateEvent::revoke)) != 0u);
  // Documents: kinds, the size limit, required kinds by product group.
  BOOST_TEST(b.document_kinds == a.document_kinds);
  BOOST_TEST(b.document_kinds.count("samples") == 1u);
  BOOST_TEST(b.documents.max_bytes == a.documents.max_bytes);
  BOOST_REQUIRE(!a.rule_sets.back().documents_by_group.empty());
  BOOST_TEST((b.rule_sets.back().documents_by_group == a.rule_sets.back().documents_by_group));
  BOOST_TEST((b.rule_sets.back().documents == a.rule_sets.back().documents));
}

BOOST_AUTO_TEST_CASE(awkward_characters_survive_the_snapshot) {
  auto r = ocop::config::load_file(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/gen_workload.yaml");
  BOOST_REQUIRE(r.ok());
  r.config.mutable_units()[2].name = "Xã\tCó\\Tab\nvà dòng mới";
  r.config.mutable_users()[0].roles.clear();  // a user with no roles
  r.config.mutable_units()[1].valid_to = ocop::parse_date("2025-06-30");
  r.config.documents.directory = "/srv/ocop/tài liệu\tx";
  r.config.documents.max_bytes = 123;
  auto back = through_snapshot(r.config);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->documents.directory == r.config.documents.directory);
  BOOST_TEST(back->documents.max_bytes == 123);
  BOOST_TEST(back->units()[2].name == r.config.units()[2].name);
  BOOST_TEST(back->users()[0].roles.empty());
  BOOST_TEST(back->units()[1].valid_to.has_value());
  BOOST_TEST(!back->units()[0].valid_to.has_value());
  // A header taken from other content is not used.
  ocop::config::SnapshotHeader h;
  BOOST_TEST(ocop::config::from_snapshot_header(ocop::config::snapshot_header(r.config, "fp"), "fp", h).has_value());
  BOOST_TEST(!ocop::config::from_snapshot_header(ocop::config::snapshot_header(r.config, "fp"), "other", h).has_value());
}

BOOST_AUTO_TEST_CASE(a_damaged_directory_line_is_refused) {
  auto r = ocop::config::load_file(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/gen_workload.yaml");
  BOOST_REQUIRE(r.ok());
  const ocop::Unit& unit = r.config.units().front();
  const ocop::User& user = r.config.users().front();
  const std::string unit_line = ocop::config::unit_line(unit), user_line = ocop::config::user_line(user);
  ocop::Unit u;
  ocop::User p;
  BOOST_REQUIRE(ocop::config::unit_from_line(unit_line, u));
  BOOST_TEST(ocop::config::unit_line(u) == unit_line);
  BOOST_REQUIRE(ocop::config::user_from_line(user_line, p));
  BOOST_TEST(ocop::config::user_line(p) == user_line);
  // A unit's line with one thing wrong: each is refused.
  auto unit_refused = [&](const std::string& from, const std::string& to) {
    std::string s = unit_line;
    const size_t at = s.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
    ocop::Unit out;
    return !ocop::config::unit_from_line(s, out);
  };
  BOOST_TEST(unit_refused("U\t", "X\t"));                                     // an unknown kind of line
  BOOST_TEST(unit_refused(unit.code + "\t", unit.code + "\tx\t"));            // a field too many
  BOOST_TEST(unit_refused("\t" + unit.name, ""));                              // a field too few
  BOOST_TEST(unit_refused("\t" + std::to_string(static_cast<int>(unit.level)) + "\t", "\t9\t"));  // no such level
  BOOST_TEST(unit_refused("\t" + std::to_string(static_cast<int>(unit.level)) + "\t", "\tx\t"));  // not a number
  BOOST_TEST(!ocop::config::unit_from_line(unit_line.substr(0, 1), u));         // the kind alone
  BOOST_TEST(!ocop::config::unit_from_line("", u));
  // A user's line where a unit's belongs, and the other way round.
  BOOST_TEST(!ocop::config::unit_from_line(user_line, u));
  BOOST_TEST(!ocop::config::user_from_line(unit_line, p));
  BOOST_TEST(!ocop::config::user_from_line("P\tonly\tthree\tfields", p));
}

BOOST_AUTO_TEST_CASE(a_damaged_or_foreign_snapshot_is_refused) {
  ocop::config::SnapshotHeader h;
  BOOST_TEST(!ocop::config::from_snapshot_header("", "", h).has_value());
  BOOST_TEST(!ocop::config::from_snapshot_header("{\"format\": 99}", "", h).has_value());
  BOOST_TEST(!ocop::config::from_snapshot_header("{\"format\": 4, \"fingerprint\": \"f\", \"units\": 3}", "f", h)
                  .has_value());
  BOOST_TEST(ocop::config::snapshot_fingerprint("not a header").empty());
  // Same size, different content: different fingerprints.
  BOOST_TEST(ocop::config::fingerprint("users: [a]") != ocop::config::fingerprint("users: [b]"));
}

BOOST_AUTO_TEST_SUITE_END()

// --- the scheduler's keys (issue 4) ---------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(scheduler_keys)

BOOST_AUTO_TEST_CASE(cycle_dates_carry_over_and_the_scheduler_actor_are_checked) {
  // line 28 cycles, 29 the 2026 cycle, 30 scheduler
  auto r = load(kBase +
                "cycles:\n"
                "  2026: {opens: 2025-12-01, closes: 2026-12-31, carry_over: later}\n"
                "scheduler: {actor: lan}\n");
  BOOST_TEST_INFO("problems:" << dump(r));
  BOOST_TEST(has_problem(r, 29, "cycles.2026.opens", "is not in the cycle's year 2026"));
  BOOST_TEST(has_problem(r, 29, "cycles.2026.carry_over", "later"));
  BOOST_TEST(has_problem(r, 30, "scheduler.actor", "may not fire notice"));
  BOOST_TEST(r.problems.size() == 4u);  // notice and expire both missing

  auto unknown = load(kBase + "scheduler: {actor: nobody}\n");
  expect_one(unknown, 28, "scheduler.actor", "unknown user \"nobody\"");

  auto good = load(with_line(11, "  coordinator: [submit_idea, register, forward, notice, expire]") +
                   "cycles:\n  2026: {opens: 2026-01-05, closes: 2026-12-31, carry_over: next}\n"
                   "scheduler: {actor: lan}\n");
  BOOST_REQUIRE_MESSAGE(good.ok(), dump(good));
  BOOST_TEST(good.config.scheduler_actor == "lan");
  BOOST_TEST(format_date(good.config.cycles.at(2026).first_day()) == "2026-01-05");
  BOOST_TEST((good.config.cycles.at(2026).carry_over == CarryOver::next));
  // and the snapshot keeps them
  auto back = ocop::testing::through_snapshot(good.config);
  BOOST_REQUIRE(back);
  BOOST_TEST(back->scheduler_actor == "lan");
  BOOST_TEST(format_date(back->cycles.at(2026).last_day()) == "2026-12-31");
  BOOST_TEST((back->cycles.at(2026).carry_over == CarryOver::next));
}

// Config::index() precomputes who can be written to: a notification to producers asks the
// store nothing when no user has an address, and finds a unit's producers without a scan.
BOOST_AUTO_TEST_CASE(the_index_knows_which_producers_have_an_address) {
  Config c;
  c.mutable_users() = {User{"p.a", "A", {"producer"}, "U1", "a@x.vn"}, User{"o.a", "O", {"screener"}, "U1", "o@x.vn"},
             User{"p.b", "B", {"producer"}, "U1", ""},
             User{"p.c", "C", {"producer", "screener"}, "U1", "c@x.vn"},
             User{"p.d", "D", {"producer"}, "U2", "d@x.vn"}};
  c.index();
  BOOST_TEST(c.any_user_email());
  std::vector<std::string> u1;
  for (const User* u : c.producers_with_email("U1")) u1.push_back(u->id);
  BOOST_TEST(u1 == (std::vector<std::string>{"p.a", "p.c"}), boost::test_tools::per_element());
  BOOST_TEST(c.producers_with_email("U2").size() == 1u);
  BOOST_TEST(c.producers_with_email("U3").empty());
  for (auto& u : c.mutable_users()) u.email.clear();
  c.index();  // again after a change: nothing left over
  BOOST_TEST(!c.any_user_email());
  BOOST_TEST(c.producers_with_email("U1").empty());
}

// The index holds positions, not pointers or copied keys: a copy of a Config looks up in its own
// directory, and every unit and user of a national-size directory is found (probing past
// collisions), unknown codes are not.
BOOST_AUTO_TEST_CASE(lookups_find_every_entry_and_a_copy_looks_up_in_its_own) {
  Config a;
  for (int i = 0; i < 5000; ++i) {
    Unit u;
    u.code = "U" + std::to_string(i);
    u.name = "Xã " + std::to_string(i);
    a.mutable_units().push_back(u);
    a.mutable_users().push_back(
        User{"user." + std::to_string(i), "N", {"producer"}, "U" + std::to_string(i % 7), "e@x.vn"});
  }
  a.index();
  for (int i = 0; i < 5000; ++i) {
    const std::string k = std::to_string(i);
    BOOST_REQUIRE(a.unit("U" + k) == &a.units()[i]);
    BOOST_REQUIRE(a.user("user." + k) == &a.users()[i]);
  }
  BOOST_TEST(a.unit("U5000") == nullptr);
  BOOST_TEST(a.unit("") == nullptr);
  BOOST_TEST(a.user("U1") == nullptr);
  BOOST_TEST(a.producers_with_email("U3").size() == 714u);  // 3, 10, ..., 4995
  Config b = a;
  b.mutable_units()[42].name = "đổi tên";
  BOOST_TEST(b.unit("U42") == &b.units()[42]);
  BOOST_TEST(b.unit("U42")->name == "đổi tên");
  BOOST_TEST(a.unit("U42")->name == "Xã 42");
  BOOST_TEST(b.producers_with_email("U3").front() == &b.users()[3]);
  Config empty;  // never indexed: nothing is found
  BOOST_TEST(empty.unit("U1") == nullptr);
  BOOST_TEST(empty.producers_with_email("U1").empty());
}

BOOST_AUTO_TEST_SUITE_END()

// --- after recognition (spec §10): promotion, its reminders, the new roles' events -------------

#include "ocop/promotion.hpp"

BOOST_AUTO_TEST_SUITE(after_recognition_keys)

namespace {
// kBase and a `promotion` section: its keys start on line 29.
std::string with_promotion(const std::string& keys) { return kBase + "promotion:\n" + keys; }
}  // namespace

BOOST_AUTO_TEST_CASE(the_promotion_section_loads) {
  auto r =
      load(with_promotion("  min_stars: 4\n"
                          "  max_booths_per_producer: 3\n"
                          "  booth_fee_vnd: 1500000\n"
                          "  support_percent: 70\n"
                          "  support_cap_vnd: 9223372036854775807\n"));
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  const PromotionPolicy& p = r.config.promotion;
  BOOST_TEST(p.min_stars == 4);
  BOOST_TEST(p.max_booths_per_producer == 3);
  BOOST_TEST(p.booth_fee_vnd == 1'500'000);
  BOOST_TEST(p.support_percent == 70);
  BOOST_TEST(p.support_cap_vnd == INT64_MAX);  // the largest 64-bit amount is still whole đồng
  // The bounds themselves are accepted.
  auto edges = load(with_promotion("  min_stars: 1\n  support_percent: 0\n  booth_fee_vnd: 0\n"));
  BOOST_REQUIRE_MESSAGE(edges.ok(), dump(edges));
  BOOST_TEST(edges.config.promotion.min_stars == 1);
  BOOST_TEST(edges.config.promotion.support_percent == 0);
  auto top = load(with_promotion("  min_stars: 5\n  support_percent: 100\n"));
  BOOST_REQUIRE_MESSAGE(top.ok(), dump(top));
  BOOST_TEST(top.config.promotion.min_stars == 5);
  BOOST_TEST(top.config.promotion.support_percent == 100);
}

BOOST_AUTO_TEST_CASE(promotion_keys_left_out_keep_their_defaults) {
  // Spec §10.1's example: 3★, 2 booths, free booths, 50 %, 10 million đồng.
  auto none = load(kBase);
  BOOST_REQUIRE(none.ok());
  const PromotionPolicy& d = none.config.promotion;
  BOOST_TEST(d.min_stars == 3);
  BOOST_TEST(d.max_booths_per_producer == 2);
  BOOST_TEST(d.booth_fee_vnd == 0);
  BOOST_TEST(d.support_percent == 50);
  BOOST_TEST(d.support_cap_vnd == 10'000'000);
  auto empty = load(kBase + "promotion:\n");
  BOOST_REQUIRE_MESSAGE(empty.ok(), dump(empty));
  BOOST_TEST(empty.config.promotion.support_cap_vnd == 10'000'000);
  auto some = load(with_promotion("  booth_fee_vnd: 2000000\n"));
  BOOST_REQUIRE_MESSAGE(some.ok(), dump(some));
  BOOST_TEST(some.config.promotion.booth_fee_vnd == 2'000'000);
  BOOST_TEST(some.config.promotion.min_stars == 3);
  BOOST_TEST(some.config.promotion.support_percent == 50);
  BOOST_TEST(some.config.promotion.support_cap_vnd == 10'000'000);
}

BOOST_AUTO_TEST_CASE(each_bad_promotion_value_names_its_line_and_key) {
  expect_one(load(with_promotion("  booth_fee_vnd: -500000\n")), 29, "promotion.booth_fee_vnd",
             "-500000 is negative: money is whole đồng, 0 or more");
  expect_one(load(with_promotion("  min_stars: 4\n  booth_fee_vnd: 1.5\n")), 30, "promotion.booth_fee_vnd",
             "got \"1.5\": money is whole đồng");
  expect_one(load(with_promotion("  support_cap_vnd: 10.000.000\n")), 29, "promotion.support_cap_vnd",
             "money is whole đồng");
  expect_one(load(with_promotion("  support_cap_vnd: 1e7\n")), 29, "promotion.support_cap_vnd",
             "money is whole đồng");
  expect_one(load(with_promotion("  support_cap_vnd: 9223372036854775808\n")), 29,
             "promotion.support_cap_vnd",
             "9223372036854775808 is too large: money is whole đồng in a 64-bit integer");
  expect_one(load(with_promotion("  booth_fee_vnd: [1000]\n")), 29, "promotion.booth_fee_vnd",
             "expected an amount in whole đồng, got a list");
  expect_one(load(with_promotion("  support_percent: 101\n")), 29, "promotion.support_percent",
             "101 is out of range (0 to 100)");
  expect_one(load(with_promotion("  support_percent: 12.5\n")), 29, "promotion.support_percent",
             "expected a whole number, got \"12.5\"");
  expect_one(load(with_promotion("  min_stars: 6\n")), 29, "promotion.min_stars",
             "6 is out of range (1 to 5)");
  expect_one(load(with_promotion("  min_stars: 0\n")), 29, "promotion.min_stars",
             "0 is out of range (1 to 5)");
  expect_one(load(with_promotion("  max_booths_per_producer: 0\n")), 29, "promotion.max_booths_per_producer",
             "0 is out of range (1 to");
  expect_one(load(with_promotion("  support_percnt: 50\n")), 29, "promotion.support_percnt",
             "unknown key \"support_percnt\" (did you mean \"support_percent\"?)");
  expect_one(load(with_promotion("  booth_fee: 50\n")), 29, "promotion.booth_fee",
             "unknown key \"booth_fee\"; expected one of: min_stars, max_booths_per_producer, booth_fee_vnd, "
             "support_percent, support_cap_vnd");
  expect_one(load(kBase + "promotion: [min_stars]\n"), 28, "promotion", "expected a mapping {min_stars,");
  expect_one(load(kBase + "promotoin: {min_stars: 3}\n"), 28, "promotoin", "did you mean \"promotion\"?");
  // All of them in one run, in file order; the good key still counts.
  auto many =
      load(with_promotion("  min_stars: 6\n"
                          "  max_booths_per_producer: 3\n"
                          "  booth_fee_vnd: -1\n"
                          "  support_percent: 101\n"
                          "  support_cap_vnd: 99999999999999999999\n"
                          "  colour: red\n"));
  std::vector<std::pair<int, std::string>> got;
  for (const auto& p : many.problems) got.emplace_back(p.line, p.key);
  std::vector<std::pair<int, std::string>> expected = {{29, "promotion.min_stars"},
                                                       {31, "promotion.booth_fee_vnd"},
                                                       {32, "promotion.support_percent"},
                                                       {33, "promotion.support_cap_vnd"},
                                                       {34, "promotion.colour"}};
  BOOST_TEST_INFO("problems:" << dump(many));
  BOOST_TEST((got == expected));
  BOOST_TEST(many.problems.front().to_string() ==
             "test.yaml:29: promotion.min_stars: 6 is out of range (1 to 5)");
}

BOOST_AUTO_TEST_CASE(the_reminder_kinds_after_recognition_load_with_their_keys) {
  // lines 28-31
  auto r = load(kBase +
                "  - {id: outcome, kind: promotion_outcome}\n"
                "  - {id: outcome-slow, kind: promotion_outcome, after_days: 15, escalate_after_days: 5}\n"
                "  - {id: inspection, kind: inspection_due, days_before: 5}\n"
                "  - {id: remedy, kind: remedy_due, days_before: 0}\n");
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  const auto& rs = r.config.reminders;
  BOOST_REQUIRE_EQUAL(rs.size(), 6u);
  BOOST_TEST((rs[2].kind == ReminderKind::promotion_outcome));
  BOOST_TEST(rs[2].after_days == 10);  // spec §10.1's defaults
  BOOST_TEST(rs[2].escalate_after_days.value_or(0) == 10);
  BOOST_TEST(!rs[2].state.has_value());
  BOOST_TEST((rs[3].kind == ReminderKind::promotion_outcome));
  BOOST_TEST(rs[3].after_days == 15);
  BOOST_TEST(rs[3].escalate_after_days.value_or(0) == 5);
  BOOST_TEST((rs[4].kind == ReminderKind::inspection_due));
  BOOST_TEST(rs[4].days_before == 5);
  BOOST_TEST((rs[5].kind == ReminderKind::remedy_due));
  BOOST_TEST(rs[5].id == "remedy");
  BOOST_TEST(rs[5].days_before == 0);
}

BOOST_AUTO_TEST_CASE(each_reminder_key_is_refused_by_the_kinds_that_do_not_use_it) {
  auto one = [](const std::string& line) { return load(kBase + line + "\n"); };  // line 28
  expect_one(one("  - {id: x, kind: promotion_outcome, days_before: 5}"), 28, "reminders[2].days_before",
             "days_before applies to before_milestone reminders only (and to inspection_due and remedy_due)");
  expect_one(one("  - {id: x, kind: promotion_outcome, state: submitted}"), 28, "reminders[2].state",
             "state applies to stalled reminders only");
  expect_one(one("  - {id: x, kind: promotion_outcome, milestone: round_cutoff}"), 28,
             "reminders[2].milestone", "milestone applies to before_milestone reminders only");
  expect_one(
      one("  - {id: x, kind: promotion_outcome, to: unit}"), 28, "reminders[2].to",
      "to does not apply to promotion_outcome reminders: they go to the producer and the participation's "
      "unit, and escalate to the organiser");
  expect_one(one("  - {id: x, kind: promotion_outcome, after_days: 0}"), 28, "reminders[2].after_days",
             "0 is out of range (1 to 366)");
  expect_one(one("  - {id: x, kind: inspection_due, days_before: 5, after_days: 3}"), 28,
             "reminders[2].after_days",
             "after_days applies to stalled reminders only (and to promotion_outcome)");
  expect_one(one("  - {id: x, kind: remedy_due, days_before: 5, escalate_after_days: 3}"), 28,
             "reminders[2].escalate_after_days",
             "escalate_after_days applies to stalled reminders only (and to promotion_outcome)");
  expect_one(one("  - {id: x, kind: remedy_due, days_before: 5, to: producer}"), 28, "reminders[2].to",
             "to does not apply to remedy_due reminders: they go to the producer and the inspection's unit");
  expect_one(one("  - {id: x, kind: inspection_due}"), 28, "reminders[2].days_before",
             "required key \"days_before\" is missing");
  expect_one(one("  - {id: x, kind: inspection_due, days_before: -1}"), 28, "reminders[2].days_before",
             "-1 is out of range (0 to 366)");
  expect_one(one("  - {id: x, kind: inspection_due, days_before: 5, milestone: round_cutoff}"), 28,
             "reminders[2].milestone", "milestone applies to before_milestone reminders only");
  // The existing kinds refuse the new uses too, and keep their messages.
  expect_one(one("  - {id: x, kind: certificate_expiry, after_days: 10}"), 28, "reminders[2].after_days",
             "after_days applies to stalled reminders only");
  expect_one(one("  - {id: x, kind: cycle_start, days_before: 3}"), 28, "reminders[2].days_before",
             "days_before applies to before_milestone reminders only");
  expect_one(one("  - {id: x, kind: before_milestone, milestone: round_cutoff, days_before: 7, "
                 "escalate_after_days: 2}"),
             28, "reminders[2].escalate_after_days", "escalate_after_days applies to stalled reminders only");
  expect_one(one("  - {id: x, kind: remedy_overdue, days_before: 5}"), 28, "reminders[2].kind",
             "unknown reminder kind \"remedy_overdue\"");
}

BOOST_AUTO_TEST_CASE(roles_may_list_the_events_after_recognition) {
  auto r = load(
      replaced(with_inserted(12,
                             "  organiser: [plan_activity, open_registration, close_registration, "
                             "cancel_activity, close_activity, select, waitlist, decline, mark_no_show]\n"
                             "  inspector: [plan_inspection, record_inspection, confirm_remedy, "
                             "close_inspection, remedy_overdue]\n"
                             "  producer: [apply, withdraw_application, report_outcome]\n"
                             "  ticker: [start_activity, finish_activity]"),
               "roles: [coordinator], unit: HG}", "roles: [coordinator, organiser], unit: HG}"));
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  const Config& c = r.config;
  using AE = ActivityEvent;
  using PE = ParticipationEvent;
  using IE = InspectionEvent;
  BOOST_TEST(c.roles.at("organiser") ==
             (activity_event_bit(AE::plan_activity) | activity_event_bit(AE::open_registration) |
              activity_event_bit(AE::close_registration) | activity_event_bit(AE::cancel_activity) |
              activity_event_bit(AE::close_activity) | participation_event_bit(PE::select) |
              participation_event_bit(PE::waitlist) | participation_event_bit(PE::decline) |
              participation_event_bit(PE::mark_no_show)));
  BOOST_TEST(c.roles.at("inspector") ==
             (inspection_event_bit(IE::plan_inspection) | inspection_event_bit(IE::record_inspection) |
              inspection_event_bit(IE::confirm_remedy) | inspection_event_bit(IE::close_inspection) |
              inspection_event_bit(IE::remedy_overdue)));
  BOOST_TEST(c.roles.at("producer") ==
             (participation_event_bit(PE::apply) | participation_event_bit(PE::withdraw_application) |
              participation_event_bit(PE::report_outcome)));
  BOOST_TEST(c.roles.at("ticker") ==
             (activity_event_bit(AE::start_activity) | activity_event_bit(AE::finish_activity)));
  // A user's mask is the union of its roles': the dossier events and the organiser's.
  const User* lan = c.user("lan");
  BOOST_REQUIRE(lan);
  BOOST_TEST(lan->events == (c.roles.at("coordinator") | c.roles.at("organiser")));
  BOOST_TEST((lan->events & participation_event_bit(PE::select)) != 0u);
  BOOST_TEST((lan->events & participation_event_bit(PE::apply)) == 0u);

  // cancel_participation is only a cascade; a typo is named with its likely event.
  expect_one(
      load(with_line(11, "  coordinator: [select, cancel_participation]")), 11, "roles.coordinator[1]",
      "cancel_participation is not fired by a role: revoking the certificate or cancelling the activity "
      "cancels its participations");
  expect_one(load(with_line(11, "  coordinator: [withdraw_aplication]")), 11, "roles.coordinator[0]",
             "unknown event \"withdraw_aplication\" (did you mean \"withdraw_application\"?)");
}

BOOST_AUTO_TEST_CASE(the_scheduler_actor_needs_notice_and_expire_only) {
  // Spec §10: the scheduler also fires the activities' and inspections' events; the loader does
  // not require its role to list them, so configurations written before §10 still load.
  const std::string old_style =
      with_line(11, "  coordinator: [submit_idea, register, forward, notice, expire]") +
      "scheduler: {actor: lan}\n";
  auto r = load(old_style);
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_TEST(r.config.scheduler_actor == "lan");
  auto full = load(with_line(11,
                             "  coordinator: [notice, expire, open_registration, close_registration, "
                             "start_activity, finish_activity, remedy_overdue]") +
                   "scheduler: {actor: lan}\n");
  BOOST_REQUIRE_MESSAGE(full.ok(), dump(full));
  BOOST_TEST((full.config.user("lan")->events & inspection_event_bit(InspectionEvent::remedy_overdue)) != 0u);
  // Listing only the new events is not enough: notice and expire are still required.
  auto only_new =
      load(with_line(11, "  coordinator: [open_registration, remedy_overdue]") + "scheduler: {actor: lan}\n");
  BOOST_TEST_INFO("problems:" << dump(only_new));
  BOOST_TEST(only_new.problems.size() == 2u);
  BOOST_TEST(has_problem(only_new, 28, "scheduler.actor", "may not fire notice"));
  BOOST_TEST(has_problem(only_new, 28, "scheduler.actor", "may not fire expire"));
}

BOOST_AUTO_TEST_CASE(the_sample_has_the_promotion_policy_roles_and_reminders) {
  auto r = config::load_file(std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml");
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  const Config& c = r.config;
  BOOST_TEST(c.promotion.min_stars == 3);
  BOOST_TEST(c.promotion.max_booths_per_producer == 2);
  BOOST_TEST(c.promotion.support_cap_vnd == 10'000'000);
  auto kind_days = [&](ReminderKind k) {
    for (const auto& rm : c.reminders)
      if (rm.kind == k) return std::pair(rm.after_days, rm.days_before);
    return std::pair(-1, -1);
  };
  BOOST_TEST(kind_days(ReminderKind::promotion_outcome).first == 10);
  BOOST_TEST(kind_days(ReminderKind::inspection_due).second == 5);
  BOOST_TEST(kind_days(ReminderKind::remedy_due).second == 5);
  // Who does what after recognition: the province's organiser and inspector, the central
  // inspector, producers, and the scheduler's user.
  const User* organiser = c.user("organiser.tq.trang");
  const User* inspector = c.user("inspector.tq.khoa");
  const User* central = c.user("inspector.vn.thanh");
  const User* producer = c.user("producer.bacquang");
  const User* scheduler = c.user(c.scheduler_actor);
  BOOST_REQUIRE(organiser && inspector && central && producer && scheduler);
  BOOST_TEST(organiser->unit == "TQ");
  BOOST_TEST(!organiser->email.empty());
  BOOST_TEST((organiser->events & participation_event_bit(ParticipationEvent::select)) != 0u);
  BOOST_TEST((organiser->events & activity_event_bit(ActivityEvent::plan_activity)) != 0u);
  BOOST_TEST((inspector->events & inspection_event_bit(InspectionEvent::record_inspection)) != 0u);
  BOOST_TEST(central->unit == "VN");
  BOOST_TEST((producer->events & participation_event_bit(ParticipationEvent::report_outcome)) != 0u);
  BOOST_TEST((c.roles.at("coordinator") & inspection_event_bit(InspectionEvent::plan_inspection)) != 0u);
  BOOST_TEST((c.roles.at("signer") & inspection_event_bit(InspectionEvent::close_inspection)) != 0u);
  for (auto e : {ActivityEvent::open_registration, ActivityEvent::close_registration,
                 ActivityEvent::start_activity, ActivityEvent::finish_activity})
    BOOST_TEST((scheduler->events & activity_event_bit(e)) != 0u, to_string(e));
  BOOST_TEST((scheduler->events & inspection_event_bit(InspectionEvent::remedy_overdue)) != 0u);
  // The workload generator's roles are the sample's (but for revoke and migrate).
  auto gen = config::load_file(kData + "gen_workload.yaml");
  BOOST_REQUIRE_MESSAGE(gen.ok(), dump(gen));
  for (const char* role : {"producer", "coordinator", "organiser", "inspector", "scheduler"})
    BOOST_TEST((gen.config.roles.at(role) & ~c.roles.at(role)) == 0u, role);
  BOOST_TEST(gen.config.roles.at("organiser") == c.roles.at("organiser"));
  BOOST_TEST(gen.config.roles.at("inspector") == c.roles.at("inspector"));
  BOOST_TEST(gen.config.roles.at("scheduler") == c.roles.at("scheduler"));
}

BOOST_AUTO_TEST_CASE(the_snapshot_keeps_the_promotion_policy_and_the_new_reminders) {
  // The reminders section is kBase's last; add the new kinds there.
  auto r = load(kBase +
                "  - {id: outcome, kind: promotion_outcome, after_days: 12, escalate_after_days: 4}\n"
                "  - {id: inspection, kind: inspection_due, days_before: 6}\n"
                "  - {id: remedy, kind: remedy_due, days_before: 2}\n"
                "promotion:\n"
                "  min_stars: 4\n"
                "  max_booths_per_producer: 5\n"
                "  booth_fee_vnd: 9223372036854775807\n"
                "  support_percent: 33\n"
                "  support_cap_vnd: 1234567\n");
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  auto back = testing::through_snapshot(r.config);
  BOOST_REQUIRE(back.has_value());
  const PromotionPolicy& p = back->promotion;
  BOOST_TEST(p.min_stars == 4);
  BOOST_TEST(p.max_booths_per_producer == 5);
  BOOST_TEST(p.booth_fee_vnd == INT64_MAX);  // no rounding through JSON
  BOOST_TEST(p.support_percent == 33);
  BOOST_TEST(p.support_cap_vnd == 1'234'567);
  BOOST_REQUIRE_EQUAL(back->reminders.size(), 5u);
  BOOST_TEST((back->reminders[2].kind == ReminderKind::promotion_outcome));
  BOOST_TEST(back->reminders[2].after_days == 12);
  BOOST_TEST(back->reminders[2].escalate_after_days.value_or(0) == 4);
  BOOST_TEST((back->reminders[3].kind == ReminderKind::inspection_due));
  BOOST_TEST(back->reminders[3].days_before == 6);
  BOOST_TEST((back->reminders[4].kind == ReminderKind::remedy_due));
  BOOST_TEST(back->reminders[4].days_before == 2);
  BOOST_TEST(testing::snapshot_text(*back) == testing::snapshot_text(r.config));
  // A snapshot of a previous format (11: its directory in the same text, no any_user_email) is
  // not used: the file is parsed again.
  const std::string header = config::snapshot_header(r.config, "fp");
  const std::string marker = "\"format\":12";
  BOOST_REQUIRE(header.find(marker) != std::string::npos);
  std::string old = header;
  old.replace(old.find(marker), marker.size(), "\"format\":11");
  config::SnapshotHeader h;
  BOOST_TEST(config::from_snapshot_header(header, "fp", h).has_value());
  BOOST_TEST(!config::from_snapshot_header(old, "fp", h).has_value());
  BOOST_TEST(config::fingerprint("x") != config::fingerprint("y"));
}

BOOST_AUTO_TEST_SUITE_END()

// --- security (sign-in; ocop/security.hpp) ----------------------------------------------------

BOOST_AUTO_TEST_SUITE(config_security)

BOOST_AUTO_TEST_CASE(defaults_without_the_section) {
  auto r = load(kBase);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.config.security.idle_minutes == 30);
  BOOST_TEST(r.config.security.lockout_failures == 5);
  BOOST_TEST((r.config.security.second_factor_roles == std::vector<std::string>{"signer", "administrator"}));
  BOOST_TEST(r.config.security.password_hashing == "moderate");
}

BOOST_AUTO_TEST_CASE(the_section_sets_the_policy) {
  auto r = load(kBase +
                "\nsecurity:\n  idle_minutes: 10\n  absolute_hours: 8\n  lockout_failures: 3\n  lockout_minutes: 5\n"
                "  address_failures: 50\n  min_password_length: 14\n  invitation_hours: 24\n  max_token_days: 90\n"
                "  second_factor_roles: [coordinator]\n  password_hashing: interactive\n");
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  const SessionPolicy& s = r.config.security;
  BOOST_TEST(s.idle_minutes == 10);
  BOOST_TEST(s.absolute_hours == 8);
  BOOST_TEST(s.lockout_failures == 3);
  BOOST_TEST(s.lockout_minutes == 5);
  BOOST_TEST(s.address_failures == 50);
  BOOST_TEST(s.min_password_length == 14);
  BOOST_TEST(s.invitation_hours == 24);
  BOOST_TEST(s.max_token_days == 90);
  BOOST_TEST((s.second_factor_roles == std::vector<std::string>{"coordinator"}));
  BOOST_TEST(s.password_hashing == "interactive");
  // The snapshot keeps it.
  auto back = ocop::testing::through_snapshot(r.config);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->security.idle_minutes == 10);
  BOOST_TEST(back->security.max_token_days == 90);
  BOOST_TEST((back->security.second_factor_roles == std::vector<std::string>{"coordinator"}));
  BOOST_TEST(back->security.password_hashing == "interactive");
  auto none = load(kBase + "\nsecurity:\n  second_factor_roles: []\n");
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(none.config.security.second_factor_roles.empty());
}

BOOST_AUTO_TEST_CASE(problems_name_the_line_and_key) {
  const std::string head = kBase + "\nsecurity:";
  // The line after "security:".
  const int first = static_cast<int>(std::count(head.begin(), head.end(), '\n')) + 2;
  expect_one(load(kBase + "\nsecurity:\n  idle_minutes: 0\n"), first, "security.idle_minutes", "");
  expect_one(load(kBase + "\nsecurity:\n  min_password_length: 6\n"), first, "security.min_password_length", "");
  expect_one(load(kBase + "\nsecurity:\n  lockout_minutes: soon\n"), first, "security.lockout_minutes", "");
  expect_one(load(kBase + "\nsecurity:\n  second_factor_roles: [signers]\n"), first,
             "security.second_factor_roles[0]", "unknown role \"signers\"");
  expect_one(load(kBase + "\nsecurity:\n  password_hashing: fast\n"), first, "security.password_hashing",
             "expected one of: moderate, interactive");
  expect_one(load(kBase + "\nsecurity:\n  idle_minute: 10\n"), first, "security.idle_minute", "idle_minutes");
  expect_one(load(kBase + "\nsecurity: 5\n"), first - 1, "security", "a mapping");
}

BOOST_AUTO_TEST_SUITE_END()
