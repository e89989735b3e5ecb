// Every retry and rollback path of the engine, without a database: the executor, the scheduler,
// the dispatcher and the migrator on a MemoryStore behind a FaultyStore that fails on purpose
// (tests/support), with the MSM workflows and the test configuration tests/data/config/valid.yaml
// (the migrator: history.yaml, whose coordinators may migrate). Each test asserts what the store
// holds afterwards, never what FireResult renders.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <stdexcept>
#include <tuple>

#include "certificate_machine.hpp"
#include "config/yaml_config.hpp"
#include "cycle_machine.hpp"
#include "dossier_machine.hpp"
#include "faulty_store.hpp"
#include "memory_store.hpp"
#include "ocop/audit.hpp"
#include "ocop/dispatch.hpp"
#include "ocop/executor.hpp"
#include "ocop/migration.hpp"
#include "ocop/scheduler.hpp"
#include "ocop/sha256.hpp"
#include "ocop/transaction.hpp"

namespace ocop {
// How Boost.Test prints a status code here (internal to this file).
static std::ostream& boost_test_print_type(std::ostream& o, const Code& c) { return o << code_name(c); }
}  // namespace ocop

using namespace ocop;
using nlohmann::json;
using ocop::testing::FaultyStore;
using ocop::testing::MemoryStore;
using Repeat = ocop::testing::FaultyStore::Repeat;

namespace {

const std::string kValid = std::string(OCOP_SOURCE_DIR) + "/tests/data/config/valid.yaml";
const std::string kHistory = std::string(OCOP_SOURCE_DIR) + "/tests/data/config/history.yaml";
const std::string kWorkload = std::string(OCOP_SOURCE_DIR) + "/tests/data/config/gen_workload.yaml";
const std::string kReform = std::string(OCOP_SOURCE_DIR) + "/config/plans/reform-2025-07-01.yaml";
constexpr const char* kProducerMail = "htx.checaobo@example.vn";

// No sleeping between attempts: the tests stay fast.
const RetryPolicy kFast{RetryPolicy{}.attempts, 0};

Config load(const std::string& file) {
  auto r = config::load_file(file);
  BOOST_REQUIRE_MESSAGE(r.ok(), "the test configuration loads: " + (r.ok() ? "" : r.problems[0].to_string()));
  return std::move(r.config);
}

// The engine over a MemoryStore behind a FaultyStore, at a fixed clock.
struct Engine {
  Config config;
  std::unique_ptr<Lifecycle> lifecycle = workflows::make_dossier_lifecycle();
  std::unique_ptr<CertificateLifecycle> certificates = workflows::make_certificate_lifecycle();
  std::unique_ptr<CycleLifecycle> cycles = workflows::make_cycle_lifecycle();
  MemoryStore memory;
  FaultyStore store{memory};
  FixedClock clock{*parse_instant("2026-03-02T08:00:00+07:00", 420)};
  std::unique_ptr<Executor> ex;

  explicit Engine(const std::string& file = kValid) : config(load(file)) {
    for (auto& u : config.mutable_users())
      if (u.id == "producer.1") u.email = kProducerMail;  // so that a return is mailed
    config.index();
    ex = std::make_unique<Executor>(config, *lifecycle, *certificates, store, clock);
    ex->set_retry_policy(kFast);
  }

  FireResult fire(const std::string& event, const std::string& dossier, const std::string& actor,
                  json data = json::object(), const std::string& key = "") {
    EventRequest req;
    req.event = event;
    req.dossier = dossier;
    req.actor = actor;
    req.data = std::move(data);
    req.key = key;
    clock.set(Instant{clock.now().seconds + 3600});
    return ex->fire(req);
  }

  void set(const char* when) { clock.set(*parse_instant(when, 420)); }

  // Registers a dossier of TQ-VIETQUANG (R148_1489, commune level, `submitted`).
  void registered(const std::string& id) {
    auto r = fire("register", "", "producer.1", registration(id));
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  }

  static json registration(const std::string& id) {
    auto doc = [](const std::string& kind) {
      return json{{"kind", kind}, {"name", kind + ".pdf"}, {"sha256", sha256_hex(kind)}, {"bytes", 1234}};
    };
    return {{"id", id},
            {"product", "Chè Shan tuyết " + id},
            {"product_set", "tea"},
            {"producer", "HTX Chè Cao Bồ"},
            {"unit", "TQ-VIETQUANG"},
            {"registration_type", "new"},
            {"documents", {doc("registration_form"), doc("self_assessment")}}};
  }

