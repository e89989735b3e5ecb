#include "ocop/scheduler.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "ocop/calendar.hpp"
#include "ocop/notify.hpp"

namespace ocop {

using nlohmann::json;

namespace {

constexpr RetryPolicy kRetry{5, 2};  // a retryable store error retries the transaction (ocop/transaction.hpp)

Instant local_midnight(Date d, int offset_minutes) {
  return Instant{d.days * 86400LL - offset_minutes * 60LL};
}

bool has_role(const User& u, const char* role) {
  return std::find(u.roles.begin(), u.roles.end(), role) != u.roles.end();
}

// Every state a dossier can still move from, but `recognized` (done for the cycle).
std::vector<State> unfinished_states() {
  std::vector<State> out;
  for (int i = 1; i < kStateCount; ++i) {
    auto s = static_cast<State>(i);
    if (!is_final(s) && s != State::recognized) out.push_back(s);
  }
  return out;
}

// The states of the dossiers a milestone is waiting for (docs/design.md "Reminders").
std::vector<State> states_waiting_for(const std::string& milestone) {
  if (milestone == "ideas_close") return {State::idea_submitted, State::idea_returned};
  if (milestone == "plans_close") return {State::idea_accepted, State::plan_submitted, State::plan_returned};
  if (milestone == "round_cutoff")
    return {State::submitted, State::returned, State::under_review, State::scored};
  return unfinished_states();
}

// A registered dossier waits for a round's cut-off when the round's level is the next council
// it will stand before: it is at that level and not yet accepted there (submitted, returned), or
// at the level just below it in its rule set and still on its way up (submitted, returned,
// under review, scored).
bool waits_for_round(const Config& cfg, const Dossier& d, const Round& r) {
  const RuleSet* rs = cfg.rule_set(d.rule_set);
  if (!rs || d.level_index < 0) return false;
  int at = -1;
  for (size_t i = 0; i < rs->levels.size(); ++i)
    if (rs->levels[i].level == r.level) at = static_cast<int>(i);
  if (at < 0) return false;
  if (d.level_index == at) return d.state == State::submitted || d.state == State::returned;
  return d.level_index == at - 1;  // the states asked for are all "on its way up"
}

struct Target {  // a milestone of a cycle
  std::string name;
  const Round* round = nullptr;
  Date date;
};

std::vector<Target> targets(const Cycle& c, const std::string& milestone) {
  std::vector<Target> out;
  if (milestone == "round_cutoff") {
    for (const auto& r : c.rounds) out.push_back({"round_cutoff", &r, r.cutoff});
  } else if (auto it = c.milestones.find(milestone); it != c.milestones.end()) {
    out.push_back({milestone, nullptr, it->second});
  }
  return out;
}

std::vector<Target> all_targets(const Cycle& c) {
  std::vector<Target> out;
  for (const auto& [name, d] : c.milestones) out.push_back({name, nullptr, d});
  for (const auto& r : c.rounds) out.push_back({"round_cutoff", &r, r.cutoff});
  std::stable_sort(out.begin(), out.end(), [](const Target& a, const Target& b) { return a.date < b.date; });
  return out;
}

}  // namespace

const Unit* responsible_unit(const Config& config, const Dossier& d, Date day) {
  const Unit* own = config.unit_on(d.unit, day);
  if (!own) {  // ended without a successor: its nearest valid ancestor answers for it
    auto up = config.ancestors_on(d.unit, day);
    return up.empty() ? nullptr : up.front();
  }
  auto level = parse_unit_level(d.level);
  if (!level || own->level == *level) return own;
  for (const Unit* a : config.ancestors_on(own->code, day))
    if (a->level == *level) return a;
  return own;  // that level's unit was abolished: the dossier's own unit is reminded directly
}

std::vector<int> cycle_years(const Config& config, int year) {
  std::vector<int> out{year};
  for (int y = year - 1;; --y) {
    auto it = config.cycles.find(y);
    if (it == config.cycles.end() || it->second.carry_over != CarryOver::next) break;
    out.push_back(y);
  }
  return out;
}

// One tick's work and what it has done so far.
struct Scheduler::Run {
  Scheduler& s;
  TickReport& rep;
  const Config& cfg;
  const int offset;
  const Date day;
  const Instant now;
  std::optional<Date> window_after;  // days in (window_after, day] are this tick's; none: day only

  // What the current transaction did; reported once it commits (or is rolled back in a dry run).
  std::vector<OutboxMessage> staged;
  std::vector<std::string> staged_kinds;
  std::vector<TickTransition> staged_transitions;
  int staged_duplicates = 0;
  int staged_already_fired = 0;  // certificate transitions another process made first

  std::unordered_map<std::int32_t, int> waited_memo;  // entry day -> working days waited on `day`
  std::unordered_map<std::string, const User*> producers;

