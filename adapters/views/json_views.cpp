#include "views/json_views.hpp"

#include <map>
#include <set>

#include "ocop/limits.hpp"
#include "ocop/outbox.hpp"
#include "ocop/rules.hpp"

namespace ocop::views {

namespace {
json opt_str(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
}  // namespace

std::string dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

json error_json(const Status& s) {
  return json{{"error", {{"code", code_name(s.code())}, {"exit", s.exit_code()}, {"message", s.message()}}}};
}

json dossier_json(const Dossier& d, int offset) {
  json j = {
      {"id", d.id},
      {"state", to_string(d.state)},
      {"level", opt_str(d.level)},
      {"version", d.version},
      {"unit", d.unit},
      {"product", d.product},
      {"product_set", d.product_set},
      {"producer", d.producer},
      {"year", d.year},
      {"rule_set", opt_str(d.rule_set)},
      {"registration_type", opt_str(d.registration_type)},
      {"score", d.score ? json(*d.score) : json(nullptr)},
      {"stars", d.stars ? json(*d.stars) : json(nullptr)},
      {"certificate", opt_str(d.certificate)},
      {"round", opt_str(d.round)},
      {"created_at", format_instant(d.created_at, offset)},
      {"updated_at", format_instant(d.updated_at, offset)},
      {"state_since", format_instant(d.state_since, offset)},
  };
  if (!d.base_certificate.empty()) j["base_certificate"] = d.base_certificate;
  if (!d.assessment.empty()) j["assessment"] = json::parse(d.assessment, nullptr, false);
  return j;
}

json public_certificate_json(const PublicCertificate& p, const std::string& url) {
  auto text_or_null = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  json revocation = nullptr;
  if (p.status == "revoked")
    revocation = {{"ground", p.revocation_ground},
                  {"ground_text", text_or_null(p.revocation_ground_name)},
                  {"decision_no", text_or_null(p.revocation_decision_no)},
                  {"revoked_on", p.revoked_on ? json(format_date(*p.revoked_on)) : json(nullptr)}};
  json superseded = nullptr;
  if (p.status == "superseded")
    superseded = {{"id", p.superseded_by},
                  {"code", text_or_null(p.superseded_by_code)},
                  {"stars", p.superseded_by_stars},
                  {"level", text_or_null(p.superseded_by_level)}};
  const bool in_force = p.status == "in_force" || p.status == "expiring";
  return {{"code", p.code},
          {"certificate", p.id},
          {"status", p.status},
          {"in_force", in_force},
          {"days_left", in_force ? json(p.days_left) : json(nullptr)},
          {"product", p.product},
          {"product_set", p.product_set},
          {"product_set_name", text_or_null(p.product_set_name)},
          {"producer", p.producer},
          {"unit", p.unit},
          {"unit_name", text_or_null(p.unit_name)},
          {"stars", p.stars},
          {"level", p.level},
          {"decision_no", p.decision_no},
          {"decision_date", format_date(p.decision_date)},
          {"issued_on", format_date(p.issued_on)},
          {"valid_until", format_date(p.valid_until)},
          {"revocation", revocation},
          {"superseded_by", superseded},
          {"url", text_or_null(url)}};
}

json certificate_json(const Certificate& c, const Config* config) {
  json revocation = nullptr;
  if (!c.revocation_ground.empty()) {
    revocation = {{"ground", c.revocation_ground},
                  {"decision_no", c.revocation_decision_no},
                  {"revoked_on", c.revoked_on ? json(format_date(*c.revoked_on)) : json(nullptr)}};
    if (config) {
      auto it = config->revocation_grounds.find(c.revocation_ground);
      if (it != config->revocation_grounds.end()) revocation["ground_text"] = it->second;
    }
  }
  return {{"id", c.id},
          {"dossier", c.dossier},
          {"product", c.product},
          {"product_set", c.product_set},
          {"unit", c.unit},
          {"stars", c.stars},
          {"level", c.level},
          {"decision_no", c.decision_no},
          {"issued_on", format_date(c.issued_on)},
          {"valid_until", format_date(c.valid_until)},
          {"state", c.state},
          {"superseded_by", c.superseded_by.empty() ? json(nullptr) : json(c.superseded_by)},
          {"revocation", revocation}};
}

json fire_json(const FireResult& r, const Config& config) {
  const int off = config.province.utc_offset_minutes;
  json j = r.certificate     ? certificate_json(*r.certificate, &config)
           : r.dossier       ? dossier_json(*r.dossier, off)
           : r.activity      ? activity_json(*r.activity, off)
           : r.participation ? participation_json(*r.participation, off)
           : r.inspection    ? inspection_json(*r.inspection, off)
                             : json::object();
  if (!r.cascaded.empty()) j["cascaded"] = r.cascaded;
  if (r.duplicate) {
    j["duplicate"] = true;
    if (r.first_result)
      j["first_result"] = {{"state", r.first_result->state}, {"version", r.first_result->version}};
  }
  return j;
}

json dossier_view_json(const DossierView& v, int offset) {
  json j = dossier_json(v.dossier, offset);
  if (!v.unit_now.empty()) j["unit_now"] = v.unit_now;
  json docs = json::array();
  for (const auto& doc : v.documents)
    docs.push_back({{"kind", doc.kind}, {"name", doc.name}, {"sha256", doc.sha256}, {"bytes", doc.bytes}});
  j["documents"] = docs;
  if (!v.dossier.level.empty()) {
    json sheets = json::array();
    for (const auto& sh : v.scoresheets)
      sheets.push_back({{"member", sh.member}, {"A", sh.a}, {"B", sh.b}, {"C", sh.c}, {"total", sh.total()}});
    j["scoresheets"] = sheets;
  }
  return j;
}

json document_json(const DocumentView& v, int offset) {
  const Document& doc = v.document;
  return {{"kind", doc.kind},
          {"kind_name", v.kind_name.empty() ? json(nullptr) : json(v.kind_name)},
          {"name", doc.name},
          {"sha256", doc.sha256},
          {"bytes", doc.bytes},
          {"at", format_instant(doc.at, offset)},
          {"stored", v.stored ? json(*v.stored) : json(nullptr)}};
}

json audit_json(const AuditRecord& r, int offset) {
  // A damaged record, or one nested too deep to rebuild safely (stored before ocop/limits.hpp),
  // shows as stored: a string.
  json data = json_nesting_exceeds(r.data, limits::kMaxDataDepth) ? json(json::value_t::discarded)
                                                                  : json::parse(r.data, nullptr, false);
  return {{"seq", r.seq},
          {"at", format_instant(r.at, offset)},
          {"actor", r.actor},
          {"role", r.role},
          {"dossier", r.dossier},
          {"event", r.event},
          {"from", r.from_state},
          {"to", r.to_state},
          {"level", r.level},
          {"data", data.is_discarded() ? json(r.data) : data},  // a damaged record shows as stored
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

json verification_json(const AuditVerification& v) {
  if (v.valid) return {{"valid", true}, {"records", v.checked}, {"head", v.head}};
  return {{"valid", false},
          {"checked", v.checked},
          {"problem", v.problem},
          {"error", {{"code", "refused"}, {"exit", 4}, {"message", "audit chain broken: " + v.problem}}}};
}

namespace {
json promotion_row_json(const PromotionUnitRow& p) {
  return {{"activities", p.activities},
          {"participations_selected", p.participations_selected},
          {"support_vnd", p.support_vnd},
          {"revenue_vnd", p.revenue_vnd},
          {"contracts", p.contracts},
          {"inspections_by_result", p.inspections_by_result}};
}
json totals_json(const ActivityTotals& t) {
  return {{"booths_selected", t.booths_selected},
          {"support_vnd", t.support_vnd},
          {"revenue_vnd", t.revenue_vnd},
          {"contracts", t.contracts},
          {"by_state", t.by_state}};
}
json optional_int(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json parsed_or_empty(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json::array() : j;
}
}  // namespace

namespace {
// {"idea": n, "plan": n, "development": n, "evaluation": n, "recognition": n}: funnel_of.
json funnel_json(const std::map<std::string, std::int64_t>& by_state) {
  const Funnel f = funnel_of(by_state);
  json j = json::object();
  for (int k = 0; k < kFunnelStageCount; ++k) j[std::string(to_string(static_cast<CycleStage>(k)))] = f[k];
  return j;
}
}  // namespace

json report_json(const Report& r) {
  json units = json::object();
  for (const auto& [u, m] : r.unit_dossiers_by_state) {
    units[u]["dossiers_by_state"] = m;
    units[u]["funnel"] = funnel_json(m);
  }
  for (const auto& [u, m] : r.unit_certificates_by_stars) units[u]["certificates_by_stars"] = m;
  for (const auto& [u, p] : r.unit_promotion) units[u]["promotion"] = promotion_row_json(p);
  json j = {{"dossiers_by_state", r.dossiers_by_state},
          {"funnel", funnel_json(r.dossiers_by_state)},
          {"certificates_by_stars", r.certificates_by_stars},
          {"promotion", promotion_row_json(r.promotion)},
          {"units", units}};
  if (r.outbox)
    j["outbox"] = {{"by_state", r.outbox->by_state},
                   {"reminders_sent", r.outbox->reminders_sent},
                   {"reminders_dead", r.outbox->reminders_dead}};
  return j;
}

json activity_json(const Activity& a, int offset) {
  const PromotionPolicy& p = a.policy;
  json j = {{"id", a.id},
            {"name", a.name},
            {"kind", a.kind},
            {"unit", a.unit},
            {"venue", a.venue},
            {"state", a.state},
            {"version", a.version},
            {"registration_opens", format_date(a.registration_opens)},
            {"registration_closes", format_date(a.registration_closes)},
            {"starts", format_date(a.starts)},
            {"ends", format_date(a.ends)},
            {"booths", a.booths},
            {"open_to", a.open_to.empty() ? json::array({a.unit}) : json(a.open_to)},
            {"min_stars", p.min_stars},
            {"max_booths_per_producer", p.max_booths_per_producer},
            {"booth_fee_vnd", p.booth_fee_vnd},
            {"support_percent", p.support_percent},
            {"support_cap_vnd", p.support_cap_vnd},
            {"state_since", format_instant(a.state_since, offset)}};
  if (!a.reason.empty()) j["reason"] = a.reason;
  return j;
}

json activity_summary_json(const ActivitySummary& s, int offset) {
  json j = activity_json(s.activity, offset);
  j["booths_selected"] = s.totals.booths_selected;
  j["participations_by_state"] = s.totals.by_state;
  return j;
}

json activity_view_json(const ActivityView& v, int offset) {
  json a = activity_json(v.activity, offset);
  a["booths_selected"] = v.totals.booths_selected;
  json ps = json::array();
  for (const auto& p : v.participations) ps.push_back(participation_json(p, offset));
  // Moved, not copied: the initializer list would copy every participation (2,000 at a fair).
  return {{"activity", std::move(a)}, {"participations", std::move(ps)}, {"totals", totals_json(v.totals)}};
}

json participation_json(const Participation& p, int offset) {
  // Member by member: an initializer list builds each pair as an array first (an activity lists
  // thousands of participations).
  json j = json::object();
  j["id"] = p.id;
  j["activity"] = p.activity;
  j["dossier"] = p.dossier;
  j["certificate"] = p.certificate;
  j["product"] = p.product;
  j["producer"] = p.producer;
  j["unit"] = p.unit;
  j["state"] = p.state;
  j["version"] = p.version;
  j["booths"] = p.booths;
  j["support_vnd"] = p.support_vnd;
  j["revenue_vnd"] = optional_int(p.revenue_vnd);
  j["contracts"] = optional_int(p.contracts);
  j["buyers"] = optional_int(p.buyers);
  j["state_since"] = format_instant(p.state_since, offset);
  if (!p.note.empty()) j["note"] = p.note;
  if (!p.reason.empty()) j["reason"] = p.reason;
  return j;
}

json inspection_json(const Inspection& i, int offset) {
  json j = {{"id", i.id},
            {"certificate", i.certificate},
            {"dossier", i.dossier},
            {"product", i.product},
            {"unit", i.unit},
            {"level", i.level},
            {"state", i.state},
            {"version", i.version},
            {"due", format_date(i.due)},
            {"remedy_due", i.remedy_due ? json(format_date(*i.remedy_due)) : json(nullptr)},
            {"result", i.result.empty() ? json(nullptr) : json(i.result)},
            {"criteria", parsed_or_empty(i.criteria)},
            {"findings", parsed_or_empty(i.findings)},
            {"state_since", format_instant(i.state_since, offset)}};
  if (i.recorded_on) j["recorded_on"] = format_date(*i.recorded_on);
  if (!i.team.empty()) j["team"] = i.team;
  if (!i.ground.empty()) j["ground"] = i.ground;
  if (!i.note.empty()) j["note"] = i.note;
  if (!i.reason.empty()) j["reason"] = i.reason;
  return j;
}

json inspection_plan_json(const InspectionPlan& p) {
  json units = json::array();
  for (const auto& u : p.units)
    units.push_back({{"unit", u.unit},
                     {"in_force", u.in_force},
                     {"wanted", u.wanted},
                     {"already", u.already},
                     {"planned", u.planned}});
  json j = {{"planned", p.planned}, {"units", units}};
  if (!p.status.ok()) j["error"] = error_json(p.status)["error"];
  return j;
}

json product_json(const ProductHistory& h, const Config& config) {
  const int off = config.province.utc_offset_minutes;
  const Dossier& latest = h.dossiers.back();
  json dossiers = json::array(), certificates = json::array(), names = json::array();
  std::set<std::string> seen_names;
  for (const auto& d : h.dossiers) {
    dossiers.push_back(dossier_json(d, off));
    if (seen_names.insert(d.product).second) names.push_back(d.product);
  }
  for (const auto& c : h.certificates) certificates.push_back(certificate_json(c, &config));
  return {{"product", latest.product}, {"producer", latest.producer}, {"unit", latest.unit}, {"names", names},
          {"dossiers", dossiers},      {"certificates", certificates}};
}

json message_json(const OutboxMessage& m) {
  return {{"dedupe_key", m.dedupe_key},   {"channel", m.channel}, {"recipient", m.recipient},
          {"subject", m.subject},         {"body", m.body},       {"cause", m.cause},
          {"dossier", opt_str(m.dossier)}};
}

json outbox_json(const OutboxMessage& m, int off) {
  return {{"id", m.id},
          {"state", m.state},
          {"channel", m.channel},
          {"recipient", m.recipient},
          {"subject", m.subject},
          {"cause", m.cause},
          {"dossier", opt_str(m.dossier)},
          {"attempts", m.attempts},
          {"created_at", format_instant(m.created_at, off)},
          {"next_attempt_at",
           m.state == "pending" ? json(format_instant(m.next_attempt_at, off)) : json(nullptr)},
          {"sent_at", m.state == "sent" ? json(format_instant(m.sent_at, off)) : json(nullptr)},
          {"last_error", opt_str(m.last_error)},
          {"claimed_by", opt_str(m.claimed_by)},
          {"lease_until", m.state == "sending" ? json(format_instant(m.lease_until, off)) : json(nullptr)},
          {"dedupe_key", m.dedupe_key},
          {"idempotency_key", idempotency_key(m)},
          {"body", m.body}};
}

json tick_json(const TickReport& r) {
  json messages = json::array(), transitions = json::array();
  for (const auto& m : r.queued) messages.push_back(message_json(m));
  for (const auto& t : r.transitions)
    transitions.push_back(
        {{"kind", t.kind}, {"id", t.id}, {"event", t.event}, {"from", t.from}, {"to", t.to}});
  json j = {{"day", format_date(r.day)},
            {"previous", r.previous ? json(format_date(*r.previous)) : json(nullptr)},
            {"dry_run", r.dry_run},
            {"queued", r.queued.size()},
            {"already_queued", r.already_queued},
            {"already_fired", r.already_fired},
            {"counts", r.counts},
            {"messages", messages},
            {"transitions", transitions},
            {"notes", r.notes}};
  if (!r.status.ok()) j["error"] = error_json(r.status)["error"];
  return j;
}

json cycle_json(const CycleReport& r) {
  json milestones = json::array(), overdue = json::array();
  for (const auto& m : r.milestones)
    milestones.push_back({{"name", m.name},
                          {"round", m.round ? json(m.round->id) : json(nullptr)},
                          {"level", m.round ? json(to_string(m.round->level)) : json(nullptr)},
                          {"meeting", m.round ? json(format_date(m.round->meeting)) : json(nullptr)},
                          {"date", format_date(m.date)},
                          {"passed", m.passed},
                          {"working_days_left", m.working_days_left},
                          {"waiting", m.waiting},
                          {"overdue", m.passed && m.waiting > 0}});
  for (const auto& od : r.overdue)
    overdue.push_back({{"rule", od.rule},
                       {"dossier", od.line.dossier},
                       {"product", od.line.product},
                       {"state", to_string(od.line.state)},
                       {"level", od.line.level.empty() ? json(nullptr) : json(od.line.level)},
                       {"unit", od.line.unit},
                       {"since", format_date(od.line.since)},
                       {"waited_working_days", od.line.waited},
                       {"escalated", od.escalated}});
  json units = json::object();
  for (const auto& [u, m] : r.by_unit) units[u] = m;
  return {{"year", r.year},
          {"state", to_string(r.state)},
          {"configured", r.cycle != nullptr},
          {"opens", r.cycle ? json(format_date(r.cycle->first_day())) : json(nullptr)},
          {"closes", r.cycle ? json(format_date(r.cycle->last_day())) : json(nullptr)},
          {"carry_over",
           r.cycle ? json(r.cycle->carry_over == CarryOver::next ? "next" : "report") : json(nullptr)},
          {"today", format_date(r.day)},
          {"milestones", milestones},
          {"dossiers_by_state", r.by_state},
          {"units", units},
          {"carried_in", r.carried_in},
          {"overdue", overdue}};
}

json delivery_json(const DeliveryReport& r, int offset) {
  json msgs = json::array();
  for (const auto& dm : r.messages) {
    json j = outbox_json(dm.message, offset);
    j.erase("body");
    j["lost_claim"] = dm.lost_claim;
    msgs.push_back(std::move(j));
  }
  json unavailable = json::object();
  for (const auto& [channel, why] : r.unavailable) unavailable[channel] = why;
  return {{"sent", r.sent}, {"failed", r.failed},         {"dead", r.dead},
          {"held", r.held}, {"unavailable", unavailable}, {"messages", msgs}};
}

json migration_json(const MigrationReport& r, const std::string& plan, bool dry_run) {
  std::map<std::string, int> counts;
  json moves = json::array();
  for (const auto& mv : r.moves) {
    counts[std::string(to_string(mv.from_state)) + "@" + mv.from_level + " -> " +
           std::string(to_string(mv.to_state)) + "@" + mv.to_level]++;
    moves.push_back({{"dossier", mv.dossier},
                     {"unit", mv.unit},
                     {"from", {{"state", to_string(mv.from_state)}, {"level", mv.from_level}}},
                     {"to", {{"state", to_string(mv.to_state)}, {"level", mv.to_level}}},
                     {"version", mv.version ? json(mv.version) : json(nullptr)}});
  }
  json j = {{"plan", plan},   {"dry_run", dry_run}, {"moved", dry_run ? 0 : r.moves.size()},
            {"moves", moves}, {"counts", counts},   {"problems", r.problems}};
  if (!r.status.ok()) j["error"] = error_json(r.status)["error"];
  return j;
}

json import_json(const ImportResult& r, const std::string& file) {
  json j = {{"file", file}, {"applied", r.applied}, {"skipped", r.skipped}, {"refused", r.refused}};
  if (!r.database_failure.ok()) j["stopped_at_line"] = r.stopped_at_line;
  return j;
}

json config_json(const PublishedConfig& p) {
  const Config& c = *p.config;
  auto date_or_null = [](const std::optional<Date>& d) { return d ? json(format_date(*d)) : json(nullptr); };
  auto text_or_null = [](const std::string& t) { return t.empty() ? json(nullptr) : json(t); };
  json units = json::array();
  for (const ConfigUnit& u : p.units)
    units.push_back({{"code", u.unit->code},
                     {"name", u.unit->name},
                     {"level", std::string(to_string(u.unit->level))},
                     {"parent", text_or_null(u.unit->parent)},
                     {"valid_from", date_or_null(u.unit->valid_from)},
                     {"valid_to", date_or_null(u.unit->valid_to)},
                     {"successor", text_or_null(u.unit->successor)},
                     {"unit_now", u.now ? json(u.now->code) : json(nullptr)},
                     {"in_scope", u.in_scope}});
  json rule_set = nullptr;
  if (const RuleSet* rs = p.rule_set_today) {
    json stars = json::array(), levels = json::array();
    for (const StarBand& b : rs->stars) stars.push_back({{"stars", b.stars}, {"min", b.min}});
    for (const LevelRule& l : rs->levels)
      levels.push_back({{"level", std::string(to_string(l.level))},
                        {"kind", l.kind == LevelKind::council ? "council" : "screen"},
                        {"quorum", l.quorum},
                        {"recognizes", l.recognizes}});
    rule_set = {{"id", rs->id},
                {"effective_from", format_date(rs->effective_from)},
                {"parts", {{"A", rs->parts[0]}, {"B", rs->parts[1]}, {"C", rs->parts[2]}}},
                {"stars", stars},
                {"levels", levels}};
  }
  json kinds = json::array();
  for (const auto& [kind, name] : c.document_kinds) kinds.push_back({{"kind", kind}, {"name", name}});
  json sets = json::array();
  for (const auto& [code, ps] : c.product_sets) sets.push_back({{"code", code}, {"group", ps.group}, {"name", ps.name}});
  json roles = json::object();
  for (const auto& [role, mask] : c.roles) {
    json events = json::array();
    for (int i = 0; i < kEventCount; ++i)
      if (mask & event_bit(static_cast<Event>(i))) events.push_back(std::string(to_string(static_cast<Event>(i))));
    roles[role] = events;
  }
  json rounds = json::array();
  for (const ConfigRound& r : p.rounds)
    rounds.push_back({{"year", r.year},
                      {"id", r.round->id},
                      {"level", std::string(to_string(r.round->level))},
                      {"cutoff", format_date(r.round->cutoff)},
                      {"meeting", format_date(r.round->meeting)}});
  json weekend = json::array(), holidays = json::array(), working = json::array();
  for (int i = 0; i < 7; ++i)
    if (c.calendar.weekend[static_cast<std::size_t>(i)]) weekend.push_back(i + 1);
  for (const Date& d : c.calendar.holidays) holidays.push_back(format_date(d));
  for (const Date& d : c.calendar.working_days) working.push_back(format_date(d));
  return {{"province", {{"code", c.province.code}, {"name", c.province.name}, {"timezone", c.province.timezone}}},
          {"today", format_date(p.today)},
          {"units", units},
          {"rule_set", rule_set},
          {"document_kinds", kinds},
          {"product_sets", sets},
          {"roles", roles},
          {"rounds", rounds},
          {"calendar", {{"weekend", weekend}, {"holidays", holidays}, {"working_days", working}}},
          {"overdue_after_days", p.overdue_after_days}};
}

json token_json(const TokenInfo& t, int offset) {
  return {{"id", t.id},
          {"created", format_instant(t.created, offset)},
          {"expires", format_instant(t.expires, offset)},
          {"revoked", t.revoked},
          {"note", t.note}};
}

json session_json(const SessionInfo& s, int offset, bool current) {
  return {{"id", s.id},
          {"created", format_instant(s.created, offset)},
          {"last_seen", format_instant(s.last_seen, offset)},
          {"expires", format_instant(s.expires, offset)},
          {"second_factor", s.second_factor},
          {"address", s.address},
          {"current", current}};
}

}  // namespace ocop::views
