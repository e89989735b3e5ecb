#include "ocop/reminders.hpp"

#include <cstdio>

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
  s += "; từ ngày " + date_vi(l.since) + ", đã chờ " + std::to_string(l.waited) + " ngày làm việc\n";
  return s;
}

}  // namespace

std::string date_vi(Date d) {
  int y;
  unsigned m, dd;
  civil(d, y, m, dd);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", dd, m, y);
  return buf;
}

std::string state_vi(State s) {
  switch (s) {
    case State::idea_submitted: return "ý tưởng sản phẩm chờ tiếp nhận";
    case State::idea_returned: return "ý tưởng bị trả lại, chờ chủ thể bổ sung";
    case State::idea_accepted: return "ý tưởng đã được chấp nhận, chờ phương án sản xuất kinh doanh";
    case State::plan_submitted: return "phương án chờ phê duyệt";
    case State::plan_returned: return "phương án bị trả lại, chờ chủ thể bổ sung";
    case State::in_development: return "đang triển khai phương án, phát triển sản phẩm";
    case State::submitted: return "hồ sơ đánh giá đã nộp, chờ tiếp nhận";
    case State::returned: return "hồ sơ bị trả lại, chờ chủ thể hoàn thiện";
    case State::under_review: return "đang thẩm định, đánh giá";
    case State::scored: return "đã chấm điểm, chờ quyết định công nhận";
    case State::recognized: return "đã được công nhận";
    case State::not_recognized: return "không được công nhận";
    case State::rejected: return "bị từ chối";
    case State::withdrawn: return "đã rút hồ sơ";
    case State::none: break;
  }
  return "";
}

std::string milestone_vi(const std::string& milestone, const Round* round) {
  if (milestone == "ideas_close") return "hạn nhận đăng ký ý tưởng sản phẩm";
  if (milestone == "plans_close") return "hạn nộp phương án sản xuất kinh doanh";
  if (milestone == "round_cutoff" && round)
    return "hạn chót tiếp nhận hồ sơ vào đợt đánh giá " + round->id + " (cấp " + std::string(to_string(round->level)) +
           ", họp hội đồng ngày " + date_vi(round->meeting) + ")";
  return "mốc " + milestone;
}

Rendered stalled_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name, Date day,
                        const std::vector<DigestLine>& lines) {
  Rendered r;
  const std::string st = rule.state ? state_vi(*rule.state) : std::string();
  r.subject = "[OCOP] Nhắc việc: " + std::to_string(lines.size()) + " hồ sơ chờ xử lý quá " +
              std::to_string(rule.after_days) + " ngày làm việc";
  r.body = "Kính gửi: " + recipient_name + "\n\nĐến ngày " + date_vi(day) + ", " + std::to_string(lines.size()) +
           " hồ sơ OCOP dưới đây đã ở trạng thái \"" + st + "\" từ " + std::to_string(rule.after_days) +
           " ngày làm việc trở lên:\n\n";
  for (const auto& l : lines) r.body += line_of(l, true);
  r.body += "\nĐề nghị đơn vị khẩn trương xử lý các hồ sơ trên.\n" + signature(cfg, rule.id);
  return r;
}

Rendered escalation_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name, Date day,
                           const std::vector<DigestLine>& lines) {
  Rendered r;
  const int days = rule.after_days + rule.escalate_after_days.value_or(0);
  r.subject = "[OCOP] Báo cáo chậm xử lý: " + std::to_string(lines.size()) + " hồ sơ của đơn vị cấp dưới quá " +
              std::to_string(days) + " ngày làm việc";
  r.body = "Kính gửi: " + recipient_name + "\n\nĐến ngày " + date_vi(day) + ", " + std::to_string(lines.size()) +
           " hồ sơ OCOP dưới đây đã chờ từ " + std::to_string(days) +
           " ngày làm việc trở lên mà đơn vị phụ trách chưa xử lý, dù đã được nhắc:\n\n";
  for (const auto& l : lines) r.body += line_of(l, true);
  r.body += "\nĐề nghị đơn vị chỉ đạo, đôn đốc xử lý.\n" + signature(cfg, rule.id);
  return r;
}

