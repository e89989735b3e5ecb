// The `calendar` section: weekend days and holidays.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

void Loader::calendar(const Node& n, const Path& p) {
  if (!expect_map(n, p, "a mapping {weekend, holidays, working_days}")) return;
  Fields f = fields(n, p, {"weekend", "holidays", "working_days"});
  Calendar& cal = cfg_.calendar;
  if (const Node* v = f.get("weekend")) {
    const Path kp = p.key("weekend");
    cal.weekend.fill(false);
    if (!v->is_null() && expect_seq(*v, kp, "a list of day names (mon..sun)")) {
      for (size_t j = 0; j < v->items.size(); ++j) {
        const Path dp = kp[j];
        if (auto d = choice(v->items[j], dp, kWeekdays, "day")) cal.weekend[*d] = true;
      }
      if (std::all_of(cal.weekend.begin(), cal.weekend.end(), [](bool b) { return b; }))
        report(*v, kp, "every day of the week is a weekend day");
    }
  }
  if (const Node* v = f.get("holidays")) {
    const Path kp = p.key("holidays");
    if (!v->is_null() && expect_seq(*v, kp, "a list of dates")) {
      for (size_t j = 0; j < v->items.size(); ++j) {
        const Path dp = kp[j];
        if (auto d = date(v->items[j], dp)) cal.holidays.insert(*d);
      }
    }
  }
  if (const Node* v = f.get("working_days")) {
    const Path kp = p.key("working_days");
    if (!v->is_null() && expect_seq(*v, kp, "a list of dates")) {
      for (size_t j = 0; j < v->items.size(); ++j) {
        const Node& item = v->items[j];
        const Path dp = kp[j];
        auto d = date(item, dp);
        if (!d) continue;
        if (!cal.weekend[static_cast<size_t>(weekday(*d))])
          report(item, dp,
                 item.value + " is a " + std::string(kWeekdayNames[static_cast<size_t>(weekday(*d))]) +
                     ", not a weekend day; working_days lists make-up days on weekends");
        else if (cal.holidays.count(*d))
          report(item, dp, item.value + " is also listed in holidays");
        else
          cal.working_days.insert(*d);
      }
    }
  }
}

}  // namespace ocop::config::yaml
