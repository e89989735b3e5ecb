// Sample records of spec §10 (an activity, a participation, an inspection) for the store tests,
// every field set to something other than its default, and each as one line of text that
// names every field, to compare what two stores hand back.
#pragma once

#include <string>

#include "ocop/promotion.hpp"

namespace ocop::testing {

inline Instant sample_instant(const char* s) { return *parse_instant(s, 420); }

inline Activity sample_activity(const std::string& id, const std::string& unit, Date starts,
                                const std::string& state = "planned") {
  Activity a;
  a.id = id;
  a.name = "Hội chợ OCOP " + id;
  a.kind = "fair";
  a.unit = unit;
  a.venue = "Nhà văn hoá tỉnh";
  a.state = state;
  a.version = 1;
  a.registration_opens = add_days(starts, -30);
  a.registration_closes = add_days(starts, -10);
  a.starts = starts;
  a.ends = add_days(starts, 3);
  a.booths = 40;
  a.open_to = {unit, "BX-C0002"};
  a.policy.min_stars = 4;
  a.policy.max_booths_per_producer = 3;
  a.policy.booth_fee_vnd = 3'000'000'000LL;  // above 2^31
  a.policy.support_percent = 70;
  a.policy.support_cap_vnd = 9'000'000'000'000'000LL;  // 9e15
  a.created_at = sample_instant("2026-03-02T08:00:00+07:00");
  a.updated_at = a.created_at;
  a.state_since = a.created_at;
  return a;
}

inline Participation sample_participation(const std::string& activity, const std::string& dossier,
                                          const std::string& state = "applied") {
  Participation p;
  p.id = activity + "/" + dossier;
  p.activity = activity;
  p.dossier = dossier;
  p.certificate = dossier + "/province";
  p.product = "Chè Shan tuyết " + dossier;
  p.producer = "HTX Chè Cao Bồ";
  p.unit = "BX-C0001";
  p.state = state;
  p.version = 1;
  p.booths = 2;
  p.created_at = sample_instant("2026-03-03T08:00:00+07:00");
  p.updated_at = p.created_at;
  p.state_since = p.created_at;
  return p;
}

inline Inspection sample_inspection(const std::string& id, const std::string& certificate, Date due,
                                    const std::string& state = "planned") {
  Inspection i;
  i.id = id;
  i.certificate = certificate;
  i.dossier = certificate.substr(0, certificate.find('/'));
  i.product = "Chè Shan tuyết";
  i.unit = "BX-C0001";
  i.level = "province";
  i.state = state;
  i.version = 1;
  i.due = due;
  i.criteria = R"(["Nhãn mác","Chất lượng"])";
  i.findings = "[]";
  i.team = "Đoàn kiểm tra số 1";
  i.created_at = sample_instant("2026-03-04T08:00:00+07:00");
  i.updated_at = i.created_at;
  i.state_since = i.created_at;
  return i;
}

inline std::string text(const Activity& a) {
  std::string open_to;
  for (const auto& u : a.open_to) open_to += u + ",";
  return a.id + "|" + a.name + "|" + a.kind + "|" + a.unit + "|" + a.venue + "|" + a.state + "|" +
         std::to_string(a.version) + "|" + format_date(a.registration_opens) + "|" +
         format_date(a.registration_closes) + "|" + format_date(a.starts) + "|" + format_date(a.ends) + "|" +
         std::to_string(a.booths) + "|" + open_to + "|" + std::to_string(a.policy.min_stars) + "|" +
         std::to_string(a.policy.max_booths_per_producer) + "|" + std::to_string(a.policy.booth_fee_vnd) +
         "|" + std::to_string(a.policy.support_percent) + "|" + std::to_string(a.policy.support_cap_vnd) +
         "|" + a.reason + "|" + std::to_string(a.created_at.seconds) + "|" +
         std::to_string(a.updated_at.seconds) + "|" + std::to_string(a.state_since.seconds);
}

inline std::string text(const Participation& p) {
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string("-"); };
  return p.id + "|" + p.activity + "|" + p.dossier + "|" + p.certificate + "|" + p.product + "|" +
         p.producer + "|" + p.unit + "|" + p.state + "|" + std::to_string(p.version) + "|" +
         std::to_string(p.booths) + "|" + std::to_string(p.support_vnd) + "|" + opt(p.revenue_vnd) + "|" +
         opt(p.contracts) + "|" + opt(p.buyers) + "|" + p.note + "|" + p.reason + "|" +
         std::to_string(p.created_at.seconds) + "|" + std::to_string(p.updated_at.seconds) + "|" +
         std::to_string(p.state_since.seconds);
}

inline std::string text(const Inspection& i) {
  auto opt = [](const std::optional<Date>& d) { return d ? format_date(*d) : std::string("-"); };
  return i.id + "|" + i.certificate + "|" + i.dossier + "|" + i.product + "|" + i.unit + "|" + i.level + "|" +
         i.state + "|" + std::to_string(i.version) + "|" + format_date(i.due) + "|" + opt(i.remedy_due) +
         "|" + opt(i.recorded_on) + "|" + i.result + "|" + i.criteria + "|" + i.findings + "|" + i.team +
         "|" + i.ground + "|" + i.note + "|" + i.reason + "|" + std::to_string(i.created_at.seconds) + "|" +
         std::to_string(i.updated_at.seconds) + "|" + std::to_string(i.state_since.seconds);
}

}  // namespace ocop::testing