  bool verify(std::string* why = nullptr) {
    ChainVerifier v;
    memory.scan_audit([&](const AuditRecord& r) { return v.feed(r); });
    if (why && v.failure()) *why = *v.failure();
    if (!v.ok()) return false;
    auto m = memory.version_mismatches(1);
    if (!m.empty() && why) *why = m.front();
    return m.empty();
  }
};

json return_data() { return {{"reason", "Thiếu phiếu kết quả kiểm nghiệm"}, {"missing", {"test_report"}}}; }

// What the store holds, to compare before and after (the parts an event writes).
struct Snapshot {
  std::int64_t audit = 0;
  std::string head;
  std::vector<std::pair<std::string, std::int64_t>> dossiers;  // id, version
  std::vector<std::string> outbox;                             // dedupe keys
  std::size_t certificates = 0;

  static Snapshot of(MemoryStore& m) {
    Snapshot s;
    s.audit = m.audit_head().seq;
    s.head = m.audit_head().hash;
    for (const auto& d : m.list_dossiers({})) s.dossiers.emplace_back(d.id, d.version);
    for (const auto& o : m.outbox("", 0)) s.outbox.push_back(o.dedupe_key);
    s.certificates = m.certificates({}).size();
    return s;
  }
  bool operator==(const Snapshot& o) const {
    return audit == o.audit && head == o.head && dossiers == o.dossiers && outbox == o.outbox &&
           certificates == o.certificates;
  }
};

std::ostream& operator<<(std::ostream& o, const Snapshot& s) {
  return o << "audit " << s.audit << ", " << s.dossiers.size() << " dossier(s), " << s.outbox.size()
           << " message(s)";
}

bool unique(const std::vector<std::string>& v) {
  return std::set<std::string>(v.begin(), v.end()).size() == v.size();
}

}  // namespace

// --- the primitive ---------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(transaction_and_retry)

BOOST_AUTO_TEST_CASE(a_transaction_rolls_back_unless_committed) {
  MemoryStore m;
  Dossier d;
  d.id = "A";
  {
    Transaction tx(m);
    m.insert_dossier(d);
    BOOST_TEST(tx.open());
  }
  BOOST_TEST(!m.load_dossier("A"));
  BOOST_TEST(m.rollbacks() == 1);
  BOOST_TEST(!m.in_transaction());
  {
    Transaction tx(m);
    m.insert_dossier(d);
    tx.commit();
    BOOST_TEST(!tx.open());
  }
  BOOST_TEST(m.load_dossier("A").has_value());
  BOOST_TEST(m.rollbacks() == 1);  // a committed one is not rolled back
  {
    Transaction tx(m);  // a dry run: rolled back once, explicitly
    d.id = "B";
    m.insert_dossier(d);
    tx.rollback();
    BOOST_TEST(!tx.open());
  }
  BOOST_TEST(!m.load_dossier("B"));
  BOOST_TEST(m.rollbacks() == 2);
}

BOOST_AUTO_TEST_CASE(a_commit_that_fails_rolls_the_transaction_back) {
  MemoryStore m;
  FaultyStore s(m);
  s.fail("commit", 1, true);
  Dossier d;
  d.id = "A";
  {
    Transaction tx(s);
    s.insert_dossier(d);
    BOOST_CHECK_THROW(tx.commit(), StoreError);
    BOOST_TEST(tx.open());  // still open: the destructor rolls it back
  }
  BOOST_TEST(s.calls("rollback") == 1);
  BOOST_TEST(!m.in_transaction());
  BOOST_TEST(!m.load_dossier("A"));
}

