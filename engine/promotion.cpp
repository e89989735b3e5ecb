// After recognition (spec §10): the events of promotion activities, participations and
// inspections, and the cascades a certificate's revocation or expiry causes.
//
// Every event runs spec §10's common rules in their public order, each step deciding the exit
// code of its failure: the request alone (2), every object it names exists (3), the actor's
// role and unit (6), a repeated key answers with the first result, the version (5), the state
// through the object's machine and then the guards (4); then the writes, all in the caller's
// transaction: the object's new state and version, the cascades (each moved object with its
// own audit record and version), the audit record, the notifications and the key.
//
// Locks (PostgreSQL, READ COMMITTED; SQLite has one writer): every participation event loads its
// activity first (FOR UPDATE), then the participation, so the events of one activity queue on
// its row and the booths counted under that lock are the committed ones: two organisers
// selecting at once, or one producer applying twice at once, never exceed a limit. A
// revocation locks certificate, dossier, then participations and inspections; nothing locks
// them in the other order, so the two cannot deadlock.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

#include "event_support.hpp"
#include "ocop/audit.hpp"
#include "ocop/authorize.hpp"
#include "ocop/calendar.hpp"
#include "ocop/limits.hpp"
#include "ocop/executor.hpp"
#include "ocop/notify.hpp"
#include "promotion_events.hpp"

