#include "ocop/notify.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace ocop {

using nlohmann::json;

namespace {

// Placeholders every event notification offers.
const std::vector<std::string>& common_placeholders() {
  static const std::vector<std::string> v = {"recipient_name", "dossier",   "product", "producer",
                                             "unit_name",      "province",  "office",  "level_name",
                                             "date",           "actor_name"};
  return v;
}

std::vector<std::string> with_common(std::vector<std::string> own) {
  std::vector<std::string> all = common_placeholders();
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

}  // namespace

const std::vector<TemplateSpec>& template_specs() {
  static const std::vector<TemplateSpec> specs = {
      {"dossier_returned",
       "return_idea, return_plan, return_dossier: to the producer, with the reason and the missing documents",
       with_common({"stage", "reason", "missing"}),
       "[OCOP] {stage}{? \"{product}\"} được trả lại để hoàn thiện",
       "{?Kính gửi {recipient_name},\n"
       "\n}"
       "{stage}{? \"{product}\"}{? của {producer}} (mã hồ sơ {dossier}, {unit_name}) đã được trả lại"
       "{? ở {level_name}} ngày {date} để hoàn thiện.\n"
       "\n"
       "{?Lý do: {reason}\n"
       "\n}"
       "Tài liệu cần bổ sung:\n"
       "{missing}\n"
       "\n"
       "Đề nghị chủ thể bổ sung, hoàn thiện và nộp lại hồ sơ.\n"
       "\n"
       "Trân trọng,\n"
       "{office}\n"},
      {"dossier_recognized", "recognize: to the producer and to the dossier's unit",
       with_common({"stars", "decision_no", "decision_date", "certificate", "valid_until"}),
       "[OCOP] Sản phẩm{? \"{product}\"} được công nhận{? {stars} sao}",
       "{?Kính gửi {recipient_name},\n"
       "\n}"
       "Sản phẩm{? \"{product}\"}{? của {producer}} (mã hồ sơ {dossier}, {unit_name}) đã được công nhận"
       "{? đạt {stars} sao} OCOP{? ở {level_name}}{? theo Quyết định số {decision_no}}"
       "{? ngày {decision_date}}.\n"
       "\n"
       "{?Giấy chứng nhận số {certificate} có giá trị đến hết ngày {valid_until}.\n"
       "\n}"
       "Trân trọng,\n"
       "{office}\n"},
      // The scheduler's messages (engine/reminders.cpp fills the placeholders). {dossiers} is
      // the list of dossiers, one entry of two lines each; {signature} the closing lines.
      {"reminder_stalled",
       "tick, a `stalled` rule: to the responsible unit, the dossiers waiting too long",
       {"recipient_name", "count", "state", "after_days", "date", "dossiers", "rule", "province",
        "signature"},
       "[OCOP] Nhắc việc: {count} hồ sơ chờ xử lý quá {after_days} ngày làm việc",
       "{?Kính gửi: {recipient_name}\n\n}Đến ngày {date}, {count} hồ sơ OCOP dưới đây đã ở trạng thái "
       "\"{state}\" từ "
       "{after_days} ngày làm việc trở lên:\n\n{dossiers}\nĐề nghị đơn vị khẩn trương xử lý các hồ sơ "
       "trên.\n{signature}"},
      {"reminder_escalation",
       "tick, a `stalled` rule's escalation: to the parent of the responsible unit",
       {"recipient_name", "count", "days", "date", "dossiers", "rule", "province", "signature"},
       "[OCOP] Báo cáo chậm xử lý: {count} hồ sơ của đơn vị cấp dưới quá {days} ngày làm việc",
       "{?Kính gửi: {recipient_name}\n\n}Đến ngày {date}, {count} hồ sơ OCOP dưới đây đã chờ từ {days} ngày "
       "làm "
       "việc "
       "trở lên mà đơn vị phụ trách chưa xử lý, dù đã được nhắc:\n\n{dossiers}\nĐề nghị đơn vị chỉ đạo, đôn "
       "đốc xử "
       "lý.\n{signature}"},
      {"reminder_milestone",
       "tick, a `before_milestone` rule: to each unit with dossiers still short of the milestone",
       {"recipient_name", "milestone", "deadline", "days_left", "date", "count", "dossiers", "rule",
        "province", "signature"},
       "[OCOP] Nhắc hạn: {milestone} ngày {deadline} (còn {days_left} ngày làm việc)",
       "{?Kính gửi: {recipient_name}\n\n}Ngày {deadline} là {milestone}. Tính đến ngày {date} (còn "
       "{days_left} "
       "ngày làm "
       "việc), đơn vị còn {count} hồ sơ chưa hoàn thành bước này:\n\n{dossiers}\nĐề nghị đơn vị hoàn thành "
       "trước "
       "thời hạn.\n{signature}"},
      {"cycle_start",
       "tick, a cycle opens (`cycle_start` rule): the year's milestones",
       {"recipient_name", "year", "province", "first_day", "last_day", "milestones", "signature"},
       "[OCOP] Khởi động chu trình OCOP năm {year}",
       "{?Kính gửi: {recipient_name}\n\n}Chu trình OCOP năm {year} của {province} bắt đầu từ ngày "
       "{first_day} "
       "đến ngày "
       "{last_day}.{? Các mốc thời gian:\n\n{milestones}}\nĐề nghị đơn vị tuyên truyền, hướng dẫn các chủ "
       "thể "
       "đăng ký "
       "tham gia.\n{signature}"},
      {"cycle_closed",
       "tick, a cycle closes: to the province, its unfinished dossiers ({outcome})",
       {"recipient_name", "year", "province", "last_day", "count", "outcome", "signature"},
       "[OCOP] Kết thúc chu trình OCOP năm {year}: {count} hồ sơ chưa hoàn thành",
       "{?Kính gửi: {recipient_name}\n\n}Chu trình OCOP năm {year} đã kết thúc ngày {last_day}. "
       "{outcome}{signature}"},
      {"certificate_notice",
       "tick, a certificate's expiry notice: to its unit and its producer ({advice} differs)",
       {"recipient_name", "certificate", "product", "stars", "level", "decision_no", "decision_date",
        "valid_until", "days_left", "advice", "province", "signature"},
       "[OCOP] Thông báo: giấy chứng nhận sản phẩm OCOP {stars} sao{? \"{product}\"} hết hiệu lực ngày "
       "{valid_until}",
       "{?Kính gửi: {recipient_name}\n\n}Giấy chứng nhận sản phẩm OCOP {certificate} "
       "(quyết định{? {decision_no}} ngày {decision_date}) cho sản phẩm{? \"{product}\"}, "
       "hạng {stars} sao{?, cấp {level}}, có hiệu lực đến hết ngày {valid_until} (còn {days_left} ngày)."
       "\n\n{advice}{signature}"},
      // After recognition (spec §10; engine/promotion.cpp and promotion_notices.cpp fill them).
      {"promotion_invite",
       "open_registration: to each unit the activity is open to (a digest) and each producer with a product "
       "that may apply",
       {"recipient_name", "activity", "activity_name", "venue", "starts", "ends", "registration_closes",
        "organiser", "count", "products", "province", "office", "date"},
       "[OCOP] Mời đăng ký tham gia {activity_name} ({starts} - {ends})",
       "{?Kính gửi {recipient_name},\n\n}"
       "{organiser} tổ chức {activity_name} (mã {activity}) tại {venue} từ ngày {starts} đến ngày {ends}. "
       "Hạn đăng ký tham gia: hết ngày {registration_closes}.\n"
       "\n"
       "Các sản phẩm OCOP sau đây đủ điều kiện đăng ký ({count} sản phẩm):\n"
       "{products}\n"
       "\n"
       "Trân trọng,\n"
       "{office}\n"},
      {"participation_selected", "select: to the producer, the booths and the support granted",
       {"recipient_name", "activity", "activity_name", "venue", "starts", "ends", "registration_closes",
        "organiser", "participation", "product", "producer", "booths", "support", "reason", "province", "office",
        "date"},
       "[OCOP] Sản phẩm \"{product}\" được chọn tham gia {activity_name}",
       "{?Kính gửi {recipient_name},\n\n}"
       "Sản phẩm \"{product}\" của {producer} được lựa chọn tham gia {activity_name} (mã {activity}) "
       "tại {venue} từ ngày {starts} đến ngày {ends}, với {booths} gian hàng; mức hỗ trợ: {support} đồng.\n"
       "\n"
       "Sau khi kết thúc, đề nghị chủ thể báo cáo kết quả (doanh thu, số hợp đồng).\n"
       "\n"
       "Trân trọng,\n"
       "{office}\n"},
      {"participation_declined",
       "decline, and start_activity's cascade to applications never selected: to the producer",
       {"recipient_name", "activity", "activity_name", "venue", "starts", "ends", "registration_closes",
        "organiser", "participation", "product", "producer", "booths", "support", "reason", "province", "office",
        "date"},
       "[OCOP] Đăng ký tham gia {activity_name} của sản phẩm \"{product}\" không được lựa chọn",
       "{?Kính gửi {recipient_name},\n\n}"
       "Đăng ký tham gia {activity_name} (mã {activity}) của sản phẩm \"{product}\" ({producer}) "
       "không được lựa chọn.\n"
       "\n"
       "{?Lý do: {reason}\n}"
       "\n"
       "Trân trọng,\n"
       "{office}\n"},
      {"participation_cancelled",
       "cancel_participation, a cascade of revoke or cancel_activity: to the producer",
       {"recipient_name", "activity", "activity_name", "venue", "starts", "ends", "registration_closes",
        "organiser", "participation", "product", "producer", "booths", "support", "reason", "province", "office",
        "date"},
       "[OCOP] Hủy tham gia {activity_name} của sản phẩm \"{product}\"",
       "{?Kính gửi {recipient_name},\n\n}"
       "Việc tham gia {activity_name} (mã {activity}, từ ngày {starts} đến ngày {ends}) của sản phẩm "
       "\"{product}\" ({producer}) đã bị hủy.\n"
       "\n"
       "{?Lý do: {reason}\n}"
       "\n"
       "Trân trọng,\n"
       "{office}\n"},
      {"inspection_violation", "record_inspection with a violation: to the signers of the issuing level",
       {"recipient_name", "inspection", "certificate", "product", "unit_name", "due", "remedy_due", "ground",
        "province", "office", "date"},
       "[OCOP] Hậu kiểm: sản phẩm \"{product}\" vi phạm, đề nghị xem xét thu hồi giấy chứng nhận",
       "{?Kính gửi {recipient_name},\n\n}"
       "Đợt hậu kiểm {inspection} ngày {date} đối với sản phẩm \"{product}\" ({unit_name}, giấy chứng nhận "
       "{certificate}) ghi nhận vi phạm: {ground}.\n"
       "\n"
       "Đề nghị xem xét thu hồi giấy chứng nhận hoặc đóng hồ sơ hậu kiểm.\n"
       "\n"
       "Trân trọng,\n"
       "{office}\n"},
      {"inspection_remedy_overdue", "remedy_overdue: to the signers of the issuing level",
       {"recipient_name", "inspection", "certificate", "product", "unit_name", "due", "remedy_due", "ground",
        "province", "office", "date"},
       "[OCOP] Hậu kiểm: sản phẩm \"{product}\" quá hạn khắc phục",
       "{?Kính gửi {recipient_name},\n\n}"
       "Sản phẩm \"{product}\" ({unit_name}, giấy chứng nhận {certificate}) chưa hoàn thành khắc phục "
       "theo đợt hậu kiểm {inspection}; hạn khắc phục là ngày {remedy_due}.\n"
       "\n"
       "Đề nghị xem xét thu hồi giấy chứng nhận hoặc đóng hồ sơ hậu kiểm.\n"
       "\n"
       "Trân trọng,\n"
       "{office}\n"},
      // The scheduler's reminders after recognition (engine/scheduler.cpp): {items} lists the
      // participations or inspections, one line each.
      {"reminder_promotion_outcome",
       "tick, a `promotion_outcome` rule: to the producer and the unit, participations not yet reported",
       {"recipient_name", "count", "after_days", "date", "items", "province", "signature"},
       "[OCOP] Nhắc việc: {count} kết quả tham gia xúc tiến thương mại chưa được báo cáo",
       "{?Kính gửi: {recipient_name}\n\n}Đến ngày {date}, kết quả tham gia các hoạt động xúc tiến thương mại "
       "dưới đây chưa được báo cáo quá {after_days} ngày làm việc sau khi kết thúc:\n\n{items}\n"
       "Đề nghị báo cáo doanh thu, số hợp đồng đã ký.\n{signature}"},
      {"reminder_promotion_escalation",
       "tick, a `promotion_outcome` rule's escalation: to the organiser unit",
       {"recipient_name", "count", "after_days", "days", "date", "items", "province", "signature"},
       "[OCOP] Báo cáo chậm: {count} kết quả tham gia xúc tiến thương mại quá {days} ngày làm việc",
       "{?Kính gửi: {recipient_name}\n\n}Đến ngày {date}, kết quả tham gia dưới đây vẫn chưa được báo cáo "
       "sau {days} ngày làm việc, dù đã được nhắc:\n\n{items}\nĐề nghị đơn vị đôn đốc.\n{signature}"},
      {"reminder_inspection_due",
       "tick, an `inspection_due` rule: to the producer and the unit, inspections due soon",
       {"recipient_name", "count", "days_before", "date", "items", "province", "signature"},
       "[OCOP] Nhắc lịch hậu kiểm: {count} sản phẩm",
       "{?Kính gửi: {recipient_name}\n\n}Các sản phẩm OCOP dưới đây sẽ được hậu kiểm theo kế hoạch:\n\n{items}\n"
       "Đề nghị chủ thể chuẩn bị hồ sơ, sản phẩm phục vụ kiểm tra.\n{signature}"},
      {"reminder_remedy_due",
       "tick, a `remedy_due` rule: to the producer and the unit, remedies due soon",
       {"recipient_name", "count", "days_before", "date", "items", "province", "signature"},
       "[OCOP] Nhắc hạn khắc phục sau hậu kiểm: {count} sản phẩm",
       "{?Kính gửi: {recipient_name}\n\n}Các sản phẩm OCOP dưới đây sắp đến hạn khắc phục theo kết quả hậu "
       "kiểm:\n\n{items}\nĐề nghị chủ thể hoàn thành khắc phục đúng hạn.\n{signature}"},
  };
  return specs;
}

const TemplateSpec* find_template(std::string_view name) {
  for (const auto& s : template_specs())
    if (s.name == name) return &s;
  return nullptr;
}

namespace {

// A template, parsed: text, placeholders and optional segments {?…} (which hold text and
// placeholders only).
struct Piece {
  enum Kind { text, placeholder, segment } kind = text;
  std::string s;             // the text, or the placeholder's name
  std::vector<Piece> inner;  // a segment's pieces
};

// Parses t from i to its end or, inside a segment, to the segment's closing } (i is then past
// it). Returns the first problem, or an empty string.
std::string parse_pieces(std::string_view t, size_t& i, bool in_segment, std::vector<Piece>& out) {
  std::string lit;
  auto flush = [&] {
    if (!lit.empty()) out.push_back({Piece::text, std::move(lit), {}});
    lit.clear();
  };
  while (i < t.size()) {
    const char c = t[i];
    if (c == '}') {
      if (i + 1 < t.size() && t[i + 1] == '}') {
        lit += '}';
        i += 2;
        continue;
      }
      if (!in_segment) return "a lone } (write }} for a brace)";
      ++i;
      flush();
      return {};
    }
    if (c != '{') {
      lit += c;
      ++i;
      continue;
    }
    if (i + 1 < t.size() && t[i + 1] == '{') {
      lit += '{';
      i += 2;
      continue;
    }
    if (i + 1 < t.size() && t[i + 1] == '?') {
      if (in_segment) return "an optional segment {?…} inside another";
      flush();
      i += 2;
      Piece seg{Piece::segment, {}, {}};
      if (std::string problem = parse_pieces(t, i, true, seg.inner); !problem.empty()) return problem;
      out.push_back(std::move(seg));
      continue;
    }
    const size_t close = t.find('}', i + 1);
    if (close == std::string_view::npos) return "a { that is not closed (write {{ for a brace)";
    flush();
    out.push_back({Piece::placeholder, std::string(t.substr(i + 1, close - i - 1)), {}});
    i = close + 1;
  }
  if (in_segment) return "an optional segment {? that is not closed (write {{ for a brace)";
  flush();
  return {};
}

std::string parse_template(std::string_view text, std::vector<Piece>& out) {
  size_t i = 0;
  return parse_pieces(text, i, false, out);
}

bool is_blank(std::string_view v) { return v.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool is_space(char c) { return c == ' ' || c == '\t'; }

bool is_closing_punctuation(char c) {
  return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')';
}

// Writes rendered text, closing up the gap an empty value leaves: no doubled space, no space
// before punctuation or at the end of a line, no space at the start of a line.
class Writer {
 public:
  void put(std::string_view s) {
    if (s.empty()) return;
    if (gap_) {
      gap_ = false;
      const bool line_start = out_.empty() || out_.back() == '\n';
      const char next = s.front();
      if (line_start) {
        while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
      } else if (is_space(out_.back()) &&
                 (is_space(next) || next == '\n' || next == '\r' || is_closing_punctuation(next))) {
        trim_back();
      }
    }
    out_ += s;
  }
  void gap() { gap_ = true; }  // an empty value, or a segment left out, stood here
  std::string finish() {
    if (gap_) trim_back();
    return std::move(out_);
  }

 private:
  void trim_back() {
    while (!out_.empty() && is_space(out_.back())) out_.pop_back();
  }
  std::string out_;
  bool gap_ = false;
};

const std::string* value_of(const TemplateVars& vars, const std::string& name) {
  auto it = vars.find(name);
  return it == vars.end() || is_blank(it->second) ? nullptr : &it->second;
}

// Text that does not parse (only a caller that skipped check_template_text can pass one): each
// {name} is replaced or left out, everything else is written as it is.
std::string render_unchecked(std::string_view text, const TemplateVars& vars) {
  Writer w;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      w.put(std::string_view(&text[i], 1));
      ++i;
      continue;
    }
    if (c == '{') {
      const size_t close = text.find('}', i + 1);
      if (close != std::string_view::npos) {
        if (const std::string* v = value_of(vars, std::string(text.substr(i + 1, close - i - 1))))
          w.put(*v);
        else
          w.gap();
        i = close;
        continue;
      }
    }
    w.put(std::string_view(&text[i], 1));
  }
  return w.finish();
}

}  // namespace

