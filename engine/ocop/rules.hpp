// The evaluation rules of a rule set (domain.md, spec §2): averaging, rounding, star bands,
// mandatory-criteria caps, and the stars a level may award. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "ocop/config.hpp"

namespace ocop {

struct Evaluation {
  double score = 0;  // the average of the members' totals (before rounding)
  int stars = 0;     // the band of the (rounded) score, capped by failed mandatory criteria
};

// `totals` are the members' sheet totals (A+B+C); `failed` the failed mandatory criteria.
Evaluation evaluate(const RuleSet& rs, const std::vector<double>& totals,
                    const std::vector<std::string>& failed);
// The band of a score, without caps.
int band(const RuleSet& rs, double score);
// The stars a level awards for `computed` stars: capped at the level's highest recognisable.
int award_stars(const LevelRule& level, int computed);
// "69.5", "70": a score for people.
std::string format_score(double v);
// The first round of `level` whose cut-off is on or after `day`, by cut-off; "" when none.
std::string next_open_round(const Config& cfg, UnitLevel level, Date day);
const Round* find_round(const Config& cfg, const std::string& id);

}  // namespace ocop
