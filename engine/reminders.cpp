#include "ocop/reminders.hpp"

#include <cstdio>

#include "ocop/notify.hpp"

namespace ocop::text {
namespace {

std::string signature(const Config& cfg, const std::string& rule) {
  std::string s = "\n--\nThư tự động từ Hệ thống quản lý chu trình OCOP " + cfg.province.name + ".";
  if (!rule.empty()) s += " Quy tắc: " + rule + ".";
  return s + " Vui lòng không trả lời thư này.\n";
}

std::string line_of(const DigestLine& l, bool with_unit) {
  std::string s = "- " + l.dossier + ": " + l.product;
  if (!l.producer.empty()) s += " (" + l.producer + ")";
  if (with_unit) s += ", đơn vị " + (l.unit_name.empty() ? l.unit : l.unit_name + " (" + l.unit + ")");
  s += "\n  trạng thái: " + state_vi(l.state) + " (" + std::string(to_string(l.state)) + ")";
  if (!l.level.empty()) s += ", cấp " + l.level;
  s += "; từ ngày " + ocop::date_vi(l.since) + ", đã chờ " + std::to_string(l.waited) + " ngày làm việc\n";
  return s;
}

}  // namespace

std::string state_vi(State s) {
  switch (s) {
    case State::idea_submitted:
      return "ý tưởng sản phẩm chờ tiếp nhận";
    case State::idea_returned:
      return "ý tưởng bị trả lại, chờ chủ thể bổ sung";
    case State::idea_accepted:
      return "ý tưởng đã được chấp nhận, chờ phương án sản xuất kinh doanh";
    case State::plan_submitted:
      return "phương án chờ phê duyệt";
    case State::plan_returned:
      return "phương án bị trả lại, chờ chủ thể bổ sung";
    case State::in_development:
      return "đang triển khai phương án, phát triển sản phẩm";
    case State::submitted:
      return "hồ sơ đánh giá đã nộp, chờ tiếp nhận";
    case State::returned:
      return "hồ sơ bị trả lại, chờ chủ thể hoàn thiện";
    case State::under_review:
      return "đang thẩm định, đánh giá";
    case State::scored:
      return "đã chấm điểm, chờ quyết định công nhận";
    case State::recognized:
      return "đã được công nhận";
    case State::not_recognized:
      return "không được công nhận";
    case State::rejected:
      return "bị từ chối";
    case State::withdrawn:
      return "đã rút hồ sơ";
    case State::none:
      break;
  }
  return "";
}

std::string milestone_vi(const std::string& milestone, const Round* round) {
  if (milestone == "ideas_close") return "hạn nhận đăng ký ý tưởng sản phẩm";
  if (milestone == "plans_close") return "hạn nộp phương án sản xuất kinh doanh";
  if (milestone == "round_cutoff" && round)
    return "hạn chót tiếp nhận hồ sơ vào đợt đánh giá " + round->id + " (cấp " +
           std::string(to_string(round->level)) + ", họp hội đồng ngày " + ocop::date_vi(round->meeting) +
           ")";
  return "mốc " + milestone;
}

std::string more_entries(std::size_t total, const std::string& what) {
  if (total <= kDigestMaxEntries) return "";
  return "… và còn " + std::to_string(total - kDigestMaxEntries) + " " + what + " khác.";
}

namespace {

std::string lines_of(const std::vector<DigestLine>& lines) {
  std::string s;
  for (std::size_t i = 0; i < lines.size() && i < kDigestMaxEntries; ++i) s += line_of(lines[i], true);
  if (std::string more = more_entries(lines.size(), "hồ sơ"); !more.empty()) s += more + "\n";
  return s;
}

Rendered from_template(const Config& cfg, std::string_view name, TemplateVars vars, const std::string& rule) {
  vars["province"] = cfg.province.name;
  vars["rule"] = rule;
  vars["signature"] = signature(cfg, rule);
  RenderedMessage m = render(cfg, name, vars);
  return {std::move(m.subject), std::move(m.body)};
}

}  // namespace

Rendered stalled_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name, Date day,
                        const std::vector<DigestLine>& lines) {
  return from_template(cfg, "reminder_stalled",
                       {{"recipient_name", recipient_name},
                        {"count", std::to_string(lines.size())},
                        {"state", rule.state ? state_vi(*rule.state) : std::string()},
                        {"after_days", std::to_string(rule.after_days)},
                        {"date", ocop::date_vi(day)},
                        {"dossiers", lines_of(lines)}},
                       rule.id);
}