std::string check_template_text(std::string_view text, const std::vector<std::string>& allowed) {
  std::vector<Piece> pieces;
  if (std::string problem = parse_template(text, pieces); !problem.empty()) return problem;
  auto known = [&](const std::string& name) -> std::string {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) return {};
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "{" : ", {") + a + "}";
    return "unknown placeholder {" + name + "}; known: " + list;
  };
  for (const auto& p : pieces) {
    if (p.kind == Piece::placeholder) {
      if (std::string problem = known(p.s); !problem.empty()) return problem;
    } else if (p.kind == Piece::segment) {
      bool any = false;
      for (const auto& q : p.inner) {
        if (q.kind != Piece::placeholder) continue;
        any = true;
        if (std::string problem = known(q.s); !problem.empty()) return problem;
      }
      if (!any) return "an optional segment {?…} without a placeholder (it would never be left out)";
    }
  }
  return {};
}

std::string render_text(std::string_view text, const TemplateVars& vars) {
  std::vector<Piece> pieces;
  if (!parse_template(text, pieces).empty()) return render_unchecked(text, vars);
  Writer w;
  for (const auto& p : pieces) {
    if (p.kind == Piece::text) {
      w.put(p.s);
    } else if (p.kind == Piece::placeholder) {
      if (const std::string* v = value_of(vars, p.s))
        w.put(*v);
      else
        w.gap();
    } else {
      std::string seg;
      bool complete = true;
      for (const auto& q : p.inner) {
        if (q.kind == Piece::text) {
          seg += q.s;
        } else if (const std::string* v = value_of(vars, q.s)) {
          seg += *v;
        } else {
          complete = false;
          break;
        }
      }
      if (complete)
        w.put(seg);
      else
        w.gap();
    }
  }
  return w.finish();
}