  Run(Scheduler& sched, TickReport& report, Date d, Instant t, std::optional<Date> previous)
      : s(sched),
        rep(report),
        cfg(sched.config_),
        offset(sched.config_.province.utc_offset_minutes),
        day(d),
        now(t) {
    if (previous && *previous < d) window_after = previous;
  }

  bool in_window(Date f) const { return window_after ? (*window_after < f && f <= day) : f == day; }

  int waited(Date since) {
    auto [it, fresh] = waited_memo.emplace(since.days, 0);
    if (fresh) it->second = working_days_waited(cfg.calendar, since, day);
    return it->second;
  }

  // Runs `fn` in one transaction (rolled back on a dry run); retries retryable store errors.
  void transaction(const std::function<void()>& fn) {
    // What `fn` notes (rep.notes, rep.status) belongs to its attempt: a rolled-back attempt's
    // notes are dropped, or a retry would report each problem twice.
    const size_t notes_before = rep.notes.size();
    const Status status_before = rep.status;
    with_retry(kRetry, [&](int) {
      rep.notes.resize(notes_before);
      rep.status = status_before;
      staged.clear();
      staged_kinds.clear();
      staged_transitions.clear();
      staged_duplicates = 0;
      staged_already_fired = 0;
      Transaction tx(s.store_);
      fn();
      if (rep.dry_run)
        tx.rollback();
      else
        tx.commit();
    });
    for (size_t i = 0; i < staged.size(); ++i) {
      rep.queued.push_back(std::move(staged[i]));
      rep.counts[staged_kinds[i]]++;
    }
    for (auto& t : staged_transitions) {
      rep.counts[t.kind == "cycle" ? "cycle_" + t.event : t.event]++;
      rep.transitions.push_back(std::move(t));
    }
    rep.already_queued += staged_duplicates;
    rep.already_fired += staged_already_fired;
  }

  void enqueue(OutboxMessage m, const std::string& kind) {
    if (s.store_.enqueue(m)) {
      staged.push_back(std::move(m));
      staged_kinds.push_back(kind);
    } else {
      ++staged_duplicates;
    }
  }

  OutboxMessage message(std::string key, const std::string& email, text::Rendered r, std::string cause,
                        std::string dossier = {}) const {
    OutboxMessage m;
    m.dedupe_key = std::move(key);
    m.channel = "email";
    m.recipient = email;
    m.subject = std::move(r.subject);
    m.body = std::move(r.body);
    m.cause = std::move(cause);
    m.dossier = std::move(dossier);
    m.created_at = now;
    m.next_attempt_at = now;
    return m;
  }

  // Queues `messages` in transactions of at most the scheduler's batch size.
  void queue_all(std::vector<std::pair<OutboxMessage, std::string>>& messages) {
    for (size_t from = 0; from < messages.size(); from += static_cast<size_t>(s.batch_)) {
      const size_t to = std::min(messages.size(), from + static_cast<size_t>(s.batch_));
      transaction([&] {
        for (size_t i = from; i < to; ++i) enqueue(messages[i].first, messages[i].second);
      });
    }
  }

  // The producer's user: the one who created the dossier, when that user has the `producer`
  // role and an e-mail. Null otherwise.
  const User* producer_of(const std::string& dossier) {
    auto [it, fresh] = producers.emplace(dossier, nullptr);
    if (fresh) {
      auto h = s.store_.history(dossier);
      if (!h.empty())
        if (const User* u = cfg.user(h.front().actor); u && !u->email.empty() && has_role(*u, "producer"))
          it->second = u;
    }
    return it->second;
  }

  text::DigestLine line(const Dossier& d, Date since, int w) const {
    text::DigestLine l;
    l.dossier = d.id;
    l.product = d.product;
    l.producer = d.producer;
    const Unit* u = cfg.unit_on(d.unit, day);
    l.unit = u ? u->code : d.unit;
    l.unit_name = u ? u->name : "";
    l.state = d.state;
    l.level = d.level;
    l.since = since;
    l.waited = w;
    return l;
  }

  // Who a rule's `to` addresses for dossier `d` on the day: a unit, or the producer's user.
  struct Recipient {
    std::string key;  // unit code, or the user's id
    std::string name, email;
    const Unit* unit = nullptr;  // the unit addressed (for a producer: the responsible unit)
  };
  std::optional<Recipient> recipient(const Dossier& d, const std::string& to) {
    const Unit* r = responsible_unit(cfg, d, day);
    if (to == "producer") {
      if (const User* u = producer_of(d.id)) return Recipient{u->id, u->name, u->email, r};
    } else if (to == "parent" && r) {
      auto up = cfg.ancestors_on(r->code, day);
      r = up.empty() ? nullptr : up.front();
    } else if (to == "province" && r && r->level > UnitLevel::province) {
      const Unit* p = nullptr;
      for (const Unit* a : cfg.ancestors_on(r->code, day))
        if (a->level == UnitLevel::province) {
          p = a;
          break;
        }
      r = p;
    }
    if (!r) return std::nullopt;
    return Recipient{r->code, r->name, r->email, r};
  }

