// The `reminders` section.
#include "config/yaml/loader.hpp"

#include <algorithm>

namespace ocop::config::yaml {

void Loader::reminders(const Node& n, const Path& p) {
  if (!expect_seq(n, p, "a list of reminders")) return;
  static const std::vector<std::string_view> states = state_names();
  // In ReminderKind's order.
  static constexpr std::array<std::string_view, 7> kinds = {
      "stalled",           "before_milestone", "certificate_expiry", "cycle_start",
      "promotion_outcome", "inspection_due",   "remedy_due"};
  std::unordered_map<std::string_view, int> ids;
  for (size_t i = 0; i < n.items.size(); ++i) {
    const Node& item = n.items[i];
    const Path e = p[i];
    if (!expect_map(item, e, "a reminder {id, kind, ...}")) continue;
    Fields f = fields(
        item, e,
        {"id", "kind", "state", "after_days", "to", "escalate_after_days", "milestone", "days_before"});
    Reminder r;
    bool ok = true;
    if (const Node* v = need(f, "id", e)) {
      const Path kp = e.key("id");
      r.id = code_text(*v, kp, "reminder id");
      if (!r.id.empty()) {
        auto [it, inserted] = ids.emplace(v->value, v->line);
        if (!inserted)
          report(
              *v, kp,
              "duplicate reminder id " + quote(r.id) + " (first at line " + std::to_string(it->second) + ")");
      }
    }
    std::optional<size_t> kind;
    if (const Node* v = need(f, "kind", e)) {
      const Path kp = e.key("kind");
      kind = choice(*v, kp, kinds, "reminder kind");
    }
    if (!kind)
      ok = false;
    else
      r.kind = static_cast<ReminderKind>(*kind);

    bool stalled = kind && r.kind == ReminderKind::stalled;
    bool before = kind && r.kind == ReminderKind::before_milestone;
    bool outcome = kind && r.kind == ReminderKind::promotion_outcome;
    bool due = kind && (r.kind == ReminderKind::inspection_due || r.kind == ReminderKind::remedy_due);

    // The kinds after recognition (spec §10) have fixed recipients: `to` is refused there.
    if (const Node* kn = f.key("to"); kn && (outcome || due)) {
      const Path kp = e.key("to");
      report(*kn, kp,
             "to does not apply to " + std::string(kinds[*kind]) +
                 " reminders: they go to the producer and the " +
                 (outcome ? "participation's unit, and escalate to the organiser" : "inspection's unit"));
    } else if (const Node* v = f.opt("to")) {
      const Path kp = e.key("to");
      if (auto t = choice(*v, kp, kReminderTargets, "recipient")) r.to = kReminderTargets[*t];
    }
    // Keys that belong to some kinds only: `names` says which, as the message words them.
    auto only_for = [&](std::string_view key, std::initializer_list<ReminderKind> ks,
                        std::string_view names) {
      const Node* kn = f.key(key);
      if (kn && kind && std::find(ks.begin(), ks.end(), r.kind) == ks.end()) {
        const Path kp = e.key(key);
        report(*kn, kp, std::string(key) + " applies to " + std::string(names));
        return false;
      }
      return kn != nullptr;
    };
    only_for("state", {ReminderKind::stalled}, "stalled reminders only");
    only_for("after_days", {ReminderKind::stalled, ReminderKind::promotion_outcome},
             "stalled reminders only (and to promotion_outcome)");
    only_for("escalate_after_days", {ReminderKind::stalled, ReminderKind::promotion_outcome},
             "stalled reminders only (and to promotion_outcome)");
    only_for("milestone", {ReminderKind::before_milestone}, "before_milestone reminders only");
    only_for("days_before",
             {ReminderKind::before_milestone, ReminderKind::inspection_due, ReminderKind::remedy_due},
             "before_milestone reminders only (and to inspection_due and remedy_due)");

    if (stalled) {
      if (const Node* v = need(f, "state", e)) {
        const Path kp = e.key("state");
        if (auto s = text(*v, kp)) {
          if (auto st = parse_state(*s)) {
            if (is_final(*st))
              report(*v, kp, "state " + quote(*s) + " is final; a dossier never stalls there");
            else
              r.state = *st;
          } else {
            report(*v, kp, "unknown state " + quote(*s) + did_you_mean(*s, states));
          }
        }
      }
      if (const Node* v = need(f, "after_days", e)) {
        const Path kp = e.key("after_days");
        if (auto x = integer(*v, kp, 1, 366)) r.after_days = static_cast<int>(*x);
      }
      if (const Node* v = f.opt("escalate_after_days")) {
        const Path kp = e.key("escalate_after_days");
        if (auto x = integer(*v, kp, 1, 366)) r.escalate_after_days = static_cast<int>(*x);
      }
    }
    if (before) {
      if (const Node* v = need(f, "milestone", e)) {
        const Path kp = e.key("milestone");
        if (auto s = text(*v, kp)) {
          if (*s != "round_cutoff" && !milestone_names_.count(*s)) {
            std::vector<std::string_view> known(milestone_names_.begin(), milestone_names_.end());
            known.push_back("round_cutoff");
            std::sort(known.begin(), known.end());
            std::string list;
            for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            report(*v, kp, "unknown milestone " + quote(*s) + did_you_mean(*s, known) + "; known: " + list);
          }
          r.milestone = *s;
        }
      }
      if (const Node* v = need(f, "days_before", e)) {
        const Path kp = e.key("days_before");
        if (auto x = integer(*v, kp, 0, 366)) r.days_before = static_cast<int>(*x);
      }
    }
    if (outcome) {  // spec §10.1: {after_days: 10, escalate_after_days: 10} unless given
      r.after_days = 10;
      r.escalate_after_days = 10;
      if (const Node* v = f.opt("after_days")) {
        const Path kp = e.key("after_days");
        if (auto x = integer(*v, kp, 1, 366)) r.after_days = static_cast<int>(*x);
      }
      if (const Node* v = f.opt("escalate_after_days")) {
        const Path kp = e.key("escalate_after_days");
        if (auto x = integer(*v, kp, 1, 366)) r.escalate_after_days = static_cast<int>(*x);
      }
    }
    if (due) {  // spec §10.2: working days before an inspection's `due` or its `remedy_due`
      if (const Node* v = need(f, "days_before", e)) {
        const Path kp = e.key("days_before");
        if (auto x = integer(*v, kp, 0, 366)) r.days_before = static_cast<int>(*x);
      }
    }
    if (ok) cfg_.reminders.push_back(std::move(r));
  }
}

}  // namespace ocop::config::yaml