RenderedMessage render(const Config& config, std::string_view name, const TemplateVars& vars) {
  const TemplateSpec* spec = find_template(name);
  if (!spec) return {};
  std::string_view subject = spec->subject, body = spec->body;
  if (auto it = config.templates.find(std::string(name)); it != config.templates.end()) {
    if (!it->second.subject.empty()) subject = it->second.subject;
    if (!it->second.body.empty()) body = it->second.body;
  }
  return {render_text(subject, vars), render_text(body, vars)};
}

std::string level_name_vi(std::string_view level) {
  if (level == "commune") return "cấp xã";
  if (level == "district") return "cấp huyện";
  if (level == "province") return "cấp tỉnh";
  if (level == "central") return "cấp trung ương";
  return std::string(level);
}

std::string date_vi(Date d) {
  int y;
  unsigned m, day;
  civil(d, y, m, day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", day, m, y);
  return buf;
}

std::vector<Recipient> producer_recipients(const Config& config, Store& store, const Dossier& d, Date day) {
  std::vector<Recipient> out;
  if (!config.any_user_email()) return out;  // nobody to write to: no need to ask who created it
  if (const User* creator = config.user(store.dossier_creator(d.id)); creator && !creator->email.empty()) {
    out.push_back({creator->email, creator->name});
    return out;
  }
  const Unit* unit = config.unit_on(d.unit, day);
  if (!unit) return out;
  for (const User* u : config.producers_with_email(unit->code)) out.push_back({u->email, u->name});
  return out;
}

std::optional<Recipient> unit_recipient(const Config& config, const std::string& unit, Date day) {
  const Unit* u = config.unit_on(unit, day);
  if (!u || u->email.empty()) return std::nullopt;
  return Recipient{u->email, u->name};
}

bool event_notifies(Event ev) {
  return ev == Event::return_idea || ev == Event::return_plan || ev == Event::return_dossier ||
         ev == Event::recognize;
}

int queue_event_notifications(const Config& config, Store& store, Event ev, const EventNotice& n) {
  if (!event_notifies(ev) || !n.record || !n.dossier || !n.data) return 0;
  const AuditRecord& rec = *n.record;
  const Dossier& d = *n.dossier;
  const json& data = *n.data;
  const int offset = config.province.utc_offset_minutes;
  const Date day = local_date(rec.at, offset);
  const bool recognized = ev == Event::recognize;

  TemplateVars vars;
  vars["dossier"] = d.id;
  vars["product"] = d.product;
  vars["producer"] = d.producer;
  const Unit* unit = config.unit_on(d.unit, day);
  vars["unit_name"] = unit ? unit->name : d.unit;
  vars["province"] = config.province.name;
  vars["office"] = "Văn phòng Điều phối Chương trình OCOP tỉnh " + config.province.name;
  vars["level_name"] = level_name_vi(rec.level);
  vars["date"] = date_vi(day);
  const User* actor = config.user(rec.actor);
  vars["actor_name"] = actor ? actor->name : rec.actor;
  auto text = [&](const char* key) {
    auto it = data.find(key);
    return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
  };

  std::string template_name;
  if (recognized) {
    template_name = "dossier_recognized";
    if (n.certificate) {
      vars["stars"] = std::to_string(n.certificate->stars);
      vars["certificate"] = n.certificate->id;
      vars["valid_until"] = date_vi(n.certificate->valid_until);
      vars["decision_date"] = date_vi(n.certificate->decision_date);
    }
    vars["decision_no"] = text("decision_no");
  } else {
    template_name = "dossier_returned";
    vars["stage"] = ev == Event::return_idea   ? "Ý tưởng sản phẩm"
                    : ev == Event::return_plan ? "Phương án sản xuất kinh doanh"
                                               : "Hồ sơ đánh giá, phân hạng sản phẩm";
    vars["reason"] = text("reason");
    std::string lines;
    if (auto it = data.find("missing"); it != data.end() && it->is_array()) {
      for (const auto& k : *it) {
        if (!k.is_string()) continue;
        const std::string kind = k.get<std::string>();
        auto label = config.document_kinds.find(kind);
        lines += (lines.empty() ? "" : "\n") + std::string("- ") +
                 (label == config.document_kinds.end() ? kind : label->second + " (" + kind + ")");
      }
    }
    vars["missing"] = lines.empty() ? "(không có)" : lines;
  }

  std::vector<Recipient> to = producer_recipients(config, store, d, day);
  if (recognized)
    if (auto u = unit_recipient(config, d.unit, day)) to.push_back(*u);

  // The event's identity: the dossier's new version (one accepted event each). Not the audit
  // sequence number: on PostgreSQL a record is linked into the chain, and numbered, at commit.
  const std::string event_id = d.id + "/v" + std::to_string(d.version);
  const std::string cause =
      "dossier " + d.id + " " + std::string(to_string(ev)) + " (version " + std::to_string(d.version) + ")";
  int queued = 0;
  std::set<std::string> seen;
  json addresses = json::array();
  for (const auto& r : to) {
    if (!seen.insert(r.email).second) continue;
    vars["recipient_name"] = r.name;
    RenderedMessage msg = render(config, template_name, vars);
    OutboxMessage m;
    m.dedupe_key = "event/" + event_id + "/email/" + r.email;
    m.channel = "email";
    m.recipient = r.email;
    m.subject = std::move(msg.subject);
    m.body = std::move(msg.body);
    m.cause = cause;
    m.dossier = d.id;
    m.created_at = rec.at;
    m.next_attempt_at = rec.at;
    if (store.enqueue(m)) ++queued;
    addresses.push_back(r.email);
  }

  if (!config.channels.webhook_url.empty()) {
    json body = {{"type", recognized ? "dossier.recognized" : "dossier.returned"},
                 {"event", to_string(ev)},
                 {"version", d.version},
                 {"at", format_instant(rec.at, offset)},
                 {"dossier", d.id},
                 {"product", d.product},
                 {"producer", d.producer},
                 {"unit", d.unit},
                 {"from", rec.from_state},
                 {"to", rec.to_state},
                 {"level", rec.level},
                 {"actor", rec.actor},
                 {"data", data},
                 {"notified", addresses}};
    vars["recipient_name"] = d.producer;
    RenderedMessage text_for_people = render(config, template_name, vars);
    body["subject"] = text_for_people.subject;
    body["text"] = text_for_people.body;
    if (recognized && n.certificate) {
      body["certificate"] = {{"id", n.certificate->id},
                             {"stars", n.certificate->stars},
                             {"decision_no", n.certificate->decision_no},
                             {"issued_on", format_date(n.certificate->issued_on)},
                             {"valid_until", format_date(n.certificate->valid_until)}};
    }
    OutboxMessage m;
    m.dedupe_key = "event/" + event_id + "/webhook";
    m.channel = "webhook";
    m.recipient = config.channels.webhook_url;
    m.subject = text_for_people.subject;
    m.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    m.cause = cause;
    m.dossier = d.id;
    m.created_at = rec.at;
    m.next_attempt_at = rec.at;
    if (store.enqueue(m)) ++queued;
  }
  return queued;
}

int queue_certificate_webhook(const Config& config, Store& store, CertificateEvent ev, const Certificate& after,
                              const Dossier& dossier, const AuditRecord& rec) {
  if (config.channels.webhook_url.empty()) return 0;
  if (ev != CertificateEvent::revoke && ev != CertificateEvent::expire) return 0;
  const int offset = config.province.utc_offset_minutes;
  json certificate = {{"id", after.id},
                      {"product", after.product},
                      {"product_set", after.product_set},
                      {"unit", after.unit},
                      {"stars", after.stars},
                      {"level", after.level},
                      {"decision_no", after.decision_no},
                      {"issued_on", format_date(after.issued_on)},
                      {"valid_until", format_date(after.valid_until)},
                      {"state", after.state}};
  if (ev == CertificateEvent::revoke) {
    json revocation = {{"ground", after.revocation_ground}, {"decision_no", after.revocation_decision_no}};
    auto g = config.revocation_grounds.find(after.revocation_ground);
    if (g != config.revocation_grounds.end()) revocation["ground_text"] = g->second;
    if (after.revoked_on) revocation["revoked_on"] = format_date(*after.revoked_on);
    certificate["revocation"] = revocation;
  }
  const bool revoked = ev == CertificateEvent::revoke;
  // For people, as every webhook body carries them: a subject line and a text.
  const Unit* unit = config.unit(after.unit);
  std::string text = "Giấy chứng nhận OCOP " + after.id + " của sản phẩm \"" + after.product + "\" (" +
                     dossier.producer + ", " + (unit ? unit->name : after.unit) + "), hạng " +
                     std::to_string(after.stars) + " sao, quyết định số " + after.decision_no;
  if (revoked) {
    auto g = config.revocation_grounds.find(after.revocation_ground);
    text += ", đã bị thu hồi theo quyết định số " + after.revocation_decision_no +
            (after.revoked_on ? " ngày " + date_vi(*after.revoked_on) : std::string()) + ". Lý do: " +
            (g == config.revocation_grounds.end() ? after.revocation_ground : g->second) + ".";
  } else {
    text += ", đã hết hiệu lực ngày " + date_vi(after.valid_until) + ".";
  }
  const std::string subject = std::string(revoked ? "[OCOP] Thu hồi" : "[OCOP] Hết hiệu lực") +
                              " giấy chứng nhận sản phẩm " + after.product;
  json body = {{"type", revoked ? "certificate.revoked" : "certificate.expired"},
               {"event", to_string(ev)},
               {"at", format_instant(rec.at, offset)},
               {"certificate", certificate},
               {"dossier", dossier.id},
               {"product", dossier.product},
               {"producer", dossier.producer},
               {"unit", dossier.unit},
               {"actor", rec.actor},
               {"subject", subject},
               {"text", text}};
  OutboxMessage m;
  m.dedupe_key = "event/" + dossier.id + "/v" + std::to_string(dossier.version) + "/webhook";
  m.channel = "webhook";
  m.recipient = config.channels.webhook_url;
  m.subject = subject;
  m.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  m.cause = "certificate " + after.id + " " + std::string(to_string(ev)) + " (dossier " + dossier.id + " version " +
            std::to_string(dossier.version) + ")";
  m.dossier = dossier.id;
  m.created_at = rec.at;
  m.next_attempt_at = rec.at;
  return store.enqueue(m) ? 1 : 0;
}

}  // namespace ocop