Rendered escalation_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name,
                           Date day, const std::vector<DigestLine>& lines) {
  return from_template(cfg, "reminder_escalation",
                       {{"recipient_name", recipient_name},
                        {"count", std::to_string(lines.size())},
                        {"days", std::to_string(rule.after_days + rule.escalate_after_days.value_or(0))},
                        {"date", ocop::date_vi(day)},
                        {"dossiers", lines_of(lines)}},
                       rule.id);
}

Rendered milestone_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name,
                          Date day, const std::string& milestone, const Round* round, Date deadline,
                          int working_days_left, const std::vector<DigestLine>& lines) {
  return from_template(cfg, "reminder_milestone",
                       {{"recipient_name", recipient_name},
                        {"milestone", milestone_vi(milestone, round)},
                        {"deadline", ocop::date_vi(deadline)},
                        {"days_left", std::to_string(working_days_left)},
                        {"date", ocop::date_vi(day)},
                        {"count", std::to_string(lines.size())},
                        {"dossiers", lines_of(lines)}},
                       rule.id);
}

Rendered cycle_start(const Config& cfg, const Cycle& cycle, const std::string& recipient_name) {
  std::string milestones;
  for (const auto& [name, d] : cycle.milestones)
    milestones += "- " + ocop::date_vi(d) + ": " + milestone_vi(name, nullptr) + "\n";
  for (const auto& round : cycle.rounds)
    milestones += "- " + ocop::date_vi(round.cutoff) + ": " + milestone_vi("round_cutoff", &round) + "\n";
  return from_template(cfg, "cycle_start",
                       {{"recipient_name", recipient_name},
                        {"year", std::to_string(cycle.year)},
                        {"first_day", ocop::date_vi(cycle.first_day())},
                        {"last_day", ocop::date_vi(cycle.last_day())},
                        {"milestones", milestones}},
                       "");
}

Rendered cycle_closed(const Config& cfg, const Cycle& cycle, const std::string& recipient_name,
                      const std::vector<DigestLine>& unfinished) {
  const bool next = cycle.carry_over == CarryOver::next;
  std::string outcome;
  if (unfinished.empty()) {
    outcome = "Không còn hồ sơ nào chưa hoàn thành.\n";
  } else {
    outcome = std::to_string(unfinished.size()) + " hồ sơ chưa hoàn thành " +
              (next ? "được chuyển sang chu trình năm " + std::to_string(cycle.year + 1) + ":\n\n"
                    : "(báo cáo để đơn vị xem xét, không chuyển sang chu trình sau):\n\n") +
              lines_of(unfinished);
  }
  return from_template(cfg, "cycle_closed",
                       {{"recipient_name", recipient_name},
                        {"year", std::to_string(cycle.year)},
                        {"last_day", ocop::date_vi(cycle.last_day())},
                        {"count", std::to_string(unfinished.size())},
                        {"outcome", outcome}},
                       "");
}

Rendered certificate_notice(const Config& cfg, const Certificate& c, const std::string& recipient_name,
                            bool to_producer, int days_left) {
  return from_template(
      cfg, "certificate_notice",
      {{"recipient_name", recipient_name},
       {"certificate", c.id},
       {"product", c.product},
       {"stars", std::to_string(c.stars)},
       {"level", c.level},
       {"decision_no", c.decision_no},
       {"decision_date", ocop::date_vi(c.decision_date)},
       {"valid_until", ocop::date_vi(c.valid_until)},
       {"days_left", std::to_string(days_left)},
       {"advice", to_producer
                      ? "Để sản phẩm tiếp tục được công nhận, đề nghị chủ thể đăng ký đánh giá lại trước khi "
                        "giấy chứng nhận hết hiệu lực.\n"
                      : "Đề nghị đơn vị thông báo, hướng dẫn chủ thể đăng ký đánh giá lại; sản phẩm không "
                        "được đánh giá lại sẽ không còn trong danh sách sản phẩm OCOP.\n"}},
      "");
}

}  // namespace ocop::text
