// The test doubles of tests/support: MemoryStore follows the SOCI store's semantics (orderings,
// filters, keys, version checks, claims, the audit chain) with real transactions; FaultyStore
// counts calls and fails the ones it is told to.
#include <boost/test/unit_test.hpp>

#include <stdexcept>

#include "faulty_store.hpp"
#include "memory_store.hpp"
#include "ocop/audit.hpp"
#include "ocop/transaction.hpp"
#include "promotion_samples.hpp"

using namespace ocop;
using ocop::testing::FaultyStore;
using ocop::testing::MemoryStore;
using ocop::testing::sample_activity;
using ocop::testing::sample_inspection;
using ocop::testing::sample_participation;
using ocop::testing::text;

namespace {

Instant at(const char* s) { return *parse_instant(s, 420); }

Dossier dossier(const std::string& id, State state = State::submitted,
                const char* since = "2026-03-02T08:00:00+07:00") {
  Dossier d;
  d.id = id;
  d.state = state;
  d.version = 1;
  d.unit = "TQ-VIETQUANG";
  d.product = "Chè " + id;
  d.product_set = "tea";
  d.producer = "HTX";
  d.year = 2026;
  d.rule_set = "R148_1489";
  d.level_index = 0;
  d.level = "commune";
  d.created_at = at(since);
  d.updated_at = d.created_at;
  d.state_since = d.created_at;
  return d;
}

OutboxMessage mail(const std::string& key, Instant due, const std::string& channel = "email") {
  OutboxMessage m;
  m.dedupe_key = key;
  m.channel = channel;
  m.recipient = "a@example.vn";
  m.subject = "Nhắc việc";
  m.body = "Kính gửi";
  m.cause = "test";
  m.created_at = due;
  m.next_attempt_at = due;
  return m;
}

AuditRecord record(const std::string& dossier, const std::string& event) {
  AuditRecord r;
  r.at = at("2026-03-02T08:00:00+07:00");
  r.actor = "producer.1";
  r.role = "producer";
  r.dossier = dossier;
  r.event = event;
  r.from_state = "none";
  r.to_state = "submitted";
  r.level = "commune";
  r.data = "{}";
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(memory_store)

BOOST_AUTO_TEST_CASE(writes_need_a_transaction_and_a_rollback_restores_everything) {
  MemoryStore s;
  BOOST_CHECK_THROW(s.insert_dossier(dossier("A")), std::logic_error);
  OutboxMessage m = mail("k1", at("2026-03-02T08:00:00+07:00"));
  BOOST_CHECK_THROW(s.enqueue(m), std::logic_error);
  BOOST_CHECK_THROW(s.record_tick(make_date(2026, 3, 2), Instant{}, "{}"), std::logic_error);
  BOOST_CHECK_THROW(s.commit(), std::logic_error);
  BOOST_CHECK_THROW(s.rollback(), std::logic_error);
  BOOST_TEST(!s.load_dossier("A"));

  s.begin();
  BOOST_CHECK_THROW(s.begin(), std::logic_error);
  s.insert_dossier(dossier("A"));
  s.append_to_chain(record("A", "register"));
  BOOST_REQUIRE(s.enqueue(m));
  BOOST_TEST(m.id == 1);
  BOOST_TEST(s.load_dossier("A").has_value());  // a transaction reads its own writes
  BOOST_TEST(s.audit_head().seq == 1);
  s.rollback();
  BOOST_TEST(!s.load_dossier("A"));
  BOOST_TEST(s.audit_head().seq == 0);
  BOOST_TEST(s.audit_head().hash == kGenesisHash);
  BOOST_TEST(s.outbox("", 0).empty());
  BOOST_TEST(s.rollbacks() == 1);

  {
    Transaction tx(s);
    s.insert_dossier(dossier("A"));
    OutboxMessage again = mail("k1", at("2026-03-02T08:00:00+07:00"));
    BOOST_REQUIRE(s.enqueue(again));
    BOOST_TEST(again.id == 1);  // ids restart after a rollback, as SQLite's do
    tx.commit();
  }
  BOOST_TEST(s.load_dossier("A")->version == 1);
  BOOST_TEST(s.commits() == 1);
  BOOST_TEST(!s.in_transaction());
}

BOOST_AUTO_TEST_CASE(keys_are_unique_as_the_schema_makes_them) {
  MemoryStore s;
  Transaction tx(s);
  s.insert_dossier(dossier("A"));
  try {
    s.insert_dossier(dossier("A"));
    BOOST_FAIL("a second dossier A was accepted");
  } catch (const StoreError& e) {
    BOOST_TEST(!e.retryable());
  }
  s.put_key("key-1", "A", "{}");
  BOOST_CHECK_THROW(s.put_key("key-1", "A", "{}"), StoreError);
  BOOST_TEST(*s.find_key("key-1") == "{}");
  BOOST_TEST(!s.find_key("key-2"));
  Certificate c;
  c.id = "A/province";
  c.dossier = "A";
  s.insert_certificate(c);
  BOOST_CHECK_THROW(s.insert_certificate(c), StoreError);
  AuditRecord r = record("A", "register");
  r.seq = 1;
  s.append_audit(r);
  BOOST_CHECK_THROW(s.append_audit(r), StoreError);
  OutboxMessage m1 = mail("same", Instant{}), m2 = mail("same", Instant{});
  BOOST_TEST(s.enqueue(m1));
  BOOST_TEST(!s.enqueue(m2));  // the dedupe key: nothing written
  BOOST_TEST(s.outbox("", 0).size() == 1u);
}

BOOST_AUTO_TEST_CASE(update_dossier_checks_the_version_and_writes_what_the_soci_store_writes) {
  MemoryStore s;
  Transaction tx(s);
  Dossier d = dossier("A");
  s.insert_dossier(d);
  Dossier n = d;
  n.version = 2;
  n.state = State::under_review;
  n.state_since = at("2026-03-03T08:00:00+07:00");
  n.score = 42.5;
  n.unit = "elsewhere";  // never written by an update
  n.product = "renamed";
  BOOST_TEST(s.update_dossier(n, d));
  Dossier stored = *s.load_dossier("A");
  BOOST_TEST(stored.version == 2);
  BOOST_TEST(stored.state == State::under_review);
  BOOST_TEST(*stored.score == 42.5);
  BOOST_TEST(stored.unit == "TQ-VIETQUANG");
  BOOST_TEST(stored.product == "Chè A");
  // `before` at version 1 is stale now: a conflict, nothing written
  Dossier stale = n;
  stale.version = 3;
  stale.state = State::returned;
  BOOST_TEST(!s.update_dossier(stale, d));
  BOOST_TEST(s.load_dossier("A")->state == State::under_review);
  BOOST_TEST(!s.update_dossier(dossier("missing"), dossier("missing")));
}

BOOST_AUTO_TEST_CASE(reads_come_in_the_soci_stores_orders_and_filters) {
  MemoryStore s;
  Transaction tx(s);
  s.insert_dossier(dossier("C", State::submitted, "2026-03-01T08:00:00+07:00"));
  s.insert_dossier(dossier("A", State::submitted, "2026-03-03T08:00:00+07:00"));
  s.insert_dossier(dossier("B", State::submitted, "2026-03-01T08:00:00+07:00"));
  Dossier other = dossier("D", State::under_review);
  other.unit = "HG-BQ-VIETQUANG";
  other.year = 2025;
  s.insert_dossier(other);

  auto all = s.list_dossiers({});
  BOOST_REQUIRE(all.size() == 4u);
  BOOST_TEST(all[0].id == "A");
  BOOST_TEST(all[3].id == "D");
  DossierFilter f;
  f.state = "submitted";
  f.limit = 2;
  auto some = s.list_dossiers(f);
  BOOST_REQUIRE(some.size() == 2u);
  BOOST_TEST(some[1].id == "B");
  DossierFilter by_unit;
  by_unit.units = {"HG-BQ-VIETQUANG"};
  BOOST_TEST(s.list_dossiers(by_unit).size() == 1u);
  DossierFilter by_year;
  by_year.year = 2026;
  BOOST_TEST(s.list_dossiers(by_year).size() == 3u);
  BOOST_TEST(s.count_dossiers_created(2026) == 3);

  // waiting: by state_since, then id; entered_before is strict
  auto waiting = s.dossiers_waiting({State::submitted}, std::nullopt);
  BOOST_REQUIRE(waiting.size() == 3u);
  BOOST_TEST(waiting[0].id == "B");
  BOOST_TEST(waiting[1].id == "C");
  BOOST_TEST(waiting[2].id == "A");
  BOOST_TEST(s.dossiers_waiting({State::submitted}, at("2026-03-01T08:00:00+07:00")).empty());
  BOOST_TEST(
      s.dossiers_waiting({State::submitted, State::under_review}, at("2026-03-02T08:00:01+07:00")).size() ==
      3u);
  BOOST_TEST(s.dossiers_waiting({}, std::nullopt).empty());

  auto counts = s.count_by_state_and_unit();
  BOOST_REQUIRE(counts.size() == 2u);
  BOOST_TEST(counts[0].a == "submitted");
  BOOST_TEST(counts[0].n == 3);
  BOOST_TEST(counts[1].a == "under_review");
  BOOST_TEST(counts[1].b == "HG-BQ-VIETQUANG");
  BOOST_TEST(s.count_year_by_state_and_unit(2025).size() == 1u);

  // documents: by at, kind, name; find_document: the earliest
  s.add_document(Document{"A", "self_assessment", "b.pdf", "h1", 10, at("2026-03-02T09:00:00+07:00")});
  s.add_document(Document{"A", "registration_form", "a.pdf", "h2", 10, at("2026-03-02T09:00:00+07:00")});
  s.add_document(Document{"B", "registration_form", "c.pdf", "h1", 10, at("2026-03-01T09:00:00+07:00")});
  auto docs = s.documents("A");
  BOOST_REQUIRE(docs.size() == 2u);
  BOOST_TEST(docs[0].kind == "registration_form");
  BOOST_TEST(s.find_document("h1", {})->dossier == "B");
  BOOST_TEST(!s.find_document("h3", {}));
  BOOST_TEST(s.document_kinds("A").size() == 2u);

  // scoresheets: one per member, replaced, by member
  s.put_scoresheet(Scoresheet{"A", "province", "m2", 1, 2, 3});
  s.put_scoresheet(Scoresheet{"A", "province", "m1", 1, 2, 3});
  s.put_scoresheet(Scoresheet{"A", "province", "m2", 4, 5, 6});
  s.put_scoresheet(Scoresheet{"A", "central", "m1", 1, 1, 1});
  auto sheets = s.scoresheets("A", "province");
  BOOST_REQUIRE(sheets.size() == 2u);
  BOOST_TEST(sheets[0].member == "m1");
  BOOST_TEST(sheets[1].total() == 15.0);

  // certificates: filters, by valid_until then id; the report counts those in force
  auto cert = [](const std::string& id, int stars, Date until, const std::string& state) {
    Certificate c;
    c.id = id;
    c.dossier = id.substr(0, 1);
    c.unit = "TQ-VIETQUANG";
    c.stars = stars;
    c.valid_until = until;
    c.state = state;
    return c;
  };
  s.insert_certificate(cert("B/province", 4, make_date(2029, 1, 1), "active"));
  s.insert_certificate(cert("A/province", 3, make_date(2029, 1, 1), "expiring"));
  s.insert_certificate(cert("C/province", 3, make_date(2028, 1, 1), "revoked"));
  auto certs = s.certificates({});
  BOOST_REQUIRE(certs.size() == 3u);
  BOOST_TEST(certs[0].id == "C/province");
  BOOST_TEST(certs[1].id == "A/province");
  CertificateFilter cf;
  cf.valid_until_on_or_before = make_date(2028, 12, 31);
  BOOST_TEST(s.certificates(cf).size() == 1u);
  cf = {};
  cf.stars = 3;
  cf.state = "expiring";
  BOOST_TEST(s.certificates(cf).size() == 1u);
  auto by_stars = s.count_certificates_by_stars_and_unit();
  BOOST_REQUIRE(by_stars.size() == 2u);
  BOOST_TEST(by_stars[0].a == "3");
  BOOST_TEST(by_stars[0].n == 1);
  Certificate revoked = *s.load_certificate("B/province");
  revoked.state = "revoked";
  revoked.stars = 1;  // not written by update_certificate
  s.update_certificate(revoked);
  BOOST_TEST(s.load_certificate("B/province")->state == "revoked");
  BOOST_TEST(s.load_certificate("B/province")->stars == 4);
}

BOOST_AUTO_TEST_CASE(the_audit_chain_links_verifies_and_compares_with_versions) {
  MemoryStore s;
  Transaction tx(s);
  s.insert_dossier(dossier("A"));
  s.append_to_chain(record("A", "register"));
  s.append_to_chain(record("B", "register"));
  BOOST_TEST(s.audit_head().seq == 2);
  auto h = s.history("A");
  BOOST_REQUIRE(h.size() == 1u);
  BOOST_TEST(h[0].prev_hash == kGenesisHash);
  BOOST_TEST(h[0].at_text == format_instant(h[0].at, 0));
  BOOST_TEST(s.dossier_creator("A") == "producer.1");
  BOOST_TEST(s.dossier_creator("Z").empty());
  ChainVerifier v;
  int fed = 0;
  s.scan_audit([&](const AuditRecord& r) {
    ++fed;
    return v.feed(r);
  });
  BOOST_TEST(fed == 2);
  BOOST_TEST(v.ok());
  auto m = s.version_mismatches(10);  // B has records but no dossier
  BOOST_REQUIRE(m.size() == 1u);
  BOOST_TEST(m[0] == "the trail has records of B, which is not in the database");
  s.insert_dossier(dossier("C"));  // version 1, no record
  m = s.version_mismatches(10);
  BOOST_REQUIRE(m.size() == 2u);
  BOOST_TEST(m[0] == "dossier C is at version 1 but the trail holds 0 record(s) of it");
}

BOOST_AUTO_TEST_CASE(the_outbox_claims_settles_holds_and_retries_like_the_soci_store) {
  MemoryStore s;
  const Instant t0 = at("2026-03-02T08:00:00+07:00");
  const Instant later{t0.seconds + 3600};
  s.begin();
  OutboxMessage a = mail("a", Instant{t0.seconds + 10}), b = mail("b", t0), c = mail("c", later),
                h = mail("h", t0, "webhook");
  for (auto* m : {&a, &b, &c, &h}) BOOST_REQUIRE(s.enqueue(*m));
  // held: pending and due, of the channel; only last_error changes
  BOOST_TEST(s.hold_outbox("webhook", t0, "no secret") == 1);
  BOOST_TEST(s.outbox_message(h.id)->last_error == "no secret");
  BOOST_TEST(s.outbox_message(h.id)->state == "pending");
  BOOST_CHECK_THROW(s.claim_outbox({"Email"}, t0, later, "w1", 10, 3), StoreError);
  BOOST_TEST(s.claim_outbox({}, later, later, "w1", 10, 3).empty());

  // due ones, oldest due first
  auto claimed = s.claim_outbox({"email"}, Instant{t0.seconds + 10}, Instant{t0.seconds + 600}, "w1", 10, 3);
  BOOST_REQUIRE(claimed.size() == 2u);
  BOOST_TEST(claimed[0].dedupe_key == "b");
  BOOST_TEST(claimed[1].dedupe_key == "a");
  BOOST_TEST(claimed[0].state == "sending");
  BOOST_TEST(claimed[0].attempts == 1);
  BOOST_TEST(claimed[0].claimed_by == "w1");
  // a held claim is not taken again before its lease runs out
  BOOST_TEST(s.claim_outbox({"email"}, Instant{t0.seconds + 600}, later, "w2", 10, 3).empty());
  // settling: only the holder
  OutboxMessage sent = claimed[0];
  sent.state = "sent";
  sent.sent_at = Instant{t0.seconds + 20};
  BOOST_TEST(!s.settle_outbox(sent, "w2"));
  BOOST_TEST(s.settle_outbox(sent, "w1"));
  BOOST_TEST(!s.settle_outbox(sent, "w1"));  // no longer sending
  auto stored = *s.outbox_message(sent.id);
  BOOST_TEST(stored.state == "sent");
  BOOST_TEST(stored.claimed_by.empty());
  BOOST_TEST(stored.sent_at.seconds == t0.seconds + 20);
  // a lapsed lease: taken by another deliverer, attempts + 1
  auto retaken = s.claim_outbox({"email"}, Instant{t0.seconds + 601}, later, "w2", 1, 3);
  BOOST_REQUIRE(retaken.size() == 1u);
  BOOST_TEST(retaken[0].dedupe_key == "a");
  BOOST_TEST(retaken[0].attempts == 2);
  BOOST_TEST(!s.settle_outbox(retaken[0], "w1"));  // w1 lost its claim
  // a lapsed lease on the last attempt: dead
  auto third = s.claim_outbox({"email"}, Instant{later.seconds + 1}, Instant{later.seconds + 2}, "w3", 1, 3);
  BOOST_REQUIRE(third.size() == 1u);
  BOOST_TEST(third[0].dedupe_key == "a");  // due at t0+10, before c
  BOOST_TEST(third[0].attempts == 3);
  s.claim_outbox({"email"}, Instant{later.seconds + 3}, Instant{later.seconds + 4}, "w4", 0, 3);  // limit 0
  BOOST_TEST(s.outbox_message(a.id)->state == "sending");
  auto next =
      s.claim_outbox({"email"}, Instant{later.seconds + 3}, Instant{later.seconds + 600}, "w4", 10, 3);
  BOOST_TEST(s.outbox_message(a.id)->state == "dead");
  BOOST_TEST(s.outbox_message(a.id)->last_error.find("the deliverer stopped") == 0u);
  BOOST_REQUIRE(next.size() == 1u);
  BOOST_TEST(next[0].dedupe_key == "c");
  // retry: dead or pending back to pending, attempts 0; not sending or sent
  BOOST_TEST(!s.retry_outbox(c.id, later));
  BOOST_TEST(!s.retry_outbox(sent.id, later));
  BOOST_TEST(s.retry_outbox(a.id, later));
  BOOST_TEST(s.outbox_message(a.id)->attempts == 0);
  BOOST_TEST(s.outbox_message(a.id)->state == "pending");
  BOOST_TEST(!s.retry_outbox(999, later));
  BOOST_TEST(s.outbox("pending", 0).size() == 2u);
  BOOST_TEST(s.outbox("", 2).size() == 2u);
  s.commit();
}

BOOST_AUTO_TEST_CASE(cycles_move_only_from_the_expected_state_and_ticks_are_recorded_per_day) {
  MemoryStore s;
  Transaction tx(s);
  BOOST_TEST(!s.cycle_state(2026));
  BOOST_TEST(s.put_cycle_state(2026, "planned", "open", at("2026-01-02T07:00:00+07:00")));
  BOOST_TEST(!s.put_cycle_state(2026, "planned", "open", at("2026-01-02T07:00:00+07:00")));
  BOOST_TEST(*s.cycle_state(2026) == "open");
  BOOST_TEST(s.put_cycle_state(2026, "open", "closed", at("2026-12-31T07:00:00+07:00")));
  BOOST_TEST(*s.cycle_state(2026) == "closed");

  BOOST_TEST(!s.last_tick());
  s.record_tick(make_date(2026, 3, 2), at("2026-03-02T07:00:00+07:00"), "{\"a\":1}");
  s.record_tick(make_date(2026, 3, 1), at("2026-03-01T07:00:00+07:00"), "{}");
  s.record_tick(make_date(2026, 3, 2), at("2026-03-02T15:00:00+07:00"), "{\"a\":2}");
  BOOST_TEST(format_date(*s.last_tick()) == "2026-03-02");
  BOOST_TEST(s.tick(make_date(2026, 3, 2))->second == "{\"a\":2}");
}

BOOST_AUTO_TEST_CASE(after_recognition_objects_round_trip_with_unique_ids_and_version_checks) {
  MemoryStore s;
  const Activity a = sample_activity("BX-XT-2026-001", "BX", make_date(2026, 9, 10));
  const Participation p = sample_participation(a.id, "BX-2026-000001");
  const Inspection i =
      sample_inspection("BX-C0001-HK-2026-001", "BX-2026-000001/province", make_date(2026, 6, 1));
  BOOST_CHECK_THROW(s.insert_activity(a), std::logic_error);
  BOOST_CHECK_THROW(s.insert_participation(p), std::logic_error);
  BOOST_CHECK_THROW(s.insert_inspection(i), std::logic_error);
  BOOST_CHECK_THROW(s.update_activity(a, 1), std::logic_error);
  {
    Transaction tx(s);
    s.insert_dossier(dossier("BX-2026-000001"));
    s.insert_activity(a);
    s.insert_participation(p);
    s.insert_inspection(i);
    tx.commit();
  }
  BOOST_TEST(text(*s.load_activity(a.id)) == text(a));
  BOOST_TEST(text(*s.load_participation(p.id)) == text(p));
  BOOST_TEST(text(*s.load_inspection(i.id)) == text(i));
  BOOST_TEST(!s.load_activity("BX-XT-2026-002"));
  BOOST_TEST(!s.load_participation(a.id));
  BOOST_TEST(!s.load_inspection(a.id));
  // one id space across the four kinds
  for (const auto& id : {std::string("BX-2026-000001"), a.id, p.id, i.id})
    BOOST_TEST(s.object_id_taken(id), id);
  BOOST_TEST(!s.object_id_taken("BX-2026-000001/province"));  // a certificate's id is not an object's

  Transaction tx(s);
  BOOST_CHECK_THROW(s.insert_activity(a), StoreError);
  BOOST_CHECK_THROW(s.insert_inspection(i), StoreError);
  BOOST_CHECK_THROW(s.insert_participation(p), StoreError);
  Participation same_pair = p;  // another id, the same (activity, dossier): the unique index
  same_pair.id = p.id + "x";
  BOOST_CHECK_THROW(s.insert_participation(same_pair), StoreError);

  // updates: on the expected version only, never the identity fields
  Activity moved = a;
  moved.version = 2;
  moved.state = "cancelled";
  moved.reason = "Bão";
  moved.unit = "elsewhere";
  moved.created_at = Instant{};
  moved.policy.support_cap_vnd = 1;
  BOOST_TEST(!s.update_activity(moved, 2));  // stale
  BOOST_TEST(s.load_activity(a.id)->state == "planned");
  BOOST_TEST(s.update_activity(moved, 1));
  Activity stored = *s.load_activity(a.id);
  BOOST_TEST(stored.state == "cancelled");
  BOOST_TEST(stored.reason == "Bão");
  BOOST_TEST(stored.policy.support_cap_vnd == 1);
  BOOST_TEST(stored.unit == "BX");
  BOOST_TEST(stored.created_at.seconds == a.created_at.seconds);
  BOOST_TEST(!s.update_activity(moved, 1));  // now at 2
  BOOST_TEST(!s.update_activity(sample_activity("missing", "BX", make_date(2026, 1, 1)), 1));

  Participation reported = p;
  reported.version = 2;
  reported.state = "reported";
  reported.support_vnd = 4'000'000'000LL;
  reported.revenue_vnd = 9'000'000'000'000'000LL;
  reported.contracts = 3;
  reported.buyers = 0;
  reported.dossier = "other";  // identity: not written
  reported.producer = "other";
  BOOST_TEST(!s.update_participation(reported, 0));
  BOOST_TEST(s.update_participation(reported, 1));
  Participation got = *s.load_participation(p.id);
  BOOST_TEST(got.state == "reported");
  BOOST_TEST(*got.revenue_vnd == 9'000'000'000'000'000LL);
  BOOST_TEST(*got.buyers == 0);
  BOOST_TEST(got.dossier == p.dossier);
  BOOST_TEST(got.producer == p.producer);

  Inspection recorded = i;
  recorded.version = 2;
  recorded.state = "remedy_required";
  recorded.result = "remedy_required";
  recorded.remedy_due = make_date(2026, 7, 1);
  recorded.recorded_on = make_date(2026, 6, 2);
  recorded.findings = R"([{"criterion":"Nhãn mác","note":"thiếu"}])";
  recorded.level = "central";  // identity: not written
  BOOST_TEST(!s.update_inspection(recorded, 5));
  BOOST_TEST(s.update_inspection(recorded, 1));
  Inspection ins = *s.load_inspection(i.id);
  BOOST_TEST(ins.state == "remedy_required");
  BOOST_TEST(format_date(*ins.remedy_due) == "2026-07-01");
  BOOST_TEST(ins.findings == recorded.findings);
  BOOST_TEST(ins.level == "province");

  // a rollback forgets them
  tx.rollback();
  BOOST_TEST(s.load_activity(a.id)->state == "planned");
  BOOST_TEST(s.load_participation(p.id)->version == 1);
}

BOOST_AUTO_TEST_CASE(after_recognition_reads_come_in_the_soci_stores_orders_and_filters) {
  MemoryStore s;
  Transaction tx(s);
  // activities: by starts, then id
  s.insert_activity(sample_activity("B-XT-2026-002", "B", make_date(2026, 9, 1), "registration_open"));
  s.insert_activity(sample_activity("B-XT-2026-001", "B", make_date(2026, 9, 1), "planned"));
  s.insert_activity(sample_activity("A-XT-2027-001", "A", make_date(2027, 1, 5), "planned"));
  s.insert_activity(sample_activity("A-XT-2026-001", "A", make_date(2026, 5, 1), "finished"));
  auto ids = [](const auto& v) {
    std::vector<std::string> out;
    for (const auto& x : v) out.push_back(x.id);
    return out;
  };
  using V = std::vector<std::string>;
  BOOST_TEST(ids(s.activities({})) == (V{"A-XT-2026-001", "B-XT-2026-001", "B-XT-2026-002", "A-XT-2027-001"}),
             boost::test_tools::per_element());
  ActivityFilter af;
  af.year = 2026;
  af.units = {"B"};
  BOOST_TEST(ids(s.activities(af)) == (V{"B-XT-2026-001", "B-XT-2026-002"}),
             boost::test_tools::per_element());
  af = {};
  af.state = "planned";
  af.states = {"planned", "finished"};
  af.limit = 1;
  BOOST_TEST(ids(s.activities(af)) == (V{"B-XT-2026-001"}), boost::test_tools::per_element());
  af = {};
  af.day_from = make_date(2026, 8, 12);  // B's registration closes on 08-22
  af.day_to = make_date(2026, 8, 22);
  BOOST_TEST(ids(s.activities(af)) == (V{"B-XT-2026-001", "B-XT-2026-002"}),
             boost::test_tools::per_element());
  af.day_to = make_date(2026, 8, 21);  // nothing in [08-12, 08-21]: opens 08-02, closes 08-22
  BOOST_TEST(s.activities(af).empty());
  af = {};
  af.day_from = make_date(2026, 12, 7);  // A-2027 opens on 12-06, closes on 12-26
  BOOST_TEST(ids(s.activities(af)) == (V{"A-XT-2027-001"}), boost::test_tools::per_element());

  // the scheduler's: by the column, then id; the column is checked
  auto due = s.activities_due({"planned", "registration_open"}, "registration_opens", make_date(2026, 8, 2));
  BOOST_TEST(ids(due) == (V{"B-XT-2026-001", "B-XT-2026-002"}), boost::test_tools::per_element());
  BOOST_TEST(s.activities_due({"planned"}, "ends", make_date(2027, 1, 8)).size() == 2u);
  BOOST_TEST(s.activities_due({"planned"}, "ends", make_date(2027, 1, 7)).size() == 1u);
  BOOST_TEST(s.activities_due({}, "ends", make_date(2030, 1, 1)).empty());
  BOOST_CHECK_THROW(s.activities_due({"planned"}, "starts; DROP TABLE activities", make_date(2030, 1, 1)),
                    StoreError);

  // generated ids: PREFIX-... among activities and inspections, byte by byte (no LIKE wildcards)
  s.insert_activity(sample_activity("B_X-XT-2026-001", "B_X", make_date(2026, 9, 1)));
  s.insert_activity(sample_activity("BAX-XT-2026-001", "BAX", make_date(2026, 9, 1)));
  s.insert_activity(sample_activity("B_X-XT-2026", "B_X", make_date(2026, 9, 1)));
  s.insert_inspection(sample_inspection("B_X-HK-2026-001", "B-2026-1/province", make_date(2026, 5, 1)));
  BOOST_TEST(s.count_ids_with_prefix("B_X-XT-2026") == 1);
  BOOST_TEST(s.count_ids_with_prefix("B_X-HK-2026") == 1);
  BOOST_TEST(s.count_ids_with_prefix("B-XT-2026") == 2);
  BOOST_TEST(s.count_ids_with_prefix("B%-XT-2026") == 0);

  // participations: by activity, then id
  auto part = [&](const std::string& activity, const std::string& dossier, const std::string& state,
                  const std::string& producer = "HTX Chè Cao Bồ") {
    Participation p = sample_participation(activity, dossier, state);
    p.producer = producer;
    p.certificate = dossier + "/province";
    s.insert_participation(p);
  };
  part("B-XT-2026-002", "D1", "selected");
  part("B-XT-2026-001", "D2", "applied", "HTX khác");
  part("B-XT-2026-001", "D1", "waitlisted");
  part("A-XT-2026-001", "D1", "selected");
  part("GONE-XT-2026-001", "D3", "applied");  // its activity is not stored
  BOOST_TEST(ids(s.participations({})) == (V{"A-XT-2026-001/D1", "B-XT-2026-001/D1", "B-XT-2026-001/D2",
                                             "B-XT-2026-002/D1", "GONE-XT-2026-001/D3"}),
             boost::test_tools::per_element());
  ParticipationFilter pf;
  pf.activity = "B-XT-2026-001";
  pf.producer = "HTX Chè Cao Bồ";
  BOOST_TEST(ids(s.participations(pf)) == (V{"B-XT-2026-001/D1"}), boost::test_tools::per_element());
  pf = {};
  pf.dossier = "D1";
  pf.states = {"selected"};
  BOOST_TEST(ids(s.participations(pf)) == (V{"A-XT-2026-001/D1", "B-XT-2026-002/D1"}),
             boost::test_tools::per_element());
  pf = {};
  pf.certificate = "D2/province";
  BOOST_TEST(ids(s.participations(pf)) == (V{"B-XT-2026-001/D2"}), boost::test_tools::per_element());
  pf = {};
  pf.states = {"selected"};
  pf.activity_states = {"finished"};
  pf.ends_on_or_before = make_date(2026, 5, 4);  // A-2026 ends on 05-04
  BOOST_TEST(ids(s.participations(pf)) == (V{"A-XT-2026-001/D1"}), boost::test_tools::per_element());
  pf.ends_on_or_before = make_date(2026, 5, 3);
  BOOST_TEST(s.participations(pf).empty());
  pf = {};
  pf.activity_states = {"planned", "registration_open", "finished"};  // needs the activity
  pf.limit = 3;
  BOOST_TEST(ids(s.participations(pf)) == (V{"A-XT-2026-001/D1", "B-XT-2026-001/D1", "B-XT-2026-001/D2"}),
             boost::test_tools::per_element());

  // inspections: by due, then id
  auto ins = [&](const std::string& id, Date due, const std::string& state, std::optional<Date> remedy = {}) {
    Inspection i = sample_inspection(id, "C-" + id + "/province", due, state);
    i.remedy_due = remedy;
    i.unit = id.substr(0, 1);
    s.insert_inspection(i);
  };
  ins("Y-HK-2026-002", make_date(2026, 4, 1), "planned");
  ins("X-HK-2026-001", make_date(2026, 4, 1), "remedy_required", make_date(2026, 5, 15));
  ins("X-HK-2027-001", make_date(2027, 2, 1), "planned");
  InspectionFilter inf;
  inf.year = 2026;
  BOOST_TEST(ids(s.inspections(inf)) == (V{"X-HK-2026-001", "Y-HK-2026-002", "B_X-HK-2026-001"}),
             boost::test_tools::per_element());
  inf = {};
  inf.units = {"X"};
  inf.state = "planned";
  BOOST_TEST(ids(s.inspections(inf)) == (V{"X-HK-2027-001"}), boost::test_tools::per_element());
  inf = {};
  inf.states = {"planned"};
  inf.due_from = make_date(2026, 4, 1);
  inf.due_to = make_date(2026, 4, 1);
  BOOST_TEST(ids(s.inspections(inf)) == (V{"Y-HK-2026-002"}), boost::test_tools::per_element());
  inf = {};
  inf.remedy_due_to = make_date(2026, 5, 15);  // those without remedy_due are left out
  BOOST_TEST(ids(s.inspections(inf)) == (V{"X-HK-2026-001"}), boost::test_tools::per_element());
  inf.remedy_due_from = make_date(2026, 5, 16);
  BOOST_TEST(s.inspections(inf).empty());
  inf = {};
  inf.certificate = "C-X-HK-2027-001/province";
  inf.limit = 1;
  BOOST_TEST(ids(s.inspections(inf)) == (V{"X-HK-2027-001"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(versions_of_activities_participations_and_inspections_are_compared_with_the_trail) {
  MemoryStore s;
  Transaction tx(s);
  const Activity a = sample_activity("BX-XT-2026-001", "BX", make_date(2026, 9, 10));
  s.insert_activity(a);
  s.append_to_chain(record(a.id, "plan_activity"));
  s.insert_participation(sample_participation(a.id, "D1"));  // no record
  Inspection i = sample_inspection("BX-HK-2026-001", "D1/province", make_date(2026, 6, 1));
  i.version = 2;
  s.insert_inspection(i);
  s.append_to_chain(record(i.id, "plan_inspection"));
  s.append_to_chain(record("gone", "plan_inspection"));
  auto m = s.version_mismatches(10);
  BOOST_REQUIRE(m.size() == 3u);
  BOOST_TEST(m[0] == "participation BX-XT-2026-001/D1 is at version 1 but the trail holds 0 record(s) of it");
  BOOST_TEST(m[1] == "inspection BX-HK-2026-001 is at version 2 but the trail holds 1 record(s) of it");
  BOOST_TEST(m[2] == "the trail has records of gone, which is not in the database");
  BOOST_TEST(s.version_mismatches(1).size() == 2u);  // at most 1 of each kind
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faulty_store)

BOOST_AUTO_TEST_CASE(it_counts_every_call_and_fails_the_nth_of_a_method_once_or_from_then_on) {
  MemoryStore inner;
  FaultyStore s(inner);
  s.fail("load_dossier", 2, true);
  s.load_dossier("A");
  try {
    s.load_dossier("A");
    BOOST_FAIL("the second load did not fail");
  } catch (const StoreError& e) {
    BOOST_TEST(e.retryable());
  }
  s.load_dossier("A");  // once
  BOOST_TEST(s.calls("load_dossier") == 3);
  BOOST_TEST(s.faults_thrown() == 1);

  s.clear_faults();
  s.reset_counts();
  s.fail("commit", 1, false, FaultyStore::Repeat::always);
  for (int i = 0; i < 3; ++i) {
    try {
      Transaction tx(s);
      tx.commit();
      BOOST_FAIL("a commit succeeded");
    } catch (const StoreError& e) {
      BOOST_TEST(!e.retryable());
    }
  }
  BOOST_TEST(s.calls("begin") == 3);
  BOOST_TEST(s.calls("commit") == 3);
  BOOST_TEST(s.calls("rollback") == 3);  // each Transaction rolled back the one it began
  BOOST_TEST(!inner.in_transaction());

  // counting all calls: the third call of any method
  s.clear_faults();
  s.reset_counts();
  s.fail("", 3, true);
  s.last_tick();
  s.audit_head();
  BOOST_CHECK_THROW(s.list_dossiers({}), StoreError);
  s.list_dossiers({});
  BOOST_TEST(s.calls() == 4);
  BOOST_TEST(s.log().at(2) == "list_dossiers");
}

BOOST_AUTO_TEST_CASE(it_forwards_and_counts_the_after_recognition_calls_and_can_fail_them) {
  MemoryStore inner;
  FaultyStore s(inner);
  const Activity a = sample_activity("BX-XT-2026-001", "BX", make_date(2026, 9, 10));
  const Participation p = sample_participation(a.id, "D1");
  const Inspection i = sample_inspection("BX-HK-2026-001", "D1/province", make_date(2026, 6, 1));
  s.fail("update_participation", 1, true);
  s.fail("inspections", 2, false);
  {
    Transaction tx(s);
    s.insert_activity(a);
    s.insert_participation(p);
    s.insert_inspection(i);
    BOOST_TEST(s.update_activity(a, 1));
    BOOST_CHECK_THROW(s.update_participation(p, 1), StoreError);
    BOOST_TEST(s.update_participation(p, 1));
    BOOST_TEST(s.update_inspection(i, 1));
    tx.commit();
  }
  BOOST_TEST(s.object_id_taken(p.id));
  BOOST_TEST(s.load_activity(a.id).has_value());
  BOOST_TEST(s.load_participation(p.id).has_value());
  BOOST_TEST(s.load_inspection(i.id).has_value());
  BOOST_TEST(s.count_ids_with_prefix("BX-XT-2026") == 1);
  BOOST_TEST(s.activities({}).size() == 1u);
  BOOST_TEST(s.activities_due({"planned"}, "starts", make_date(2026, 9, 10)).size() == 1u);
  BOOST_TEST(s.participations({}).size() == 1u);
  BOOST_TEST(s.inspections({}).size() == 1u);
  BOOST_CHECK_THROW(s.inspections({}), StoreError);
  for (const char* method :
       {"object_id_taken", "load_activity", "insert_activity", "update_activity", "count_ids_with_prefix",
        "activities", "activities_due", "load_participation", "insert_participation", "load_inspection",
        "insert_inspection", "update_inspection"})
    BOOST_TEST(s.calls(method) == 1, method);
  BOOST_TEST(s.calls("update_participation") == 2);
  BOOST_TEST(s.calls("inspections") == 2);
  BOOST_TEST(s.faults_thrown() == 2);
}

BOOST_AUTO_TEST_CASE(a_lost_connection_fails_every_later_call_and_the_server_drops_the_transaction) {
  MemoryStore inner;
  FaultyStore s(inner);
  s.lose_connection_after("insert_dossier", 1);
  s.begin();
  s.insert_dossier(dossier("A"));  // this one goes through
  try {
    s.append_to_chain(record("A", "register"));
    BOOST_FAIL("the connection was not lost");
  } catch (const StoreError& e) {
    BOOST_TEST(!e.retryable());
    BOOST_TEST(std::string(e.what()).find("connection") != std::string::npos);
  }
  BOOST_TEST(s.connection_lost());
  BOOST_TEST(!inner.in_transaction());  // rolled back, as a server does
  BOOST_TEST(!inner.load_dossier("A"));
  BOOST_CHECK_THROW(s.rollback(), StoreError);
  BOOST_CHECK_THROW(s.load_dossier("A"), StoreError);
  BOOST_CHECK_THROW(s.begin(), StoreError);
  s.clear_faults();
  BOOST_CHECK_THROW(s.last_tick(), StoreError);  // lost stays lost
}

BOOST_AUTO_TEST_SUITE_END()
