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

using namespace ocop;
using nlohmann::json;
using ocop::testing::Db;
using ocop::testing::doc;
using ocop::testing::MemoryStore;
using ocop::testing::new_product;

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
      for (const char* level : {"province", "central"})
        BOOST_TEST(texts(s.scoresheets(d.id, level)) == texts(m.scoresheets(d.id, level)),
                   boost::test_tools::per_element());
      BOOST_TEST(s.dossier_creator(d.id) == m.dossier_creator(d.id));
    }
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

}  // namespace

BOOST_AUTO_TEST_SUITE(memory_store_parity)

BOOST_AUTO_TEST_CASE(the_same_work_leaves_the_same_store) {
  Twin t;
  for (auto& u : t.db.config.users)
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
