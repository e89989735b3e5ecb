#include "ocop/rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ocop {

int band(const RuleSet& rs, double score) {
  int stars = 0;
  for (const auto& b : rs.stars)
    if (score >= b.min) stars = b.stars;
  return stars;
}

Evaluation evaluate(const RuleSet& rs, const std::vector<double>& totals,
                    const std::vector<std::string>& failed) {
  Evaluation e;
  if (totals.empty()) return e;
  double sum = 0;
  for (double t : totals) sum += t;
  // Sheets carry at most one decimal; round the average to 1e-9 so that 69.5 stays 69.5
  // rather than 69.49999999.
  e.score = std::round(sum / static_cast<double>(totals.size()) * 1e9) / 1e9;
  double banded = rs.rounding == Rounding::half_up ? std::floor(e.score + 0.5) : e.score;
  int stars = band(rs, banded);
  // A failed mandatory criterion of star s (or below) caps the product below s.
  for (const auto& [s, criteria] : rs.mandatory) {
    if (s > stars) continue;
    for (const auto& c : criteria) {
      if (std::find(failed.begin(), failed.end(), c) != failed.end()) {
        stars = std::min(stars, s - 1);
        break;
      }
    }
  }
  e.stars = std::max(stars, 0);
  return e;
}

int award_stars(const LevelRule& level, int computed) {
  if (level.recognizes.empty()) return computed;
  int top = *std::max_element(level.recognizes.begin(), level.recognizes.end());
  return std::min(computed, top);
}

std::string format_score(double v) {
  char buf[32];
  if (std::fabs(v - std::round(v)) < 1e-9)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string next_open_round(const Config& cfg, UnitLevel level, Date day) {
  const Round* best = nullptr;
  for (const auto& [year, cycle] : cfg.cycles)
    for (const auto& r : cycle.rounds)
      if (r.level == level && r.cutoff >= day && (!best || r.cutoff < best->cutoff)) best = &r;
  return best ? best->id : std::string();
}

const Round* find_round(const Config& cfg, const std::string& id) {
  for (const auto& [year, cycle] : cfg.cycles)
    for (const auto& r : cycle.rounds)
      if (r.id == id) return &r;
  return nullptr;
}

}  // namespace ocop