  struct Group {
    Recipient to;
    std::vector<text::DigestLine> lines;
  };

  void note_no_email(const std::string& rule, const std::map<std::string, int>& missing) {
    for (const auto& [who, n] : missing)
      rep.notes.push_back("reminder " + rule + ": " + who + " has no e-mail; " + std::to_string(n) +
                          " dossier(s) not reminded");
  }

  // --- 1. cycles -----------------------------------------------------------------------------
  void cycles() {
    for (const auto& entry : cfg.cycles) {
      const auto& year = entry.first;    // (not a structured binding: clang 14, which builds the
      const auto& cycle = entry.second;  // fuzzers, cannot capture one in a lambda)
      auto stored = s.store_.cycle_state(year);
      CycleState st = stored ? parse_cycle_state(*stored).value_or(CycleState::planned) : CycleState::planned;
      if (st == CycleState::planned && day >= cycle.first_day()) {
        transaction([&] {
          if (fire_cycle(year, st, CycleEvent::open) && day <= cycle.last_day()) cycle_start(cycle);
        });
        st = CycleState::open;
      }
      if (st == CycleState::open && day > cycle.last_day()) {
        transaction([&] {
          if (fire_cycle(year, st, CycleEvent::close)) cycle_close(cycle);
        });
      }
    }
  }

  // False when another process (a parallel tick) moved the cycle first: nothing was written.
  bool fire_cycle(int year, CycleState from, CycleEvent ev) {
    CycleTransition t = s.cycles_.fire(from, ev);
    if (!t.accepted)
      throw std::logic_error("cycle " + std::to_string(year) + ": " + std::string(to_string(ev)) +
                             " refused in state " + std::string(to_string(from)));
    if (!s.store_.put_cycle_state(year, std::string(to_string(from)), std::string(to_string(t.to)), now)) {
      ++staged_already_fired;
      return false;
    }
    staged_transitions.push_back({"cycle", std::to_string(year), std::string(to_string(ev)),
                                  std::string(to_string(from)), std::string(to_string(t.to))});
    return true;
  }

  void cycle_start(const Cycle& cycle) {
    for (const auto& rule : cfg.reminders) {
      if (rule.kind != ReminderKind::cycle_start) continue;
      std::map<std::string, Recipient> to;
      if (rule.to == "producer") {
        for (const auto& u : cfg.users())
          if (!u.email.empty() && has_role(u, "producer"))
            to[u.id] = Recipient{u.id, u.name, u.email, nullptr};
      } else if (rule.to == "province") {
        if (const Unit* p = cfg.unit_on(cfg.province.code, day))
          to[p->code] = Recipient{p->code, p->name, p->email, p};
      } else {
        for (const auto& u : cfg.units()) {
          if (u.level != UnitLevel::commune || !u.valid_on(day)) continue;
          const Unit* r = &u;
          if (rule.to == "parent") {
            auto up = cfg.ancestors_on(u.code, day);
            r = up.empty() ? nullptr : up.front();
          }
          if (r) to[r->code] = Recipient{r->code, r->name, r->email, r};
        }
      }
      int missing = 0;
      for (const auto& [key, rc] : to) {
        if (rc.email.empty()) {
          ++missing;
          continue;
        }
        enqueue(message("reminder/" + rule.id + "/" + key + "/" + format_date(cycle.first_day()), rc.email,
                        text::cycle_start(cfg, cycle, rc.name),
                        "reminder " + rule.id + ": cycle " + std::to_string(cycle.year) + " opens"),
                "cycle_start");
      }
      if (missing)
        rep.notes.push_back("reminder " + rule.id + ": " + std::to_string(missing) +
                            " recipient(s) have no e-mail and were not told that the cycle opens");
    }
  }

  void cycle_close(const Cycle& cycle) {
    std::vector<text::DigestLine> lines;
    auto years = cycle_years(cfg, cycle.year);
    for (const auto& d : s.store_.dossiers_waiting(unfinished_states(), std::nullopt)) {
      if (std::find(years.begin(), years.end(), d.year) == years.end()) continue;
      Date since = local_date(d.state_since, offset);
      lines.push_back(line(d, since, waited(since)));
    }
    const Unit* p = cfg.unit_on(cfg.province.code, day);
    if (!p || p->email.empty()) {
      rep.notes.push_back("cycle " + std::to_string(cycle.year) +
                          " closed; the province has no e-mail for its report (" +
                          std::to_string(lines.size()) + " unfinished dossier(s))");
      return;
    }
    enqueue(message("cycle/" + std::to_string(cycle.year) + "/closed/" + p->code, p->email,
                    text::cycle_closed(cfg, cycle, p->name, lines),
                    "cycle " + std::to_string(cycle.year) + " closed"),
            "cycle_report");
  }