namespace ocop {

using nlohmann::json;
using namespace detail;

namespace {

// --- the request's data (exit 2) ------------------------------------------------------------

Status bad(std::string_view event, const std::string& what) {
  return Status::BadInput(std::string(event) + ": " + what);
}

// data[name] as a date, when present; `need` makes it required.
Status get_date(const json& data, const char* name, std::string_view event, bool need, std::optional<Date>& out) {
  const json* v = field(data, name);
  if (!v) return need ? bad(event, std::string("data.") + name + " is required (a date YYYY-MM-DD)") : Status::Ok();
  if (!v->is_string() || !(out = parse_date(v->get_ref<const std::string&>())))
    return bad(event, std::string("data.") + name + " must be a date YYYY-MM-DD");
  return Status::Ok();
}

// data[name] as a whole number in [lo, hi], when present; `need` makes it required.
Status get_int(const json& data, const char* name, std::string_view event, bool need, std::int64_t lo,
               std::int64_t hi, std::optional<std::int64_t>& out) {
  const json* v = field(data, name);
  if (!v) return need ? bad(event, std::string("data.") + name + " is required") : Status::Ok();
  const bool whole = v->is_number_integer() &&
                     !(v->is_number_unsigned() &&
                       v->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  if (!whole || v->get<std::int64_t>() < lo || v->get<std::int64_t>() > hi) {
    std::string range = hi == std::numeric_limits<std::int64_t>::max()
                            ? "≥ " + std::to_string(lo)
                            : "from " + std::to_string(lo) + " to " + std::to_string(hi);
    return bad(event, std::string("data.") + name + " must be a whole number " + range +
                          (std::string_view(name).size() > 4 && std::string_view(name).substr(std::string_view(name).size() - 4) == "_vnd"
                               ? " (money: whole đồng)"
                               : ""));
  }
  out = v->get<std::int64_t>();
  return Status::Ok();
}

constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();

bool good_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

Status check_given_id(const json& data, std::string_view event) {
  if (Status s = check_optional_string(data, "id", event); !s.ok()) return s;
  if (const json* id = field(data, "id"); id && !good_id(id->get<std::string>()))
    return bad(event, "data.id must be 1-64 characters of A-Z a-z 0-9 - _ .");
  return Status::Ok();
}

const std::string& text_of(const json& data, const char* name) {
  static const std::string empty;
  const json* v = field(data, name);
  return v && v->is_string() ? v->get_ref<const std::string&>() : empty;
}

// The policy keys an activity may override, flat in plan_activity's data.
Status read_policy(const json& data, std::string_view event, PromotionPolicy& p) {
  std::optional<std::int64_t> v;
  if (Status s = get_int(data, "min_stars", event, false, 1, 5, v); !s.ok()) return s;
  if (v) p.min_stars = static_cast<int>(*v);
  v.reset();
  if (Status s = get_int(data, "max_booths_per_producer", event, false, 1, 1000000, v); !s.ok()) return s;
  if (v) p.max_booths_per_producer = static_cast<int>(*v);
  v.reset();
  if (Status s = get_int(data, "booth_fee_vnd", event, false, 0, kMaxInt, v); !s.ok()) return s;
  if (v) p.booth_fee_vnd = *v;
  v.reset();
  if (Status s = get_int(data, "support_percent", event, false, 0, 100, v); !s.ok()) return s;
  if (v) p.support_percent = static_cast<int>(*v);
  v.reset();
  if (Status s = get_int(data, "support_cap_vnd", event, false, 0, kMaxInt, v); !s.ok()) return s;
  if (v) p.support_cap_vnd = *v;
  return Status::Ok();
}

Status validate_activity_data(ActivityEvent ev, const json& data, const Config& cfg) {
  const std::string_view name = to_string(ev);
  if (ev == ActivityEvent::cancel_activity) return require_string(data, "reason", name);
  if (ev != ActivityEvent::plan_activity) return check_optional_string(data, "note", name);
  for (const char* f : {"name", "kind", "unit", "venue"})
    if (Status s = require_string(data, f, name); !s.ok()) return s;
  const std::string& kind = text_of(data, "kind");
  if (kind != "fair" && kind != "exhibition" && kind != "point_of_sale" && kind != "ecommerce")
    return bad(name, "data.kind must be fair, exhibition, point_of_sale or ecommerce, not \"" + kind + "\"");
  if (!cfg.unit(text_of(data, "unit")))
    return bad(name, "data.unit \"" + text_of(data, "unit") + "\" is not a configured unit");
  std::optional<Date> ro, rc, st, en;
  for (auto [f, d] : {std::pair{"registration_opens", &ro}, std::pair{"registration_closes", &rc},
                      std::pair{"starts", &st}, std::pair{"ends", &en}})
    if (Status s = get_date(data, f, name, true, *d); !s.ok()) return s;
  if (!(*ro <= *rc && *rc < *st && *st <= *en))
    return bad(name, "the dates must be in order: registration_opens (" + format_date(*ro) +
                         ") ≤ registration_closes (" + format_date(*rc) + ") < starts (" + format_date(*st) +
                         ") ≤ ends (" + format_date(*en) + ")");
  std::optional<std::int64_t> booths;
  if (Status s = get_int(data, "booths", name, true, 1, 1000000, booths); !s.ok()) return s;
  if (Status s = check_given_id(data, name); !s.ok()) return s;
  if (Status s = check_string_list(data, "open_to", name); !s.ok()) return s;
  if (const json* ot = field(data, "open_to"))
    for (const auto& u : *ot)
      if (!cfg.unit(u.get<std::string>()))
        return bad(name, "data.open_to names \"" + u.get<std::string>() + "\", which is not a configured unit");
  PromotionPolicy p;
  return read_policy(data, name, p);
}

Status validate_participation_data(ParticipationEvent ev, const json& data) {
  const std::string_view name = to_string(ev);
  std::optional<std::int64_t> v;
  switch (ev) {
    case ParticipationEvent::apply:
      for (const char* f : {"activity", "certificate"})
        if (Status s = require_string(data, f, name); !s.ok()) return s;
      if (Status s = get_int(data, "booths", name, false, 1, 1000000, v); !s.ok()) return s;
      return check_optional_string(data, "note", name);
    case ParticipationEvent::decline:
    case ParticipationEvent::withdraw_application:
      return require_string(data, "reason", name);
    case ParticipationEvent::report_outcome:
      if (Status s = get_int(data, "revenue_vnd", name, true, 0, kMaxInt, v); !s.ok()) return s;
      if (Status s = get_int(data, "contracts", name, true, 0, kMaxInt, v); !s.ok()) return s;
      if (Status s = get_int(data, "buyers", name, false, 0, kMaxInt, v); !s.ok()) return s;
      return check_optional_string(data, "note", name);
    case ParticipationEvent::cancel_participation:
      return bad(name,
                 "cancel_participation is not fired directly: revoking the certificate or cancelling the "
                 "activity cancels its open participations");
    default:
      return check_optional_string(data, "note", name);
  }
}

Status validate_inspection_data(InspectionEvent ev, const json& data, const Config& cfg) {
  const std::string_view name = to_string(ev);
  std::optional<Date> d;
  std::optional<std::int64_t> v;
  switch (ev) {
    case InspectionEvent::plan_inspection:
      if (Status s = require_string(data, "certificate", name); !s.ok()) return s;
      if (Status s = get_date(data, "due", name, true, d); !s.ok()) return s;
      if (Status s = check_given_id(data, name); !s.ok()) return s;
      if (Status s = check_string_list(data, "criteria", name); !s.ok()) return s;
      return check_optional_string(data, "team", name);
    case InspectionEvent::record_inspection: {
      if (Status s = require_string(data, "result", name); !s.ok()) return s;
      const std::string& r = text_of(data, "result");
      if (r != "compliant" && r != "remedy_required" && r != "violation")
        return bad(name, "data.result must be compliant, remedy_required or violation, not \"" + r + "\"");
      const json* f = field(data, "findings");
      if (!f || !f->is_array())
        return bad(name, "data.findings is required: a list of {criterion, note} (empty when nothing was found)");
      for (size_t i = 0; i < f->size(); ++i) {
        const json& x = (*f)[i];
        const std::string where = "data.findings[" + std::to_string(i) + "]";
        if (!x.is_object()) return bad(name, where + " must be an object {criterion, note}");
        for (auto it = x.begin(); it != x.end(); ++it)
          if (it.key() != "criterion" && it.key() != "note")
            return bad(name, where + " has an unknown key \"" + it.key() + "\" (known: criterion, note)");
        if (Status s = require_string(x, "criterion", where); !s.ok()) return bad(name, s.message());
        if (Status s = check_optional_string(x, "note", where); !s.ok()) return bad(name, s.message());
      }
      if (r == "remedy_required") {
        if (Status s = get_int(data, "remedy_days", name, true, 1, 3650, v); !s.ok()) return s;
      } else if (field(data, "remedy_days")) {
        return bad(name, "data.remedy_days is only for the result remedy_required");
      }
      if (r == "violation") {
        if (Status s = require_string(data, "ground", name); !s.ok()) return s;
        const std::string& g = text_of(data, "ground");
        if (!cfg.revocation_grounds.count(g)) {
          std::vector<std::string> known;
          for (const auto& [code, text] : cfg.revocation_grounds) known.push_back(code);
          return bad(name, "data.ground \"" + g + "\" is not a configured revocation ground" +
                               (known.empty() ? std::string(" (none is configured)") : " (" + join(known) + ")"));
        }
      }
      return Status::Ok();
    }
    case InspectionEvent::confirm_remedy:
      return require_string(data, "note", name);
    case InspectionEvent::close_inspection:
      return require_string(data, "reason", name);
    default:
      return check_optional_string(data, "note", name);
  }
}

// --- one firing -----------------------------------------------------------------------------

struct Firing {
  Firing(const Config& c, Store& s, const EventRequest& r) : cfg(c), store(s), req(r) {}
  const Config& cfg;
  Store& store;
  const EventRequest& req;
  FireResult out;
  const User* user = nullptr;
  std::string data_text, fingerprint;
  Instant at;
  Date day;
  std::string role;
};

Status start(Firing& f, const Clock& clock, EventMask bit) {
  const EventRequest& req = f.req;
  f.out.dossier_id = req.dossier;
  f.user = f.cfg.user(req.actor);
  if (!f.user) return Status::BadInput("unknown actor \"" + req.actor + "\": not a configured user");
  if (!req.data.is_object()) return bad(req.event, "data must be a JSON object");
  if (Status s = check_documents(req.data, req.event); !s.ok()) return s;
  if (Status s = check_documents(f.cfg, req.event, false, req.data); !s.ok()) return s;
  // Documents are kept with inspections (the inspector's record and the remedy's proof); any
  // other event here has nowhere to keep them, so carrying them is an error, not a silent loss.
  if (field(req.data, "documents") && req.event != "record_inspection" && req.event != "confirm_remedy")
    return bad(req.event, "data.documents: only record_inspection and confirm_remedy keep documents");
  try {
    f.data_text = req.data.dump();
  } catch (const json::type_error&) {
    return bad(req.event, "data is not valid UTF-8");
  }
  if (Status s = check_data_size(req.event, f.data_text.size()); !s.ok()) return s;
  if (!req.key.empty()) f.fingerprint = request_fingerprint(req, f.data_text);
  f.at = req.at.value_or(clock.now());
  f.day = local_date(f.at, f.cfg.province.utc_offset_minutes);
  f.role = role_for(f.cfg, *f.user, bit);
  return Status::Ok();
}

// A repeated key (spec §2): true when the request is answered, with the first result in f.out
// (the object as it is now, loaded by `load`) or a key reused for another request (bad input).
template <class Load>
bool answer_key(Firing& f, Load load) {
  if (f.req.key.empty()) return false;
  if (auto first = first_result(f.store, f.req.key, f.fingerprint, f.out)) {
    const std::string id = first->value("id", "");
    load(id);
    f.out.dossier_id = id;
    mark_duplicate(f.out, *first);
    return true;
  }
  return !f.out.status.ok();
}

Status needs_target(const Firing& f, bool creating, const char* what) {
  if (creating && !f.req.dossier.empty())
    return Status::BadInput(f.req.event + " creates " + what + ": fire it without an id (data.id may name one)");
  if (!creating && f.req.dossier.empty()) return Status::BadInput(f.req.event + " needs " + what + "'s id");
  return Status::Ok();
}

Status check_version(const Firing& f, const std::string& what, const std::string& id, std::int64_t version) {
  if (f.req.expected_version && *f.req.expected_version != version)
    return Status::Conflict(what + " " + id + " is at version " + std::to_string(version) + ", not " +
                            std::to_string(*f.req.expected_version) + ": someone changed it first; reload and retry");
  return Status::Ok();
}

// The audit record of one object's event (spec §10: `dossier` is the object's id, level empty).
void audit(Firing& f, const std::string& object, std::string_view event, std::string_view from,
           std::string_view to, std::string data_text) {
  AuditRecord rec = make_audit_record(f.at, f.req.actor, f.role, object, event, from, to, "", std::move(data_text));
  chain_and_append(f.store, rec);
}

void remember_key(Firing& f, const std::string& id, std::string_view state, std::int64_t version) {
  if (!f.req.key.empty()) f.store.put_key(f.req.key, id, key_result(id, nullptr, state, version, f.fingerprint));
}

template <class E>
std::string allowed_list(const std::vector<E>& events, E never = static_cast<E>(255)) {
  std::vector<std::string> names;
  for (E e : events)
    if (e != never) names.emplace_back(to_string(e));
  return names.empty() ? std::string("none (final state)") : join(names);
}

// --- notifications ---------------------------------------------------------------------------

std::string office(const Config& cfg) { return "Văn phòng Điều phối Chương trình OCOP tỉnh " + cfg.province.name; }

// One e-mail per address to `to` from template `name`, deduplicated by object and version.
int queue_mail(Firing& f, const std::string& object, std::int64_t version, std::string_view name, TemplateVars vars,
               const std::vector<Recipient>& to, const std::string& cause) {
  int queued = 0;
  std::set<std::string> seen;
  vars["province"] = f.cfg.province.name;
  vars["office"] = office(f.cfg);
  vars["date"] = date_vi(f.day);
  for (const Recipient& r : to) {
    if (r.email.empty() || !seen.insert(r.email).second) continue;
    vars["recipient_name"] = r.name;
    OutboxMessage m = email_message("event/" + object + "/v" + std::to_string(version) + "/email/" + r.email,
                                    r.email, render(f.cfg, name, vars), cause, object, f.at);
    if (f.store.enqueue(m)) ++queued;
  }
  return queued;
}

std::vector<Recipient> producer_of(Firing& f, const std::string& dossier, const std::string& unit) {
  Dossier d;
  d.id = dossier;
  d.unit = unit;
  return producer_recipients(f.cfg, f.store, d, f.day);
}

// The users who may revoke at the certificate's issuing level, over its unit, with an address.
std::vector<Recipient> signers_of(const Config& cfg, const std::string& level, const std::string& unit, Date day) {
  std::vector<Recipient> out;
  auto lv = parse_unit_level(level);
  for (const User& u : cfg.users()) {
    if (u.email.empty() || !(u.events & certificate_event_bit(CertificateEvent::revoke))) continue;
    const Unit* uu = cfg.unit(u.unit);
    if (!uu || !lv || uu->level != *lv || !cfg.in_scope(u.unit, unit, day)) continue;
    out.push_back({u.email, u.name});
  }
  return out;
}

void notify_participation(Firing& f, const Activity& a, const Participation& p, std::string_view name,
                          const std::string& reason) {
  TemplateVars v = activity_vars(f.cfg, a);
  v["product"] = p.product;
  v["producer"] = p.producer;
  v["participation"] = p.id;
  v["booths"] = std::to_string(p.booths);
  v["support"] = std::to_string(p.support_vnd);
  v["reason"] = reason;
  queue_mail(f, p.id, p.version, name, std::move(v), producer_of(f, p.dossier, p.unit),
             "participation " + p.id + " " + std::string(name) + " (version " + std::to_string(p.version) + ")");
}

// --- shared steps ----------------------------------------------------------------------------

std::string new_id(Store& store, const std::string& prefix) {
  std::int64_t n = store.count_ids_with_prefix(prefix) + 1;
  for (;; ++n) {
    char num[24];
    std::snprintf(num, sizeof num, "%03lld", static_cast<long long>(n));
    std::string id = prefix + "-" + num;
    if (!store.object_id_taken(id)) return id;
  }
}

// The participation's id: ACTIVITY/DOSSIER.
std::string participation_id(const std::string& activity, const std::string& dossier) {
  return activity + "/" + dossier;
}

std::int64_t support_for(const PromotionPolicy& p, int booths) {
  __int128 v = static_cast<__int128>(booths) * p.booth_fee_vnd * p.support_percent / 100;
  return v > p.support_cap_vnd ? p.support_cap_vnd : static_cast<std::int64_t>(v);
}

std::string cascade_data(std::string_view cause, const std::string& by, const std::string& reason) {
  json d = {{"cause", cause}, {"by", by}};
  if (!reason.empty()) d["reason"] = reason;
  return d.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Moves participation `p` by a cascade (decline at start_activity, cancel_participation at
// cancel_activity or a revocation): its own version and audit record, the producer notified.
Status cascade_participation(Firing& f, const AfterRecognition& m, const Activity& a, Participation p,
                             ParticipationEvent ev, const std::string& cause, const std::string& by,
                             const std::string& reason) {
  auto from = parse_participation_state(p.state);
  if (!from) return Status::Internal("participation " + p.id + " has an unknown state \"" + p.state + "\"");
  ObjectTransition<ParticipationState> t = m.participations.fire(*from, ev);
  if (!t.accepted) return Status::Ok();  // not open any more: nothing to move
  const std::int64_t before = p.version;
  p.state = std::string(to_string(t.to));
  p.version = before + 1;
  p.reason = reason;
  p.updated_at = p.state_since = f.at;
  if (!f.store.update_participation(p, before))
    return Status::Conflict("participation " + p.id + " changed while " + f.req.event + " was applied; retry");
  audit(f, p.id, to_string(ev), to_string(*from), p.state, cascade_data(cause, by, reason));
  notify_participation(f, a, p, ev == ParticipationEvent::decline ? "participation_declined" : "participation_cancelled",
                       reason);
  f.out.cascaded.push_back(p.id);
  return Status::Ok();
}

}  // namespace

// --- activities --------------------------------------------------------------------------------

namespace {

FireResult fire_activity(const Config& cfg, const AfterRecognition& m, Store& store, const Clock& clock,
                         const EventRequest& req, ActivityEvent ev, bool lean) {
  Firing f(cfg, store, req);
  auto fail = [&](Status s) {
    f.out.status = std::move(s);
    return std::move(f.out);
  };
  const EventMask bit = activity_event_bit(ev);
  const bool creating = ev == ActivityEvent::plan_activity;
  // 1. The request (2).
  if (Status s = start(f, clock, bit); !s.ok()) return fail(s);
  if (Status s = needs_target(f, creating, "an activity"); !s.ok()) return fail(s);
  if (Status s = validate_activity_data(ev, req.data, cfg); !s.ok()) return fail(s);

  // 2. The activity exists (3), or a new one is filled in.
  Activity a;
  if (creating) {
    const json& d = req.data;
    a.name = text_of(d, "name");
    a.kind = text_of(d, "kind");
    a.unit = text_of(d, "unit");
    a.venue = text_of(d, "venue");
    a.registration_opens = *parse_date(text_of(d, "registration_opens"));
    a.registration_closes = *parse_date(text_of(d, "registration_closes"));
    a.starts = *parse_date(text_of(d, "starts"));
    a.ends = *parse_date(text_of(d, "ends"));
    a.booths = d["booths"].get<int>();
    if (const json* ot = field(d, "open_to"))
      for (const auto& u : *ot) a.open_to.push_back(u.get<std::string>());
    a.policy = cfg.promotion;
    (void)read_policy(d, req.event, a.policy);  // checked above
    const Unit* u = cfg.unit(a.unit);
    if (!u->valid_on(f.day))
      return fail(bad(req.event, "unit " + a.unit + " does not exist on " + format_date(f.day)));
  } else {
    auto loaded = store.load_activity(req.dossier);
    if (!loaded) return fail(Status::NotFound("activity " + req.dossier + " not found"));
    a = std::move(*loaded);
    f.out.dossier_id = a.id;
  }

  // 3. The actor's role and unit: the organiser's unit or above (6).
  if (Status s = authorize(cfg, *f.user, req.event, bit, a.unit, f.day); !s.ok()) return fail(s);

  // A repeated key answers with what the first request reached.
  if (answer_key(f, [&](const std::string& id) { f.out.activity = store.load_activity(id); })) return std::move(f.out);
  if (!creating)
    if (Status s = check_version(f, "activity", a.id, a.version); !s.ok()) return fail(s);

  // 4. The state (the machine), then the guards.
  std::optional<ActivityState> from;
  if (!creating) {
    from = parse_activity_state(a.state);
    if (!from) return fail(Status::Internal("activity " + a.id + " has an unknown state \"" + a.state + "\""));
  }
  ObjectTransition<ActivityState> t = m.activities.fire(from, ev);
  if (!t.accepted)
    return fail(Status::Refused(req.event + " is not allowed for activity " + a.id + " in state " + a.state +
                                "; allowed there: " + allowed_list(m.activities.allowed(from))));
  std::vector<Participation> open;
  if (ev == ActivityEvent::close_activity || ev == ActivityEvent::start_activity ||
      ev == ActivityEvent::cancel_activity) {
    ParticipationFilter pf;
    pf.activity = a.id;
    pf.states = ev == ActivityEvent::close_activity  ? std::vector<std::string>{"selected"}
                : ev == ActivityEvent::start_activity ? std::vector<std::string>{"applied", "waitlisted"}
                                                      : std::vector<std::string>{"applied", "waitlisted", "selected"};
    open = store.participations(pf);
    if (ev == ActivityEvent::close_activity && !open.empty()) {
      std::vector<std::string> ids;
      for (size_t i = 0; i < open.size() && i < 5; ++i) ids.push_back(open[i].id);
      return fail(Status::Refused("close_activity: " + std::to_string(open.size()) +
                                  " participation(s) of activity " + a.id + " are still selected (" + join(ids) +
                                  (open.size() > 5 ? ", ..." : "") +
                                  "): each needs report_outcome or mark_no_show first"));
    }
  }
  if (creating) {
    if (const json* id = field(req.data, "id")) {
      a.id = id->get<std::string>();
      if (store.object_id_taken(a.id)) return fail(Status::Refused("plan_activity: id " + a.id + " is already taken"));
    } else {
      char prefix[16];
      std::snprintf(prefix, sizeof prefix, "-XT-%04d", a.year());
      a.id = new_id(store, a.unit + prefix);
    }
    f.out.dossier_id = a.id;
  }

  // 5. Write: the activity, the cascades, the audit record, the invitations, the key.
  const std::int64_t before = a.version;
  a.state = std::string(to_string(t.to));
  a.version = before + 1;
  a.updated_at = a.state_since = f.at;
  if (ev == ActivityEvent::cancel_activity) a.reason = text_of(req.data, "reason");
  if (creating) {
    a.created_at = f.at;
    store.insert_activity(a);
  } else if (!store.update_activity(a, before)) {
    return fail(Status::Conflict("activity " + a.id + " changed while " + req.event + " was applied; retry"));
  }
  audit(f, a.id, req.event, from ? to_string(*from) : std::string_view("none"), a.state, f.data_text);
  for (Participation& p : open) {
    const bool decline = ev == ActivityEvent::start_activity;
    Status s = cascade_participation(
        f, m, a, std::move(p), decline ? ParticipationEvent::decline : ParticipationEvent::cancel_participation,
        req.event, a.id, decline ? "không được lựa chọn" : text_of(req.data, "reason"));
    if (!s.ok()) return fail(s);
  }
  if (ev == ActivityEvent::open_registration) queue_invitations(cfg, store, a, f.at);
  remember_key(f, a.id, a.state, a.version);
  if (!lean) f.out.activity = a;
  f.out.status = Status::Ok();
  return std::move(f.out);
}

}  // namespace

// --- participations ----------------------------------------------------------------------------

namespace {

bool organiser_event(ParticipationEvent ev) {
  return ev == ParticipationEvent::select || ev == ParticipationEvent::waitlist ||
         ev == ParticipationEvent::decline || ev == ParticipationEvent::mark_no_show;
}

std::string activity_of(const std::string& participation) {
  auto slash = participation.rfind('/');
  return slash == std::string::npos ? std::string() : participation.substr(0, slash);
}

// The sum of `booths` over `ps`.
std::int64_t booths_of(const std::vector<Participation>& ps) {
  std::int64_t n = 0;
  for (const auto& p : ps) n += p.booths;
  return n;
}

FireResult fire_participation(const Config& cfg, const AfterRecognition& m, Store& store, const Clock& clock,
                              const EventRequest& req, ParticipationEvent ev, bool lean) {
  Firing f(cfg, store, req);
  auto fail = [&](Status s) {
    f.out.status = std::move(s);
    return std::move(f.out);
  };
  const EventMask bit = participation_event_bit(ev);
  const bool creating = ev == ParticipationEvent::apply;
  // 1. The request (2).
  if (Status s = start(f, clock, bit); !s.ok()) return fail(s);
  if (Status s = validate_participation_data(ev, req.data); !s.ok()) return fail(s);
  if (Status s = needs_target(f, creating, "a participation"); !s.ok()) return fail(s);

  // 2. What the event names exists (3). The activity first: its row is the lock.
  Participation p;
  std::optional<Activity> a;
  std::optional<Certificate> cert;
  std::optional<Dossier> dossier;
  if (creating) {
    a = store.load_activity(text_of(req.data, "activity"));
    if (!a) return fail(Status::NotFound("activity " + text_of(req.data, "activity") + " not found"));
    cert = store.load_certificate(text_of(req.data, "certificate"));
    if (!cert) return fail(Status::NotFound("certificate " + text_of(req.data, "certificate") + " not found"));
    dossier = store.load_dossier(cert->dossier);
    if (!dossier)
      return fail(Status::Internal("certificate " + cert->id + " names dossier " + cert->dossier + ", which is missing"));
    p.id = participation_id(a->id, dossier->id);
    p.activity = a->id;
    p.dossier = dossier->id;
    p.certificate = cert->id;
    p.product = cert->product;
    p.producer = dossier->producer;
    p.unit = dossier->unit;
    p.booths = 1;
    if (const json* b = field(req.data, "booths")) p.booths = b->get<int>();
    p.note = text_of(req.data, "note");
    f.out.dossier_id = p.id;
  } else {
    const std::string aid = activity_of(req.dossier);
    if (!aid.empty()) a = store.load_activity(aid);
    std::optional<Participation> loaded = a ? store.load_participation(req.dossier) : std::nullopt;
    if (!loaded) return fail(Status::NotFound("participation " + req.dossier + " not found"));
    p = std::move(*loaded);
    f.out.dossier_id = p.id;
  }

  // 3. Role and unit (6): the organiser's events over the activity, the others over the product.
  if (Status s = authorize(cfg, *f.user, req.event, bit, organiser_event(ev) ? a->unit : p.unit, f.day); !s.ok())
    return fail(s);
  if (answer_key(f, [&](const std::string& id) { f.out.participation = store.load_participation(id); })) return std::move(f.out);
  if (!creating)
    if (Status s = check_version(f, "participation", p.id, p.version); !s.ok()) return fail(s);

  // 4. The state (the machine), then the guards (4).
  std::optional<ParticipationState> from;
  if (!creating) {
    from = parse_participation_state(p.state);
    if (!from) return fail(Status::Internal("participation " + p.id + " has an unknown state \"" + p.state + "\""));
  }
  if (creating && store.load_participation(p.id))
    return fail(Status::Refused("apply: dossier " + p.dossier + " has already applied to activity " + a->id +
                                " (participation " + p.id + "); a dossier applies to an activity once"));
  ObjectTransition<ParticipationState> t = m.participations.fire(from, ev);
  if (!t.accepted)
    return fail(Status::Refused(req.event + " is not allowed for participation " + p.id + " in state " + p.state +
                                "; allowed there: " +
                                allowed_list(m.participations.allowed(from), ParticipationEvent::cancel_participation)));
  const std::string& as = a->state;
  auto activity_in = [&](std::initializer_list<const char*> states, const char* words) -> Status {
    for (const char* s : states)
      if (as == s) return Status::Ok();
    return Status::Refused(req.event + ": activity " + a->id + " is " + as + "; " + words);
  };
  ParticipationFilter mine;
  switch (ev) {
    case ParticipationEvent::apply: {
      if (Status s = activity_in({"registration_open"}, "applications are taken while registration is open"); !s.ok())
        return fail(s);
      auto cs = parse_certificate_state(cert->state);
      if (!cs || !in_force(*cs))
        return fail(Status::Refused("apply: certificate " + cert->id + " is " + cert->state + ", not in force"));
      if (!(cert->valid_until > a->ends))
        return fail(Status::Refused("apply: certificate " + cert->id + " is valid until " +
                                    format_date(cert->valid_until) + ", not beyond the activity's end (" +
                                    format_date(a->ends) + ")"));
      if (cert->stars < a->policy.min_stars)
        return fail(Status::Refused("apply: certificate " + cert->id + " has " + std::to_string(cert->stars) +
                                    " stars; activity " + a->id + " takes products of " +
                                    std::to_string(a->policy.min_stars) + " stars or more"));
      const std::vector<std::string> open_to = a->open_to.empty() ? std::vector<std::string>{a->unit} : a->open_to;
      bool eligible = false;
      for (const auto& u : open_to) eligible = eligible || cfg.in_scope(u, p.unit, f.day);
      if (!eligible)
        return fail(Status::Refused("apply: dossier " + p.dossier + " (unit " + p.unit + ") is not among the units " +
                                    join(open_to) + " that activity " + a->id + " is open to"));
      mine.activity = a->id;
      mine.producer = p.producer;
      mine.states = {"applied", "waitlisted", "selected"};
      const std::int64_t held = booths_of(store.participations(mine));
      if (held + p.booths > a->policy.max_booths_per_producer)
        return fail(Status::Refused("apply: producer \"" + p.producer + "\" would hold " +
                                    std::to_string(held + p.booths) + " booths at activity " + a->id + " (" +
                                    std::to_string(held) + " already applied for); at most " +
                                    std::to_string(a->policy.max_booths_per_producer) + " per producer"));
      break;
    }
    case ParticipationEvent::select: {
      if (Status s = activity_in({"registration_open", "registration_closed"},
                                 "products are selected while registration is open or closed, before it starts");
          !s.ok())
        return fail(s);
      ParticipationFilter taken;
      taken.activity = a->id;
      taken.states = {"selected", "reported"};
      const std::int64_t used = booths_of(store.participations(taken));
      if (used + p.booths > a->booths)
        return fail(Status::Refused("select: activity " + a->id + " has " + std::to_string(a->booths) +
                                    " booths, " + std::to_string(used) + " already selected; participation " +
                                    p.id + " needs " + std::to_string(p.booths)));
      p.support_vnd = support_for(a->policy, p.booths);
      break;
    }
    case ParticipationEvent::waitlist:
    case ParticipationEvent::decline:
      if (Status s = activity_in({"registration_open", "registration_closed"},
                                 "applications are decided while registration is open or closed");
          !s.ok())
        return fail(s);
      break;
    case ParticipationEvent::withdraw_application:
      if (Status s = activity_in({"planned", "registration_open", "registration_closed"},
                                 "an application is withdrawn before the activity starts");
          !s.ok())
        return fail(s);
      break;
    case ParticipationEvent::report_outcome:
      if (Status s = activity_in({"running", "finished"}, "the outcome is reported once the activity runs"); !s.ok())
        return fail(s);
      p.revenue_vnd = req.data["revenue_vnd"].get<std::int64_t>();
      p.contracts = req.data["contracts"].get<std::int64_t>();
      if (const json* b = field(req.data, "buyers")) p.buyers = b->get<std::int64_t>();
      if (field(req.data, "note")) p.note = text_of(req.data, "note");
      break;
    case ParticipationEvent::mark_no_show:
      if (Status s = activity_in({"finished"}, "a no-show is marked once the activity has finished"); !s.ok())
        return fail(s);
      break;
    default:
      break;
  }

  // 5. Write.
  const std::int64_t before = p.version;
  p.state = std::string(to_string(t.to));
  p.version = before + 1;
  p.updated_at = p.state_since = f.at;
  if (ev == ParticipationEvent::decline || ev == ParticipationEvent::withdraw_application)
    p.reason = text_of(req.data, "reason");
  if (creating) {
    p.created_at = f.at;
    store.insert_participation(p);
  } else if (!store.update_participation(p, before)) {
    return fail(Status::Conflict("participation " + p.id + " changed while " + req.event + " was applied; retry"));
  }
  audit(f, p.id, req.event, from ? to_string(*from) : std::string_view("none"), p.state, f.data_text);
  if (ev == ParticipationEvent::select) notify_participation(f, *a, p, "participation_selected", "");
  if (ev == ParticipationEvent::decline) notify_participation(f, *a, p, "participation_declined", p.reason);
  remember_key(f, p.id, p.state, p.version);
  if (!lean) f.out.participation = p;
  f.out.status = Status::Ok();
  return std::move(f.out);
}

}  // namespace

// --- inspections -------------------------------------------------------------------------------

namespace {

void notify_signers(Firing& f, const Inspection& i, std::string_view name, const std::string& ground) {
  TemplateVars v;
  v["inspection"] = i.id;
  v["certificate"] = i.certificate;
  v["product"] = i.product;
  const Unit* u = f.cfg.unit_on(i.unit, f.day);
  v["unit_name"] = u ? u->name : i.unit;
  v["due"] = date_vi(i.due);
  v["remedy_due"] = i.remedy_due ? date_vi(*i.remedy_due) : std::string();
  auto g = f.cfg.revocation_grounds.find(ground);
  v["ground"] = g == f.cfg.revocation_grounds.end() ? ground : g->second;
  queue_mail(f, i.id, i.version, name, std::move(v), signers_of(f.cfg, i.level, i.unit, f.day),
             "inspection " + i.id + " " + std::string(name) + " (version " + std::to_string(i.version) + ")");
}

FireResult fire_inspection(const Config& cfg, const AfterRecognition& m, Store& store, const Clock& clock,
                           const EventRequest& req, InspectionEvent ev, bool lean) {
  Firing f(cfg, store, req);
  auto fail = [&](Status s) {
    f.out.status = std::move(s);
    return std::move(f.out);
  };
  const EventMask bit = inspection_event_bit(ev);
  const bool creating = ev == InspectionEvent::plan_inspection;
  if (Status s = start(f, clock, bit); !s.ok()) return fail(s);
  if (Status s = needs_target(f, creating, "an inspection"); !s.ok()) return fail(s);
  if (Status s = validate_inspection_data(ev, req.data, cfg); !s.ok()) return fail(s);

  // 2. Exists (3).
  Inspection i;
  std::optional<Certificate> cert;
  if (creating) {
    cert = store.load_certificate(text_of(req.data, "certificate"));
    if (!cert) return fail(Status::NotFound("certificate " + text_of(req.data, "certificate") + " not found"));
    i.certificate = cert->id;
    i.dossier = cert->dossier;
    i.product = cert->product;
    i.unit = cert->unit;
    i.level = cert->level;
    i.due = *parse_date(text_of(req.data, "due"));
    i.criteria = field(req.data, "criteria") ? req.data["criteria"].dump() : "[]";
    i.findings = "[]";
    i.team = text_of(req.data, "team");
  } else {
    auto loaded = store.load_inspection(req.dossier);
    if (!loaded) return fail(Status::NotFound("inspection " + req.dossier + " not found"));
    i = std::move(*loaded);
    f.out.dossier_id = i.id;
  }

  // 3. Role and unit (6), at the certificate's issuing level or above.
  if (Status s = authorize(cfg, *f.user, req.event, bit, i.unit, f.day); !s.ok()) return fail(s);
  const Unit* au = cfg.unit(f.user->unit);
  auto issued_at = parse_unit_level(i.level);
  if (!issued_at || au->level > *issued_at)
    return fail(Status::Forbidden(req.actor + " (unit " + f.user->unit + ", " + std::string(to_string(au->level)) +
                                  " level) may not fire " + req.event + " on certificate " + i.certificate +
                                  ": it was issued at the " + i.level +
                                  " level, and its inspections are for that level or above"));
  if (answer_key(f, [&](const std::string& id) { f.out.inspection = store.load_inspection(id); })) return std::move(f.out);
  if (!creating)
    if (Status s = check_version(f, "inspection", i.id, i.version); !s.ok()) return fail(s);

  // 4. State and guards (4).
  std::optional<InspectionState> from;
  if (!creating) {
    from = parse_inspection_state(i.state);
    if (!from) return fail(Status::Internal("inspection " + i.id + " has an unknown state \"" + i.state + "\""));
  }
  InspectionInput in;
  if (ev == InspectionEvent::record_inspection) in.result = *parse_inspection_state(text_of(req.data, "result"));
  ObjectTransition<InspectionState> t = m.inspections.fire(from, ev, in);
  if (!t.accepted) {
    std::string why = t.guard_refusal.empty()
                          ? "allowed there: " + allowed_list(m.inspections.allowed(from))
                          : t.guard_refusal;
    return fail(Status::Refused(req.event + " is not allowed for inspection " + i.id + " in state " + i.state +
                                "; " + why));
  }
  if (creating) {
    auto cs = parse_certificate_state(cert->state);
    if (!cs || !in_force(*cs))
      return fail(Status::Refused("plan_inspection: certificate " + cert->id + " is " + cert->state +
                                  ", not in force: only a certificate in force is inspected"));
    if (const json* id = field(req.data, "id")) {
      i.id = id->get<std::string>();
      if (store.object_id_taken(i.id)) return fail(Status::Refused("plan_inspection: id " + i.id + " is already taken"));
    } else {
      char prefix[16];
      std::snprintf(prefix, sizeof prefix, "-HK-%04d", year_of(i.due));
      i.id = new_id(store, i.unit + prefix);
    }
    f.out.dossier_id = i.id;
  }

  // 5. Write.
  const std::int64_t before = i.version;
  i.state = std::string(to_string(t.to));
  i.version = before + 1;
  i.updated_at = i.state_since = f.at;
  if (ev == InspectionEvent::record_inspection) {
    i.result = text_of(req.data, "result");
    i.findings = req.data["findings"].dump();
    i.recorded_on = f.day;
    if (t.to == InspectionState::remedy_required)
      i.remedy_due = add_working_days(cfg.calendar, f.day, req.data["remedy_days"].get<int>());
    if (t.to == InspectionState::violation) i.ground = text_of(req.data, "ground");
  }
  if (ev == InspectionEvent::confirm_remedy) i.note = text_of(req.data, "note");
  if (ev == InspectionEvent::close_inspection) i.reason = text_of(req.data, "reason");
  if (creating) {
    i.created_at = f.at;
    store.insert_inspection(i);
  } else if (!store.update_inspection(i, before)) {
    return fail(Status::Conflict("inspection " + i.id + " changed while " + req.event + " was applied; retry"));
  }
  if (const json* docs = field(req.data, "documents"))
    for (const auto& x : *docs)
      store.add_document(Document{i.id, x["kind"].get<std::string>(), x["name"].get<std::string>(),
                                  x["sha256"].get<std::string>(), x["bytes"].get<std::int64_t>(), f.at});
  audit(f, i.id, req.event, from ? to_string(*from) : std::string_view("none"), i.state, f.data_text);
  if (t.to == InspectionState::violation) notify_signers(f, i, "inspection_violation", i.ground);
  if (ev == InspectionEvent::remedy_overdue) notify_signers(f, i, "inspection_remedy_overdue", "");
  remember_key(f, i.id, i.state, i.version);
  if (!lean) f.out.inspection = i;
  f.out.status = Status::Ok();
  return std::move(f.out);
}

}  // namespace

FireResult fire_after_recognition(const Config& cfg, const AfterRecognition* m, Store& store, const Clock& clock,
                                  const EventRequest& req, bool lean) {
  auto unavailable = [&] {
    FireResult out;
    out.dossier_id = req.dossier;
    out.status = Status::Internal(req.event + ": the machines after recognition are not set up in this executor");
    return out;
  };
  if (auto e = parse_activity_event(req.event)) return m ? fire_activity(cfg, *m, store, clock, req, *e, lean) : unavailable();
  if (auto e = parse_participation_event(req.event))
    return m ? fire_participation(cfg, *m, store, clock, req, *e, lean) : unavailable();
  if (auto e = parse_inspection_event(req.event))
    return m ? fire_inspection(cfg, *m, store, clock, req, *e, lean) : unavailable();
  FireResult out;
  out.dossier_id = req.dossier;
  out.status = Status::BadInput("unknown event \"" + req.event + "\"");
  return out;
}

bool is_after_recognition_event(std::string_view name) {
  return parse_activity_event(name) || parse_participation_event(name) || parse_inspection_event(name);
}

Status validate_after_recognition_request(const Config& cfg, const EventRequest& req) {
  if (!cfg.user(req.actor)) return Status::BadInput("unknown actor \"" + req.actor + "\": not a configured user");
  if (!req.data.is_object()) return bad(req.event, "data must be a JSON object");
  if (auto e = parse_activity_event(req.event)) return validate_activity_data(*e, req.data, cfg);
  if (auto e = parse_participation_event(req.event)) return validate_participation_data(*e, req.data);
  if (auto e = parse_inspection_event(req.event)) return validate_inspection_data(*e, req.data, cfg);
  return Status::BadInput("unknown event \"" + req.event + "\"");
}

Status cascade_certificate_end(const Config& cfg, const AfterRecognition* m, Store& store, const Certificate& cert,
                               CertificateEvent ev, const std::string& actor, const std::string& role, Instant at,
                               const std::string& reason, FireResult& out) {
  if (ev != CertificateEvent::revoke && ev != CertificateEvent::expire) return Status::Ok();
  EventRequest req;  // the causing event, for the cascades' records and messages
  req.event = std::string(to_string(ev));
  req.actor = actor;
  Firing f(cfg, store, req);
  f.at = at;
  f.day = local_date(at, cfg.province.utc_offset_minutes);
  f.role = role;
  if (ev == CertificateEvent::revoke) {
    ParticipationFilter pf;
    pf.certificate = cert.id;
    pf.states = {"applied", "waitlisted", "selected"};
    std::vector<Participation> open = store.participations(pf);
    if (!open.empty() && !m)
      return Status::Internal("revoke: certificate " + cert.id + " has open participations and this executor has no "
                              "machines after recognition to cancel them");
    for (const Participation& listed : open) {
      auto a = store.load_activity(listed.activity);
      auto p = store.load_participation(listed.id);  // locked now; reread under the lock
      if (!a || !p) continue;
      if (Status s = cascade_participation(f, *m, *a, std::move(*p), ParticipationEvent::cancel_participation,
                                           req.event, cert.id, reason);
          !s.ok())
        return s;
    }
    out.cascaded.insert(out.cascaded.end(), f.out.cascaded.begin(), f.out.cascaded.end());
  }
  InspectionFilter inf;
  inf.certificate = cert.id;
  inf.states = {"planned", "remedy_required", "overdue", "violation"};
  std::vector<Inspection> open = store.inspections(inf);
  if (!open.empty() && !m)
    return Status::Internal(req.event + ": certificate " + cert.id + " has open inspections and this executor has "
                            "no machines after recognition to close them");
  for (const Inspection& listed : open) {
    auto i = store.load_inspection(listed.id);
    if (!i) continue;
    auto from = parse_inspection_state(i->state);
    if (!from) return Status::Internal("inspection " + i->id + " has an unknown state \"" + i->state + "\"");
    InspectionInput in;
    in.cascade = true;
    ObjectTransition<InspectionState> t = m->inspections.fire(*from, InspectionEvent::close_inspection, in);
    if (!t.accepted) continue;
    const std::int64_t before = i->version;
    i->state = std::string(to_string(t.to));
    i->version = before + 1;
    i->reason = reason;
    i->updated_at = i->state_since = at;
    if (!store.update_inspection(*i, before))
      return Status::Conflict("inspection " + i->id + " changed while " + req.event + " was applied; retry");
    audit(f, i->id, "close_inspection", to_string(*from), i->state, cascade_data(req.event, cert.id, reason));
    out.cascaded.push_back(i->id);
  }
  return Status::Ok();
}

}  // namespace ocop
