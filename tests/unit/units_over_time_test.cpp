// Units over time (Config::unit_on, ancestors_on, in_scope, units_under) on the small province
// of tests/data/config/history.yaml: Hà Giang and its district Bắc Quang end on 30/06/2025.
#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "config/yaml_config.hpp"

using namespace ocop;

namespace {
const Config& history() {
  static const Config cfg = [] {
    auto r = config::load_file(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/history.yaml");
    BOOST_REQUIRE(r.ok());
    return std::move(r.config);
  }();
  return cfg;
}
const Date kBefore = *parse_date("2025-06-30");
const Date kAfter = *parse_date("2025-07-01");

std::vector<std::string> codes(const std::vector<const Unit*>& units) {
  std::vector<std::string> out;
  for (const Unit* u : units) out.push_back(u->code);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(units_over_time)

BOOST_AUTO_TEST_CASE(a_merged_commune_lives_on_in_its_successor) {
  const Config& c = history();
  BOOST_TEST(c.unit_on("HG-BQ-VIETQUANG", kBefore)->code == "HG-BQ-VIETQUANG");
  BOOST_TEST(c.unit_on("HG-BQ-VIETQUANG", kAfter)->code == "TQ-BACQUANG");
  BOOST_TEST(c.unit_on("HG", kAfter)->code == "TQ");
  BOOST_TEST(c.unit_on("HG-BQ", kAfter) == nullptr);         // ended without a successor
  BOOST_TEST(c.unit_on("TQ-BACQUANG", kBefore) == nullptr);  // not created yet
  BOOST_TEST(c.unit_on("NOPE", kAfter) == nullptr);
}

BOOST_AUTO_TEST_CASE(ancestors_skip_an_abolished_district) {
  const Config& c = history();
  BOOST_TEST(
      (codes(c.ancestors_on("HG-BQ-HUUSAN", kBefore)) == std::vector<std::string>{"HG-BQ", "HG", "VN"}));
  BOOST_TEST((codes(c.ancestors_on("HG-BQ-HUUSAN", kAfter)) == std::vector<std::string>{"TQ", "VN"}));
  BOOST_TEST((codes(c.ancestors_on("HG-BQ-VIETQUANG", kAfter)) == std::vector<std::string>{"TQ", "VN"}));
}

BOOST_AUTO_TEST_CASE(scope_follows_the_day) {
  const Config& c = history();
  BOOST_TEST(c.in_scope("HG-BQ", "HG-BQ-VIETQUANG", kBefore));
  BOOST_TEST(!c.in_scope("HG-BQ", "HG-BQ-VIETQUANG", kAfter));
  BOOST_TEST(!c.in_scope("TQ-BACQUANG", "HG-BQ-VIETQUANG", kBefore));
  BOOST_TEST(c.in_scope("TQ-BACQUANG", "HG-BQ-VIETQUANG", kAfter));
  BOOST_TEST(!c.in_scope("TQ-TANQUANG", "HG-BQ-VIETQUANG", kAfter));
  BOOST_TEST(c.in_scope("TQ", "HG-BQ-HUUSAN", kAfter));
  BOOST_TEST(!c.in_scope("TQ", "HG-BQ-HUUSAN", kBefore));
  BOOST_TEST(c.in_scope("VN", "HG-BQ-TANTHANH", kBefore));
  BOOST_TEST(c.in_scope("VN", "HG-BQ-TANTHANH", kAfter));
}

BOOST_AUTO_TEST_CASE(listing_under_a_unit_keeps_history_findable) {
  const Config& c = history();
  using V = std::vector<std::string>;
  BOOST_TEST((c.units_under("TQ-BACQUANG", kAfter) == V{"HG-BQ-VIETQUANG", "HG-BQ-VIETVINH", "TQ-BACQUANG"}));
  BOOST_TEST((c.units_under("TQ-BACQUANG", kBefore) == V{"TQ-BACQUANG"}));
  BOOST_TEST((c.units_under("HG-BQ", kAfter) ==
              V{"HG-BQ", "HG-BQ-HUUSAN", "HG-BQ-TANTHANH", "HG-BQ-VIETQUANG", "HG-BQ-VIETVINH"}));
  BOOST_TEST(c.units_under("TQ", kAfter).size() == 9u);   // all but VN
  BOOST_TEST(c.units_under("TQ", kBefore).size() == 3u);  // TQ and its two (future) communes, as written
  BOOST_TEST(c.units_under("NOPE", kAfter).empty());
}

// The contract of units_under tested unit by unit, the slow way: `code` itself, the units that
// belong to it on the day, and those filed under it as written.
std::vector<std::string> units_under_by_definition(const Config& c, const std::string& code, Date day) {
  std::vector<std::string> out;
  if (!c.unit(code)) return out;
  for (const Unit& u : c.units()) {
    bool under = u.code == code || c.in_scope(code, u.code, day);
    for (const Unit* p = &u; !under && p && !p->parent.empty(); p = c.unit(p->parent)) under = p->parent == code;
    if (under) out.push_back(u.code);
  }
  std::sort(out.begin(), out.end());
  return out;
}

BOOST_AUTO_TEST_CASE(listing_under_every_unit_on_every_day_matches_the_definition) {
  auto sample = config::load_file(std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml");
  BOOST_REQUIRE(sample.ok());
  for (const Config* c : std::vector<const Config*>{&history(), &sample.config}) {
    std::size_t listed = 0;
    for (const char* d : {"2020-01-01", "2025-06-30", "2025-07-01", "2026-06-01", "2030-01-01"}) {
      for (const Unit& u : c->units()) {
        auto got = c->units_under(u.code, *parse_date(d));
        BOOST_TEST(got == units_under_by_definition(*c, u.code, *parse_date(d)), u.code << " on " << d);
        listed += got.size();
      }
    }
    BOOST_TEST(listed > c->units().size());  // some unit has others under it
  }
}

BOOST_AUTO_TEST_SUITE_END()