  // --- 2. certificates -------------------------------------------------------------------------
  void certificates() {
    const Reminder* notice_rule = nullptr;
    for (const auto& r : cfg.reminders)
      if (r.kind == ReminderKind::certificate_expiry) {
        notice_rule = &r;
        break;
      }
    int max_notice = 0;
    for (const auto& rs : cfg.rule_sets) max_notice = std::max(max_notice, rs.expiry_notice_days);

    struct Due {
      Certificate c;
      CertificateEvent ev;
    };
    std::vector<Due> due;
    for (const char* state : {"active", "expiring"}) {  // reaching valid_until: expire
      CertificateFilter f;
      f.state = state;
      f.valid_until_on_or_before = day;
      for (auto& c : s.store_.certificates(f)) due.push_back({std::move(c), CertificateEvent::expire});
    }
    {
      CertificateFilter f;  // active, and within the longest notice period: notice when its own has come
      f.state = "active";
      f.valid_until_on_or_before = add_days(day, max_notice);
      for (auto& c : s.store_.certificates(f)) {
        if (c.valid_until <= day) continue;  // expired above
        int days = 30;
        if (auto d = s.store_.load_dossier(c.dossier))
          if (const RuleSet* rs = cfg.rule_set(d->rule_set)) days = rs->expiry_notice_days;
        if (add_days(c.valid_until, -days) <= day) due.push_back({std::move(c), CertificateEvent::notice});
      }
    }
    if (due.empty()) return;
    if (cfg.scheduler_actor.empty()) {
      rep.status = Status::BadInput(std::to_string(due.size()) +
                                    " certificate notice(s) or expiry(ies) are due but no scheduler.actor is "
                                    "configured (config/README.md): nothing was fired");
      return;
    }
    const size_t batch = static_cast<size_t>(std::max(1, s.batch_ / 5));
    for (size_t from = 0; from < due.size(); from += batch) {
      const size_t to = std::min(due.size(), from + batch);
      std::vector<std::string> failures;
      transaction([&] {
        failures.clear();
        for (size_t i = from; i < to; ++i) fire_certificate(due[i].c, due[i].ev, notice_rule, failures);
      });
      for (auto& f : failures) rep.notes.push_back(std::move(f));
    }
  }

  void fire_certificate(const Certificate& c, CertificateEvent ev, const Reminder* notice_rule,
                        std::vector<std::string>& failures) {
    EventRequest req;
    req.event = std::string(to_string(ev));
    req.dossier = c.id;
    req.actor = cfg.scheduler_actor;
    FireResult r = s.executor_.fire_in_transaction(req);
    if (r.status.code() == Code::refused) {
      // Another process (a second `ocop tick` on the same day, or a person's `revoke`) moved the
      // certificate between this tick's read of the due list and its transaction: the executor
      // re-read it, locked (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite), and the
      // certificate machine refused the event. The transition is already done (or no longer
      // due): nothing to fire, nothing to queue, and no failure. Only a refusal of the state we
      // read counts as one.
      auto now_cert = s.store_.load_certificate(c.id);
      if (now_cert && now_cert->state != c.state) {
        ++staged_already_fired;
        return;
      }
    }
    if (!r.status.ok()) {  // refused before anything of it was written
      failures.push_back("certificate " + c.id + ": " + req.event + " not fired: " + r.status.message());
      if (rep.status.ok()) rep.status = r.status;
      return;
    }
    staged_transitions.push_back(
        {"certificate", c.id, req.event, c.state, ev == CertificateEvent::notice ? "expiring" : "expired"});
    if (ev != CertificateEvent::notice || !notice_rule) return;
    const int days_left = c.valid_until.days - day.days;
    const std::string cause =
        "reminder " + notice_rule->id + ": certificate " + c.id + " expires " + format_date(c.valid_until);
    const Unit* u = cfg.unit_on(c.unit, day);
    if (!u) {
      auto up = cfg.ancestors_on(c.unit, day);
      u = up.empty() ? nullptr : up.front();
    }
    if (u && !u->email.empty())
      enqueue(message("certificate/" + c.id + "/notice/unit", u->email,
                      text::certificate_notice(cfg, c, u->name, false, days_left), cause, c.dossier),
              "certificate_notice");
    else
      failures.push_back("certificate " + c.id + ": its unit " + c.unit +
                         " has no e-mail for the expiry notice");
    if (const User* p = producer_of(c.dossier))
      enqueue(message("certificate/" + c.id + "/notice/producer", p->email,
                      text::certificate_notice(cfg, c, p->name, true, days_left), cause, c.dossier),
              "certificate_notice");
  }

