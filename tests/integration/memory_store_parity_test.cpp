// MemoryStore (tests/support) against the real store: the same events, tick and delivery on a
// SOCI store (SQLite, or PostgreSQL in the _postgresql run) and on a MemoryStore, at the same
// clock, must give the same answers and leave the same dossiers, trail (hash for hash),
// certificates, scoresheets, documents, outbox, cycles and counts. What the fast engine tests
// learn on the MemoryStore thus holds for the database.
#include "cycle_machine.hpp"
#include "fixture.hpp"
#include "memory_store.hpp"
#include "ocop/dispatch.hpp"
#include "ocop/scheduler.hpp"
#include "ocop/transaction.hpp"
#include "promotion_samples.hpp"

using namespace ocop;
using nlohmann::json;
using ocop::testing::Db;
using ocop::testing::doc;
using ocop::testing::MemoryStore;
using ocop::testing::new_product;
using ocop::testing::sample_activity;
using ocop::testing::sample_inspection;
using ocop::testing::sample_participation;

namespace {

std::string text(const Dossier& d) {
  auto opt = [](const auto& o) { return o ? std::to_string(*o) : std::string("-"); };
  return d.id + "|" + std::string(to_string(d.state)) + "|" + std::to_string(d.version) + "|" + d.unit + "|" +
         d.product + "|" + d.product_set + "|" + d.producer + "|" + std::to_string(d.year) + "|" +
         d.rule_set + "|" + std::to_string(d.level_index) + "|" + d.level + "|" + d.registration_type + "|" +
         d.base_certificate + "|" + opt(d.score) + "|" + opt(d.stars) + "|" + d.certificate + "|" + d.round +
         "|" + d.assessment + "|" + std::to_string(d.created_at.seconds) + "|" +
         std::to_string(d.updated_at.seconds) + "|" + std::to_string(d.state_since.seconds);
}

std::string text(const Certificate& c) {
  return c.id + "|" + c.dossier + "|" + c.product + "|" + c.product_set + "|" + c.unit + "|" +
         std::to_string(c.stars) + "|" + c.level + "|" + c.decision_no + "|" + format_date(c.decision_date) +
         "|" + format_date(c.issued_on) + "|" + format_date(c.valid_until) + "|" + c.state + "|" +
         c.superseded_by + "|" + c.revocation_ground + "|" + c.revocation_decision_no + "|" +
         (c.revoked_on ? format_date(*c.revoked_on) : "-");
}

std::string text(const AuditRecord& r) {
  return std::to_string(r.seq) + "|" + r.at_text + "|" + r.actor + "|" + r.role + "|" + r.dossier + "|" +
         r.event + "|" + r.from_state + "|" + r.to_state + "|" + r.level + "|" + r.data + "|" + r.prev_hash +
         "|" + r.hash;
}

std::string text(const OutboxMessage& m) {
  return std::to_string(m.id) + "|" + m.dedupe_key + "|" + m.channel + "|" + m.recipient + "|" + m.subject +
         "|" + m.body + "|" + m.cause + "|" + m.dossier + "|" + std::to_string(m.created_at.seconds) + "|" +
         m.state + "|" + std::to_string(m.attempts) + "|" + std::to_string(m.next_attempt_at.seconds) + "|" +
         m.last_error + "|" + std::to_string(m.sent_at.seconds) + "|" + m.claimed_by + "|" +
         std::to_string(m.lease_until.seconds);
}

std::string text(const Document& d) {
  return d.dossier + "|" + d.kind + "|" + d.name + "|" + d.sha256 + "|" + std::to_string(d.bytes) + "|" +
         std::to_string(d.at.seconds);
}

std::string text(const Scoresheet& s) {
  return s.dossier + "|" + s.level + "|" + s.member + "|" + std::to_string(s.a) + "|" + std::to_string(s.b) +
         "|" + std::to_string(s.c);
}

std::string text(const CountRow& r) { return r.a + "|" + r.b + "|" + std::to_string(r.n); }

using ocop::testing::text;  // activities, participations, inspections

template <typename T>
std::vector<std::string> texts(const std::vector<T>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(text(x));
  return out;
}

// The same engine twice: Db's SOCI store and a MemoryStore, one configuration and clock.
struct Twin {
  Db db;
  MemoryStore memory;
  Executor mex{db.config, *db.lifecycle, *db.certificates, memory, db.clock};

