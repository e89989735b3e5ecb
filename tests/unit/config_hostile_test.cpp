// The configuration loader against hostile files (config/README.md "Limits"): an alias bomb,
// nesting 100,000 deep, too many values, a directory, a device or a huge file. Each is refused
// with one problem saying where and what, quickly and in little memory; nothing is loaded.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "config/config_file.hpp"
#include "config/yaml_config.hpp"

using namespace ocop;
using ocop::config::LoadResult;

namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(OCOP_SOURCE_DIR) + "/tests/data/config/";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string dump(const LoadResult& r) {
  std::string s;
  for (const auto& p : r.problems) s += p.to_string() + "\n";
  return s;
}

// "billion laughs": 9 levels of anchors, each list repeating the previous one 10 times.
std::string alias_bomb(const std::string& indent = "") {
  std::string s = indent + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 8; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    s += indent + "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) s += (k ? ", " : "") + prev;
    s += "]\n";
  }
  return s;
}

// The only problem of `r`, checked for its line, key and the words of its message.
void only_problem(const LoadResult& r, int line, const std::string& key, const std::string& words) {
  BOOST_REQUIRE_MESSAGE(r.problems.size() == 1u, dump(r));
  BOOST_TEST(r.problems[0].line == line);
  BOOST_TEST(r.problems[0].key == key);
  BOOST_TEST_MESSAGE(r.problems[0].to_string());
  BOOST_TEST(r.problems[0].message.find(words) != std::string::npos, r.problems[0].to_string());
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("ocop-config-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(config_hostile)

BOOST_AUTO_TEST_CASE(an_alias_bomb_is_refused_at_the_alias_that_crosses_the_bound) {
  // 10^9 values once expanded; refused after 1,000,000, at a5's eighth alias (line 6).
  auto r = config::load_string(alias_bomb(), "bomb.yaml");
  only_problem(r, 6, "a5[7]", "this alias takes the document past 1,000,000 values");
  BOOST_TEST(r.problems[0].to_string().find("bomb.yaml:6: a5[7]: ") == 0u);
}

BOOST_AUTO_TEST_CASE(an_alias_bomb_under_an_unknown_key_or_in_a_section_is_refused) {
  std::string valid = read(kData + "valid.yaml");
  auto r = config::load_string(valid + "junk:\n" + alias_bomb("  "), "bomb.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].key == "junk.a5[7]");
  BOOST_TEST(r.problems[0].message.find("alias") != std::string::npos);

  auto plan = config::load_plan_string("id: p\nreason: r\n" + alias_bomb(), "plan.yaml");
  BOOST_REQUIRE_EQUAL(plan.problems.size(), 1u);
  BOOST_TEST(plan.problems[0].line == 8);
  BOOST_TEST(plan.problems[0].key == "a5[7]");
}

BOOST_AUTO_TEST_CASE(aliases_repeating_big_text_are_refused_past_64_mib) {
  std::string s = "a: &a \"" + std::string(1 << 20, 'x') + "\"\nb: [";
  for (int i = 0; i < 100; ++i) s += (i ? ", " : "") + std::string("*a");
  s += "]\n";
  auto r = config::load_string(s, "text.yaml");
  only_problem(r, 2, "b[62]", "past 64 MiB of text");
}

BOOST_AUTO_TEST_CASE(aliases_within_the_bounds_load_as_copies) {
  // An anchor in a section that is finished (units) used in another (users), and one in a list
  // still being read (an earlier user) used by a later user.
  const std::string text = R"(province: {code: HG, name: "Hà Giang", timezone: Asia/Ho_Chi_Minh}
units:
  - {code: VN, name: "Trung ương", level: central}
  - {code: &hg HG, name: "Hà Giang", level: province, parent: VN}
users:
  - {id: lan, name: "Nguyễn Thị Lan", roles: &both [coordinator, screener], unit: *hg}
  - {id: minh, name: "Hoàng Văn Minh", roles: *both, unit: *hg}
roles:
  coordinator: &events [submit_idea, register, forward]
  screener: *events
rule_sets:
  - id: R148_1489
    effective_from: 2025-07-06
    parts: {A: 40, B: 25, C: 35}
    stars: [{stars: 1, min: 0}, {stars: 2, min: 30}, {stars: 3, min: 50}, {stars: 4, min: 70}, {stars: 5, min: 90}]
    levels:
      - {level: province, kind: council, quorum: 5, recognizes: [1, 2, 3, 4], forward_min: 90}
      - {level: central, kind: council, quorum: 5, recognizes: [5]}
)";
  auto r = config::load_string(text, "aliases.yaml");
  BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
  BOOST_TEST(r.config.user("minh")->unit == "HG");
  BOOST_TEST(r.config.user("minh")->roles.size() == 2u);
  BOOST_TEST(r.config.user("lan")->roles.at(1) == "screener");
  BOOST_TEST(r.config.roles.at("screener") == r.config.roles.at("coordinator"));
}

BOOST_AUTO_TEST_CASE(nesting_100000_deep_is_refused_at_64_levels) {
  const std::string flow = "units: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  auto r = config::load_string(flow, "deep.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].line == 1);
  BOOST_TEST(r.problems[0].key.find("units[0][0]") == 0u);
  BOOST_TEST(r.problems[0].message.find("nested more than 64 levels deep") == 0u);

  std::string maps = "units: ";
  for (int i = 0; i < 100000; ++i) maps += "{a: ";
  maps += "1" + std::string(100000, '}') + "\n";
  r = config::load_string(maps, "deep.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].message.find("nested more than 64 levels deep") == 0u);

  // Block lists, one level a line: refused on line 65.
  std::string block = "units:\n";
  for (int i = 0; i < 2000; ++i) block += std::string(static_cast<size_t>(i), ' ') + "-\n";
  r = config::load_string(block, "deep.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].line == 65);

  // On one line, yaml-cpp refuses "- - - ..." itself.
  std::string dashes = "units: ";
  for (int i = 0; i < 100000; ++i) dashes += "- ";
  r = config::load_string(dashes + "a\n", "deep.yaml");
  BOOST_TEST(!r.ok());

  // Nesting just inside the limit is still read (and then checked as usual).
  std::string ok = "units: " + std::string(63, '[') + std::string(63, ']') + "\n";
  r = config::load_string(ok, "deep.yaml");
  BOOST_TEST(r.problems.size() > 1u);  // missing sections, units not a list of units
  for (const auto& p : r.problems) BOOST_TEST(p.message.find("nested") == std::string::npos);

  // A second document is not read past the depth limit either.
  r = config::load_string(read(kData + "valid.yaml") + "---\n" + std::string(100000, '[') + "\n", "two.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].message.find("a second YAML document") == 0u);
}

BOOST_AUTO_TEST_CASE(more_than_a_million_values_are_refused) {
  std::string s = "junk: [";
  for (int i = 0; i < 1000001; ++i) s += "1,";
  s += "1]\n";
  auto r = config::load_string(s, "many.yaml");
  only_problem(r, 1, "junk[999997]", "the document holds more than 1,000,000 values");
}

BOOST_AUTO_TEST_CASE(text_past_16_mib_is_refused_before_parsing) {
  std::string s = "# " + std::string(config::kMaxFileBytes, 'x') + "\n";
  auto r = config::load_string(s, "big.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].line == 0);
  BOOST_TEST(r.problems[0].to_string() ==
             "big.yaml: the text is 16,777,219 bytes; a configuration file may be at most 16 MiB "
             "(16,777,216 bytes)");
}

BOOST_AUTO_TEST_CASE(only_a_regular_file_of_at_most_16_mib_is_read) {
  std::string content = "left alone";
  auto p = config::read_config_file(OCOP_SOURCE_DIR "/tests/data", content);
  BOOST_REQUIRE(p);
  BOOST_TEST(p->to_string() == OCOP_SOURCE_DIR "/tests/data: is a directory, not a configuration file");
  BOOST_TEST(content.empty());

  p = config::read_config_file("/dev/zero", content);
  BOOST_REQUIRE(p);
  BOOST_TEST(p->to_string() == "/dev/zero: is a character device, not a configuration file");

  p = config::read_config_file(kData + "no_such_file.yaml", content);
  BOOST_REQUIRE(p);
  BOOST_TEST(p->message.find("cannot open: ") == 0u);

  TempDir dir;
  const std::string big = (dir.path / "big.yaml").string();
  { std::ofstream out(big, std::ios::binary); }
  fs::resize_file(big, config::kMaxFileBytes + 1);  // sparse: nothing is written
  p = config::read_config_file(big, content);
  BOOST_REQUIRE(p);
  BOOST_TEST(
      p->to_string() ==
      big + ": the file is 16,777,217 bytes; a configuration file may be at most 16 MiB (16,777,216 bytes)");

  fs::resize_file(big, config::kMaxFileBytes);  // exactly the bound is read
  p = config::read_config_file(big, content);
  BOOST_TEST(!p);
  BOOST_TEST(content.size() == config::kMaxFileBytes);

  p = config::read_config_file(kData + "valid.yaml", content);
  BOOST_TEST(!p);
  BOOST_TEST(content == read(kData + "valid.yaml"));

  // The loaders read through it.
  auto r = config::load_file("/dev/zero");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);
  BOOST_TEST(r.problems[0].message == "is a character device, not a configuration file");
  auto plan = config::load_plan_file(OCOP_SOURCE_DIR "/tests/data");
  BOOST_REQUIRE_EQUAL(plan.problems.size(), 1u);
  BOOST_TEST(plan.problems[0].message == "is a directory, not a configuration file");
}

BOOST_AUTO_TEST_CASE(money_that_is_not_whole_dong_in_64_bits_is_refused) {
  // spec §10.1: money is whole đồng in 64-bit integers. Every spelling that a float parser, a
  // locale or a lenient integer parser might take is refused with one problem at its line, and
  // nothing is read approximately.
  const std::string valid = read(kData + "valid.yaml");
  const int line = static_cast<int>(std::count(valid.begin(), valid.end(), '\n')) + 2;
  const std::string huge(100000, '9');
  for (const std::string& v : {std::string("1.5"),
                               std::string("1e7"),
                               std::string("1E+07"),
                               std::string("10.000.000"),
                               std::string("10,000,000"),
                               std::string("1_000_000"),
                               std::string("0x7fffffffffffffff"),
                               std::string("+100"),
                               std::string(".5"),
                               std::string(".inf"),
                               std::string("-.inf"),
                               std::string(".nan"),
                               std::string("NaN"),
                               std::string("100 000"),
                               std::string("\"\""),
                               std::string("\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x90") /* １００ */,
                               std::string("9223372036854775808"),
                               std::string("18446744073709551616"),
                               huge,
                               std::string("-1"),
                               std::string("-9223372036854775809"),
                               std::string("-" + huge)}) {
    auto r = config::load_string(valid + "promotion:\n  support_cap_vnd: " + v + "\n", "money.yaml");
    BOOST_TEST_CONTEXT(v.substr(0, 40)) {
      BOOST_REQUIRE_MESSAGE(r.problems.size() == 1u, dump(r));
      BOOST_TEST(r.problems[0].line == line);
      BOOST_TEST(r.problems[0].key == "promotion.support_cap_vnd");
      BOOST_TEST(r.problems[0].message.find("money is whole đồng") != std::string::npos,
                 r.problems[0].message);
      BOOST_TEST(r.problems[0].message.size() < 400u);  // a 100,000-digit amount is not echoed twice
    }
  }
  // The edges are read exactly.
  for (const auto& [text, value] : std::vector<std::pair<std::string, std::int64_t>>{
           {"0", 0}, {"-0", 0}, {"007", 7}, {"9223372036854775807", INT64_MAX}}) {
    auto r = config::load_string(valid + "promotion:\n  booth_fee_vnd: " + text + "\n", "money.yaml");
    BOOST_REQUIRE_MESSAGE(r.ok(), dump(r));
    BOOST_TEST(r.config.promotion.booth_fee_vnd == value, text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