  // --- 3. stalled ------------------------------------------------------------------------------
  void stalled() {
    if (!is_working_day(cfg.calendar, day)) return;  // digests go out on working days
    for (const auto& rule : cfg.reminders) {
      if (rule.kind != ReminderKind::stalled || !rule.state || rule.after_days < 1) continue;
      const Date latest = latest_entry_for(cfg.calendar, day, rule.after_days);
      std::map<std::string, Group> direct, escalated;
      std::map<std::string, int> missing;
      for (const auto& d :
           s.store_.dossiers_waiting({*rule.state}, local_midnight(add_days(latest, 1), offset))) {
        const Date since = local_date(d.state_since, offset);
        const int w = waited(since);
        const Overdue due = overdue(w, rule.after_days, rule.escalate_after_days);
        if (due == Overdue::no) continue;
        auto rc = recipient(d, rule.to);
        if (!rc) {
          missing["(no unit valid on " + format_date(day) + " for dossier " + d.id + ")"]++;
          continue;
        }
        text::DigestLine l = line(d, since, w);
        if (rc->email.empty())
          missing[rc->key]++;
        else {
          auto& g = direct[rc->key];
          g.to = *rc;
          g.lines.push_back(l);
        }
        if (due == Overdue::escalate) {
          const Unit* base = rc->unit;
          if (rule.to != "producer" && base) {
            auto up = cfg.ancestors_on(base->code, day);
            base = up.empty() ? nullptr : up.front();
          }
          if (!base) continue;  // the top has nobody above it
          if (base->email.empty()) {
            missing[base->code]++;
            continue;
          }
          auto& g = escalated[base->code];
          g.to = Recipient{base->code, base->name, base->email, base};
          g.lines.push_back(std::move(l));
        }
      }
      std::vector<std::pair<OutboxMessage, std::string>> out;
      const std::string date = format_date(day);
      for (auto& [key, g] : direct)
        out.emplace_back(message("reminder/" + rule.id + "/" + key + "/" + date, g.to.email,
                                 text::stalled_digest(cfg, rule, g.to.name, day, g.lines),
                                 "reminder " + rule.id + ": " + std::to_string(g.lines.size()) +
                                     " dossier(s) in " + std::string(to_string(*rule.state))),
                         "stalled");
      for (auto& [key, g] : escalated)
        out.emplace_back(message("reminder/" + rule.id + "/escalation/" + key + "/" + date, g.to.email,
                                 text::escalation_digest(cfg, rule, g.to.name, day, g.lines),
                                 "reminder " + rule.id + " escalated: " + std::to_string(g.lines.size()) +
                                     " dossier(s) in " + std::string(to_string(*rule.state))),
                         "escalation");
      note_no_email(rule.id, missing);
      queue_all(out);
    }
  }

  // --- 4. before_milestone --------------------------------------------------------------------
  // --- 5. after recognition (spec §10) --------------------------------------------------------
  // Fires an activity's or inspection's scheduled event as the scheduler actor, each in its own
  // transaction (start_activity's cascade and open_registration's invitations go with it). A
  // refusal because another process moved the object first is not a failure.
  void fire_object(const std::string& kind, const std::string& id, const std::string& state, const char* event,
                   const char* to) {
    std::vector<std::string> failures;
    transaction([&] {
      failures.clear();
      EventRequest req;
      req.event = event;
      req.dossier = id;
      req.actor = cfg.scheduler_actor;
      FireResult r = s.executor_.fire_in_transaction(req);
      if (r.status.code() == Code::refused) {
        std::optional<std::string> now_state;
        if (kind == "activity") {
          if (auto a = s.store_.load_activity(id)) now_state = a->state;
        } else if (auto i = s.store_.load_inspection(id)) {
          now_state = i->state;
        }
        if (now_state && *now_state != state) {
          ++staged_already_fired;
          return;
        }
      }
      if (!r.status.ok()) {
        failures.push_back(kind + " " + id + ": " + event + " not fired: " + r.status.message());
        if (rep.status.ok()) rep.status = r.status;
        return;
      }
      staged_transitions.push_back({kind, id, event, state, to});
    });
    for (auto& f : failures) rep.notes.push_back(std::move(f));
  }

  bool need_actor(size_t due, const char* what) {
    if (due == 0 || !cfg.scheduler_actor.empty()) return due > 0;
    rep.status = Status::BadInput(std::to_string(due) + " " + what +
                                  " are due but no scheduler.actor is configured (config/README.md): nothing was fired");
    return false;
  }

  // The activities' days (calendar days, in order, so a tick after missed days catches up):
  // registration opens on registration_opens, closes the day after registration_closes, the
  // activity starts on starts and finishes the day after ends.
  void activities() {
    struct Step {
      const char* from;
      const char* column;
      int after;  // days after the column's date
      const char* event;
      const char* to;
    };
    static const Step steps[] = {
        {"planned", "registration_opens", 0, "open_registration", "registration_open"},
        {"registration_open", "registration_closes", 1, "close_registration", "registration_closed"},
        {"registration_closed", "starts", 0, "start_activity", "running"},
        {"running", "ends", 1, "finish_activity", "finished"},
    };
    for (const Step& st : steps) {
      std::vector<Activity> due = s.store_.activities_due({st.from}, st.column, add_days(day, -st.after));
      if (!need_actor(due.size(), "activity transition(s)")) continue;
      for (const Activity& a : due) fire_object("activity", a.id, a.state, st.event, st.to);
    }
  }