Rendered milestone_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name, Date day,
                          const std::string& milestone, const Round* round, Date deadline, int working_days_left,
                          const std::vector<DigestLine>& lines) {
  Rendered r;
  const std::string what = milestone_vi(milestone, round);
  r.subject = "[OCOP] Nhắc hạn: " + what + " ngày " + date_vi(deadline) + " (còn " +
              std::to_string(working_days_left) + " ngày làm việc)";
  r.body = "Kính gửi: " + recipient_name + "\n\nNgày " + date_vi(deadline) + " là " + what + ". Tính đến ngày " +
           date_vi(day) + " (còn " + std::to_string(working_days_left) + " ngày làm việc), đơn vị còn " +
           std::to_string(lines.size()) + " hồ sơ chưa hoàn thành bước này:\n\n";
  for (const auto& l : lines) r.body += line_of(l, true);
  r.body += "\nĐề nghị đơn vị hoàn thành trước thời hạn.\n" + signature(cfg, rule.id);
  return r;
}

Rendered cycle_start(const Config& cfg, const Cycle& cycle, const std::string& recipient_name) {
  Rendered r;
  const std::string year = std::to_string(cycle.year);
  r.subject = "[OCOP] Khởi động chu trình OCOP năm " + year;
  r.body = "Kính gửi: " + recipient_name + "\n\nChu trình OCOP năm " + year + " của " + cfg.province.name +
           " bắt đầu từ ngày " + date_vi(cycle.first_day()) + " đến ngày " + date_vi(cycle.last_day()) +
           ". Các mốc thời gian:\n\n";
  for (const auto& [name, d] : cycle.milestones) r.body += "- " + date_vi(d) + ": " + milestone_vi(name, nullptr) + "\n";
  for (const auto& round : cycle.rounds)
    r.body += "- " + date_vi(round.cutoff) + ": " + milestone_vi("round_cutoff", &round) + "\n";
  r.body += "\nĐề nghị đơn vị tuyên truyền, hướng dẫn các chủ thể đăng ký tham gia.\n" + signature(cfg, "");
  return r;
}

Rendered cycle_closed(const Config& cfg, const Cycle& cycle, const std::string& recipient_name,
                      const std::vector<DigestLine>& unfinished) {
  Rendered r;
  const std::string year = std::to_string(cycle.year);
  const bool next = cycle.carry_over == CarryOver::next;
  r.subject = "[OCOP] Kết thúc chu trình OCOP năm " + year + ": " + std::to_string(unfinished.size()) +
              " hồ sơ chưa hoàn thành";
  r.body = "Kính gửi: " + recipient_name + "\n\nChu trình OCOP năm " + year + " đã kết thúc ngày " +
           date_vi(cycle.last_day()) + ". ";
  if (unfinished.empty()) {
    r.body += "Không còn hồ sơ nào chưa hoàn thành.\n";
  } else {
    r.body += std::to_string(unfinished.size()) + " hồ sơ chưa hoàn thành " +
              (next ? "được chuyển sang chu trình năm " + std::to_string(cycle.year + 1) + ":\n\n"
                    : "(báo cáo để đơn vị xem xét, không chuyển sang chu trình sau):\n\n");
    for (const auto& l : unfinished) r.body += line_of(l, true);
  }
  r.body += signature(cfg, "");
  return r;
}

Rendered certificate_notice(const Config& cfg, const Certificate& c, const std::string& recipient_name,
                            bool to_producer, int days_left) {
  Rendered r;
  r.subject = "[OCOP] Thông báo: giấy chứng nhận sản phẩm OCOP " + std::to_string(c.stars) + " sao \"" + c.product +
              "\" hết hiệu lực ngày " + date_vi(c.valid_until);
  r.body = "Kính gửi: " + recipient_name + "\n\nGiấy chứng nhận sản phẩm OCOP " + c.id + " (quyết định " +
           c.decision_no + " ngày " + date_vi(c.decision_date) + ") cho sản phẩm \"" + c.product + "\", hạng " +
           std::to_string(c.stars) + " sao, cấp " + c.level + ", có hiệu lực đến hết ngày " + date_vi(c.valid_until) +
           " (còn " + std::to_string(days_left) + " ngày).\n\n";
  r.body += to_producer
                ? "Để sản phẩm tiếp tục được công nhận, đề nghị chủ thể đăng ký đánh giá lại trước khi giấy chứng "
                  "nhận hết hiệu lực.\n"
                : "Đề nghị đơn vị thông báo, hướng dẫn chủ thể đăng ký đánh giá lại; sản phẩm không được đánh giá "
                  "lại sẽ không còn trong danh sách sản phẩm OCOP.\n";
  r.body += signature(cfg, "");
  return r;
}

}  // namespace ocop::text
