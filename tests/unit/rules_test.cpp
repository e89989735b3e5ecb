#include <boost/test/unit_test.hpp>

#include "ocop/rules.hpp"

using namespace ocop;

namespace {
RuleSet r148() {
  RuleSet rs;
  rs.id = "R148";
  rs.stars = {{1, 0}, {2, 30}, {3, 50}, {4, 70}, {5, 90}};
  rs.mandatory = {
      {3, {"food_safety"}}, {4, {"food_safety", "traceability"}}, {5, {"food_safety", "traceability"}}};
  return rs;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(rules)

BOOST_AUTO_TEST_CASE(bands_follow_the_decision_148_table) {
  RuleSet rs = r148();
  BOOST_TEST(band(rs, 0) == 1);
  BOOST_TEST(band(rs, 29.99) == 1);
  BOOST_TEST(band(rs, 30) == 2);
  BOOST_TEST(band(rs, 49.9) == 2);
  BOOST_TEST(band(rs, 50) == 3);
  BOOST_TEST(band(rs, 69.9) == 3);
  BOOST_TEST(band(rs, 70) == 4);
  BOOST_TEST(band(rs, 89.99) == 4);
  BOOST_TEST(band(rs, 90) == 5);
  BOOST_TEST(band(rs, 100) == 5);
}

BOOST_AUTO_TEST_CASE(the_score_is_the_average_of_the_members_totals) {
  RuleSet rs = r148();
  Evaluation e = evaluate(rs, {70, 69, 70, 69}, {});
  BOOST_TEST(e.score == 69.5);
  BOOST_TEST(e.stars == 3);  // rounding: none — 69.5 stays in the 3★ band
  BOOST_TEST(evaluate(rs, {}, {}).stars == 0);
}

BOOST_AUTO_TEST_CASE(half_up_rounding_is_applied_before_banding) {
  RuleSet rs = r148();
  rs.rounding = Rounding::half_up;
  BOOST_TEST(evaluate(rs, {70, 69, 70, 69}, {}).stars == 4);     // 69.5 -> 70
  BOOST_TEST(evaluate(rs, {69.4, 69.4}, {}).stars == 3);         // 69.4 -> 69
  BOOST_TEST(evaluate(rs, {70, 69, 70, 69}, {}).score == 69.5);  // the stored score is not rounded
}

BOOST_AUTO_TEST_CASE(failed_mandatory_criteria_cap_the_stars) {
  RuleSet rs = r148();
  BOOST_TEST(evaluate(rs, {95}, {"traceability"}).stars == 3);
  BOOST_TEST(evaluate(rs, {95}, {"food_safety"}).stars == 2);
  BOOST_TEST(evaluate(rs, {75}, {"traceability"}).stars == 3);
  BOOST_TEST(evaluate(rs, {55}, {"traceability"}).stars == 3);  // 3★ does not need traceability
  BOOST_TEST(evaluate(rs, {40}, {"food_safety"}).stars == 2);   // below the capped band anyway
  BOOST_TEST(evaluate(rs, {95}, {"unrelated"}).stars == 5);
}

BOOST_AUTO_TEST_CASE(recognition_is_capped_at_the_levels_highest_star) {
  LevelRule province{UnitLevel::province, LevelKind::council, 5, {3, 4}, 90.0};
  BOOST_TEST(award_stars(province, 5) == 4);
  BOOST_TEST(award_stars(province, 3) == 3);
  BOOST_TEST(award_stars(province, 2) == 2);  // not recognisable: the guard refuses it
  LevelRule district{UnitLevel::district, LevelKind::council, 5, {3}, 70.0};
  BOOST_TEST(award_stars(district, 4) == 3);
}

BOOST_AUTO_TEST_CASE(scores_print_without_noise) {
  BOOST_TEST(format_score(70) == "70");
  BOOST_TEST(format_score(69.5) == "69.5");
  BOOST_TEST(format_score(52.25) == "52.25");
}

BOOST_AUTO_TEST_CASE(the_next_open_round_is_the_earliest_cutoff_not_past) {
  Config cfg;
  Cycle c;
  c.year = 2026;
  c.rounds = {{"2026-1", UnitLevel::province, *parse_date("2026-06-30"), *parse_date("2026-07-15")},
              {"2026-2", UnitLevel::province, *parse_date("2026-11-30"), *parse_date("2026-12-15")},
              {"2026-C", UnitLevel::central, *parse_date("2026-11-15"), *parse_date("2026-11-30")}};
  cfg.cycles[2026] = c;
  BOOST_TEST(next_open_round(cfg, UnitLevel::province, *parse_date("2026-03-01")) == "2026-1");
  BOOST_TEST(next_open_round(cfg, UnitLevel::province, *parse_date("2026-06-30")) == "2026-1");
  BOOST_TEST(next_open_round(cfg, UnitLevel::province, *parse_date("2026-07-01")) == "2026-2");
  BOOST_TEST(next_open_round(cfg, UnitLevel::central, *parse_date("2026-07-01")) == "2026-C");
  BOOST_TEST(next_open_round(cfg, UnitLevel::province, *parse_date("2026-12-01")) == "");
  BOOST_TEST(find_round(cfg, "2026-C") != nullptr);
  BOOST_TEST(find_round(cfg, "2027-1") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
