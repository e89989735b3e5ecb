// Golden files pin every public JSON shape (adapters/views): dossier, certificate, the result of
// an event (and of a duplicate key), a dossier's page, a document, an audit record, a chain's
// verification, the report, a product's history, messages and the outbox, a tick, a cycle, a
// delivery, a migration, an import's counts and an error; after recognition (spec §10.3), an
// activity (alone, listed, and its page), a participation, an inspection, the inspection round's
// plan, and the result of an event that cascaded. Each case renders fixed typed values
// and compares the text with tests/golden/NAME.json byte for byte. A shape that changes on
// purpose is a change of the public contract: regenerate with OCOP_UPDATE_GOLDEN=1, read the
// diff, and say so in the commit.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/yaml_config.hpp"
#include "views/json_views.hpp"

using namespace ocop;
using nlohmann::json;

namespace {

const std::filesystem::path kGolden = std::filesystem::path(OCOP_SOURCE_DIR) / "tests" / "golden";

void check_golden(const std::string& name, const json& j) {
  const std::string text = views::dump(j) + "\n";
  const auto path = kGolden / (name + ".json");
  if (const char* u = std::getenv("OCOP_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(path, std::ios::binary) << text;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "golden file " << path << " is missing (OCOP_UPDATE_GOLDEN=1 writes it)");
  std::stringstream want;
  want << in.rdbuf();
  BOOST_CHECK_MESSAGE(want.str() == text, name << ": the JSON differs from " << path << ":\n" << text);
}

Instant at(const char* s) { return *parse_instant(s, 420); }
Date day(const char* s) { return *parse_date(s); }

Dossier sample_dossier() {
  Dossier d;
  d.id = "TQ-2026-00001";
  d.state = State::recognized;
  d.version = 14;
  d.unit = "TQ-BACQUANG";
  d.product = "Cam sành Bắc Quang";
  d.product_set = "fresh_produce";
  d.producer = "HTX Cam Bắc Quang";
  d.year = 2026;
  d.rule_set = "R148_1489";
  d.level_index = 1;
  d.level = "province";
  d.registration_type = "new";
  d.score = 78.5;
  d.stars = 4;
  d.certificate = "TQ-2026-00001/province";
  d.round = "2026-1";
  d.created_at = at("2026-03-02T08:15:00+07:00");
  d.updated_at = at("2026-09-10T10:00:00+07:00");
  d.state_since = at("2026-09-10T10:00:00+07:00");
  return d;
}

Certificate sample_certificate() {
  Certificate c;
  c.id = "TQ-2026-00001/province";
  c.dossier = "TQ-2026-00001";
  c.product = "Cam sành Bắc Quang";
  c.product_set = "fresh_produce";
  c.unit = "TQ-BACQUANG";
  c.stars = 4;
  c.level = "province";
  c.decision_no = "1234/QĐ-UBND";
  c.decision_date = day("2026-09-10");
  c.issued_on = day("2026-09-10");
  c.valid_until = day("2029-09-10");
  return c;
}

AuditRecord sample_record() {
  AuditRecord r;
  r.seq = 42;
  r.at = at("2026-03-05T10:00:00+07:00");
  r.actor = "officer.bacquang";
  r.role = "officer";
  r.dossier = "TQ-2026-00001";
  r.event = "return_idea";
  r.from_state = "idea_submitted";
  r.to_state = "idea_returned";
  r.data = R"({"reason":"Thiếu mô tả sản phẩm"})";
  r.prev_hash = std::string(64, 'a');
  r.hash = std::string(64, 'b');
  return r;
}

OutboxMessage sample_message(const std::string& state) {
  OutboxMessage m;
  m.id = 7;
  m.dedupe_key = "event:TQ-2026-00001:v2:email:producer@example.vn";
  m.channel = "email";
  m.recipient = "producer@example.vn";
  m.subject = "Ý tưởng sản phẩm được trả lại";
  m.body = "Kính gửi HTX Cam Bắc Quang, ...";
  m.cause = "dossier TQ-2026-00001 returned";
  m.dossier = "TQ-2026-00001";
  m.created_at = at("2026-03-05T10:00:00+07:00");
  m.state = state;
  m.attempts = state == "pending" ? 0 : 3;
  m.next_attempt_at = at("2026-03-05T10:05:00+07:00");
  m.last_error = state == "dead" ? "SMTP 550: mailbox unavailable" : "";
  m.sent_at = at("2026-03-05T10:01:00+07:00");
  m.claimed_by = state == "sending" ? "deliver-abc" : "";
  m.lease_until = at("2026-03-05T10:03:00+07:00");
  return m;
}

Config sample_config() {
  Config c;
  c.province.utc_offset_minutes = 420;
  c.revocation_grounds["food_safety"] = "Vi phạm quy định về an toàn thực phẩm";
  return c;
}


Activity sample_activity() {
  Activity a;
  a.id = "TQ-XT-2026-001";
  a.name = "Hội chợ OCOP tỉnh mùa xuân 2026";
  a.kind = "fair";
  a.unit = "TQ";
  a.venue = "Quảng trường tỉnh";
  a.state = "registration_open";
  a.version = 2;
  a.registration_opens = day("2026-04-01");
  a.registration_closes = day("2026-04-20");
  a.starts = day("2026-05-01");
  a.ends = day("2026-05-05");
  a.booths = 3;
  a.policy.booth_fee_vnd = 4000000;
  a.policy.support_cap_vnd = 3000000;
  a.created_at = at("2026-03-20T09:00:00+07:00");
  a.updated_at = a.state_since = at("2026-04-01T06:00:00+07:00");
  return a;
}

Participation sample_participation() {
  Participation p;
  p.id = "TQ-XT-2026-001/TQ-2026-00001";
  p.activity = "TQ-XT-2026-001";
  p.dossier = "TQ-2026-00001";
  p.certificate = "TQ-2026-00001/province";
  p.product = "Cam sành Bắc Quang";
  p.producer = "HTX Cam Bắc Quang";
  p.unit = "TQ-BACQUANG";
  p.state = "selected";
  p.version = 2;
  p.booths = 2;
  p.support_vnd = 3000000;
  p.note = "Cần gian hàng gần lối vào";
  p.created_at = at("2026-04-02T09:00:00+07:00");
  p.updated_at = p.state_since = at("2026-04-03T10:00:00+07:00");
  return p;
}

Inspection sample_inspection() {
  Inspection i;
  i.id = "TQ-BACQUANG-HK-2026-001";
  i.certificate = "TQ-2026-00001/province";
  i.dossier = "TQ-2026-00001";
  i.product = "Cam sành Bắc Quang";
  i.unit = "TQ-BACQUANG";
  i.level = "province";
  i.state = "planned";
  i.version = 1;
  i.due = day("2026-06-15");
  i.criteria = R"(["Nhãn mác","Chất lượng"])";
  i.findings = "[]";
  i.team = "Đoàn hậu kiểm tỉnh";
  i.created_at = i.updated_at = i.state_since = at("2026-06-01T09:00:00+07:00");
  return i;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(views_golden)

BOOST_AUTO_TEST_CASE(dossier_and_certificate) {
  check_golden("dossier", views::dossier_json(sample_dossier(), 420));
  Dossier fresh;
  fresh.id = "TQ-2026-00002";
  fresh.state = State::idea_submitted;
  fresh.version = 1;
  fresh.unit = "TQ-HAMYEN";
  fresh.product = "Chè Shan tuyết";
  fresh.product_set = "tea";
  fresh.producer = "Hộ kinh doanh Lò Văn A";
  fresh.year = 2026;
  fresh.created_at = fresh.updated_at = fresh.state_since = at("2026-03-02T08:15:00+07:00");
  check_golden("dossier_new", views::dossier_json(fresh, 420));
  check_golden("certificate", views::certificate_json(sample_certificate()));
  Certificate revoked = sample_certificate();
  revoked.state = "revoked";
  revoked.revocation_ground = "food_safety";
  revoked.revocation_decision_no = "12/QĐ-UBND";
  revoked.revoked_on = day("2027-01-15");
  const Config cfg = sample_config();
  check_golden("certificate_revoked", views::certificate_json(revoked, &cfg));
}

BOOST_AUTO_TEST_CASE(public_certificate) {  // issue 13: what anyone may see (docs/public.md)
  PublicCertificate p;
  p.code = "K7QJ3MZP5XW2ARVD6YHT";
  p.id = "TQ-2026-00001/province";
  p.status = "expiring";
  p.days_left = 42;
  p.product = "Chè Shan tuyết Cao Bồ";
  p.product_set = "tea";
  p.product_set_name = "Chè";
  p.producer = "HTX Chè Cao Bồ";
  p.unit = "TQ-CAOBO";
  p.unit_name = "Xã Cao Bồ";
  p.stars = 4;
  p.level = "province";
  p.decision_no = "1187/QĐ-UBND";
  p.decision_date = p.issued_on = day("2026-06-15");
  p.valid_until = day("2029-06-15");
  check_golden("public_certificate", views::public_certificate_json(p, "https://ocop.example.vn/verify/" + p.code));
  PublicCertificate r = p;
  r.status = "revoked";
  r.revocation_ground = "food_safety";
  r.revocation_ground_name = "Vi phạm quy định về an toàn thực phẩm";
  r.revocation_decision_no = "12/QĐ-UBND";
  r.revoked_on = day("2027-01-15");
  check_golden("public_certificate_revoked", views::public_certificate_json(r, ""));
  PublicCertificate s = p;
  s.status = "superseded";
  s.superseded_by = "TQ-2026-00001/central";
  s.superseded_by_code = "MZP5XW2ARVD6YHTK7QJ3";
  s.superseded_by_level = "central";
  s.superseded_by_stars = 5;
  check_golden("public_certificate_superseded", views::public_certificate_json(s, ""));
}

BOOST_AUTO_TEST_CASE(fire_results) {
  const Config cfg = sample_config();
  FireResult r;
  r.dossier = sample_dossier();
  check_golden("fire_dossier", views::fire_json(r, cfg));
  FireResult dup;
  dup.duplicate = true;
  dup.dossier = sample_dossier();
  dup.first_result = FireResult::First{"idea_returned", 2};
  check_golden("fire_duplicate", views::fire_json(dup, cfg));
  FireResult cert;
  cert.certificate = sample_certificate();
  check_golden("fire_certificate", views::fire_json(cert, cfg));
}

BOOST_AUTO_TEST_CASE(dossier_page_documents_and_audit) {
  DossierView v;
  v.dossier = sample_dossier();
  v.unit_now = "TQ-BACQUANG-MOI";
  v.documents.push_back({"TQ-2026-00001", "business_plan", "Phương án.pdf", std::string(64, 'c'), 12345,
                         at("2026-04-01T09:00:00+07:00")});
  v.scoresheets.push_back({"TQ-2026-00001", "province", "council.tq.an", 30, 20, 28.5});
  check_golden("dossier_view", views::dossier_view_json(v, 420));
  DocumentView d;
  d.document = v.documents[0];
  d.kind_name = "Phương án sản xuất kinh doanh";
  d.stored = true;
  check_golden("document", views::document_json(d, 420));
  check_golden("audit_record", views::audit_json(sample_record(), 420));
  AuditRecord damaged = sample_record();
  damaged.data = "{not json";
  check_golden("audit_record_damaged", views::audit_json(damaged, 0));
  AuditVerification ok;
  ok.valid = true;
  ok.checked = 1693;
  ok.head = std::string(64, 'd');
  check_golden("verify_valid", views::verification_json(ok));
  AuditVerification broken;
  broken.checked = 17;
  broken.problem = "record 17: hash does not match its content";
  check_golden("verify_broken", views::verification_json(broken));
}

BOOST_AUTO_TEST_CASE(report_and_product) {
  Report r;
  r.dossiers_by_state = {{"recognized", 12}, {"submitted", 3}};
  r.certificates_by_stars = {{"3", 5}, {"4", 7}};
  r.unit_dossiers_by_state["TQ-BACQUANG"] = {{"recognized", 12}, {"submitted", 3}};
  r.unit_certificates_by_stars["TQ-BACQUANG"] = {{"3", 5}, {"4", 7}};
  check_golden("report", views::report_json(r));
  ProductHistory h;
  h.dossiers.push_back(sample_dossier());
  h.certificates.push_back(sample_certificate());
  check_golden("product", views::product_json(h, sample_config()));
}

// Issue 12: what the web application reads of the configuration, a user's tokens and sessions,
// and the report's outbox counts (whole scopes).
BOOST_AUTO_TEST_CASE(published_config_tokens_sessions_and_outbox_counts) {
  Config c = sample_config();
  c.province.code = "TQ";
  c.province.name = "Tuyên Quang";
  c.province.timezone = "Asia/Ho_Chi_Minh";
  c.province.utc_offset_minutes = 420;
  Unit tq{"TQ", "Tỉnh Tuyên Quang", UnitLevel::province, "", std::nullopt, std::nullopt, "", ""};
  Unit bq{"TQ-BACQUANG", "Xã Bắc Quang", UnitLevel::commune, "TQ", day("2025-07-01"), std::nullopt, "", ""};
  Unit vq{"HG-BQ-VIETQUANG", "Thị trấn Việt Quang", UnitLevel::commune, "HG-BQ", std::nullopt, day("2025-06-30"),
          "TQ-BACQUANG", ""};
  c.mutable_units() = {tq, bq, vq};
  RuleSet rs;
  rs.id = "R148_1489";
  rs.effective_from = day("2025-01-01");
  rs.stars = {{1, 0}, {2, 30}, {3, 50}, {4, 70}, {5, 90}};
  rs.levels = {LevelRule{UnitLevel::commune, LevelKind::screen, 0, {}, std::nullopt},
               LevelRule{UnitLevel::province, LevelKind::council, 5, {3, 4}, 70.0}};
  c.rule_sets = {rs};
  c.document_kinds = {{"business_plan", "Phương án sản xuất kinh doanh"}, {"label", "Nhãn, bao bì sản phẩm"}};
  c.product_sets["tea"] = ProductSet{"tea", "food", "Chè và sản phẩm từ chè"};
  c.roles["council_member"] = event_bit(Event::score) | event_bit(Event::annotate);
  c.calendar.holidays = {day("2026-09-02")};
  c.calendar.working_days = {day("2026-01-10")};
  Cycle cy;
  cy.year = 2026;
  cy.rounds = {Round{"2026-1", UnitLevel::province, day("2026-06-30"), day("2026-07-15")}};
  c.cycles[2026] = cy;
  c.index();
  PublishedConfig p;
  p.config = &c;
  p.today = day("2026-12-21");
  p.units = {ConfigUnit{&c.units()[2], &c.units()[1], true}, ConfigUnit{&c.units()[0], &c.units()[0], false},
             ConfigUnit{&c.units()[1], &c.units()[1], true}};
  p.rule_set_today = &c.rule_sets[0];
  p.rounds = {ConfigRound{2026, &c.cycles[2026].rounds[0]}};
  p.overdue_after_days = {{"submitted", 10}};
  check_golden("config", views::config_json(p));

  TokenInfo t{"d31ceb8d3683ec7e", "coordinator.tq.hung", at("2026-12-01T09:00:00+07:00"),
              at("2026-12-31T09:00:00+07:00"), false, "Máy chủ báo cáo"};
  check_golden("token", views::token_json(t, 420));
  SessionInfo se{"6c9064e96edeeb65", at("2026-12-21T09:00:00+07:00"), at("2026-12-21T09:10:00+07:00"),
                 at("2026-12-21T21:00:00+07:00"), true, "192.0.2.1"};
  check_golden("session", views::session_json(se, 420, true));

  Report r;
  r.dossiers_by_state = {{"submitted", 3}};
  OutboxCounts o;
  o.by_state = {{"dead", 2}, {"pending", 4}, {"sent", 40}};
  o.reminders_sent = 12;
  o.reminders_dead = 1;
  r.outbox = o;
  check_golden("report_outbox", views::report_json(r));
}

BOOST_AUTO_TEST_CASE(messages_outbox_tick_and_delivery) {
  check_golden("message", views::message_json(sample_message("pending")));
  for (const char* state : {"pending", "sending", "sent", "dead"})
    check_golden(std::string("outbox_") + state, views::outbox_json(sample_message(state), 420));
  TickReport t;
  t.day = day("2026-03-06");
  t.previous = day("2026-03-05");
  t.queued.push_back(sample_message("pending"));
  t.transitions.push_back({"certificate", "TQ-2023-00009/district", "notice", "active", "expiring"});
  t.counts = {{"stalled", 1}, {"notice", 1}};
  t.already_queued = 2;
  t.notes.push_back("officer.hamyen has no e-mail address");
  check_golden("tick", views::tick_json(t));
  TickReport failed = t;
  failed.status = Status::Internal("database: disk I/O error");
  check_golden("tick_failed", views::tick_json(failed));
  DeliveryReport d;
  d.sent = 1;
  d.dead = 1;
  d.held = 2;
  d.unavailable["webhook"] = "the secret OCOP_WEBHOOK_SECRET is not set";
  d.messages.push_back({sample_message("sent"), false});
  d.messages.push_back({sample_message("dead"), true});
  check_golden("delivery", views::delivery_json(d, 420));
}

BOOST_AUTO_TEST_CASE(cycle_migration_import_and_error) {
  CycleReport c;
  c.year = 2026;
  c.state = CycleState::open;
  c.day = day("2026-06-01");
  c.milestones.push_back({"ideas_close", nullptr, day("2026-06-30"), 21, false, 4});
  c.by_state = {{"idea_submitted", 4}};
  c.by_unit["TQ-BACQUANG"] = {{"idea_submitted", 4}};
  c.carried_in = 1;
  text::DigestLine line;
  line.dossier = "TQ-2026-00002";
  line.product = "Chè Shan tuyết";
  line.unit = "TQ-HAMYEN";
  line.state = State::idea_submitted;
  line.since = day("2026-05-04");
  line.waited = 19;
  c.overdue.push_back({"stalled-idea_submitted", line, true});
  check_golden("cycle", views::cycle_json(c));
  MigrationReport m;
  m.moves.push_back(
      {"HG-2025-00001", "HG-VX-CAOBO", State::submitted, State::submitted, "district", "province", 5});
  check_golden("migration", views::migration_json(m, "reform-2025-07-01", false));
  MigrationReport refused;
  refused.status = Status::Refused("1 dossier(s) in a state the plan does not map");
  refused.problems.push_back("HG-2025-00002: scored at district is not mapped");
  check_golden("migration_refused", views::migration_json(refused, "reform-2025-07-01", true));
  ImportResult i;
  i.applied = 1690;
  i.skipped = 2;
  i.refused = 1;
  check_golden("import", views::import_json(i, "events.jsonl"));
  ImportResult stopped = i;
  stopped.database_failure = Status::Internal("database: connection lost");
  stopped.stopped_at_line = 1693;
  check_golden("import_stopped", views::import_json(stopped, "events.jsonl"));
  check_golden("error", views::error_json(Status::Forbidden("producer.x may not fire accept_idea")));
}

// After recognition (spec §10.3): an activity, its summary and its page, a participation
// selected and reported, an inspection planned and remedy_required, the inspection round's plan,
// and an event's result with the objects a cascade moved.
BOOST_AUTO_TEST_CASE(activities_participations_and_inspections) {
  check_golden("activity", views::activity_json(sample_activity(), 420));
  Participation selected = sample_participation();
  Participation reported = selected;
  reported.state = "reported";
  reported.version = 3;
  reported.revenue_vnd = 12500000000LL;
  reported.contracts = 3;
  reported.buyers = 40;
  reported.state_since = at("2026-05-03T09:00:00+07:00");
  Participation declined = selected;
  declined.id = "TQ-XT-2026-001/TQ-2026-00002";
  declined.dossier = "TQ-2026-00002";
  declined.certificate = "TQ-2026-00002/province";
  declined.product = "Chè Shan tuyết";
  declined.producer = "Hộ kinh doanh Lò Văn A";
  declined.unit = "TQ-HAMYEN";
  declined.state = "declined";
  declined.version = 2;
  declined.booths = 1;
  declined.support_vnd = 0;
  declined.note.clear();
  declined.reason = "không được lựa chọn";
  declined.state_since = at("2026-05-01T06:00:00+07:00");
  check_golden("participation_selected", views::participation_json(selected, 420));
  check_golden("participation_reported", views::participation_json(reported, 420));

  ActivitySummary sum;
  sum.activity = sample_activity();
  sum.totals.booths_selected = 2;
  sum.totals.support_vnd = 3000000;
  sum.totals.by_state = {{"selected", 1}, {"declined", 1}};
  check_golden("activity_summary", views::activity_summary_json(sum, 420));
  ActivityView v;
  v.activity = sample_activity();
  v.activity.state = "running";
  v.activity.version = 4;
  v.activity.updated_at = v.activity.state_since = at("2026-05-01T06:00:00+07:00");
  v.participations = {reported, declined};
  v.totals.booths_selected = 2;
  v.totals.support_vnd = 3000000;
  v.totals.revenue_vnd = 12500000000LL;
  v.totals.contracts = 3;
  v.totals.by_state = {{"reported", 1}, {"declined", 1}};
  check_golden("activity_view", views::activity_view_json(v, 420));

  check_golden("inspection_planned", views::inspection_json(sample_inspection(), 420));
  Inspection remedy = sample_inspection();
  remedy.state = "remedy_required";
  remedy.version = 2;
  remedy.result = "remedy_required";
  remedy.recorded_on = day("2026-06-12");
  remedy.remedy_due = day("2026-06-19");
  remedy.findings = R"([{"criterion":"Nhãn mác","note":"Thiếu hạn sử dụng"},{"criterion":"Chất lượng"}])";
  remedy.state_since = at("2026-06-12T09:00:00+07:00");
  check_golden("inspection_remedy_required", views::inspection_json(remedy, 420));

  InspectionPlan plan;
  plan.planned = 2;
  plan.units.push_back({"TQ-BACQUANG", 4, 2, 1, {"TQ-BACQUANG-HK-2026-002"}});
  plan.units.push_back({"TQ-HAMYEN", 1, 1, 0, {"TQ-HAMYEN-HK-2026-001"}});
  plan.status = Status::Ok();
  check_golden("inspection_plan", views::inspection_plan_json(plan));
  InspectionPlan stopped = plan;
  stopped.planned = 0;
  stopped.units.resize(1);
  stopped.units[0].planned.clear();
  stopped.status = Status::Forbidden("producer.x may not fire plan_inspection");
  check_golden("inspection_plan_refused", views::inspection_plan_json(stopped));

  // start_activity: the activity, and the participations its cascade declined.
  const Config cfg = sample_config();
  FireResult started;
  started.dossier_id = "TQ-XT-2026-001";
  started.activity = v.activity;
  started.cascaded = {declined.id};
  check_golden("fire_activity_cascaded", views::fire_json(started, cfg));
  // revoke: the certificate, then the participation it cancelled and the inspection it closed.
  FireResult revoked;
  revoked.certificate = sample_certificate();
  revoked.certificate->state = "revoked";
  revoked.certificate->revocation_ground = "food_safety";
  revoked.certificate->revocation_decision_no = "12/QĐ-UBND";
  revoked.certificate->revoked_on = day("2027-01-15");
  revoked.cascaded = {selected.id, "TQ-BACQUANG-HK-2026-001"};
  check_golden("fire_certificate_cascaded", views::fire_json(revoked, cfg));
  FireResult participation;
  participation.dossier_id = selected.id;
  participation.participation = selected;
  check_golden("fire_participation", views::fire_json(participation, cfg));
}

BOOST_AUTO_TEST_SUITE_END()
