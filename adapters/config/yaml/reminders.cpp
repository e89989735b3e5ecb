// The `reminders` section.
#include "config/yaml/loader.hpp"

namespace ocop::config::yaml {

void Loader::reminders(const Node& n, const Path& p) {
  if (!expect_seq(n, p, "a list of reminders")) return;
  static const std::vector<std::string_view> states = state_names();
  static constexpr std::array<std::string_view, 4> kinds = {"stalled", "before_milestone",
                                                            "certificate_expiry", "cycle_start"};
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

    if (const Node* v = f.opt("to")) {
      const Path kp = e.key("to");
      if (auto t = choice(*v, kp, kReminderTargets, "recipient")) r.to = kReminderTargets[*t];
    }
    // Keys that belong to one kind only.
    auto only_for = [&](std::string_view key, ReminderKind k, std::string_view kind_name) {
      const Node* kn = f.key(key);
      if (kn && kind && r.kind != k) {
        const Path kp = e.key(key);
        report(*kn, kp, std::string(key) + " applies to " + std::string(kind_name) + " reminders only");
        return false;
      }
      return kn != nullptr;
    };
    bool stalled = kind && r.kind == ReminderKind::stalled;
    bool before = kind && r.kind == ReminderKind::before_milestone;
    only_for("state", ReminderKind::stalled, "stalled");
    only_for("after_days", ReminderKind::stalled, "stalled");
    only_for("escalate_after_days", ReminderKind::stalled, "stalled");
    only_for("milestone", ReminderKind::before_milestone, "before_milestone");
    only_for("days_before", ReminderKind::before_milestone, "before_milestone");

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
    if (ok) cfg_.reminders.push_back(std::move(r));
  }
}

}  // namespace ocop::config::yaml
