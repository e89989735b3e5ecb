#include "report/labels.hpp"

namespace ocop::report {

const char* state_label(State s) {
  switch (s) {
    case State::none: return "Mới tạo";
    case State::idea_submitted: return "Ý tưởng chờ xét";
    case State::idea_returned: return "Ý tưởng bị trả lại";
    case State::idea_accepted: return "Ý tưởng được chấp nhận";
    case State::plan_submitted: return "Phương án chờ duyệt";
    case State::plan_returned: return "Phương án bị trả lại";
    case State::in_development: return "Đang phát triển sản phẩm";
    case State::submitted: return "Hồ sơ đã nộp";
    case State::returned: return "Hồ sơ bị trả lại";
    case State::under_review: return "Đang xem xét";
    case State::scored: return "Đã chấm điểm";
    case State::recognized: return "Được công nhận";
    case State::not_recognized: return "Không được công nhận";
    case State::rejected: return "Bị từ chối";
    case State::withdrawn: return "Đã rút";
  }
  return "";
}

std::string certificate_state_label(const std::string& s) {
  if (s == "active") return "Còn hiệu lực";
  if (s == "expiring") return "Sắp hết hạn";
  if (s == "expired") return "Hết hạn";
  if (s == "revoked") return "Bị thu hồi";
  if (s == "superseded") return "Được thay thế";
  return s;
}

std::string inspection_label(const std::string& s) {
  if (s == "planned") return "Hậu kiểm: đã lập kế hoạch";
  if (s == "compliant") return "Hậu kiểm: đạt";
  if (s == "remedy_required") return "Hậu kiểm: phải khắc phục";
  if (s == "violation") return "Hậu kiểm: vi phạm";
  if (s == "overdue") return "Hậu kiểm: quá hạn khắc phục";
  if (s == "closed") return "Hậu kiểm: đã đóng";
  return "Hậu kiểm: " + s;
}

std::string unit_name(const Config& config, const std::string& code) {
  const Unit* u = config.unit(code);
  return u ? u->name : std::string();
}

std::int64_t count_in(const std::map<std::string, std::int64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

const char* stage_label(CycleStage s) {
  switch (s) {
    case CycleStage::idea: return "Ý tưởng";
    case CycleStage::plan: return "Phương án";
    case CycleStage::development: return "Phát triển sản phẩm";
    case CycleStage::evaluation: return "Đánh giá, phân hạng";
    case CycleStage::recognition: return "Được công nhận";
    case CycleStage::ended: return "Kết thúc, không công nhận";
  }
  return "";
}

}  // namespace ocop::report