  // remedy_overdue on the working day after remedy_due (or the first tick after it).
  void remedies_overdue() {
    InspectionFilter f;
    f.states = {"remedy_required"};
    f.remedy_due_to = add_days(day, -1);
    std::vector<Inspection> due;
    for (Inspection& i : s.store_.inspections(f))
      if (i.remedy_due && add_working_days(cfg.calendar, *i.remedy_due, 1) <= day) due.push_back(std::move(i));
    if (!need_actor(due.size(), "remedy_overdue transition(s)")) return;
    for (const Inspection& i : due) fire_object("inspection", i.id, i.state, "remedy_overdue", "overdue");
  }

  // A digest per unit and a message per producer user, for one rule on this day.
  struct ObjectDigest {
    std::string name, email;
    std::vector<std::string> lines;
  };
  void queue_digests(const Reminder& rule, const char* tmpl, const char* kind, std::map<std::string, ObjectDigest>& groups,
                     TemplateVars vars, std::vector<std::pair<OutboxMessage, std::string>>& out) {
    for (auto& [key, g] : groups) {
      if (g.email.empty()) continue;
      std::string list;
      for (std::size_t i = 0; i < g.lines.size() && i < text::kDigestMaxEntries; ++i) list += g.lines[i] + "\n";
      if (std::string more = text::more_entries(g.lines.size(), "mục"); !more.empty()) list += more + "\n";
      vars["recipient_name"] = g.name;
      vars["count"] = std::to_string(g.lines.size());
      vars["items"] = list;
      vars["date"] = date_vi(day);
      vars["province"] = cfg.province.name;
      vars["signature"] = "\nTrân trọng,\nVăn phòng Điều phối Chương trình OCOP tỉnh " + cfg.province.name + "\n";
      RenderedMessage r = render(cfg, tmpl, vars);
      out.emplace_back(message("reminder/" + rule.id + "/" + key + "/" + format_date(day), g.email,
                               text::Rendered{std::move(r.subject), std::move(r.body)},
                               "reminder " + rule.id + ": " + std::to_string(g.lines.size()) + " item(s)"),
                       kind);
    }
  }

  void add_to(std::map<std::string, ObjectDigest>& groups, const std::string& key, const std::string& name,
              const std::string& email, const std::string& line) {
    auto& g = groups[key];
    g.name = name;
    g.email = email;
    g.lines.push_back(line);
  }

  void add_unit(std::map<std::string, ObjectDigest>& groups, const std::string& unit, const std::string& line,
                std::map<std::string, int>& missing) {
    const Unit* u = cfg.unit_on(unit, day);
    if (!u) return;
    if (u->email.empty()) {
      missing[u->code]++;
      return;
    }
    add_to(groups, "unit/" + u->code, u->name, u->email, line);
  }

  void add_producers(std::map<std::string, ObjectDigest>& groups, const std::string& dossier, const std::string& unit,
                     const std::string& line) {
    Dossier d;
    d.id = dossier;
    d.unit = unit;
    for (const ocop::Recipient& r : producer_recipients(cfg, s.store_, d, day))
      add_to(groups, "producer/" + r.email, r.name, r.email, line);
  }

  // promotion_outcome: participations still `selected` more than after_days working days after
  // their activity's end remind the producer and the unit; escalate_after_days more, the organiser.
  void promotion_outcomes() {
    if (!is_working_day(cfg.calendar, day)) return;
    for (const auto& rule : cfg.reminders) {
      if (rule.kind != ReminderKind::promotion_outcome) continue;
      ParticipationFilter f;
      f.states = {"selected"};
      // The states in which an activity can have a selected participation (none while planned;
      // closing needs none left selected; cancelling cancels them): named, so that the store
      // searches activities (state, ends) instead of walking every participation ever made.
      f.activity_states = {"registration_open", "registration_closed", "running", "finished"};
      f.ends_on_or_before = latest_entry_for(cfg.calendar, day, std::max(1, rule.after_days));
      std::map<std::string, ObjectDigest> remind, escalate;
      std::map<std::string, int> missing;
      std::map<std::string, std::optional<Activity>> activities;
      for (const Participation& p : s.store_.participations(f)) {
        auto& a = activities[p.activity];
        if (!a) a = s.store_.load_activity(p.activity);
        if (!a) continue;
        const int w = waited(a->ends);
        const Overdue o = overdue(w, rule.after_days, rule.escalate_after_days);
        if (o == Overdue::no) continue;
        const std::string line = "- " + p.product + " (" + p.producer + ") tại " + a->name + " (" + a->id +
                                 ", kết thúc ngày " + date_vi(a->ends) + "): chưa báo cáo kết quả sau " +
                                 std::to_string(w) + " ngày làm việc";
        add_unit(remind, p.unit, line, missing);
        add_producers(remind, p.dossier, p.unit, line);
        if (o == Overdue::escalate) add_unit(escalate, a->unit, line, missing);
      }
      note_no_email(rule.id, missing);
      std::vector<std::pair<OutboxMessage, std::string>> out;
      TemplateVars vars;
      vars["after_days"] = std::to_string(rule.after_days);
      queue_digests(rule, "reminder_promotion_outcome", "promotion_outcome", remind, vars, out);
      std::map<std::string, ObjectDigest> esc;
      for (auto& [k, g] : escalate) esc["escalation/" + k] = std::move(g);
      vars["days"] = std::to_string(rule.after_days + rule.escalate_after_days.value_or(0));
      queue_digests(rule, "reminder_promotion_escalation", "promotion_escalation", esc, vars, out);
      queue_all(out);
    }
  }

