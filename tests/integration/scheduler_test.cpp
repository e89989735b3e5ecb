// `ocop tick` (engine/ocop/scheduler.hpp) on real SQLite files: each reminder kind on its day
// and not the day before, escalation, digest content, units over the 2025 reform, certificates'
// notice and expiry through the machine and the audit chain, cycles, dry runs and catch-up.
#include "fixture.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "cycle_machine.hpp"
#include "ocop/scheduler.hpp"

using namespace ocop;
using nlohmann::json;
using ocop::testing::Db;
using ocop::testing::doc;
using ocop::testing::new_product;

namespace {

struct Tick {
  Db& db;
  std::unique_ptr<CycleLifecycle> cycles = workflows::make_cycle_lifecycle();
  Scheduler scheduler{db.config, *db.ex, *db.certificates, *cycles, *db.store, db.clock};

  explicit Tick(Db& d) : db(d) {}
  TickReport at(const std::string& when, bool dry_run = false) {
    db.clock.set(*parse_instant(when, 420));
    TickReport r = scheduler.tick(dry_run);
    BOOST_TEST_INFO("tick " << when << ": " << r.status.message());
    return r;
  }
};

std::vector<const OutboxMessage*> of_kind(const TickReport& r, const std::string& prefix) {
  std::vector<const OutboxMessage*> out;
  for (const auto& m : r.queued)
    if (m.dedupe_key.rfind(prefix, 0) == 0) out.push_back(&m);
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A dossier written straight into the store (no audit record): for reminder tests that need a
// state, a level and a date the lifecycle would take many events to reach.
void put_dossier(Db& db, const std::string& id, const std::string& unit, State state,
                 const std::string& rule_set, int level_index, const std::string& level,
                 const std::string& since) {
  Dossier d;
  d.id = id;
  d.state = state;
  d.version = 1;
  d.unit = unit;
  d.product = "Cam sành " + id;
  d.product_set = "fresh_produce";
  d.producer = "HTX " + id;
  d.rule_set = rule_set;
  d.level_index = level_index;
  d.level = level;
  d.state_since = *parse_instant(since, 420);
  d.created_at = d.updated_at = d.state_since;
  d.year = year_of(local_date(d.created_at, 420));
  db.store->begin();
  db.store->insert_dossier(d);
  db.store->commit();
}

// Registers a dossier at the commune (state submitted) at `when`.
void register_at(Db& db, const std::string& id, const std::string& when,
                 const std::string& unit = "BX-C0001") {
  db.clock.set(Instant{parse_instant(when, 420)->seconds - 3600});  // fire() adds an hour
  auto data = new_product(id, unit);
  data["registration_type"] = "new";
  data["documents"] = {doc("registration_form"), doc("self_assessment")};
  std::string producer = "producer." + unit;
  for (auto& ch : producer) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto r = db.fire("register", "", producer, data);
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
}

// A province certificate (decision 2026-10-30: valid until 2029-10-30) for dossier `id`.
std::string certificate(Db& db, const std::string& id) {
  register_at(db, id, "2026-09-01T08:00:00+07:00");
  BOOST_REQUIRE(db.fire("accept_dossier", id, "officer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("forward", id, "officer.bx-c0001").status.ok());
  BOOST_REQUIRE(db.fire("accept_dossier", id, "coordinator", {{"round", "2026-1"}}).status.ok());
  ocop::testing::score_all(db, id, 32, 20, 28);
  BOOST_REQUIRE(db.fire("close_scoring", id, "chair").status.ok());
  auto r =
      db.fire("recognize", id, "signer", {{"decision_no", "1187/QĐ-UBND"}, {"decision_date", "2026-10-30"}});
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  return id + "/province";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scheduler)

// Spec §7: reminded once MORE than after_days (10) working days have passed, that is when 10 whole
// working days lie between the day it entered the state and the day of the tick; escalated after
// escalate_after_days (5) more. Across a weekend and Tết (16-20/02/2026).
BOOST_AUTO_TEST_CASE(
    a_stalled_dossier_is_reminded_after_ten_whole_working_days_then_escalated_after_fifteen) {
  Db db;
  Tick tick(db);
  register_at(db, "BX-2026-000001", "2026-02-12T09:00:00+07:00");  // Thursday
  register_at(db, "BX-2026-000002", "2026-02-13T09:00:00+07:00", "BX-C0002");
  // Between Thursday 12/02 and Thursday 05/03 lie 9 whole working days (13/02, 23-27/02,
  // 02-04/03): not yet, although 05/03 is the 10th working day after 12/02.
  BOOST_TEST(of_kind(tick.at("2026-03-05T07:00:00+07:00"), "reminder/stalled-submitted/").empty());
  TickReport r = tick.at("2026-03-06T07:00:00+07:00");
  BOOST_TEST(r.status.ok());
  auto stalled = of_kind(r, "reminder/stalled-submitted/");
  BOOST_REQUIRE_EQUAL(stalled.size(), 1u);
  const OutboxMessage& m = *stalled[0];
  BOOST_TEST(m.dedupe_key == "reminder/stalled-submitted/BX-C0001/2026-03-06");
  BOOST_TEST(m.recipient == "bx-c0001@bx.example.vn");
  BOOST_TEST(m.channel == "email");
  // the digest: each dossier with its product, state and how long it has waited
  BOOST_TEST(contains(m.subject, "1 hồ sơ chờ xử lý quá 10 ngày làm việc"));
  BOOST_TEST(contains(m.body, "BX-2026-000001: Chè Shan tuyết Cao Bồ (HTX Chè Cao Bồ)"));
  BOOST_TEST(contains(m.body, "(submitted), cấp commune; từ ngày 12/02/2026, đã chờ 10 ngày làm việc"));
  BOOST_TEST(!contains(m.body, "BX-2026-000002"));  // 9 whole working days (23/02-05/03)
  BOOST_TEST(r.counts["stalled"] == 1);
  BOOST_TEST(r.counts["escalation"] == 0);

  // The same day again: nothing new.
  TickReport again = tick.at("2026-03-06T15:00:00+07:00");
  BOOST_TEST(again.queued.empty());
  BOOST_TEST(again.already_queued == 1);

  // Saturday: no digests on a day off.
  BOOST_TEST(tick.at("2026-03-07T07:00:00+07:00").queued.empty());
  // Monday 09/03: both dossiers are due, one digest per unit.
  r = tick.at("2026-03-09T07:00:00+07:00");
  BOOST_TEST(of_kind(r, "reminder/stalled-submitted/").size() == 2u);
  BOOST_TEST(
      contains(of_kind(r, "reminder/stalled-submitted/BX-C0002/").at(0)->body, "đã chờ 10 ngày làm việc"));
  // Escalation after 15 whole working days: on 12/03 only 14 lie between (13/02, 23/02-11/03).
  r = tick.at("2026-03-12T07:00:00+07:00");
  BOOST_TEST(of_kind(r, "reminder/stalled-submitted/escalation/").empty());
  BOOST_TEST(of_kind(r, "reminder/stalled-submitted/BX-C").size() == 2u);
  r = tick.at("2026-03-13T07:00:00+07:00");
  auto up = of_kind(r, "reminder/stalled-submitted/escalation/");
  BOOST_REQUIRE_EQUAL(up.size(), 1u);
  BOOST_TEST(up[0]->dedupe_key == "reminder/stalled-submitted/escalation/BX/2026-03-13");
  BOOST_TEST(up[0]->recipient == "vpdp@bx.example.vn");
  BOOST_TEST(contains(up[0]->body, "BX-2026-000001"));
  BOOST_TEST(contains(up[0]->body, "đã chờ 15 ngày làm việc"));
  BOOST_TEST(!contains(up[0]->body, "BX-2026-000002"));                    // 14 whole working days: not yet
  BOOST_TEST(of_kind(r, "reminder/stalled-submitted/BX-C").size() == 2u);  // the units are still reminded
  // Accepted: no longer stalled.
  BOOST_REQUIRE(db.fire("accept_dossier", "BX-2026-000001", "officer.bx-c0001").status.ok());
  r = tick.at("2026-03-16T07:00:00+07:00");
  BOOST_TEST(of_kind(r, "reminder/stalled-submitted/BX-C0001/").empty());
  BOOST_TEST(of_kind(r, "reminder/stalled-submitted/BX-C0002/").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_configured_template_overrides_the_digest_text) {
  Db db;
  // As `templates: {reminder_stalled: {subject: ...}}` in the configuration would (the loader
  // checks the placeholders); the body keeps its Vietnamese default.
  db.config.templates["reminder_stalled"] =
      MessageTemplate{"Nhắc việc OCOP ({rule}): {count} hồ sơ, {date}", ""};
  Tick tick(db);
  register_at(db, "BX-2026-000001", "2026-03-02T09:00:00+07:00");
  TickReport r = tick.at("2026-03-17T07:00:00+07:00");  // of_kind points into it
  auto stalled = of_kind(r, "reminder/stalled-submitted/");
  BOOST_REQUIRE_EQUAL(stalled.size(), 1u);
  BOOST_TEST(stalled[0]->subject == "Nhắc việc OCOP (stalled-submitted): 1 hồ sơ, 17/03/2026");
  BOOST_TEST(contains(stalled[0]->body, "đã chờ 10 ngày làm việc"));
  BOOST_TEST(contains(stalled[0]->body, "Vui lòng không trả lời thư này."));
}

BOOST_AUTO_TEST_CASE(a_round_cut_off_reminder_goes_out_seven_working_days_before_and_not_the_day_before) {
  Db db;
  Tick tick(db);
  register_at(db, "BX-2026-000001", "2026-09-01T09:00:00+07:00");
  register_at(db, "BX-2026-000002", "2026-09-01T10:00:00+07:00", "BX-C0002");
  BOOST_REQUIRE(db.fire("accept_dossier", "BX-2026-000002", "officer.bx-c0002").status.ok());
  BOOST_REQUIRE(db.fire("forward", "BX-2026-000002", "officer.bx-c0002").status.ok());
  BOOST_REQUIRE(
      db.fire("accept_dossier", "BX-2026-000002", "coordinator", {{"round", "2026-1"}}).status.ok());
  // Round 2026-1 closes Wednesday 30/09: 7 working days before is Monday 21/09.
  BOOST_TEST(of_kind(tick.at("2026-09-18T07:00:00+07:00"), "reminder/round-cutoff/").empty());
  TickReport r = tick.at("2026-09-21T07:00:00+07:00");
  auto cut = of_kind(r, "reminder/round-cutoff/");
  BOOST_REQUIRE_EQUAL(cut.size(), 1u);  // the accepted dossier no longer waits
  BOOST_TEST(cut[0]->dedupe_key == "reminder/round-cutoff/BX-C0001/2026-09-21/2026-1");
  BOOST_TEST(contains(cut[0]->subject, "30/09/2026 (còn 7 ngày làm việc)"));
  BOOST_TEST(contains(cut[0]->body, "đợt đánh giá 2026-1"));
  BOOST_TEST(contains(cut[0]->body, "BX-2026-000001"));
  BOOST_TEST(tick.at("2026-09-22T07:00:00+07:00").counts["before_milestone"] == 0);
}

BOOST_AUTO_TEST_CASE(a_missed_week_catches_up_without_flooding) {
  Db db;
  Tick tick(db);
  register_at(db, "BX-2026-000001", "2026-09-01T09:00:00+07:00");
  tick.at("2026-09-18T07:00:00+07:00");
  // No tick from 19/09 to 24/09: the cut-off reminder due on 21/09 goes out on 25/09, once,
  // and the stalled reminder is one digest for the day, not one per missed day.
  TickReport r = tick.at("2026-09-25T07:00:00+07:00");
  BOOST_REQUIRE(r.previous);
  BOOST_TEST(format_date(*r.previous) == "2026-09-18");
  auto cut = of_kind(r, "reminder/round-cutoff/");
  BOOST_REQUIRE_EQUAL(cut.size(), 1u);
  BOOST_TEST(cut[0]->dedupe_key == "reminder/round-cutoff/BX-C0001/2026-09-21/2026-1");
  BOOST_REQUIRE_EQUAL(of_kind(r, "reminder/stalled-submitted/BX-C").size(), 1u);
  BOOST_TEST(of_kind(r, "reminder/stalled-submitted/BX-C")[0]->dedupe_key ==
             "reminder/stalled-submitted/BX-C0001/2026-09-25");
  // A cut-off passed during a gap: noted, not sent.
  Db db2;
  Tick tick2(db2);
  register_at(db2, "BX-2026-000001", "2026-09-01T09:00:00+07:00");
  tick2.at("2026-09-10T07:00:00+07:00");
  r = tick2.at("2026-10-01T07:00:00+07:00");
  BOOST_TEST(of_kind(r, "reminder/round-cutoff/").empty());
  BOOST_TEST(std::any_of(r.notes.begin(), r.notes.end(),
                         [](const std::string& n) { return contains(n, "has passed"); }));
}

BOOST_AUTO_TEST_CASE(the_abolished_districts_communes_are_reminded_directly_or_via_the_province) {
  Db db(std::string(OCOP_SOURCE_DIR) + "/config/sample.yaml");
  Reminder parent;
  parent.id = "stalled-parent";
  parent.kind = ReminderKind::stalled;
  parent.state = State::submitted;
  parent.after_days = 10;
  parent.to = "parent";
  db.config.reminders.push_back(parent);
  Tick tick(db);
  // Under R148: one dossier at the commune's screening, one at the district council.
  put_dossier(db, "HG-2025-00001", "HG-BQ-VIETQUANG", State::submitted, "R148", 0, "commune",
              "2025-05-05T09:00:00+07:00");
  put_dossier(db, "HG-2025-00002", "HG-BQ-VIETQUANG", State::submitted, "R148", 1, "district",
              "2025-05-05T09:00:00+07:00");
  auto recipients = [](const TickReport& r, const std::string& rule) {
    std::map<std::string, std::string> out;  // dedupe key's unit -> e-mail
    for (const auto* m : of_kind(r, "reminder/" + rule + "/")) {
      if (contains(m->dedupe_key, "/escalation/")) continue;
      std::string rest = m->dedupe_key.substr(rule.size() + 10);
      out[rest.substr(0, rest.find('/'))] = m->recipient;
    }
    return out;
  };
  // Before the reform (Monday 02/06/2025): the commune, and the district for the district level.
  TickReport before = tick.at("2025-06-02T07:00:00+07:00");
  auto unit = recipients(before, "stalled-submitted");
  BOOST_TEST(unit.size() == 2u);
  BOOST_TEST(unit["HG-BQ-VIETQUANG"] == "ubnd.vietquang.bq@hagiang.example.vn");
  BOOST_TEST(unit["HG-BQ"] == "ocop.bacquang@hagiang.example.vn");
  auto up = recipients(before, "stalled-parent");
  BOOST_TEST(up.size() == 2u);
  BOOST_TEST(up["HG-BQ"] == "ocop.bacquang@hagiang.example.vn");  // the commune's parent
  BOOST_TEST(up["HG"] == "vpdp.ocop@hagiang.example.vn");         // the district's parent
  // After it (Monday 14/07/2025): Việt Quang merged into xã Bắc Quang, the district is gone.
  TickReport after = tick.at("2025-07-14T07:00:00+07:00");
  unit = recipients(after, "stalled-submitted");
  BOOST_TEST(unit.size() == 1u);  // both dossiers, one digest: the commune itself
  BOOST_TEST(unit["TQ-BACQUANG"] == "ubnd.bacquang@tuyenquang.example.vn");
  up = recipients(after, "stalled-parent");
  BOOST_TEST(up.size() == 1u);
  BOOST_TEST(up["TQ"] == "vpdp.ocop@tuyenquang.example.vn");  // via the province
  for (const auto* m : of_kind(after, "reminder/stalled-submitted/"))
    BOOST_TEST((contains(m->body, "HG-2025-00001") && contains(m->body, "HG-2025-00002")));
}

BOOST_AUTO_TEST_CASE(certificates_are_noticed_thirty_days_before_and_expired_on_valid_until) {
  Db db;
  for (auto& u : db.config.mutable_users())
    if (u.id == "producer.bx-c0001") u.email = "htx.caobo@example.vn";
  db.config.index();
  Tick tick(db);
  const std::string cert = certificate(db, "BX-2026-000001");
  auto c = db.store->load_certificate(cert);
  BOOST_REQUIRE(c);
  BOOST_TEST(format_date(c->valid_until) == "2029-10-30");
  const auto version = db.store->load_dossier("BX-2026-000001")->version;
  // 30 calendar days before 30/10/2029 is 30/09/2029 (a Sunday: the notice counts calendar days).
  TickReport r = tick.at("2029-09-29T07:00:00+07:00");
  BOOST_TEST(r.counts["notice"] == 0);
  r = tick.at("2029-09-30T07:00:00+07:00");
  BOOST_TEST(r.status.ok());
  BOOST_TEST(r.counts["notice"] == 1);
  BOOST_TEST(db.store->load_certificate(cert)->state == "expiring");
  auto notices = of_kind(r, "certificate/");
  BOOST_REQUIRE_EQUAL(notices.size(), 2u);
  std::set<std::string> to, keys;
  for (const auto* m : notices) {
    to.insert(m->recipient);
    keys.insert(m->dedupe_key);
  }
  BOOST_TEST(keys.count("certificate/" + cert + "/notice/unit") == 1u);
  BOOST_TEST(keys.count("certificate/" + cert + "/notice/producer") == 1u);
  BOOST_TEST(to.count("bx-c0001@bx.example.vn") == 1u);
  BOOST_TEST(to.count("htx.caobo@example.vn") == 1u);
  BOOST_TEST(contains(notices[0]->subject, "hết hiệu lực ngày 30/10/2029"));
  // recorded in the dossier's chain, by the scheduler's user, and the chain verifies
  auto h = db.store->history("BX-2026-000001");
  BOOST_TEST(h.back().event == "notice");
  BOOST_TEST(h.back().actor == "scheduler");
  BOOST_TEST(h.back().from_state == "active");
  BOOST_TEST(h.back().to_state == "expiring");
  BOOST_TEST(db.store->load_dossier("BX-2026-000001")->version == version + 1);
  // again the same day, and the days after: nothing
  BOOST_TEST(tick.at("2029-09-30T18:00:00+07:00").queued.empty());
  BOOST_TEST(tick.at("2029-10-29T07:00:00+07:00").counts["expire"] == 0);
  r = tick.at("2029-10-30T07:00:00+07:00");
  BOOST_TEST(r.counts["expire"] == 1);
  BOOST_TEST(db.store->load_certificate(cert)->state == "expired");
  BOOST_TEST(db.store->history("BX-2026-000001").back().event == "expire");
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(a_certificate_past_its_date_after_a_gap_is_expired_once_without_a_notice) {
  Db db;
  Tick tick(db);
  const std::string cert = certificate(db, "BX-2026-000001");
  TickReport r = tick.at("2029-11-15T07:00:00+07:00");
  BOOST_TEST(r.counts["expire"] == 1);
  BOOST_TEST(r.counts["notice"] == 0);
  BOOST_TEST(of_kind(r, "certificate/").empty());
  BOOST_TEST(tick.at("2029-11-16T07:00:00+07:00").transitions.empty());
  std::string why;
  BOOST_TEST(db.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(a_dry_run_shows_what_would_happen_and_writes_nothing) {
  Db db;
  Tick tick(db);
  const std::string cert = certificate(db, "BX-2026-000001");
  const auto audit = db.audit_count();
  const auto queued_before = db.store->outbox("", 0).size();  // the recognition's own notifications
  TickReport dry = tick.at("2029-09-30T07:00:00+07:00", true);
  BOOST_TEST(dry.status.ok());
  BOOST_TEST(dry.dry_run);
  BOOST_TEST(dry.counts["notice"] == 1);
  BOOST_TEST(!dry.queued.empty());
  BOOST_TEST(db.store->outbox("", 0).size() == queued_before);
  BOOST_TEST(db.store->load_certificate(cert)->state == "active");
  BOOST_TEST(db.audit_count() == audit);
  BOOST_TEST(!db.store->last_tick().has_value());
  BOOST_TEST(!db.store->cycle_state(2026).has_value());
  // the real tick then does what the dry run showed
  TickReport real = tick.at("2029-09-30T07:00:00+07:00");
  BOOST_TEST(real.queued.size() == dry.queued.size());
  BOOST_TEST(real.transitions.size() == dry.transitions.size());
  BOOST_TEST(db.store->outbox("", 0).size() == queued_before + real.queued.size());
}

BOOST_AUTO_TEST_CASE(a_cycle_opens_with_its_kickoff_and_closes_with_a_report) {
  Db db;
  Tick tick(db);
  BOOST_TEST(tick.at("2025-12-31T07:00:00+07:00").transitions.empty());
  TickReport r = tick.at("2026-01-02T07:00:00+07:00");
  BOOST_REQUIRE_EQUAL(r.transitions.size(), 1u);
  BOOST_TEST(r.transitions[0].event == "open");
  BOOST_TEST(*db.store->cycle_state(2026) == "open");
  auto kickoff = of_kind(r, "reminder/kickoff/");
  BOOST_TEST(kickoff.size() == 5u);  // the five communes
  BOOST_TEST(kickoff[0]->dedupe_key == "reminder/kickoff/BX-C0001/2026-01-01");
  BOOST_TEST(contains(kickoff[0]->body, "30/09/2026"));
  BOOST_TEST(tick.at("2026-01-02T09:00:00+07:00").queued.empty());
  register_at(db, "BX-2026-000001", "2026-03-02T09:00:00+07:00");
  r = tick.at("2027-01-04T07:00:00+07:00");
  BOOST_REQUIRE_EQUAL(r.transitions.size(), 1u);
  BOOST_TEST(r.transitions[0].event == "close");
  BOOST_TEST(*db.store->cycle_state(2026) == "closed");
  auto report = of_kind(r, "cycle/2026/closed/");
  BOOST_REQUIRE_EQUAL(report.size(), 1u);
  BOOST_TEST(report[0]->recipient == "vpdp@bx.example.vn");
  BOOST_TEST(contains(report[0]->body, "BX-2026-000001"));
  BOOST_TEST(contains(report[0]->subject, "1 hồ sơ chưa hoàn thành"));
  // a closed cycle's milestones no longer remind
  BOOST_TEST(of_kind(tick.at("2027-01-05T07:00:00+07:00"), "cycle/").empty());
}

BOOST_AUTO_TEST_CASE(cycle_show_counts_and_overdue) {
  Db db;
  Tick tick(db);
  register_at(db, "BX-2026-000001", "2026-03-02T09:00:00+07:00");
  register_at(db, "BX-2026-000002", "2026-03-12T09:00:00+07:00", "BX-C0002");
  // 16/03: 9 whole working days lie between 02/03 and it (03-13/03): not yet overdue.
  db.clock.set(*parse_instant("2026-03-16T07:00:00+07:00", 420));
  BOOST_TEST(tick.scheduler.cycle_report(2026, ReadScope::unrestricted()).overdue.empty());
  db.clock.set(*parse_instant("2026-03-17T07:00:00+07:00", 420));
  CycleReport c = tick.scheduler.cycle_report(2026, ReadScope::unrestricted());
  BOOST_REQUIRE(c.status.ok());
  BOOST_TEST(c.by_state["submitted"] == 2);
  BOOST_TEST(c.by_unit["BX-C0002"]["submitted"] == 1);
  BOOST_REQUIRE_EQUAL(c.overdue.size(), 1u);
  BOOST_TEST(c.overdue[0].line.dossier == "BX-2026-000001");
  BOOST_TEST(c.overdue[0].line.waited == 10);
  BOOST_TEST(!c.overdue[0].escalated);
  // Escalated after 10 + 5: on Sunday 22/03 and Monday 23/03, 14 whole working days lie between
  // (03-20/03); on Tuesday 24/03, 15.
  for (const char* day : {"2026-03-22T07:00:00+07:00", "2026-03-23T07:00:00+07:00"}) {
    db.clock.set(*parse_instant(day, 420));
    c = tick.scheduler.cycle_report(2026, ReadScope::unrestricted());
    BOOST_REQUIRE_EQUAL(c.overdue.size(), 1u);
    BOOST_TEST(c.overdue[0].line.waited == 14);
    BOOST_TEST(!c.overdue[0].escalated);
  }
  db.clock.set(*parse_instant("2026-03-24T07:00:00+07:00", 420));
  c = tick.scheduler.cycle_report(2026, ReadScope::unrestricted());
  BOOST_REQUIRE_EQUAL(c.overdue.size(), 1u);
  BOOST_TEST(c.overdue[0].line.waited == 15);
  BOOST_TEST(c.overdue[0].escalated);
  BOOST_TEST(c.milestones.size() == 4u);  // ideas_close, plans_close, two round cut-offs
  BOOST_TEST(tick.scheduler.cycle_report(2031, ReadScope::unrestricted()).status.exit_code() == 3);
}

BOOST_AUTO_TEST_SUITE_END()