BOOST_AUTO_TEST_CASE(with_retry_tries_at_most_the_policys_attempts_and_only_for_retryable_errors) {
  int calls = 0;
  auto always = [&](int attempt) -> int {
    BOOST_TEST(attempt == calls + 1);
    ++calls;
    throw StoreError("database is locked", true);
  };
  BOOST_CHECK_THROW(with_retry(RetryPolicy{5, 0}, always), StoreError);
  BOOST_TEST(calls == 5);
  calls = 0;
  BOOST_CHECK_THROW(with_retry(RetryPolicy{0, 0}, always), StoreError);
  BOOST_TEST(calls == 1);  // at least one attempt

  calls = 0;
  BOOST_TEST(with_retry(RetryPolicy{5, 0}, [&](int attempt) {
               ++calls;
               if (attempt < 3) throw StoreError("database is locked", true);
               return attempt * 10;
             }) == 30);
  BOOST_TEST(calls == 3);

  calls = 0;
  try {
    with_retry(RetryPolicy{5, 0}, [&](int) {
      ++calls;
      throw StoreError("disk I/O error", false);
    });
    BOOST_FAIL("a non-retryable error was swallowed");
  } catch (const StoreError& e) {
    BOOST_TEST(!e.retryable());
  }
  BOOST_TEST(calls == 1);

  calls = 0;
  BOOST_CHECK_THROW(with_retry(RetryPolicy{5, 0},
                               [&](int) {
                                 ++calls;
                                 throw std::runtime_error("not a store error");
                               }),
                    std::runtime_error);
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(each_attempt_starts_from_a_clean_slate) {
  MemoryStore m;
  FaultyStore s(m);
  s.fail("commit", 1, true);
  int attempts = 0;
  with_retry(kFast, [&](int attempt) {
    attempts = attempt;
    Transaction tx(s);
    OutboxMessage msg;
    msg.dedupe_key = "once";
    msg.channel = "email";
    BOOST_TEST(s.enqueue(msg));  // the first attempt's row was rolled back
    tx.commit();
  });
  BOOST_TEST(attempts == 2);
  BOOST_TEST(m.outbox("", 0).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- the executor ----------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(executor_retries)

BOOST_AUTO_TEST_CASE(a_retryable_error_on_the_first_commit_is_retried_and_the_event_applied_once) {
  // The same events with no fault: what "applied once" must look like.
  Engine clean;
  clean.registered("TQ-2026-000001");
  BOOST_REQUIRE(
      clean.fire("return_dossier", "TQ-2026-000001", "officer.vietquang", return_data(), "k1").status.ok());
  const Snapshot want = Snapshot::of(clean.memory);
  BOOST_REQUIRE(!want.outbox.empty());  // a return is mailed to the producer

  Engine e;
  e.registered("TQ-2026-000001");
  const Snapshot before = Snapshot::of(e.memory);
  e.store.reset_counts();
  e.store.fail("commit", 1, true);
  auto r = e.fire("return_dossier", "TQ-2026-000001", "officer.vietquang", return_data(), "k1");
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(!r.database_failed);
  BOOST_TEST(r.attempts == 2);
  BOOST_TEST(e.store.calls("begin") == 2);
  BOOST_TEST(e.store.calls("commit") == 2);
  BOOST_TEST(e.store.calls("rollback") == 1);
  BOOST_TEST(e.store.calls("append_to_chain") == 2);  // written twice, kept once
  BOOST_TEST(Snapshot::of(e.memory) == want);
  BOOST_TEST(e.memory.history("TQ-2026-000001").size() == 2u);
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000001")->version == before.dossiers[0].second + 1);
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000001")->state == State::returned);
  BOOST_TEST(e.memory.find_key("k1").has_value());
  std::string why;
  BOOST_TEST(e.verify(&why), why);

  // Replayed with its key: a duplicate, nothing written, nothing committed.
  e.store.reset_counts();
  auto again = e.fire("return_dossier", "TQ-2026-000001", "officer.vietquang", return_data(), "k1");
  BOOST_TEST(again.status.ok());
  BOOST_TEST(again.duplicate);
  BOOST_TEST(e.store.calls("commit") == 0);
  BOOST_TEST(Snapshot::of(e.memory) == want);
}

BOOST_AUTO_TEST_CASE(a_retryable_error_after_the_writes_rolls_them_back_before_the_retry) {
  Engine e;
  e.store.fail("append_to_chain", 1, true);  // after insert_dossier, before the audit record
  auto r = e.fire("register", "", "producer.1", Engine::registration("TQ-2026-000001"));
  BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.message());
  BOOST_TEST(r.attempts == 2);
  BOOST_TEST(e.store.calls("insert_dossier") == 2);  // the first insert was rolled back
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000001")->version == 1);
  BOOST_TEST(e.memory.history("TQ-2026-000001").size() == 1u);
  BOOST_TEST(e.memory.documents("TQ-2026-000001").size() == 2u);
  BOOST_TEST(e.memory.audit_head().seq == 1);
  std::string why;
  BOOST_TEST(e.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(a_retryable_error_on_every_attempt_ends_as_a_database_failure_with_nothing_written) {
  Engine e;
  e.registered("TQ-2026-000001");
  const Snapshot before = Snapshot::of(e.memory);
  e.store.reset_counts();
  e.store.fail("commit", 1, true, Repeat::always);
  auto r = e.fire("return_dossier", "TQ-2026-000001", "officer.vietquang", return_data(), "k1");
  BOOST_TEST(r.status.code() == Code::internal);
  BOOST_TEST(r.database_failed);
  BOOST_TEST(r.attempts == kFast.attempts);
  BOOST_TEST(r.status.message().find("still failing after " + std::to_string(kFast.attempts) + " attempts") !=
             std::string::npos);
  BOOST_TEST(e.store.calls("begin") == kFast.attempts);
  BOOST_TEST(e.store.calls("commit") == kFast.attempts);
  BOOST_TEST(e.store.calls("rollback") == kFast.attempts);
  BOOST_TEST(Snapshot::of(e.memory) == before);
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000001")->state == State::submitted);
  BOOST_TEST(!e.memory.find_key("k1"));
  BOOST_TEST(!e.memory.in_transaction());

  // The same key afterwards is a fresh request, not a duplicate of the failed one.
  e.store.clear_faults();
  auto later = e.fire("return_dossier", "TQ-2026-000001", "officer.vietquang", return_data(), "k1");
  BOOST_TEST(later.status.ok());
  BOOST_TEST(!later.duplicate);
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000001")->state == State::returned);
}

BOOST_AUTO_TEST_CASE(a_non_retryable_error_is_not_retried) {
  Engine e;
  e.registered("TQ-2026-000001");
  const Snapshot before = Snapshot::of(e.memory);
  e.store.reset_counts();
  e.store.fail("update_dossier", 1, false);
  auto r = e.fire("accept_dossier", "TQ-2026-000001", "officer.vietquang");
  BOOST_TEST(r.status.code() == Code::internal);
  BOOST_TEST(r.database_failed);
  BOOST_TEST(r.attempts == 1);
  BOOST_TEST(r.status.message().find("still failing") == std::string::npos);
  BOOST_TEST(e.store.calls("begin") == 1);
  BOOST_TEST(e.store.calls("rollback") == 1);
  BOOST_TEST(Snapshot::of(e.memory) == before);
}

BOOST_AUTO_TEST_CASE(a_lost_connection_mid_transaction_writes_nothing) {
  Engine e;
  e.registered("TQ-2026-000001");
  const Snapshot before = Snapshot::of(e.memory);
  e.store.reset_counts();
  e.store.lose_connection_after("update_dossier", 1);  // the dossier is written, then the server goes
  auto r = e.fire("return_dossier", "TQ-2026-000001", "officer.vietquang", return_data(), "k1");
  BOOST_TEST(r.status.code() == Code::internal);
  BOOST_TEST(r.database_failed);
  BOOST_TEST(r.attempts == 1);
  BOOST_TEST(r.status.message().find("connection") != std::string::npos);
  BOOST_TEST(e.store.calls("begin") == 1);
  BOOST_TEST(!e.memory.in_transaction());
  BOOST_TEST(Snapshot::of(e.memory) == before);
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000001")->state == State::submitted);
  BOOST_TEST(!e.memory.find_key("k1"));

  // A creating event: the inserted dossier goes with the connection.
  Engine c;
  c.store.lose_connection_after("insert_dossier", 1);
  auto created = c.fire("register", "", "producer.1", Engine::registration("TQ-2026-000002"));
  BOOST_TEST(created.database_failed);
  BOOST_TEST(!c.memory.load_dossier("TQ-2026-000002"));
  BOOST_TEST(c.memory.audit_head().seq == 0);
  BOOST_TEST(c.memory.documents("TQ-2026-000002").empty());
}

BOOST_AUTO_TEST_CASE(a_refusal_inside_the_callers_transaction_writes_nothing_of_that_event) {
  Engine e;
  e.registered("TQ-2026-000001");
  e.registered("TQ-2026-000002");
  const Snapshot before = Snapshot::of(e.memory);
  e.store.reset_counts();
  {
    Transaction tx(e.store);  // as a batched import does
    EventRequest ok;
    ok.event = "accept_dossier";
    ok.dossier = "TQ-2026-000001";
    ok.actor = "officer.vietquang";
    BOOST_REQUIRE(e.ex->fire_in_transaction(ok).status.ok());
    // refused by the machine: `forward` from submitted
    EventRequest refused = ok;
    refused.event = "forward";
    refused.dossier = "TQ-2026-000002";
    BOOST_TEST(e.ex->fire_in_transaction(refused).status.code() == Code::refused);
    // refused for a stale expected version
    EventRequest stale = ok;
    stale.dossier = "TQ-2026-000002";
    stale.expected_version = 7;
    BOOST_TEST(e.ex->fire_in_transaction(stale).status.code() == Code::conflict);
    // refused for an actor without the role, with a key that must not be kept
    EventRequest forbidden = ok;
    forbidden.dossier = "TQ-2026-000002";
    forbidden.actor = "producer.1";
    forbidden.key = "never";
    BOOST_TEST(e.ex->fire_in_transaction(forbidden).status.code() == Code::forbidden);
    tx.commit();
  }
  BOOST_TEST(e.store.calls("commit") == 1);
  BOOST_TEST(e.memory.audit_head().seq == before.audit + 1);  // the accepted event only
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000001")->version == 2);
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000002")->version == 1);
  BOOST_TEST(e.memory.load_dossier("TQ-2026-000002")->state == State::submitted);
  BOOST_TEST(e.memory.history("TQ-2026-000002").size() == 1u);
  BOOST_TEST(!e.memory.find_key("never"));
  std::string why;
  BOOST_TEST(e.verify(&why), why);

  // fire() of a refused event: one transaction, rolled back, nothing committed.
  e.store.reset_counts();
  const Snapshot mid = Snapshot::of(e.memory);
  auto r = e.fire("forward", "TQ-2026-000002", "officer.vietquang");
  BOOST_TEST(r.status.code() == Code::refused);
  BOOST_TEST(!r.database_failed);
  BOOST_TEST(e.store.calls("commit") == 0);
  BOOST_TEST(e.store.calls("rollback") == 1);
  BOOST_TEST(Snapshot::of(e.memory) == mid);
}

BOOST_AUTO_TEST_SUITE_END()

// --- the scheduler ---------------------------------------------------------------------------

namespace {

// valid.yaml on Monday 02/03/2026: the 2026 cycle is due to open (its `kickoff` reminder goes
// to the communes with an address, and one commune has none), and a dossier registered on
// Friday 30/01 has waited long enough (more than the rule's working days lie between) to be
// escalated to its province (its commune has no address).
struct TickCase {
  Engine e;
  Scheduler scheduler{e.config, *e.ex, *e.certificates, *e.cycles, e.store, e.clock};
  TickCase() {
    e.set("2026-01-30T09:00:00+07:00");
    e.registered("TQ-2026-000001");
    e.set("2026-03-02T07:00:00+07:00");
    e.store.reset_counts();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(scheduler_retries)

BOOST_AUTO_TEST_CASE(a_retryable_failure_inside_a_tick_is_retried_and_each_reminder_queued_once) {
  TickCase clean;
  TickReport want = clean.scheduler.tick(false);
  BOOST_REQUIRE_MESSAGE(want.status.ok(), want.status.message());
  BOOST_REQUIRE(want.counts["cycle_start"] >= 1);
  BOOST_REQUIRE(want.counts["escalation"] == 1);
  BOOST_REQUIRE(!want.notes.empty());

  for (const char* method : {"enqueue", "put_cycle_state", "commit", "record_tick"}) {
    BOOST_TEST_CONTEXT("a retryable failure of " << method) {
      TickCase t;
      t.e.store.fail(method, 1, true);
      TickReport r = t.scheduler.tick(false);
      BOOST_TEST(r.status.ok(), r.status.message());
      BOOST_TEST(t.e.store.faults_thrown() == 1);
      BOOST_TEST(t.e.store.calls("rollback") == 1);
      auto queued = t.e.memory.outbox("", 0);
      std::vector<std::string> keys;
      for (const auto& m : queued) keys.push_back(m.dedupe_key);
      BOOST_TEST(unique(keys));
      BOOST_TEST(queued.size() == want.queued.size());
      BOOST_TEST(r.queued.size() == want.queued.size());
      BOOST_TEST((r.counts == want.counts));
      BOOST_TEST(r.notes == want.notes, "notes: " << r.notes.size() << " against " << want.notes.size());
      BOOST_TEST(*t.e.memory.cycle_state(2026) == "open");
      BOOST_TEST(t.e.memory.tick(make_date(2026, 3, 2)).has_value());
      BOOST_TEST(Snapshot::of(t.e.memory) == Snapshot::of(clean.e.memory));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_tick_that_fails_for_good_keeps_what_it_committed_and_the_next_tick_finishes) {
  TickCase t;
  t.e.store.fail("enqueue", 2, false);  // the first transaction commits, a later one fails
  TickReport r = t.scheduler.tick(false);
  BOOST_TEST(r.status.code() == Code::internal);
  BOOST_TEST(!t.e.memory.in_transaction());
  BOOST_TEST(!t.e.memory.tick(make_date(2026, 3, 2)));  // the day is not recorded as ticked
  const auto committed = t.e.memory.outbox("", 0).size();
  t.e.store.clear_faults();
  TickReport again = t.scheduler.tick(false);
  BOOST_TEST(again.status.ok(), again.status.message());
  BOOST_TEST(committed >= 1u);  // the cycle's transaction, with its kickoff
  TickCase clean;
  clean.scheduler.tick(false);
  BOOST_TEST(again.queued.size() + committed == clean.e.memory.outbox("", 0).size());
  BOOST_TEST(Snapshot::of(t.e.memory).outbox == Snapshot::of(clean.e.memory).outbox);
}

BOOST_AUTO_TEST_CASE(a_dry_run_writes_nothing_even_when_it_retries) {
  TickCase t;
  const Snapshot before = Snapshot::of(t.e.memory);
  t.e.store.fail("enqueue", 1, true);
  TickReport r = t.scheduler.tick(true);
  BOOST_TEST(r.status.ok(), r.status.message());
  BOOST_TEST(r.dry_run);
  BOOST_TEST(!r.queued.empty());  // what would be queued
  BOOST_TEST(t.e.store.calls("commit") == 0);
  BOOST_TEST(Snapshot::of(t.e.memory) == before);
  BOOST_TEST(!t.e.memory.cycle_state(2026));
  BOOST_TEST(!t.e.memory.last_tick());
  BOOST_TEST(!t.e.memory.in_transaction());
}

BOOST_AUTO_TEST_CASE(a_retried_certificate_notice_is_fired_once) {
  // gen_workload.yaml: a province council of five, a signer and the scheduler's actor.
  auto recognized = [](Engine& e) {
    auto doc = [](const std::string& kind) {
      return json{{"kind", kind}, {"name", kind + ".pdf"}, {"sha256", sha256_hex(kind)}, {"bytes", 1234}};
    };
    const std::string id = "BX-2026-000001";
    for (auto [event, dossier, actor, data] :
         std::vector<std::tuple<std::string, std::string, std::string, json>>{
             {"register",
              "",
              "producer.bx-c0001",
              {{"id", id},
               {"product", "Chè Shan tuyết"},
               {"product_set", "tea"},
               {"producer", "HTX Chè Cao Bồ"},
               {"unit", "BX-C0001"},
               {"registration_type", "new"},
               {"documents", {doc("registration_form"), doc("self_assessment")}}}},
             {"accept_dossier", id, "officer.bx-c0001", json::object()},
             {"assess", id, "officer.bx-c0001", {{"locality", {{"origin", 2}}}}},
             {"forward", id, "officer.bx-c0001", json::object()},
             {"accept_dossier", id, "coordinator", {{"round", "2026-1"}}},
             {"score", id, "member.1", {{"A", 30}, {"B", 20}, {"C", 28}}},
             {"score", id, "member.2", {{"A", 30}, {"B", 20}, {"C", 28}}},
             {"score", id, "member.3", {{"A", 30}, {"B", 20}, {"C", 28}}},
             {"score", id, "member.4", {{"A", 30}, {"B", 20}, {"C", 28}}},
             {"score", id, "member.5", {{"A", 30}, {"B", 20}, {"C", 28}}},
             {"close_scoring", id, "chair", json::object()},
             {"recognize", id, "signer", {{"decision_no", "1/QĐ-UBND"}, {"decision_date", "2026-10-30"}}}}) {
      auto r = e.fire(event, dossier, actor, data);
      BOOST_REQUIRE_MESSAGE(r.status.ok(), event + ": " + r.status.message());
    }
    return id;
  };
  Engine clean(kWorkload), e(kWorkload);
  const std::string id = recognized(clean);
  recognized(e);
  const auto cert = e.memory.certificates({}).at(0);
  const auto version = e.memory.load_dossier(id)->version;
  Scheduler sc(clean.config, *clean.ex, *clean.certificates, *clean.cycles, clean.store, clean.clock);
  Scheduler se(e.config, *e.ex, *e.certificates, *e.cycles, e.store, e.clock);
  // The notice is due 30 days before valid_until.
  const std::string day = format_date(add_days(cert.valid_until, -20)) + "T07:00:00+07:00";
  clean.set(day.c_str());
  e.set(day.c_str());
  TickReport want = sc.tick(false);
  BOOST_REQUIRE_MESSAGE(want.status.ok(), want.status.message());
  BOOST_REQUIRE(want.counts["notice"] == 1);
  e.store.fail("update_certificate", 1, true);  // inside the certificates' transaction
  TickReport r = se.tick(false);
  BOOST_TEST(r.status.ok(), r.status.message());
  BOOST_TEST(e.store.calls("update_certificate") == 2);
  BOOST_TEST(r.counts["notice"] == 1);
  BOOST_TEST(r.transitions.size() == want.transitions.size());
  BOOST_TEST(r.notes == want.notes);
  BOOST_TEST(e.memory.load_certificate(cert.id)->state == "expiring");
  BOOST_TEST(e.memory.load_dossier(id)->version == version + 1);
  BOOST_TEST(e.memory.history(id).back().event == "notice");
  BOOST_TEST(Snapshot::of(e.memory) == Snapshot::of(clean.memory));
  std::string why;
  BOOST_TEST(e.verify(&why), why);
}

BOOST_AUTO_TEST_SUITE_END()

// --- the dispatcher --------------------------------------------------------------------------

namespace {

struct CountingTransport : Transport {
  std::vector<std::int64_t> sent;
  std::string unavailable() const override { return ""; }
  Delivery send(const OutboxMessage& m) override {
    sent.push_back(m.id);
    return Delivery{true, ""};
  }
};

struct DeliverCase {
  Engine e;
  CountingTransport mail;
  Dispatcher dispatcher{e.config, e.store, e.clock};
  DeliverCase() {
    dispatcher.set_transport("email", &mail);
    dispatcher.set_worker("w1");
    Transaction tx(e.memory);
    for (int i = 1; i <= 3; ++i) {
      OutboxMessage m;
      m.dedupe_key = "m" + std::to_string(i);
      m.channel = "email";
      m.recipient = "a@example.vn";
      m.subject = "Nhắc việc";
      m.body = "Kính gửi";
      m.cause = "test";
      m.created_at = e.clock.now();
      m.next_attempt_at = e.clock.now();
      BOOST_REQUIRE(e.memory.enqueue(m));
    }
    tx.commit();
  }
  void all_sent_once() {
    auto all = e.memory.outbox("", 0);
    BOOST_REQUIRE(all.size() == 3u);
    for (const auto& m : all) {
      BOOST_TEST(m.state == "sent");
      BOOST_TEST(m.attempts == 1);
      BOOST_TEST(m.claimed_by.empty());
      BOOST_TEST(std::count(mail.sent.begin(), mail.sent.end(), m.id) == 1);
    }
    BOOST_TEST(mail.sent.size() == 3u);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(dispatcher_retries)

BOOST_AUTO_TEST_CASE(a_retryable_failure_on_claim_is_retried_and_each_message_sent_once) {
  for (const char* method : {"claim_outbox", "begin"}) {
    BOOST_TEST_CONTEXT(method) {
      DeliverCase c;
      c.e.store.fail(method, 1, true);
      auto report = c.dispatcher.run(0);
      BOOST_TEST(report.sent == 3);
      BOOST_TEST(c.e.store.faults_thrown() == 1);
      c.all_sent_once();
    }
  }
}

BOOST_AUTO_TEST_CASE(a_claim_whose_commit_fails_is_rolled_back_and_claimed_again) {
  DeliverCase c;
  c.e.store.fail("commit", 1, true);  // the first claim's commit
  auto report = c.dispatcher.run(0);
  BOOST_TEST(report.sent == 3);
  BOOST_TEST(c.e.store.calls("claim_outbox") == 3);  // failed claim, its retry, the empty last one
  c.all_sent_once();                                 // attempts 1: the rolled-back claim did not count
}

BOOST_AUTO_TEST_CASE(a_retryable_failure_on_settle_is_retried_and_the_message_not_sent_again) {
  for (int nth : {1, 3}) {
    BOOST_TEST_CONTEXT("settle " << nth) {
      DeliverCase c;
      c.e.store.fail("settle_outbox", nth, true);
      auto report = c.dispatcher.run(0);
      BOOST_TEST(report.sent == 3);
      BOOST_TEST(c.e.store.calls("settle_outbox") == 4);
      for (const auto& m : report.messages) BOOST_TEST(!m.lost_claim);
      c.all_sent_once();
    }
  }
}

BOOST_AUTO_TEST_CASE(a_settle_that_keeps_failing_leaves_the_message_claimed_for_a_later_run) {
  DeliverCase c;
  c.e.store.fail("settle_outbox", 1, true, Repeat::always);
  BOOST_CHECK_THROW(c.dispatcher.run(0), StoreError);
  BOOST_TEST(c.e.store.calls("settle_outbox") == Dispatcher::kRetry.attempts);
  BOOST_TEST(!c.e.memory.in_transaction());
  BOOST_TEST(c.mail.sent.size() == 1u);  // the first message went out; the run stopped there
  auto first = *c.e.memory.outbox_message(c.mail.sent[0]);
  BOOST_TEST(first.state == "sending");  // claimed, its lease runs out later
  c.e.store.clear_faults();
  c.e.clock.set(Instant{c.e.clock.now().seconds + Dispatcher::kLeaseSeconds + 1});
  auto later = c.dispatcher.run(0);
  BOOST_TEST(later.sent == 3);
  BOOST_TEST(c.e.memory.outbox("sent", 0).size() == 3u);
  BOOST_TEST(c.e.memory.outbox_message(first.id)->attempts == 2);  // at least once: sent again
}

BOOST_AUTO_TEST_SUITE_END()

// --- the migrator ----------------------------------------------------------------------------

namespace {

struct MigrateCase {
  Engine e{kHistory};
  Migrator migrator{e.config, e.store, e.clock};
  MigrationPlan plan;
  MigrateCase() {
    auto r = config::load_plan_file(kReform);
    BOOST_REQUIRE_MESSAGE(r.ok(), "the sample plan loads");
    plan = r.plan;
    for (const char* id : {"D1", "D2", "D3"}) at_district(id);
    e.set("2025-07-02T08:00:00+07:00");
    e.store.reset_counts();
  }
  // A dossier of Việt Quang registered in June 2025 (R148), forwarded to the district.
  void at_district(const std::string& id) {
    e.set("2025-06-02T08:00:00+07:00");
    BOOST_REQUIRE(e.fire("register", "", "producer.vietquang",
                         {{"id", id},
                          {"product", "Chè " + id},
                          {"product_set", "tea"},
                          {"producer", "HTX"},
                          {"unit", "HG-BQ-VIETQUANG"},
                          {"registration_type", "new"}})
                      .status.ok());
    BOOST_REQUIRE(e.fire("accept_dossier", id, "officer.vietquang").status.ok());
    BOOST_REQUIRE(e.fire("forward", id, "officer.vietquang").status.ok());
  }
  bool moved(const std::string& id) { return e.memory.load_dossier(id)->rule_set == "R148_1489"; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(migrator_retries)

BOOST_AUTO_TEST_CASE(a_retryable_failure_while_moving_a_dossier_is_retried) {
  for (const char* method : {"update_dossier", "append_to_chain", "commit"}) {
    BOOST_TEST_CONTEXT(method) {
      MigrateCase c;
      const auto records = c.e.memory.audit_head().seq;
      c.e.store.fail(method, 2, true);  // while moving D2
      auto rep = c.migrator.run(c.plan, "coordinator.tq", false);
      BOOST_TEST(rep.status.ok(), rep.status.message());
      BOOST_TEST(rep.moves.size() == 3u);
      BOOST_TEST(c.e.store.calls("begin") == 4);
      for (const char* id : {"D1", "D2", "D3"}) {
        BOOST_TEST(c.moved(id));
        BOOST_TEST(c.e.memory.load_dossier(id)->version == 4);
        BOOST_TEST(c.e.memory.history(id).back().event == "migrate");
      }
      BOOST_TEST(c.e.memory.audit_head().seq == records + 3);  // one record each
      std::string why;
      BOOST_TEST(c.e.verify(&why), why);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_non_retryable_failure_stops_the_plan_with_the_dossiers_before_it_moved) {
  MigrateCase c;
  const auto records = c.e.memory.audit_head().seq;
  c.e.store.fail("update_dossier", 2, false);
  auto rep = c.migrator.run(c.plan, "coordinator.tq", false);
  BOOST_TEST(rep.status.code() == Code::internal);
  BOOST_TEST(rep.status.message().find("moving dossier D2") != std::string::npos);
  BOOST_TEST(rep.moves.size() == 1u);
  BOOST_TEST(c.e.store.calls("begin") == 2);  // not retried
  BOOST_TEST(c.moved("D1"));
  BOOST_TEST(!c.moved("D2"));
  BOOST_TEST(!c.moved("D3"));
  BOOST_TEST(c.e.memory.load_dossier("D2")->version == 3);
  BOOST_TEST(c.e.memory.audit_head().seq == records + 1);
  BOOST_TEST(!c.e.memory.in_transaction());

  // Running the plan again finishes the work, moving nothing twice.
  c.e.store.clear_faults();
  auto again = c.migrator.run(c.plan, "coordinator.tq", false);
  BOOST_TEST(again.status.ok(), again.status.message());
  BOOST_TEST(again.moves.size() == 2u);
  BOOST_TEST(c.e.memory.audit_head().seq == records + 3);
  std::string why;
  BOOST_TEST(c.e.verify(&why), why);
}

BOOST_AUTO_TEST_CASE(a_retryable_failure_on_every_attempt_stops_the_plan_after_the_policys_attempts) {
  MigrateCase c;
  c.e.store.fail("update_dossier", 1, true, Repeat::always);
  auto rep = c.migrator.run(c.plan, "coordinator.tq", false);
  BOOST_TEST(rep.status.code() == Code::internal);
  BOOST_TEST(rep.moves.empty());
  BOOST_TEST(c.e.store.calls("update_dossier") == RetryPolicy{}.attempts);
  for (const char* id : {"D1", "D2", "D3"}) BOOST_TEST(!c.moved(id));
}

BOOST_AUTO_TEST_SUITE_END()