  void fire(const std::string& event, const std::string& dossier, const std::string& actor,
            json data = json::object(), bool must_pass = true) {
    EventRequest req;
    req.event = event;
    req.dossier = dossier;
    req.actor = actor;
    req.data = std::move(data);
    db.clock.set(Instant{db.clock.now().seconds + 3600});
    FireResult a = db.ex->fire(req);
    FireResult b = mex.fire(req);
    BOOST_TEST_INFO(event << " " << dossier << ": " << a.status.message());
    BOOST_TEST(a.status.exit_code() == b.status.exit_code());
    BOOST_TEST(a.status.message() == b.status.message());
    if (must_pass) BOOST_REQUIRE(a.status.ok());
  }

  void same() {
    Store& s = *db.store;
    Store& m = memory;
    BOOST_TEST(texts(s.list_dossiers({})) == texts(m.list_dossiers({})), boost::test_tools::per_element());
    BOOST_TEST(texts(s.certificates({})) == texts(m.certificates({})), boost::test_tools::per_element());
    BOOST_TEST(texts(s.outbox("", 0)) == texts(m.outbox("", 0)), boost::test_tools::per_element());
    std::vector<std::string> trail_s, trail_m;
    s.scan_audit([&](const AuditRecord& r) {
      trail_s.push_back(text(r));
      return true;
    });
    m.scan_audit([&](const AuditRecord& r) {
      trail_m.push_back(text(r));
      return true;
    });
    BOOST_TEST(trail_s == trail_m, boost::test_tools::per_element());
    BOOST_TEST(s.audit_head().hash == m.audit_head().hash);
    for (const auto& d : s.list_dossiers({})) {
      BOOST_TEST(texts(s.history(d.id)) == texts(m.history(d.id)), boost::test_tools::per_element());
      BOOST_TEST(texts(s.documents(d.id)) == texts(m.documents(d.id)), boost::test_tools::per_element());
      // Any dossier's, one in its own unit's, none in another unit's (a reader's scope).
      for (const auto& doc : s.documents(d.id))
        for (const auto& units : std::vector<std::vector<std::string>>{{}, {d.unit}, {"NOWHERE"}}) {
          auto fs = s.find_document(doc.sha256, units), fm = m.find_document(doc.sha256, units);
          BOOST_TEST((fs ? text(*fs) : "-") == (fm ? text(*fm) : "-"));
          BOOST_TEST(fs.has_value() == (units.empty() || units[0] == d.unit));
        }
      for (const char* level : {"province", "central"})
        BOOST_TEST(texts(s.scoresheets(d.id, level)) == texts(m.scoresheets(d.id, level)),
                   boost::test_tools::per_element());
      BOOST_TEST(s.dossier_creator(d.id) == m.dossier_creator(d.id));
    }
    // Each dossier's producer in the order asked, empty for an id that is none (SociStore's own
    // query against the port's default through load_dossier).
    std::vector<std::string> ids = {"NOWHERE-1"};
    for (const auto& d : s.list_dossiers({})) ids.push_back(d.id);
    ids.push_back(ids.size() > 1 ? ids[1] : "NOWHERE-2");
    const auto producers = s.producers_of(ids);
    BOOST_TEST(producers == m.producers_of(ids), boost::test_tools::per_element());
    BOOST_REQUIRE(producers.size() == ids.size());
    BOOST_TEST(producers.front().empty());
    for (std::size_t i = 1; i < ids.size(); ++i)
      if (auto d = s.load_dossier(ids[i])) BOOST_TEST(producers[i] == d->producer);
    BOOST_TEST(texts(s.count_by_state_and_unit()) == texts(m.count_by_state_and_unit()),
               boost::test_tools::per_element());
    BOOST_TEST(
        texts(s.count_certificates_by_stars_and_unit()) == texts(m.count_certificates_by_stars_and_unit()),
        boost::test_tools::per_element());
    BOOST_TEST(texts(s.count_year_by_state_and_unit(2026)) == texts(m.count_year_by_state_and_unit(2026)),
               boost::test_tools::per_element());
    BOOST_TEST(
        texts(s.dossiers_waiting({State::submitted, State::under_review, State::recognized}, std::nullopt)) ==
            texts(
                m.dossiers_waiting({State::submitted, State::under_review, State::recognized}, std::nullopt)),
        boost::test_tools::per_element());
    BOOST_TEST(s.version_mismatches(10) == m.version_mismatches(10), boost::test_tools::per_element());
    BOOST_TEST(s.cycle_state(2026).value_or("-") == m.cycle_state(2026).value_or("-"));
    BOOST_TEST((s.last_tick() == m.last_tick()));
  }
};

struct FakeTransport : Transport {
  int calls = 0;
  std::string unavailable() const override { return ""; }
  Delivery send(const OutboxMessage&) override {
    ++calls;
    return calls % 2 ? Delivery{true, ""} : Delivery{false, "HTTP 503"};  // every other one fails
  }
};

// Spec §10's objects, written the same way into a store: activities of three units (one whose
// code holds `_`, one whose code would match it as a LIKE pattern), participations (one of an
// activity that is not stored), inspections, a dossier, money above 2^31 up to 9e15, and a
// few audit records.
void fill_after_recognition(Store& s) {
  Transaction tx(s);
  Dossier d;
  d.id = "BX-2026-000001";
  d.state = State::recognized;
  d.version = 1;
  d.unit = "BX-C0001";
  d.product = "Chè";
  d.product_set = "tea";
  d.producer = "HTX";
  d.year = 2026;
  d.level_index = 1;
  d.created_at = d.updated_at = d.state_since = Instant{1'780'000'000};
  s.insert_dossier(d);
  s.insert_activity(sample_activity("B-XT-2026-002", "B", make_date(2026, 9, 1), "registration_open"));
  s.insert_activity(sample_activity("B-XT-2026-001", "B", make_date(2026, 9, 1), "planned"));
  s.insert_activity(sample_activity("A-XT-2027-001", "A", make_date(2027, 1, 5), "planned"));
  Activity finished = sample_activity("A-XT-2026-001", "A", make_date(2026, 5, 1), "finished");
  finished.open_to = {};
  finished.reason = "Đã tổng kết";
  finished.policy.booth_fee_vnd = 0;
  s.insert_activity(finished);
  s.insert_activity(sample_activity("B_X-XT-2026-001", "B_X", make_date(2026, 9, 1)));
  s.insert_activity(sample_activity("B_X-XT-2026-002", "B_X", make_date(2026, 9, 2)));
  s.insert_activity(sample_activity("BAX-XT-2026-001", "BAX", make_date(2026, 9, 1)));
  s.insert_activity(sample_activity("B_X-XT-2026", "B_X", make_date(2026, 9, 1)));
  s.insert_activity(sample_activity("B_X-XT-20260-001", "B_X", make_date(2026, 9, 1)));
  auto part = [&](const std::string& activity, const std::string& dossier, const std::string& state,
                  const std::string& producer = "HTX Chè Cao Bồ") {
    Participation p = sample_participation(activity, dossier, state);
    p.producer = producer;
    if (state == "reported") {
      p.support_vnd = 4'000'000'000LL;
      p.revenue_vnd = 9'000'000'000'000'000LL;
      p.contracts = 2'147'483'648LL;
      p.buyers = 0;
      p.note = "Bán hết";
    }
    s.insert_participation(p);
  };
  part("B-XT-2026-002", "D1", "selected");
  part("B-XT-2026-001", "D2", "applied", "HTX khác");
  part("B-XT-2026-001", "D1", "waitlisted");
  part("A-XT-2026-001", "D1", "reported");
  part("A-XT-2026-001", "D2", "selected");
  part("GONE-XT-2026-001", "D3", "applied");
  auto ins = [&](const std::string& id, Date due, const std::string& state, std::optional<Date> remedy = {}) {
    Inspection i = sample_inspection(id, "C-" + id + "/province", due, state);
    i.remedy_due = remedy;
    i.unit = id.substr(0, id.find('-'));
    if (remedy) {
      i.result = "remedy_required";
      i.recorded_on = make_date(2026, 4, 2);
      i.findings = R"([{"criterion":"Nhãn mác","note":"Thiếu hạn dùng"}])";
    }
    s.insert_inspection(i);
  };
  ins("B_X-HK-2026-001", make_date(2026, 5, 1), "planned");
  ins("Y-HK-2026-002", make_date(2026, 4, 1), "planned");
  ins("X-HK-2026-001", make_date(2026, 4, 1), "remedy_required", make_date(2026, 5, 15));
  ins("X-HK-2027-001", make_date(2027, 2, 1), "planned");
  // The trail: the dossier's and the first activity's records match their versions; the
  // participation B-XT-2026-001/D1 has none; a record of an id that is no object.
  for (const std::string& id : {std::string("BX-2026-000001"), std::string("B-XT-2026-002"),
                                std::string("A-XT-2026-001/D1"), std::string("NOWHERE-1")}) {
    AuditRecord r;
    r.at = Instant{1'780'000'000};
    r.actor = "coordinator";
    r.role = "coordinator";
    r.dossier = id;
    r.event = "annotate";
    r.from_state = r.to_state = "planned";
    r.data = "{}";
    s.append_to_chain(r);
  }
  tx.commit();
}

// Every read of spec §10's objects, labelled, as text.
std::vector<std::string> after_recognition_reads(Store& s) {
  std::vector<std::string> out;
  auto add = [&](const std::string& label, const auto& rows) {
    out.push_back(label + ": " + std::to_string(rows.size()) + " row(s)");
    for (const auto& r : rows) out.push_back(label + ": " + text(r));
  };
  add("all activities", s.activities({}));
  ActivityFilter af;
  af.year = 2026;
  af.units = {"B", "B_X"};
  add("activities of 2026 of B, B_X", s.activities(af));
  af = {};
  af.state = "planned";
  af.states = {"planned", "finished"};
  af.limit = 2;
  add("planned activities, 2", s.activities(af));
  af = {};
  af.day_from = make_date(2026, 8, 12);
  af.day_to = make_date(2026, 8, 22);
  add("activities with a date in [08-12, 08-22]", s.activities(af));
  af.day_to = make_date(2026, 8, 21);
  add("activities with a date in [08-12, 08-21]", s.activities(af));
  af = {};
  af.day_from = make_date(2026, 12, 7);
  add("activities with a date from 12-07", s.activities(af));
  af = {};
  af.day_to = make_date(2026, 4, 21);
  add("activities with a date until 04-21", s.activities(af));
  af = {};
  af.units = {"\xff\xfe"};
  add("activities of a unit that is not UTF-8", s.activities(af));
  for (const char* column : {"registration_opens", "registration_closes", "starts", "ends"})
    add(std::string("due by ") + column,
        s.activities_due({"planned", "registration_open"}, column, make_date(2026, 9, 1)));
  add("due: no states", s.activities_due({}, "ends", make_date(2030, 1, 1)));

  add("all participations", s.participations({}));
  ParticipationFilter pf;
  pf.activity = "B-XT-2026-001";
  pf.producer = "HTX Chè Cao Bồ";
  add("one producer's at B-XT-2026-001", s.participations(pf));
  pf = {};
  pf.dossier = "D1";
  pf.states = {"selected", "reported"};
  add("D1 selected or reported", s.participations(pf));
  pf = {};
  pf.certificate = "D2/province";
  add("of certificate D2/province", s.participations(pf));
  pf = {};
  pf.states = {"selected"};
  pf.activity_states = {"finished"};
  pf.ends_on_or_before = make_date(2026, 5, 4);
  add("selected at finished activities ended by 05-04", s.participations(pf));
  pf.ends_on_or_before = make_date(2026, 5, 3);
  add("selected at finished activities ended by 05-03", s.participations(pf));
  pf = {};
  pf.activity_states = {"planned", "registration_open", "finished"};
  pf.limit = 3;
  add("at planned, open or finished activities, 3", s.participations(pf));
  pf = {};
  pf.units = {"BX-C0001", "Y"};
  add("participations of BX-C0001, Y", s.participations(pf));
  pf.units = {"Y"};
  add("participations of Y", s.participations(pf));

  // A reader's scope (ocop/read_scope.hpp): the records of some objects only.
  auto scoped = [&](const std::string& label, const AuditFilter& f) {
    std::vector<AuditRecord> rows;
    s.scan_audit_of(f, [&](const AuditRecord& r) {
      rows.push_back(r);
      return true;
    });
    add(label, rows);
  };
  scoped("records of BX-C0001's objects", AuditFilter{{"BX-C0001"}, {}, ""});
  scoped("records of activities of B, A", AuditFilter{{}, {"B", "A"}, ""});
  scoped("records of X and user:lan", AuditFilter{{"X"}, {}, "user:lan"});
  scoped("records of nothing", AuditFilter{});

  add("all inspections", s.inspections({}));
  InspectionFilter inf;
  inf.year = 2026;
  add("inspections due in 2026", s.inspections(inf));
  inf = {};
  inf.units = {"X"};
  inf.state = "planned";
  add("planned inspections of X", s.inspections(inf));
  inf = {};
  inf.states = {"planned"};
  inf.due_from = make_date(2026, 4, 1);
  inf.due_to = make_date(2026, 4, 1);
  add("planned, due on 04-01", s.inspections(inf));
  inf = {};
  inf.remedy_due_to = make_date(2026, 5, 15);
  add("remedy due by 05-15", s.inspections(inf));
  inf.remedy_due_from = make_date(2026, 5, 16);
  add("remedy due in [05-16, 05-15]", s.inspections(inf));
  inf = {};
  inf.certificate = "C-X-HK-2027-001/province";
  inf.limit = 1;
  add("of certificate C-X-HK-2027-001/province", s.inspections(inf));

  for (const char* id : {"B-XT-2026-001", "A-XT-2026-001", "missing", "\xff"}) {
    auto a = s.load_activity(id);
    out.push_back(std::string("activity ") + id + ": " + (a ? text(*a) : "none"));
  }
  for (const char* id : {"A-XT-2026-001/D1", "B-XT-2026-001/D2", "B-XT-2026-001"}) {
    auto p = s.load_participation(id);
    out.push_back(std::string("participation ") + id + ": " + (p ? text(*p) : "none"));
  }
  for (const char* id : {"X-HK-2026-001", "Y-HK-2026-002", "B-XT-2026-001"}) {
    auto i = s.load_inspection(id);
    out.push_back(std::string("inspection ") + id + ": " + (i ? text(*i) : "none"));
  }
  for (const char* id : {"BX-2026-000001", "B-XT-2026-001", "A-XT-2026-001/D1", "X-HK-2026-001",
                         "BX-2026-000001/province", "B-XT-2026-003", "\xff"})
    out.push_back(std::string("taken ") + id + ": " + (s.object_id_taken(id) ? "yes" : "no"));
  for (const char* prefix : {"B_X-XT-2026", "B-XT-2026", "BAX-XT-2026", "B_X-HK-2026", "X-HK-2026",
                             "B%-XT-2026", "B_X", "Z-XT-2026"})
    out.push_back(std::string("ids with prefix ") + prefix + ": " +
                  std::to_string(s.count_ids_with_prefix(prefix)));
  for (const auto& m : s.version_mismatches(20)) out.push_back("mismatch: " + m);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(memory_store_parity)

BOOST_AUTO_TEST_CASE(after_recognition_objects_read_back_the_same_from_both_stores) {
  Db db;
  MemoryStore memory;
  Store& s = *db.store;
  Store& m = memory;
  fill_after_recognition(s);
  fill_after_recognition(m);
  auto rs = after_recognition_reads(s), rm = after_recognition_reads(m);
  BOOST_TEST(rs == rm, boost::test_tools::per_element());
  // Not both wrong the same way: orders, filters and sums pinned here (the unit tests pin more).
  auto has = [&](const std::string& line) {
    BOOST_TEST((std::find(rs.begin(), rs.end(), line) != rs.end()), line);
  };
  has("ids with prefix B_X-XT-2026: 2");
  has("ids with prefix B-XT-2026: 2");
  has("ids with prefix B%-XT-2026: 0");
  has("ids with prefix B_X-HK-2026: 1");
  has("taken A-XT-2026-001/D1: yes");
  has("taken BX-2026-000001/province: no");
  has("activities with a date in [08-12, 08-21]: 0 row(s)");
  has("selected at finished activities ended by 05-04: 1 row(s)");
  has("remedy due in [05-16, 05-15]: 0 row(s)");
  has("participations of BX-C0001, Y: 6 row(s)");
  has("participations of Y: 0 row(s)");
  has("records of BX-C0001's objects: 2 row(s)");  // the dossier's and A-XT-2026-001/D1's
  has("records of activities of B, A: 1 row(s)");  // B-XT-2026-002's
  has("records of nothing: 0 row(s)");
  has("mismatch: participation B-XT-2026-001/D1 is at version 1 but the trail holds 0 record(s) of it");
  has("mismatch: the trail has records of NOWHERE-1, which is not in the database");
  auto all = s.activities({});
  BOOST_REQUIRE(all.size() >= 2u);
  BOOST_TEST(all[0].id == "A-XT-2026-001");
  BOOST_TEST(all[1].id == "B-XT-2026-001");
  auto reported = *s.load_participation("A-XT-2026-001/D1");
  BOOST_TEST(*reported.revenue_vnd == 9'000'000'000'000'000LL);  // exactly: never through a double
  BOOST_TEST(*reported.contracts == 2'147'483'648LL);
  BOOST_TEST(reported.support_vnd == 4'000'000'000LL);
  BOOST_TEST(s.load_activity("B-XT-2026-001")->policy.support_cap_vnd == 9'000'000'000'000'000LL);
  BOOST_TEST(s.load_activity("B-XT-2026-001")->open_to == (std::vector<std::string>{"B", "BX-C0002"}),
             boost::test_tools::per_element());
  BOOST_TEST(s.load_activity("A-XT-2026-001")->open_to.empty());

  // Writes: conditional on the version, the identity left alone, inside a transaction (where the
  // PostgreSQL store's loads lock their rows); a stale version writes nothing.
  for (Store* st : {&s, &m}) {
    Transaction tx(*st);
    Activity a = *st->load_activity("B-XT-2026-001");
    Participation p = *st->load_participation("B-XT-2026-001/D2");
    Inspection i = *st->load_inspection("Y-HK-2026-002");
    a.version = 2;
    a.state = "cancelled";
    a.reason = "Bão số 3";
    a.unit = "elsewhere";  // identity: not written
    a.updated_at = a.state_since = Instant{1'790'000'000};
    p.version = 2;
    p.state = "selected";
    p.support_vnd = 9'000'000'000'000'000LL;
    p.producer = "elsewhere";  // identity
    i.version = 2;
    i.state = "violation";
    i.result = "violation";
    i.ground = "fraud";
    i.recorded_on = make_date(2026, 4, 1);
    i.findings = R"([{"criterion":"Chất lượng","note":"Không đạt"}])";
    i.level = "central";  // identity
    BOOST_TEST(!st->update_activity(a, 2));
    BOOST_TEST(!st->update_participation(p, 0));
    BOOST_TEST(!st->update_inspection(i, 3));
    BOOST_TEST(st->update_activity(a, 1));
    BOOST_TEST(st->update_participation(p, 1));
    BOOST_TEST(st->update_inspection(i, 1));
    BOOST_TEST(!st->update_activity(a, 1));                                                 // now at 2
    BOOST_TEST(!st->update_participation(sample_participation("B-XT-2026-001", "D9"), 1));  // no such row
    tx.commit();
  }
  BOOST_TEST(s.load_activity("B-XT-2026-001")->unit == "B");
  BOOST_TEST(s.load_participation("B-XT-2026-001/D2")->producer == "HTX khác");
  BOOST_TEST(s.load_inspection("Y-HK-2026-002")->level == "province");
  BOOST_TEST(s.load_participation("B-XT-2026-001/D2")->support_vnd == 9'000'000'000'000'000LL);
  rs = after_recognition_reads(s);
  rm = after_recognition_reads(m);
  BOOST_TEST(rs == rm, boost::test_tools::per_element());

  // Keys: the same id twice, or a second participation of one (activity, dossier), is refused by
  // both, and nothing is written.
  for (Store* st : {&s, &m}) {
    auto refused = [&](const std::function<void()>& write) {
      Transaction tx(*st);
      BOOST_CHECK_THROW(write(), StoreError);
    };
    refused([&] { st->insert_activity(sample_activity("B-XT-2026-001", "B", make_date(2026, 9, 1))); });
    refused([&] {
      st->insert_inspection(sample_inspection("X-HK-2026-001", "C/province", make_date(2026, 1, 1)));
    });
    refused([&] { st->insert_participation(sample_participation("B-XT-2026-001", "D1")); });
    Participation same_pair = sample_participation("B-XT-2026-001", "D1");
    same_pair.id = "B-XT-2026-001/D1-again";
    refused([&] { st->insert_participation(same_pair); });
    BOOST_CHECK_THROW(st->activities_due({"planned"}, "starts; DROP TABLE activities", make_date(2026, 1, 1)),
                      StoreError);
  }
  BOOST_TEST(s.participations({}).size() == 6u);
  BOOST_TEST(after_recognition_reads(s) == after_recognition_reads(m), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_same_work_leaves_the_same_store) {
  Twin t;
  for (auto& u : t.db.config.mutable_users())
    if (u.id == "producer.bx-c0001") u.email = "htx@bx.example.vn";
  t.db.config.index();

  // Three products: one to five stars, one returned, one revoked; refusals on the way.
  const std::string a = "BX-2026-000001", b = "BX-2026-000002", c = "BX-2026-000003";
  t.fire("submit_idea", "", "producer.bx-c0001", new_product(a));
  t.fire("accept_idea", a, "officer.bx-c0001");
  t.fire("submit_plan", a, "producer.bx-c0001");
  t.fire("approve_plan", a, "officer.bx-c0001");
  auto registration =
      json{{"registration_type", "new"}, {"documents", {doc("registration_form"), doc("self_assessment")}}};
  t.fire("register", a, "producer.bx-c0001", registration);
  t.fire("forward", a, "officer.bx-c0001", json::object(), false);  // refused: not accepted yet
  for (const auto& id : {b, c}) {
    auto data = new_product(id);
    data.update(registration);
    t.fire("register", "", "producer.bx-c0001", data);
  }
  t.fire("return_dossier", b, "officer.bx-c0001", {{"reason", "Thiếu phiếu"}, {"missing", {"test_report"}}});
  for (const auto& id : {a, c}) {
    t.fire("accept_dossier", id, "officer.bx-c0001");
    t.fire("assess", id, "officer.bx-c0001", {{"locality", {{"origin", 2}}}});
    t.fire("forward", id, "officer.bx-c0001");
    t.fire("accept_dossier", id, "coordinator", {{"round", "2026-1"}});
    for (int i = 1; i <= 5; ++i)
      t.fire("score", id, "member." + std::to_string(i), {{"A", 38}, {"B", 23}, {"C", 33}});
    t.fire("score", id, "member.1", {{"A", 37}, {"B", 23}, {"C", 33}}, false);  // replaces the sheet
    t.fire("close_scoring", id, "chair");
    t.fire("recognize", id, "signer", {{"decision_no", "1/QĐ-UBND"}, {"decision_date", "2026-10-30"}});
  }
  t.fire("revoke", c + "/province", "signer",
         {{"ground", "fraud"}, {"decision_no", "12/QĐ-UBND"}, {"decision_date", "2027-01-15"}});
  t.fire("forward", a, "coordinator");
  t.fire("accept_dossier", a, "central.coordinator", {{"round", "2026-C"}});
  for (int i = 1; i <= 5; ++i)
    t.fire("score", a, "central.member." + std::to_string(i), {{"A", 38}, {"B", 24}, {"C", 34}});
  t.fire("close_scoring", a, "central.chair");
  t.fire("recognize", a, "central.signer", {{"decision_no", "9/QĐ-BNNMT"}, {"decision_date", "2026-12-20"}});
  t.fire("annotate", "BX-2026-999999", "officer.bx-c0001", {{"note", "?"}}, false);  // not found
  t.same();

  // A tick on each (the cycle opens, reminders, certificate notices), then deliveries.
  auto cycles = workflows::make_cycle_lifecycle();
  Scheduler ss(t.db.config, *t.db.ex, *t.db.certificates, *cycles, *t.db.store, t.db.clock);
  Scheduler ms(t.db.config, t.mex, *t.db.certificates, *cycles, t.memory, t.db.clock);
  for (const char* day :
       {"2027-03-01T07:00:00+07:00", "2029-10-01T07:00:00+07:00", "2029-11-01T07:00:00+07:00"}) {
    t.db.clock.set(*parse_instant(day, 420));
    TickReport rs = ss.tick(false), rm = ms.tick(false);
    BOOST_TEST_INFO(day << ": " << rs.status.message());
    BOOST_TEST(rs.status.ok());
    BOOST_TEST(rs.queued.size() == rm.queued.size());
    BOOST_TEST(rs.notes == rm.notes, boost::test_tools::per_element());
    BOOST_TEST((rs.counts == rm.counts));
    t.same();
  }
  // The feed's read (Store::certificate_events): the same records, newest first, in pages.
  auto feed = [](Store& s, std::int64_t before, int limit) {
    std::vector<std::string> rows;
    for (const AuditRecord& r : s.certificate_events(before, limit))
      rows.push_back(std::to_string(r.seq) + " " + r.event + " " + r.dossier + " " + r.level + " " + r.hash);
    return rows;
  };
  const auto all = feed(*t.db.store, 0, 100);
  BOOST_TEST(all == feed(t.memory, 0, 100), boost::test_tools::per_element());
  std::string joined;
  for (const auto& row : all) joined += row + "\n";
  for (const char* event : {" recognize ", " revoke "}) BOOST_TEST(joined.find(event) != std::string::npos);
  BOOST_REQUIRE(all.size() >= 3u);
  const std::int64_t second = std::stoll(all[1]);
  BOOST_TEST(feed(*t.db.store, second, 2) == feed(t.memory, second, 2), boost::test_tools::per_element());
  BOOST_TEST(feed(*t.db.store, second, 2).front() == all[2]);
  BOOST_TEST(feed(*t.db.store, 1, 10).empty());

  FakeTransport st, mt;
  Dispatcher ds(t.db.config, *t.db.store, t.db.clock), dm(t.db.config, t.memory, t.db.clock);
  ds.set_transport("email", &st);
  dm.set_transport("email", &mt);
  ds.set_transport("webhook", nullptr);  // webhook messages are held: the same hold on both
  dm.set_transport("webhook", nullptr);
  ds.set_worker("w");
  dm.set_worker("w");
  for (int round = 0; round < 3; ++round) {
    auto rs = ds.run(0), rm = dm.run(0);
    BOOST_TEST(rs.sent == rm.sent);
    BOOST_TEST(rs.failed == rm.failed);
    BOOST_TEST(rs.held == rm.held);
    t.same();
    t.db.clock.set(Instant{t.db.clock.now().seconds + 7200});
  }
  BOOST_TEST(t.memory.outbox("sent", 0).size() > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