  // inspection_due and remedy_due: days_before working days before the date, to the producer and
  // the unit (on the first tick after that day when days were missed, while the date is ahead).
  void inspection_reminders() {
    for (const auto& rule : cfg.reminders) {
      const bool remedy = rule.kind == ReminderKind::remedy_due;
      if (rule.kind != ReminderKind::inspection_due && !remedy) continue;
      InspectionFilter f;
      f.states = {remedy ? "remedy_required" : "planned"};
      const Date latest = add_working_days(cfg.calendar, day, rule.days_before + 1);  // dates this tick may remind of
      if (remedy) {
        f.remedy_due_from = day;
        f.remedy_due_to = latest;
      } else {
        f.due_from = day;
        f.due_to = latest;
      }
      std::map<std::string, ObjectDigest> groups;
      std::map<std::string, int> missing;
      for (const Inspection& i : s.store_.inspections(f)) {
        const Date date = remedy ? *i.remedy_due : i.due;
        const Date fire = rule.days_before == 0 ? date : add_working_days(cfg.calendar, date, -rule.days_before);
        if (!in_window(fire) || day > date) continue;
        const std::string line = "- " + i.product + " (giấy chứng nhận " + i.certificate + ", đợt " + i.id + "): " +
                                 (remedy ? "hạn khắc phục " : "hạn hậu kiểm ") + date_vi(date);
        add_unit(groups, i.unit, line, missing);
        add_producers(groups, i.dossier, i.unit, line);
      }
      note_no_email(rule.id, missing);
      std::vector<std::pair<OutboxMessage, std::string>> out;
      TemplateVars vars;
      vars["days_before"] = std::to_string(rule.days_before);
      queue_digests(rule, remedy ? "reminder_remedy_due" : "reminder_inspection_due",
                    remedy ? "remedy_due" : "inspection_due", groups, vars, out);
      queue_all(out);
    }
  }

