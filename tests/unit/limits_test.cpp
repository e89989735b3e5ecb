// ocop/limits.hpp: depth on the text and on the tree, the data's size, refused characters;
// and the CLI's terminal escaping (adapters/cli/terminal.hpp).
#include <boost/test/unit_test.hpp>

#include "cli/terminal.hpp"
#include "config/yaml_config.hpp"
#include "ocop/executor.hpp"
#include "ocop/limits.hpp"

using namespace ocop;
using nlohmann::json;

namespace {
std::string nested(int depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}
json nested_json(int depth) {  // an object whose "a" nests arrays: depth levels in all
  json v = json::array();
  for (int i = 2; i < depth; ++i) v = json::array({v});
  return json{{"a", v}};
}
EventRequest request(const std::string& event, const std::string& dossier, json data) {
  EventRequest r;
  r.event = event;
  r.dossier = dossier;
  r.actor = "producer.1";
  r.data = std::move(data);
  return r;
}
const Config& valid_config() {
  static const Config c =
      config::load_file(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/valid.yaml").config;
  return c;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(input_limits)

BOOST_AUTO_TEST_CASE(nesting_is_measured_on_the_text_and_strings_do_not_count) {
  BOOST_TEST(!json_nesting_exceeds(nested(16), 16));
  BOOST_TEST(json_nesting_exceeds(nested(17), 16));
  BOOST_TEST(!json_nesting_exceeds(R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})", 2));
  BOOST_TEST(!json_nesting_exceeds(R"({"a":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"})", 2));
  BOOST_TEST(json_nesting_exceeds(R"({"a":"\\",  "b":[[[]]]})", 3));
  BOOST_TEST(!json_nesting_exceeds(nested(3, '{', '}') + nested(3), 3));  // depth, not count
  // 100,000 deep: refused by the scan, no tree is built.
  const std::string deep = nested(100000);
  BOOST_TEST(json_nesting_exceeds(deep, limits::kMaxDataDepth));
  Status st = check_json_nesting(deep, 16, "--data");
  BOOST_TEST(int(st.code()) == 2);
  BOOST_TEST(st.message() == "--data nests arrays or objects more than 16 levels deep");
}

BOOST_AUTO_TEST_CASE(control_and_override_characters_are_found_and_named) {
  BOOST_TEST(!forbidden_character("Cam sành Hàm Yên — HTX Đồng Tâm").has_value());
  BOOST_TEST(*forbidden_character("ab\x1b[2J") == "U+001B (a control character) at byte 2");
  BOOST_TEST(forbidden_character("a\rb").has_value());
  BOOST_TEST(forbidden_character("a\nb").has_value());
  BOOST_TEST(!forbidden_character("a\nb\tc", true).has_value());
  BOOST_TEST(forbidden_character("a\rb", true).has_value());
  BOOST_TEST(forbidden_character(std::string("a\0b", 3)).has_value());
  BOOST_TEST(*forbidden_character("x\x7f") == "U+007F (a control character) at byte 1");
  BOOST_TEST(*forbidden_character("x\xc2\x9b"
                                  "2J") == "U+009B (a control character) at byte 1");  // CSI
  BOOST_TEST(*forbidden_character("x\xe2\x80\xa8") == "U+2028 (a line separator) at byte 1");
  BOOST_TEST(*forbidden_character("\xe2\x80\xae"
                                  "abc") == "U+202E (a bidirectional override) at byte 0");
  BOOST_TEST(*forbidden_character("\xe2\x81\xa6") == "U+2066 (a bidirectional isolate) at byte 0");
  BOOST_TEST(!forbidden_character("\xc2\xa0 \xe2\x80\x94 \xe2\x82\xab").has_value());  // NBSP, dash, ₫
  Status st = check_name("X\x1b]0;owned\x07", "the dossier id");
  BOOST_TEST(int(st.code()) == 2);
  BOOST_TEST(st.message().find("the dossier id contains U+001B") == 0, st.message());
}

BOOST_AUTO_TEST_CASE(a_request_is_checked_name_by_name_and_string_by_string) {
  BOOST_TEST(check_event_request(request("annotate", "D1", {{"note", "dòng 1\ndòng 2\tcột"}})).ok());
  BOOST_TEST(check_event_request(request("withdraw", "D1", {{"reason", "a\nb"}})).ok());
  Status st = check_event_request(request("annotate", "D1", {{"note", "a\x1b[2Jb"}}));
  BOOST_TEST(int(st.code()) == 2);
  BOOST_TEST(st.message().find("annotate: data.note contains U+001B") == 0, st.message());
  st = check_event_request(request("submit_idea", "", {{"product", "Chè\r\nforged"}}));
  BOOST_TEST(st.message().find("submit_idea: data.product contains U+000D") == 0, st.message());
  st = check_event_request(
      request("register", "D1", {{"documents", json::array({json{{"name", "a\nb.pdf"}}})}}));
  BOOST_TEST(st.message().find("data.documents[0].name contains U+000A") != std::string::npos, st.message());
  st = check_event_request(request("assess", "D1", {{"locality", {{"or\x1bigin", 1}}}}));
  BOOST_TEST(st.message().find("data.locality: a key contains U+001B") != std::string::npos, st.message());
  // a note nested below the top level is not free text
  st = check_event_request(request("annotate", "D1", {{"x", {{"note", "a\nb"}}}}));
  BOOST_TEST(int(st.code()) == 2);
  EventRequest r = request("annotate", "D1\x1b[2J", json::object());
  BOOST_TEST(check_event_request(r).message().find("the dossier (or certificate) id contains") == 0);
  r = request("annotate", "D1", json::object());
  r.actor = "a\xc2\x85";
  BOOST_TEST(check_event_request(r).message().find("the actor contains U+0085") == 0);
  r.actor = "a";
  r.key = "k\n";
  BOOST_TEST(check_event_request(r).message().find("the idempotency key contains") == 0);
}

BOOST_AUTO_TEST_CASE(depth_is_bounded_on_the_tree_too) {
  BOOST_TEST(check_event_request(request("annotate", "D1", nested_json(16))).ok());
  Status st = check_event_request(request("annotate", "D1", nested_json(17)));
  BOOST_TEST(int(st.code()) == 2);
  BOOST_TEST(st.message() == "annotate: data nests arrays or objects more than 16 levels deep");
}

BOOST_AUTO_TEST_CASE(the_data_size_is_bounded_by_its_canonical_text) {
  BOOST_TEST(check_data_size("annotate", limits::kMaxDataBytes).ok());
  Status st = check_data_size("annotate", limits::kMaxDataBytes + 1);
  BOOST_TEST(int(st.code()) == 2);
  BOOST_TEST(st.message() ==
             "annotate: data is 65537 bytes as canonical JSON, over the limit of 65536 bytes");
}

BOOST_AUTO_TEST_CASE(validate_request_answers_without_a_store) {
  const Config& cfg = valid_config();
  BOOST_REQUIRE(!cfg.users().empty());
  auto r = request("annotate", "TQ-2026-00001", {{"note", "ok"}});
  BOOST_TEST(validate_request(cfg, r).ok());
  r.data["note"] = std::string(limits::kMaxDataBytes, 'x');
  Status st = validate_request(cfg, r);
  BOOST_TEST(int(st.code()) == 2);
  BOOST_TEST(st.message().find("over the limit of 65536 bytes") != std::string::npos, st.message());
  BOOST_TEST(int(validate_request(cfg, request("fly", "X", json::object())).code()) == 2);
  BOOST_TEST(int(validate_request(cfg, request("annotate", "", {{"note", "x"}})).code()) == 2);
  BOOST_TEST(int(validate_request(cfg, request("annotate", "X", nested_json(40))).code()) == 2);
  BOOST_TEST(int(validate_request(cfg, request("revoke", "X/province", {{"ground", "no"}})).code()) == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(terminal_escaping)

using ocop::cli::terminal_text;

BOOST_AUTO_TEST_CASE(printable_text_and_vietnamese_are_unchanged) {
  BOOST_TEST(terminal_text("Cam sành Hàm Yên — 5★ ₫") == "Cam sành Hàm Yên — 5★ ₫");
  BOOST_TEST(terminal_text("") == "");
}

BOOST_AUTO_TEST_CASE(controls_are_written_as_visible_escapes) {
  BOOST_TEST(terminal_text("a\x1b[2Jb") == "a\\x1b[2Jb");
  BOOST_TEST(terminal_text("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  BOOST_TEST(terminal_text("a\r\nb\tc") == "a\\r\\nb\\tc");
  BOOST_TEST(terminal_text("a\r\nb", true) == "a\\r\nb");
  BOOST_TEST(terminal_text(std::string("a\0b", 3)) == "a\\x00b");
  BOOST_TEST(terminal_text("\x7f") == "\\x7f");
  BOOST_TEST(terminal_text("x\xc2\x9b"
                           "2J") == "x\\u009b2J");
  BOOST_TEST(terminal_text("\xe2\x80\xae"
                           "cba") == "\\u202ecba");
  BOOST_TEST(terminal_text("\xe2\x80\xa8\xe2\x81\xa9") == "\\u2028\\u2069");
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_written_as_hex) {
  BOOST_TEST(terminal_text("a\xff"
                           "b") == "a\\xffb");
  BOOST_TEST(terminal_text("\xc3") == "\\xc3");                         // cut short
  BOOST_TEST(terminal_text("\xe0\x80\x80") == "\\xe0\\x80\\x80");       // overlong
  BOOST_TEST(terminal_text("\xed\xa0\x80") == "\\xed\\xa0\\x80");       // a surrogate
  BOOST_TEST(terminal_text("\xf0\x9f\x8d\x8a") == "\xf0\x9f\x8d\x8a");  // 🍊
}

BOOST_AUTO_TEST_SUITE_END()

// valid_utf8: what PostgreSQL accepts as text, and nothing else.
BOOST_AUTO_TEST_CASE(utf8_is_well_formed_or_not) {
  BOOST_TEST(valid_utf8(""));
  BOOST_TEST(valid_utf8("Chè Shan tuyết Cao Bồ"));
  BOOST_TEST(valid_utf8("\xF0\x9F\x8D\xB5"));          // U+1F375, four bytes
  BOOST_TEST(!valid_utf8("\xC3"));                     // truncated
  BOOST_TEST(!valid_utf8("ab\xE1\xBA"));               // truncated at the end
  BOOST_TEST(!valid_utf8("\xC0\xAF"));                 // overlong '/'
  BOOST_TEST(!valid_utf8("\xF5\x80\x80\x80"));         // above U+10FFFF
  BOOST_TEST(!valid_utf8("\x80"));                     // a continuation byte alone
  BOOST_TEST(!valid_utf8(std::string("\xE1\x41\x41")));  // a lead byte without its continuations
}
