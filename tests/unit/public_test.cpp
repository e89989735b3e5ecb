// The public face's pieces (issue 13): verification codes, the public routes' rate limit and the
// yearly report's stages.
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <set>

#include "http/rate_limit.hpp"
#include "ocop/app.hpp"
#include "ocop/verification.hpp"

using namespace ocop;

namespace {
std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(verification_codes)

BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc_4231) {
  BOOST_TEST(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

BOOST_AUTO_TEST_CASE(codes_are_20_base32_characters_derived_from_secret_and_id) {
  const std::string secret(32, 'k');
  const std::string a = verification_code(secret, "TQ-2026-0001/province");
  BOOST_TEST(a.size() == kVerificationCodeLength);
  BOOST_TEST(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == std::string::npos);
  BOOST_TEST(verification_code(secret, "TQ-2026-0001/province") == a);  // derived: the same every time
  BOOST_TEST(verification_code(secret, "TQ-2026-0001/central") != a);
  BOOST_TEST(verification_code(std::string(32, 'j'), "TQ-2026-0001/province") != a);  // another database
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(verification_code(secret, "TQ-2026-" + std::to_string(i) + "/province"));
  BOOST_TEST(seen.size() == 10000u);
}

BOOST_AUTO_TEST_CASE(typed_codes_are_normalised_and_malformed_ones_refused) {
  const std::string code = verification_code("s", "c");
  std::string typed = code.substr(0, 5) + "-" + code.substr(5, 5) + " " + code.substr(10);
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  BOOST_TEST(normalize_verification_code(typed) == code);
  BOOST_TEST(normalize_verification_code(code) == code);
  BOOST_TEST(normalize_verification_code(code.substr(1)).empty());         // too short
  BOOST_TEST(normalize_verification_code(code + "A").empty());             // too long
  BOOST_TEST(normalize_verification_code("AAAAAAAAAAAAAAAAAAA0").empty());  // 0, 1, 8, 9 are not base32
  BOOST_TEST(normalize_verification_code("AAAAAAAAAAAAAAAAAA/A").empty());
  BOOST_TEST(normalize_verification_code(std::string(1000, 'A')).empty());
  BOOST_TEST(normalize_verification_code("").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(public_rate_limit)

using http::RateLimiter;
using std::chrono::seconds;

BOOST_AUTO_TEST_CASE(a_burst_then_one_per_interval_per_address) {
  RateLimiter limit(6);  // 6 a minute: one every 10 s after the burst
  const auto t0 = RateLimiter::Clock::time_point{} + seconds(1000);
  int retry = 0;
  for (int i = 0; i < 6; ++i) BOOST_TEST(limit.allow("10.0.0.1", t0, retry));
  BOOST_TEST(!limit.allow("10.0.0.1", t0, retry));
  BOOST_TEST(retry == 10);
  BOOST_TEST(limit.allow("10.0.0.2", t0, retry));  // another address has its own budget
  BOOST_TEST(!limit.allow("10.0.0.1", t0 + seconds(9), retry));
  BOOST_TEST(retry == 1);
  BOOST_TEST(limit.allow("10.0.0.1", t0 + seconds(10), retry));
  BOOST_TEST(!limit.allow("10.0.0.1", t0 + seconds(10), retry));
  for (int i = 0; i < 6; ++i) BOOST_TEST(limit.allow("10.0.0.1", t0 + seconds(3600), retry));  // refilled, capped
  BOOST_TEST(!limit.allow("10.0.0.1", t0 + seconds(3600), retry));
}

BOOST_AUTO_TEST_CASE(zero_is_no_limit) {
  RateLimiter limit(0);
  int retry = 0;
  for (int i = 0; i < 1000; ++i) BOOST_TEST(limit.allow("x", RateLimiter::Clock::time_point{}, retry));
}

BOOST_AUTO_TEST_CASE(memory_is_bounded) {
  RateLimiter limit(60, 100);
  const auto t0 = RateLimiter::Clock::time_point{} + seconds(1000);
  int retry = 0;
  for (int i = 0; i < 1000; ++i) limit.allow("a" + std::to_string(i), t0, retry);
  BOOST_TEST(limit.clients() <= 100u);
  // Addresses owed nothing (their bucket refilled) are forgotten first.
  RateLimiter small(60, 2);
  BOOST_TEST(small.allow("a", t0, retry));
  BOOST_TEST(small.allow("b", t0 + seconds(1), retry));
  BOOST_TEST(small.allow("c", t0 + seconds(61), retry));  // "a" and "b" have refilled
  BOOST_TEST(small.clients() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// The yearly report's stages (engine/ocop/app.hpp): every stored state has one, the funnel's
// "reached" never goes past the stage a state is at, and the states that end a dossier count
// where their state says.
BOOST_AUTO_TEST_SUITE(cycle_stages)

std::string stage(std::optional<CycleStage> s) { return s ? std::string(to_string(*s)) : "none"; }

BOOST_AUTO_TEST_CASE(every_state_has_a_stage_and_a_furthest_stage) {
  BOOST_TEST(!stage_of(State::none).has_value());
  BOOST_TEST(!stage_reached(State::none).has_value());
  for (int i = 1; i < kStateCount; ++i) {
    const State s = static_cast<State>(i);
    BOOST_TEST_INFO(to_string(s));
    BOOST_TEST_REQUIRE(stage_of(s).has_value());
    BOOST_TEST_REQUIRE(stage_reached(s).has_value());
    BOOST_TEST(static_cast<int>(*stage_reached(s)) < kFunnelStageCount);
    if (*stage_of(s) != CycleStage::ended) BOOST_TEST(stage(stage_reached(s)) == stage(stage_of(s)));
  }
  BOOST_TEST(stage(stage_of(State::idea_returned)) == "idea");
  BOOST_TEST(stage(stage_of(State::plan_returned)) == "plan");
  BOOST_TEST(stage(stage_of(State::returned)) == "evaluation");
  BOOST_TEST(stage(stage_of(State::recognized)) == "recognition");
  BOOST_TEST(stage(stage_of(State::withdrawn)) == "ended");
  BOOST_TEST(stage(stage_reached(State::not_recognized)) == "evaluation");
  BOOST_TEST(stage(stage_reached(State::rejected)) == "idea");
  BOOST_TEST(stage(stage_reached(State::withdrawn)) == "idea");
  BOOST_TEST(to_string(CycleStage::development) == "development");
}

// funnel_of: the one funnel of the yearly report, `ocop report --json` and the dashboard.
BOOST_AUTO_TEST_CASE(the_funnel_counts_each_dossier_up_to_the_furthest_stage_it_reached) {
  const Funnel f = funnel_of({{"idea_submitted", 2},
                              {"plan_submitted", 1},
                              {"in_development", 3},
                              {"submitted", 5},
                              {"scored", 1},
                              {"not_recognized", 1},
                              {"recognized", 4},
                              {"rejected", 7},
                              {"withdrawn", 1},
                              {"not_a_state", 100}});
  // idea: all 25 known; plan: 1+3+5+1+1+4; development: 3+5+1+1+4; evaluation: 5+1+1+4; recognition: 4.
  BOOST_TEST((f == Funnel{25, 15, 14, 11, 4}));
  BOOST_TEST((funnel_of({}) == Funnel{}));
}

BOOST_AUTO_TEST_SUITE_END()
