// Notifications without a network: templates (defaults, overrides, their checks), the e-mail's
// encoding (RFC 2047 subject, base64 body, headers), the webhook's HMAC, and the backoff.
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "config/config_snapshot.hpp"
#include "snapshot_round_trip.hpp"
#include "message_checks.hpp"
#include "config/yaml_config.hpp"
#include "notify/mail_format.hpp"
#include "ocop/dispatch.hpp"
#include "ocop/notify.hpp"
#include "ocop/reminders.hpp"

using namespace ocop;

namespace {

std::string gen_workload_yaml() {
  std::ifstream in(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/gen_workload.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int lines_in(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

std::string unbase64(const std::string& b64) {
  std::string clean;
  for (char c : b64)
    if (c != '\r' && c != '\n' && c != ' ') clean += c;
  std::string out(clean.size(), '\0');
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
  BOOST_REQUIRE(n >= 0);
  out.resize(static_cast<size_t>(n));
  size_t pad = 0;
  for (auto it = clean.rbegin(); it != clean.rend() && *it == '='; ++it) ++pad;
  out.resize(out.size() - pad);
  return out;
}

// Decodes a header value made of RFC 2047 B-encoded UTF-8 words (and folding).
std::string decode_words(const std::string& v) {
  std::string out;
  size_t pos = 0;
  while ((pos = v.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = v.find("?=", pos + 10);
    BOOST_REQUIRE(end != std::string::npos);
    out += unbase64(v.substr(pos + 10, end - pos - 10));
    pos = end + 2;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(templates)

BOOST_AUTO_TEST_CASE(defaults_are_vietnamese_and_use_only_their_placeholders) {
  BOOST_REQUIRE(find_template("dossier_returned") != nullptr);
  BOOST_REQUIRE(find_template("dossier_recognized") != nullptr);
  BOOST_TEST(find_template("nope") == nullptr);
  for (const auto& spec : template_specs()) {
    BOOST_TEST(check_template_text(spec.subject, spec.placeholders).empty(), spec.name);
    BOOST_TEST(check_template_text(spec.body, spec.placeholders).empty(), spec.name);
  }
  Config cfg;
  TemplateVars vars = {{"recipient_name", "Đặng Ngọc Yến"},
                       {"stage", "Hồ sơ đánh giá, phân hạng sản phẩm"},
                       {"product", "Cam sành Bắc Quang"},
                       {"producer", "HTX Cam Bắc Quang"},
                       {"dossier", "TQ-2026-0001"},
                       {"reason", "Thiếu phiếu kiểm nghiệm"},
                       {"missing", "- Phiếu kết quả kiểm nghiệm (test_report)"}};
  RenderedMessage m = render(cfg, "dossier_returned", vars);
  BOOST_TEST(m.subject ==
             "[OCOP] Hồ sơ đánh giá, phân hạng sản phẩm \"Cam sành Bắc Quang\" được trả lại để hoàn thiện");
  BOOST_TEST(m.body.find("Kính gửi Đặng Ngọc Yến,") == 0u);
  BOOST_TEST(m.body.find("Lý do: Thiếu phiếu kiểm nghiệm") != std::string::npos);
  BOOST_TEST(m.body.find("- Phiếu kết quả kiểm nghiệm (test_report)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(placeholders_braces_and_missing_values) {
  TemplateVars v = {{"a", "Ă"}, {"b", "{b}"}};
  // A value is written as it is (never expanded again); a placeholder without one writes nothing.
  BOOST_TEST(render_text("x {a} {{a}} }} {b} {c}", v) == "x Ă {a} } {b}");
  BOOST_TEST(render_text("", v) == "");
  const std::vector<std::string> allowed = {"a", "b"};
  BOOST_TEST(check_template_text("{a} and {{literal}} and }}", allowed).empty());
  BOOST_TEST(check_template_text("{c}", allowed).find("unknown placeholder {c}; known: {a}, {b}") == 0u);
  BOOST_TEST(check_template_text("{a", allowed).find("not closed") != std::string::npos);
  BOOST_TEST(check_template_text("a}", allowed).find("lone }") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_configuration_overrides_a_template) {
  std::string yaml = gen_workload_yaml();
  const int first = lines_in(yaml) + 1;
  yaml +=
      "templates:\n"
      "  dossier_recognized:\n"
      "    subject: \"Chúc mừng {producer}: {stars} sao\"\n";
  auto r = config::load_string(yaml, "t.yaml");
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.problems[0].to_string()));
  (void)first;
  RenderedMessage m = render(r.config, "dossier_recognized",
                             {{"producer", "HTX Chè"}, {"stars", "4"}, {"recipient_name", "HTX Chè"}});
  BOOST_TEST(m.subject == "Chúc mừng HTX Chè: 4 sao");
  BOOST_TEST(m.body.find("Kính gửi HTX Chè,") == 0u);  // the body keeps its default
  // ... and the snapshot carries it.
  auto back = testing::through_snapshot(r.config);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->templates.at("dossier_recognized").subject == "Chúc mừng {producer}: {stars} sao");
  BOOST_TEST(back->templates.at("dossier_recognized").body.empty());
}

BOOST_AUTO_TEST_CASE(a_bad_override_is_reported_with_its_line_and_key) {
  std::string yaml = gen_workload_yaml();
  const int first = lines_in(yaml) + 1;  // the line of "templates:"
  yaml +=
      "templates:\n"
      "  dossier_returnd:\n"
      "    subject: x\n"
      "  dossier_returned:\n"
      "    subject: \"{reason} {stars}\"\n"
      "    body: \"\"\n"
      "    footer: x\n"
      "  dossier_recognized: {}\n";
  auto r = config::load_string(yaml, "t.yaml");
  BOOST_REQUIRE(!r.ok());
  std::string all;
  for (const auto& p : r.problems) all += p.to_string() + "\n";
  BOOST_TEST_INFO(all);
  auto has = [&](int line, const std::string& key, const std::string& text) {
    for (const auto& p : r.problems)
      if (p.line == line && p.key == key && p.message.find(text) != std::string::npos) return true;
    return false;
  };
  BOOST_TEST(has(first + 1, "templates.dossier_returnd", "unknown template \"dossier_returnd\""));
  BOOST_TEST(has(first + 1, "templates.dossier_returnd", "dossier_returned"));  // did you mean
  BOOST_TEST(has(first + 4, "templates.dossier_returned.subject", "unknown placeholder {stars}"));
  BOOST_TEST(has(first + 5, "templates.dossier_returned.body", "must not be empty"));
  BOOST_TEST(has(first + 6, "templates.dossier_returned.footer", "footer"));
  BOOST_TEST(has(first + 7, "templates.dossier_recognized", "give a subject, a body or both"));
}

BOOST_AUTO_TEST_CASE(the_schedulers_messages_are_templates_too) {
  for (const char* name : {"reminder_stalled", "reminder_escalation", "reminder_milestone", "cycle_start",
                           "cycle_closed", "certificate_notice"})
    BOOST_TEST(find_template(name) != nullptr, name);
  std::string yaml = gen_workload_yaml();
  const int first = lines_in(yaml) + 1;
  yaml +=
      "templates:\n"
      "  reminder_stalled:\n"
      "    subject: \"Nhắc {count} hồ sơ {stars}\"\n"
      "  certificate_notice:\n"
      "    body: \"Kính gửi {recipient_name}: {certificate} hết hạn ngày {valid_until}.{signature}\"\n";
  auto r = config::load_string(yaml, "t.yaml");
  BOOST_REQUIRE_EQUAL(r.problems.size(), 1u);  // the notice's override is good
  BOOST_TEST(r.problems[0].line == first + 2);
  BOOST_TEST(r.problems[0].key == "templates.reminder_stalled.subject");
  BOOST_TEST(r.problems[0].message.find("unknown placeholder {stars}") != std::string::npos);
}

// A digest lists its first kDigestMaxEntries entries and says how many more there are; the
// count it gives is the whole. At the limit exactly, nothing is said.
BOOST_AUTO_TEST_CASE(a_long_digest_lists_two_hundred_and_counts_the_rest) {
  auto r = config::load_string(gen_workload_yaml(), "t.yaml");
  BOOST_REQUIRE(r.problems.empty());
  Reminder rule;
  rule.id = "stalled-submitted";
  rule.state = State::submitted;
  rule.after_days = 10;
  auto digest = [&](std::size_t n) {
    std::vector<text::DigestLine> lines(n);
    for (std::size_t i = 0; i < n; ++i) {
      lines[i].dossier = "BX-2026-" + std::to_string(10000 + i);
      lines[i].product = "Sản phẩm " + std::to_string(i);
      lines[i].state = State::submitted;
      lines[i].since = make_date(2026, 3, 2);
    }
    return text::stalled_digest(r.config, rule, "UBND xã", make_date(2026, 3, 20), lines).body;
  };
  auto count = [](const std::string& body, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = body.find(what); at != std::string::npos; at = body.find(what, at + 1)) ++n;
    return n;
  };
  const std::string at_limit = digest(text::kDigestMaxEntries);
  BOOST_TEST(count(at_limit, "\n- BX-2026-") == text::kDigestMaxEntries);
  BOOST_TEST(at_limit.find("và còn") == std::string::npos);
  const std::string long_one = digest(text::kDigestMaxEntries + 37);
  BOOST_TEST(count(long_one, "\n- BX-2026-") == text::kDigestMaxEntries);
  BOOST_TEST(long_one.find("BX-2026-10199:") != std::string::npos);  // the 200th
  BOOST_TEST(long_one.find("BX-2026-10200:") == std::string::npos);  // the 201st is counted, not listed
  BOOST_TEST(long_one.find("… và còn 37 hồ sơ khác.") != std::string::npos);
  BOOST_TEST(long_one.find(std::to_string(text::kDigestMaxEntries + 37)) != std::string::npos);  // {count}
  BOOST_TEST(text::more_entries(text::kDigestMaxEntries, "x").empty());
  BOOST_TEST(text::more_entries(text::kDigestMaxEntries + 1, "sản phẩm") == "… và còn 1 sản phẩm khác.");
}

BOOST_AUTO_TEST_CASE(an_optional_segment_is_written_only_with_all_its_values) {
  const std::string t = "trả lại{? ở {level_name}} ngày {date} để hoàn thiện.";
  BOOST_TEST(render_text(t, {{"level_name", "cấp xã"}, {"date", "12/03/2026"}}) ==
             "trả lại ở cấp xã ngày 12/03/2026 để hoàn thiện.");
  BOOST_TEST(render_text(t, {{"level_name", ""}, {"date", "12/03/2026"}}) ==
             "trả lại ngày 12/03/2026 để hoàn thiện.");
  BOOST_TEST(render_text(t, {{"date", "12/03/2026"}}) ==
             "trả lại ngày 12/03/2026 để hoàn thiện.");  // no value
  BOOST_TEST(render_text(t, {{"level_name", " \t"}, {"date", "12/03/2026"}}) ==
             "trả lại ngày 12/03/2026 để hoàn thiện.");  // white space only counts as empty
  // The separating space before the segment instead of inside it: the same.
  BOOST_TEST(render_text("trả lại {?ở {level_name}} ngày {date}.", {{"date", "12/03/2026"}}) ==
             "trả lại ngày 12/03/2026.");
  // Several placeholders in one segment: left out when any is empty.
  const std::string q = "công nhận{? theo Quyết định số {no} ngày {d}}.";
  BOOST_TEST(render_text(q, {{"no", "12/QĐ-UBND"}, {"d", "20/07/2026"}}) ==
             "công nhận theo Quyết định số 12/QĐ-UBND ngày 20/07/2026.");
  BOOST_TEST(render_text(q, {{"no", "12/QĐ-UBND"}, {"d", ""}}) == "công nhận.");
  BOOST_TEST(render_text(q, {{"no", ""}, {"d", "20/07/2026"}}) == "công nhận.");
  // Several segments, each on its own.
  const std::string many = "đạt{? {stars} sao} OCOP{? ở {level}}{? theo Quyết định số {no}}{? ngày {d}}.";
  BOOST_TEST(
      render_text(many, {{"stars", "4"}, {"level", "cấp tỉnh"}, {"no", "12/QĐ"}, {"d", "20/07/2026"}}) ==
      "đạt 4 sao OCOP ở cấp tỉnh theo Quyết định số 12/QĐ ngày 20/07/2026.");
  BOOST_TEST(render_text(many, {{"stars", "4"}, {"d", "20/07/2026"}}) == "đạt 4 sao OCOP ngày 20/07/2026.");
  BOOST_TEST(render_text(many, {}) == "đạt OCOP.");
  // Across lines, and at the start of the text.
  const std::string body = "{?Kính gửi {name},\n\n}Nội dung.\n{?Lý do: {reason}\n}Trân trọng,\n";
  BOOST_TEST(render_text(body, {{"name", "Chị Yến"}, {"reason", "thiếu nhãn"}}) ==
             "Kính gửi Chị Yến,\n\nNội dung.\nLý do: thiếu nhãn\nTrân trọng,\n");
  BOOST_TEST(render_text(body, {}) == "Nội dung.\nTrân trọng,\n");
  // Braces inside a segment.
  BOOST_TEST(render_text("a{? {{{x}}}} b", {{"x", "1"}}) == "a {1} b");
  BOOST_TEST(render_text("a{? {{{x}}}} b", {}) == "a b");
}

BOOST_AUTO_TEST_CASE(an_empty_value_outside_a_segment_leaves_no_gap) {
  // No doubled space, no space before punctuation, none at a line's start or end.
  BOOST_TEST(render_text("ở {x} ngày", {}) == "ở ngày");
  BOOST_TEST(render_text("Kính gửi {x}, anh", {}) == "Kính gửi, anh");
  BOOST_TEST(render_text("Kính gửi {x}.\n{y} Tiếp {z}\nCuối {w}", {}) == "Kính gửi.\nTiếp\nCuối");
  BOOST_TEST(render_text("a {x} {y} b", {}) == "a b");
  BOOST_TEST(render_text("a {x} {y} b", {{"y", "Y"}}) == "a Y b");
  BOOST_TEST(render_text("({x})", {}) == "()");  // no space to close up: a template's own text stays
  // Spaces that are the template's own (an indented line, two spaces written on purpose) stay.
  BOOST_TEST(render_text("a  b\n  c {x}", {{"x", "X"}}) == "a  b\n  c X");
}

BOOST_AUTO_TEST_CASE(segments_are_checked_like_placeholders) {
  const std::vector<std::string> allowed = {"a", "b"};
  BOOST_TEST(check_template_text("x{? y {a}} z {?{a} {b}} {{?}}", allowed).empty());
  BOOST_TEST(check_template_text("x{? y {c}}", allowed).find("unknown placeholder {c}; known: {a}, {b}") ==
             0u);
  BOOST_TEST(check_template_text("x{? y {a}", allowed).find("optional segment {? that is not closed") !=
             std::string::npos);
  BOOST_TEST(check_template_text("x{? y {?{a}}}", allowed).find("inside another") != std::string::npos);
  BOOST_TEST(check_template_text("x{? y}", allowed).find("without a placeholder") != std::string::npos);
  BOOST_TEST(check_template_text("x{?}", allowed).find("without a placeholder") != std::string::npos);
  BOOST_TEST(check_template_text("x{? {a} }} ", allowed).find("not closed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_overridden_template_has_segments_too) {
  std::string yaml = gen_workload_yaml();
  const int first = lines_in(yaml) + 1;
  yaml +=
      "templates:\n"
      "  dossier_returned:\n"
      "    subject: \"[OCOP] {stage}{? ({level_name})} trả lại\"\n"
      "    body: \"{?Kính gửi {recipient_name},\\n\\n}Hồ sơ {dossier} được{? {level_name}} trả lại ngày "
      "{date}.\\n\"\n";
  auto r = config::load_string(yaml, "t.yaml");
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.problems[0].to_string()));
  TemplateVars vars = {{"stage", "Ý tưởng sản phẩm"},
                       {"dossier", "TQ-2026-0001"},
                       {"date", "12/03/2026"},
                       {"level_name", ""},
                       {"recipient_name", ""}};
  RenderedMessage m = render(r.config, "dossier_returned", vars);
  BOOST_TEST(m.subject == "[OCOP] Ý tưởng sản phẩm trả lại");
  BOOST_TEST(m.body == "Hồ sơ TQ-2026-0001 được trả lại ngày 12/03/2026.\n");
  vars["level_name"] = "cấp xã";
  vars["recipient_name"] = "Chị Yến";
  m = render(r.config, "dossier_returned", vars);
  BOOST_TEST(m.subject == "[OCOP] Ý tưởng sản phẩm (cấp xã) trả lại");
  BOOST_TEST(m.body == "Kính gửi Chị Yến,\n\nHồ sơ TQ-2026-0001 được cấp xã trả lại ngày 12/03/2026.\n");
  // A bad segment in an override: its file, line and key.
  std::string bad = gen_workload_yaml();
  bad +=
      "templates:\n"
      "  dossier_returned:\n"
      "    subject: \"{stage}{? ở {level_name}\"\n"
      "    body: \"{?Kính gửi,} {?ở {levelname}}\"\n";
  auto b = config::load_string(bad, "t.yaml");
  BOOST_REQUIRE(!b.ok());
  std::string all;
  for (const auto& p : b.problems) all += p.to_string() + "\n";
  BOOST_TEST_INFO(all);
  BOOST_REQUIRE_EQUAL(b.problems.size(), 2u);
  BOOST_TEST(b.problems[0].line == first + 2);
  BOOST_TEST(b.problems[0].key == "templates.dossier_returned.subject");
  BOOST_TEST(b.problems[0].message.find("optional segment {? that is not closed") != std::string::npos);
  BOOST_TEST(b.problems[1].line == first + 3);
  BOOST_TEST(b.problems[1].key == "templates.dossier_returned.body");
  BOOST_TEST(b.problems[1].message.find("without a placeholder") != std::string::npos);
  BOOST_TEST(b.problems[0].to_string().find("t.yaml:" + std::to_string(first + 2) + ":") == 0u);
}

// Each default template, given realistic values, then with each value that can be empty in
// practice (see the code that fills them: engine/notify.cpp, engine/reminders.cpp) left empty,
// then with every value empty: the text always reads without a gap, and with every value given
// it is the text the template had before segments (the segments' marks taken out).
BOOST_AUTO_TEST_CASE(every_default_template_reads_whatever_it_is_given) {
  const TemplateVars full = {{"recipient_name", "Đặng Ngọc Yến"},
                             {"dossier", "TQ-2026-0001"},
                             {"product", "Cam sành Bắc Quang"},
                             {"producer", "HTX Cam Bắc Quang"},
                             {"unit_name", "Xã Bắc Quang"},
                             {"province", "Tuyên Quang"},
                             {"office", "Văn phòng Điều phối Chương trình OCOP tỉnh Tuyên Quang"},
                             {"level_name", "cấp xã"},
                             {"date", "12/03/2026"},
                             {"actor_name", "Nguyễn Văn An"},
                             {"stage", "Ý tưởng sản phẩm"},
                             {"reason", "Thiếu mô tả nguồn nguyên liệu"},
                             {"missing", "- Nhãn sản phẩm (label)"},
                             {"stars", "4"},
                             {"decision_no", "12/QĐ-UBND"},
                             {"decision_date", "20/07/2026"},
                             {"certificate", "TQ-2026-0001/province"},
                             {"valid_until", "20/07/2029"},
                             {"count", "3"},
                             {"state", "hồ sơ đánh giá đã nộp, chờ tiếp nhận"},
                             {"after_days", "10"},
                             {"dossiers", "- TQ-2026-0001: Cam sành (HTX)\n  trạng thái: x\n"},
                             {"rule", "stalled-submitted"},
                             {"signature", "\n--\nThư tự động.\n"},
                             {"days", "15"},
                             {"milestone", "hạn nộp phương án"},
                             {"deadline", "30/06/2026"},
                             {"days_left", "7"},
                             {"year", "2026"},
                             {"first_day", "05/01/2026"},
                             {"last_day", "31/12/2026"},
                             {"milestones", "- 30/06/2026: hạn\n"},
                             {"outcome", "Không còn hồ sơ nào chưa hoàn thành.\n"},
                             {"level", "province"},
                             {"advice", "Đề nghị.\n"},
                             {"activity", "BX-XT-2026-001"},
                             {"activity_name", "Hội chợ OCOP mùa xuân"},
                             {"venue", "Quảng trường tỉnh"},
                             {"starts", "01/05/2026"},
                             {"ends", "05/05/2026"},
                             {"registration_closes", "20/04/2026"},
                             {"organiser", "Trung tâm Xúc tiến thương mại"},
                             {"products", "- Chè (4 sao)"},
                             {"participation", "BX-XT-2026-001/BX-2026-000001"},
                             {"booths", "2"},
                             {"support", "3000000"},
                             {"inspection", "BX-C0001-HK-2026-001"},
                             {"due", "15/06/2026"},
                             {"remedy_due", "19/06/2026"},
                             {"ground", "Vi phạm an toàn thực phẩm"},
                             {"items", "- Chè: hạn 15/06/2026\n"},
                             {"days_before", "5"}};
  // Values the engine may leave empty, by template: a user's name (optional in the
  // configuration), a level before `register`, free text that is only white space (the checks
  // ask for a non-empty string), a recognition without its certificate, a cycle without
  // milestones, a certificate's decision number.
  const std::map<std::string, std::vector<std::string>> may_be_empty_in = {
      {"dossier_returned", {"recipient_name", "level_name", "product", "producer", "reason"}},
      {"dossier_recognized",
       {"recipient_name", "level_name", "product", "producer", "stars", "decision_no", "decision_date",
        "certificate", "valid_until"}},
      {"reminder_stalled", {"recipient_name"}},
      {"reminder_escalation", {"recipient_name"}},
      {"reminder_milestone", {"recipient_name"}},
      {"cycle_start", {"recipient_name", "milestones"}},
      {"cycle_closed", {"recipient_name"}},
      {"certificate_notice", {"recipient_name", "product", "decision_no"}},
      {"promotion_invite", {"recipient_name"}},
      {"participation_selected", {"recipient_name", "reason"}},
      {"participation_declined", {"recipient_name", "reason"}},
      {"participation_cancelled", {"recipient_name", "reason"}},
      {"inspection_violation", {"recipient_name", "remedy_due"}},
      {"inspection_remedy_overdue", {"recipient_name", "ground"}},
      {"reminder_promotion_outcome", {"recipient_name"}},
      {"reminder_promotion_escalation", {"recipient_name"}},
      {"reminder_inspection_due", {"recipient_name"}},
      {"reminder_remedy_due", {"recipient_name"}}};
  auto unmarked = [](std::string t) {  // the template without its segments' marks
    for (size_t p; (p = t.find("{?")) != std::string::npos;) {
      size_t depth = 0, i = p + 2;
      for (; i < t.size(); ++i) {
        if (t[i] == '{') ++depth;
        if (t[i] == '}') {
          if (depth == 0) break;
          --depth;
        }
      }
      t.erase(i, 1);
      t.erase(p, 2);
    }
    return t;
  };
  Config cfg;
  for (const auto& spec : template_specs()) {
    BOOST_TEST_CONTEXT(spec.name) {
      BOOST_REQUIRE(may_be_empty_in.count(spec.name));  // a new template says what may be empty
      const std::vector<std::string>& may_be_empty = may_be_empty_in.at(spec.name);
      TemplateVars vars;
      for (const auto& p : spec.placeholders) vars[p] = full.at(p);
      RenderedMessage m = render(cfg, spec.name, vars);
      BOOST_TEST(m.subject == render_text(unmarked(spec.subject), vars));
      BOOST_TEST(m.body == render_text(unmarked(spec.body), vars));
      auto check = [&](const std::string& what, const TemplateVars& v) {
        RenderedMessage r = render(cfg, spec.name, v);
        for (const auto& p : ocop::testing::message_text_problems(r.subject))
          BOOST_ERROR(what << ": subject: " << p);
        for (const auto& p : ocop::testing::message_text_problems(r.body))
          BOOST_ERROR(what << ": body: " << p);
      };
      check("every value", vars);
      for (const auto& name : may_be_empty) {
        if (!vars.count(name)) continue;
        TemplateVars v = vars;
        v[name] = "";
        check("{" + name + "} empty", v);
        v[name] = "  ";
        check("{" + name + "} white space", v);
        v.erase(name);
        check("{" + name + "} without a value", v);
      }
      TemplateVars none = vars;
      for (const auto& name : may_be_empty) none.erase(name);
      check("every value that may be empty left out", none);
      // Even with no value at all no placeholder shows.
      RenderedMessage bare = render(cfg, spec.name, {});
      BOOST_TEST(bare.subject.find_first_of("{}") == std::string::npos);
      BOOST_TEST(bare.body.find_first_of("{}") == std::string::npos);
    }
  }
  // The user's report: an idea returned before the dossier has a level.
  TemplateVars idea = {{"recipient_name", "Sùng Quang Dũng"},
                       {"stage", "Ý tưởng sản phẩm"},
                       {"product", "Mật ong Bắc Mê"},
                       {"producer", "Công ty TNHH Nông sản Bắc Mê"},
                       {"dossier", "TQ-2026-0001"},
                       {"unit_name", "Xã Bắc Mê"},
                       {"level_name", ""},
                       {"date", "12/03/2026"},
                       {"reason", "Đề nghị bổ sung mô tả"},
                       {"missing", "(không có)"},
                       {"office", "Văn phòng"}};
  BOOST_TEST(
      render(cfg, "dossier_returned", idea).body.find("đã được trả lại ngày 12/03/2026 để hoàn thiện.") !=
      std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mail_format)

BOOST_AUTO_TEST_CASE(base64_matches_rfc_4648) {
  BOOST_TEST(notify::base64("") == "");
  BOOST_TEST(notify::base64("f") == "Zg==");
  BOOST_TEST(notify::base64("fo") == "Zm8=");
  BOOST_TEST(notify::base64("foobar") == "Zm9vYmFy");
}

BOOST_AUTO_TEST_CASE(an_ascii_subject_stays_plain_and_a_vietnamese_one_is_encoded) {
  BOOST_TEST(notify::encode_header_value("OCOP reminder", 9) == "OCOP reminder");
  const std::string vi =
      "[OCOP] Hồ sơ đánh giá, phân hạng sản phẩm \"Chè Shan tuyết Cao Bồ\" được trả lại để hoàn thiện";
  const std::string enc = notify::encode_header_value(vi, 9);
  BOOST_TEST(decode_words(enc) == vi);
  // Every encoded word is at most 75 characters, each line at most 78, and no word splits a
  // UTF-8 character (each decodes to valid text on its own).
  std::istringstream lines(enc);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    BOOST_TEST(line.size() <= 78u);
    std::string word = line.substr(line.find("=?"));
    BOOST_TEST(word.size() <= 75u);
    std::string piece = decode_words(word);
    BOOST_TEST((piece.empty() || (static_cast<unsigned char>(piece[0]) & 0xc0) != 0x80));
  }
  BOOST_TEST(enc.find("\r\n ") != std::string::npos);  // long: folded
}

BOOST_AUTO_TEST_CASE(a_mail_has_its_headers_and_a_base64_utf8_body) {
  OutboxMessage m;
  m.id = 42;
  m.recipient = "producer.bacquang@tuyenquang.example.vn";
  m.subject = "[OCOP] Sản phẩm được công nhận 4 sao";
  m.body = "Kính gửi Đặng Ngọc Yến,\n\nLý do: thiếu nhãn.\n";
  const Instant t = *parse_instant("2026-03-02T08:05:09+07:00", 420);
  const std::string mail = notify::build_mail(m, "ocop@tuyenquang.example.vn", t, 420);
  const auto split = mail.find("\r\n\r\n");
  BOOST_REQUIRE(split != std::string::npos);
  const std::string head = mail.substr(0, split + 2), body = mail.substr(split + 4);
  BOOST_TEST(head.find("Date: Mon, 02 Mar 2026 08:05:09 +0700\r\n") == 0u);
  BOOST_TEST(head.find("From: ocop@tuyenquang.example.vn\r\n") != std::string::npos);
  BOOST_TEST(head.find("To: producer.bacquang@tuyenquang.example.vn\r\n") != std::string::npos);
  BOOST_TEST(head.find("Message-ID: <ocop-42@tuyenquang.example.vn>\r\n") != std::string::npos);
  BOOST_TEST(head.find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
  BOOST_TEST(head.find("Content-Transfer-Encoding: base64\r\n") != std::string::npos);
  BOOST_TEST(head.find("MIME-Version: 1.0\r\n") != std::string::npos);
  const auto subj = head.find("Subject: ");
  BOOST_TEST(decode_words(head.substr(subj, head.find("\r\nMessage-ID") - subj)) == m.subject);
  BOOST_TEST(unbase64(body) == "Kính gửi Đặng Ngọc Yến,\r\n\r\nLý do: thiếu nhãn.\r\n");
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) BOOST_TEST(line.size() <= 77u);  // 76 + CR
  // A line break in an address cannot add a header.
  m.recipient = "a@b.vn\r\nBcc: x@y.vn";
  BOOST_TEST(notify::build_mail(m, "ocop@tq.vn", t, 420).find("\r\nBcc:") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(dates_and_domains) {
  BOOST_TEST(notify::rfc5322_date(*parse_instant("2026-12-31T23:59:59Z", 0), 420) ==
             "Fri, 01 Jan 2027 06:59:59 +0700");
  BOOST_TEST(notify::rfc5322_date(*parse_instant("2026-03-01T00:00:00Z", 0), 0) ==
             "Sun, 01 Mar 2026 00:00:00 +0000");
  BOOST_TEST(notify::mail_domain("ocop@tuyenquang.example.vn") == "tuyenquang.example.vn");
  BOOST_TEST(notify::mail_domain("nobody") == "localhost");
}

BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc_4231) {
  // RFC 4231, test case 2.
  BOOST_TEST(notify::hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1: key 20 × 0x0b, data "Hi There".
  BOOST_TEST(notify::hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  BOOST_TEST(notify::webhook_signature("Jefe", "what do ya want for nothing?") ==
             "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(delivery_policy)

BOOST_AUTO_TEST_CASE(backoff_doubles_from_a_minute_up_to_six_hours) {
  BOOST_TEST(backoff_seconds(1) == 60);
  BOOST_TEST(backoff_seconds(2) == 120);
  BOOST_TEST(backoff_seconds(3) == 240);
  BOOST_TEST(backoff_seconds(8) == 128 * 60);
  BOOST_TEST(backoff_seconds(9) == 256 * 60);
  BOOST_TEST(backoff_seconds(10) == 6 * 3600);  // 512 minutes, capped
  BOOST_TEST(backoff_seconds(100) == 6 * 3600);
  BOOST_TEST(backoff_seconds(0) == 60);
}

BOOST_AUTO_TEST_CASE(idempotency_keys_are_stable) {
  OutboxMessage m;
  m.id = 7;
  BOOST_TEST(idempotency_key(m) == "ocop-7");
  BOOST_TEST(is_outbox_state("dead"));
  BOOST_TEST(!is_outbox_state("failed"));
}

BOOST_AUTO_TEST_SUITE_END()