  void milestones() {
    for (const auto& rule : cfg.reminders) {
      if (rule.kind != ReminderKind::before_milestone) continue;
      std::vector<std::pair<OutboxMessage, std::string>> out;
      std::map<std::string, int> missing;
      for (const auto& [year, cycle] : cfg.cycles) {
        auto stored = s.store_.cycle_state(year);
        if (stored && *stored == to_string(CycleState::closed)) continue;
        const auto years = cycle_years(cfg, year);
        for (const Target& t : targets(cycle, rule.milestone)) {
          const Date fire =
              rule.days_before == 0 ? t.date : add_working_days(cfg.calendar, t.date, -rule.days_before);
          if (!in_window(fire)) continue;
          if (day > t.date) {
            rep.notes.push_back("reminder " + rule.id + " for " + t.name +
                                (t.round ? " " + t.round->id : "") + " on " + format_date(t.date) +
                                " was due on " + format_date(fire) +
                                ", when no tick ran; the milestone has passed, so it was not sent");
            continue;
          }
          std::map<std::string, Group> groups;
          for (const auto& d : s.store_.dossiers_waiting(states_waiting_for(t.name), std::nullopt)) {
            if (std::find(years.begin(), years.end(), d.year) == years.end()) continue;
            if (t.round && !waits_for_round(cfg, d, *t.round)) continue;
            auto rc = recipient(d, rule.to);
            if (!rc) continue;
            if (rc->email.empty()) {
              missing[rc->key]++;
              continue;
            }
            const Date since = local_date(d.state_since, offset);
            auto& g = groups[rc->key];
            g.to = *rc;
            g.lines.push_back(line(d, since, waited(since)));
          }
          const int left = working_days_between(cfg.calendar, day, t.date);
          for (auto& [key, g] : groups)
            out.emplace_back(message("reminder/" + rule.id + "/" + key + "/" + format_date(fire) +
                                         (t.round ? "/" + t.round->id : ""),
                                     g.to.email,
                                     text::milestone_digest(cfg, rule, g.to.name, day, t.name, t.round,
                                                            t.date, left, g.lines),
                                     "reminder " + rule.id + ": " + t.name +
                                         (t.round ? " " + t.round->id : "") + " on " + format_date(t.date)),
                             "before_milestone");
        }
      }
      note_no_email(rule.id, missing);
      queue_all(out);
    }
  }
};

Scheduler::Scheduler(const Config& config, Executor& executor, const CertificateLifecycle& certificates,
                     const CycleLifecycle& cycles, Store& store, const Clock& clock)
    : config_(config),
      executor_(executor),
      certificates_(certificates),
      cycles_(cycles),
      store_(store),
      clock_(clock) {}

TickReport Scheduler::tick(bool dry_run) {
  TickReport rep;
  rep.dry_run = dry_run;
  const Instant now = clock_.now();
  rep.day = local_date(now, config_.province.utc_offset_minutes);
  try {
    rep.previous = store_.last_tick();
    Run run(*this, rep, rep.day, now, rep.previous);
    run.cycles();
    run.certificates();
    run.stalled();
    run.milestones();
    run.activities();
    run.remedies_overdue();
    run.promotion_outcomes();
    run.inspection_reminders();
    if (!dry_run) {
      json summary = {{"queued", rep.queued.size()},
                      {"already_queued", rep.already_queued},
                      {"already_fired", rep.already_fired},
                      {"counts", rep.counts},
                      {"notes", rep.notes.size()}};
      run.transaction([&] { store_.record_tick(rep.day, now, summary.dump()); });
    }
  } catch (const StoreError& e) {
    rep.status = Status::Internal(std::string("database: ") + e.what() +
                                  " (what was committed before stays; ticking again finishes the day)");
  } catch (const std::exception& e) {
    rep.status = Status::Internal(e.what());
  }
  return rep;
}

CycleReport Scheduler::cycle_report(int year, const ReadScope& scope) {
  CycleReport rep;
  rep.year = year;
  const int offset = config_.province.utc_offset_minutes;
  rep.day = local_date(clock_.now(), offset);
  try {
    if (auto it = config_.cycles.find(year); it != config_.cycles.end()) rep.cycle = &it->second;
    if (auto stored = store_.cycle_state(year))
      rep.state = parse_cycle_state(*stored).value_or(CycleState::planned);
    for (const auto& r : store_.count_year_by_state_and_unit(year)) {
      if (!scope.sees(r.b)) continue;
      rep.by_state[r.a] += r.n;
      rep.by_unit[r.b][r.a] += r.n;
    }
    if (!rep.cycle && rep.by_state.empty()) {
      rep.status = Status::NotFound("no cycle " + std::to_string(year) +
                                    " is configured and no dossier belongs to it");
      return rep;
    }
    const auto years = cycle_years(config_, year);
    auto in_cycle = [&](const Dossier& d) {
      return scope.sees(d.unit) && std::find(years.begin(), years.end(), d.year) != years.end();
    };
    for (const auto& d : store_.dossiers_waiting(unfinished_states(), std::nullopt))
      if (d.year != year && in_cycle(d)) ++rep.carried_in;
    if (rep.cycle) {
      for (const Target& t : all_targets(*rep.cycle)) {
        CycleMilestone m;
        m.name = t.name;
        m.round = t.round;
        m.date = t.date;
        m.passed = rep.day > t.date;
        m.working_days_left = m.passed ? 0 : working_days_between(config_.calendar, rep.day, t.date);
        for (const auto& d : store_.dossiers_waiting(states_waiting_for(t.name), std::nullopt))
          if (in_cycle(d) && (!t.round || waits_for_round(config_, d, *t.round))) ++m.waiting;
        rep.milestones.push_back(m);
      }
    }
    for (const auto& rule : config_.reminders) {
      if (rule.kind != ReminderKind::stalled || !rule.state || rule.after_days < 1) continue;
      const Date latest = latest_entry_for(config_.calendar, rep.day, rule.after_days);
      for (const auto& d :
           store_.dossiers_waiting({*rule.state}, local_midnight(add_days(latest, 1), offset))) {
        if (!in_cycle(d)) continue;
        CycleOverdue o;
        o.rule = rule.id;
        const Date since = local_date(d.state_since, offset);
        o.line.dossier = d.id;
        o.line.product = d.product;
        o.line.producer = d.producer;
        const Unit* u = responsible_unit(config_, d, rep.day);
        o.line.unit = u ? u->code : d.unit;
        o.line.unit_name = u ? u->name : "";
        o.line.state = d.state;
        o.line.level = d.level;
        o.line.since = since;
        o.line.waited = working_days_waited(config_.calendar, since, rep.day);
        const Overdue due = overdue(o.line.waited, rule.after_days, rule.escalate_after_days);
        if (due == Overdue::no) continue;  // the query's bound is the same rule: not reached
        o.escalated = due == Overdue::escalate;
        rep.overdue.push_back(std::move(o));
      }
    }
  } catch (const StoreError& e) {
    rep.status = Status::Internal(std::string("database: ") + e.what());
  }
  return rep;
}

}  // namespace ocop
