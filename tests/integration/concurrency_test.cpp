// Several writers on one database (spec §6, issue 5): each writer has its own connection, as
// separate processes do. Every accepted event is applied exactly once, a stale one is a
// conflict the caller can retry, retryable database errors are retried a bounded number of
// times and then reported, never skipped, and the hash chain verifies afterwards. Runs on
// SQLite and (integration_postgresql) on PostgreSQL.
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "fixture.hpp"
#include "ocop/transaction.hpp"
#include "promotion_samples.hpp"

using namespace ocop;
using namespace ocop::testing;
using nlohmann::json;

namespace {

// One writer: its own connection and executor over the fixture's configuration.
struct Writer {
  std::unique_ptr<store::SociStore> store;
  std::unique_ptr<Executor> ex;
  explicit Writer(Db& db) : store(store::open(db.url)) {
    ex = std::make_unique<Executor>(db.config, *db.lifecycle, *db.certificates, *store, db.clock);
  }
};

EventRequest annotate(const std::string& dossier, const std::string& note) {
  EventRequest req;
  req.event = "annotate";
  req.dossier = dossier;
  req.actor = "coordinator";
  req.data = {{"note", note}};
  return req;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(concurrent_writers_on_shared_dossiers_apply_every_event_exactly_once) {
  Db db;
  const std::vector<std::string> ids = {"BX-2026-000101", "BX-2026-000102", "BX-2026-000103"};
  for (const auto& id : ids)
    BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());

  constexpr int kWriters = 4, kEvents = 20;
  std::atomic<int> accepted{0}, conflicts{0}, unexpected{0};
  std::map<std::string, std::atomic<int>> per_dossier;
  for (const auto& id : ids) per_dossier[id] = 0;
  std::vector<std::string> problems(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      try {
        Writer me(db);
        for (int i = 0; i < kEvents; ++i) {
          const std::string& id = ids[(w + i) % ids.size()];
          // The caller's loop: read the version, act on it; on a conflict read again.
          for (int tries = 0;; ++tries) {
            EventRequest req = annotate(id, "ghi chú " + std::to_string(w) + "/" + std::to_string(i));
            req.key = "w" + std::to_string(w) + "-" + std::to_string(i);
            req.expected_version = me.store->load_dossier(id)->version;
            FireResult r = me.ex->fire(req);
            if (r.status.ok() && !r.duplicate) {
              ++accepted;
              ++per_dossier[id];
              break;
            }
            if (r.status.code() == Code::conflict && tries < 1000) {
              ++conflicts;
              continue;
            }
            ++unexpected;
            problems[w] = r.status.message();
            return;
          }
        }
      } catch (const std::exception& e) {
        ++unexpected;
        problems[w] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& p : problems) BOOST_TEST(p.empty(), p);
  BOOST_TEST(unexpected.load() == 0);
  BOOST_TEST(accepted.load() == kWriters * kEvents);
  for (const auto& id : ids)
    BOOST_TEST(db.store->load_dossier(id)->version == 1 + per_dossier[id].load(), id);
  BOOST_TEST(db.audit_count() == static_cast<std::int64_t>(ids.size()) + kWriters * kEvents);
  std::string why;
  BOOST_TEST(db.verify(&why), why);
  BOOST_TEST_MESSAGE("conflicts retried by the callers: " << conflicts.load());
}

BOOST_AUTO_TEST_CASE(writers_without_an_expected_version_queue_instead_of_conflicting) {
  Db db;
  const std::string id = "BX-2026-000110";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  constexpr int kWriters = 3, kEvents = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Writer me(db);
      for (int i = 0; i < kEvents; ++i)
        if (!me.ex->fire(annotate(id, std::to_string(w) + ":" + std::to_string(i))).status.ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(db.store->load_dossier(id)->version == 1 + kWriters * kEvents);
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(the_same_key_from_two_writers_at_once_is_applied_once) {
  Db db;
  const std::string id = "BX-2026-000120";
  Writer a(db), b(db);
  EventRequest req;
  req.event = "submit_idea";
  req.actor = "producer.bx-c0001";
  req.data = new_product(id);
  req.key = "same-key";
  // A holds its transaction open (dossier and key written, not committed) while B tries the
  // same request: B waits for A (SQLite's write lock; PostgreSQL's unique index), then sees
  // A's key and answers as a duplicate.
  std::atomic<bool> a_waiting{false};
  a.ex->set_before_commit_hook([&] {
    a_waiting = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  FireResult ra, rb;
  std::thread ta([&] { ra = a.ex->fire(req); });
  while (!a_waiting) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::thread tb([&] { rb = b.ex->fire(req); });
  ta.join();
  tb.join();
  BOOST_TEST(ra.status.ok(), ra.status.message());
  BOOST_TEST(!ra.duplicate);
  BOOST_TEST(rb.status.ok(), rb.status.message());
  BOOST_TEST(rb.duplicate);
  if (db.postgresql()) BOOST_TEST(rb.attempts >= 2);  // the unique violation was retried
  BOOST_TEST(db.store->load_dossier(id)->version == 1);
  BOOST_TEST(db.audit_count() == 1);
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(a_retryable_error_is_retried_a_bounded_number_of_times_then_reported) {
  Db db;
  const std::string id = "BX-2026-000130";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  Writer holder(db), me(db);
  // The holder keeps the dossier (PostgreSQL: its row; SQLite: the write lock) and the writer
  // gives up waiting after 20 ms: a retryable error each time.
  holder.store->begin();
  BOOST_REQUIRE(holder.store->load_dossier(id));
  me.store->exec(db.postgresql() ? "SET lock_timeout = '20ms'" : "PRAGMA busy_timeout = 20");
  me.ex->set_retry_policy(RetryPolicy{3, 1});
  FireResult r = me.ex->fire(annotate(id, "chờ"));
  BOOST_TEST(int(r.status.code()) == 1, r.status.message());
  BOOST_TEST(r.database_failed);
  BOOST_TEST(r.attempts == 3);
  BOOST_TEST(r.status.message().find("still failing after 3 attempts") != std::string::npos,
             r.status.message());
  holder.store->rollback();
  // Once the holder is gone the same request goes through, once.
  BOOST_TEST(me.ex->fire(annotate(id, "chờ")).status.ok());
  BOOST_TEST(db.store->load_dossier(id)->version == 2);
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(a_database_error_that_is_not_retryable_is_reported_at_once_with_nothing_written) {
  Db db;
  const std::string id = "BX-2026-000140";
  BOOST_REQUIRE(db.fire("submit_idea", "", "producer.bx-c0001", new_product(id)).status.ok());
  db.store->exec("DROP TABLE idempotency");
  EventRequest req = annotate(id, "không ghi được khoá");
  req.key = "k-lost";
  FireResult r = db.ex->fire(req);
  BOOST_TEST(int(r.status.code()) == 1);
  BOOST_TEST(r.database_failed);
  BOOST_TEST(r.attempts == 1);
  BOOST_TEST(db.store->load_dossier(id)->version == 1);
  BOOST_TEST(db.audit_count() == 1);
  BOOST_TEST(db.verify());
}

BOOST_AUTO_TEST_CASE(an_activity_participation_or_inspection_loaded_in_a_write_transaction_is_locked) {
  Db db;
  {
    Transaction tx(*db.store);
    for (const char* id : {"BX-XT-2026-001", "BX-XT-2026-002"})
      db.store->insert_activity(sample_activity(id, "BX", make_date(2026, 9, 1)));
    db.store->insert_participation(sample_participation("BX-XT-2026-001", "D1"));
    db.store->insert_participation(sample_participation("BX-XT-2026-001", "D2"));
    db.store->insert_inspection(sample_inspection("BX-HK-2026-001", "D1/province", make_date(2026, 6, 1)));
    db.store->insert_inspection(sample_inspection("BX-HK-2026-002", "D2/province", make_date(2026, 6, 1)));
    tx.commit();
  }
  Writer holder(db), me(db);
  holder.store->begin();
  BOOST_REQUIRE(holder.store->load_activity("BX-XT-2026-001"));
  BOOST_REQUIRE(holder.store->load_participation("BX-XT-2026-001/D1"));
  BOOST_REQUIRE(holder.store->load_inspection("BX-HK-2026-001"));
  me.store->exec(db.postgresql() ? "SET lock_timeout = '20ms'" : "PRAGMA busy_timeout = 20");
  // Reads outside a transaction do not wait.
  BOOST_TEST(me.store->load_activity("BX-XT-2026-001")->version == 1);
  if (!db.postgresql()) {
    // SQLite: the holder has the one write lock, so another writer cannot even begin.
    try {
      me.store->begin();
      BOOST_FAIL("a second write transaction began");
    } catch (const StoreError& e) {
      BOOST_TEST(e.retryable(), e.what());
    }
  } else {
    // PostgreSQL: the rows the holder loaded are locked (FOR UPDATE); the others are not.
    auto locked = [&](const std::function<void()>& load) {
      Transaction tx(*me.store);
      try {
        load();
        return false;
      } catch (const StoreError& e) {
        BOOST_TEST(e.retryable(), e.what());
        return true;
      }
    };
    BOOST_TEST(locked([&] { me.store->load_activity("BX-XT-2026-001"); }));
    BOOST_TEST(locked([&] { me.store->load_participation("BX-XT-2026-001/D1"); }));
    BOOST_TEST(locked([&] { me.store->load_inspection("BX-HK-2026-001"); }));
    BOOST_TEST(!locked([&] { me.store->load_activity("BX-XT-2026-002"); }));
    BOOST_TEST(!locked([&] { me.store->load_participation("BX-XT-2026-001/D2"); }));
    BOOST_TEST(!locked([&] { me.store->load_inspection("BX-HK-2026-002"); }));
  }
  // Once the holder is done, the row is the writer's, at the version the holder left.
  Activity a = *holder.store->load_activity("BX-XT-2026-001");
  a.version = 2;
  a.state = "registration_open";
  BOOST_TEST(holder.store->update_activity(a, 1));
  holder.store->commit();
  Transaction tx(*me.store);
  Activity mine = *me.store->load_activity("BX-XT-2026-001");
  BOOST_TEST(mine.version == 2);
  BOOST_TEST(!me.store->update_activity(mine, 1));  // stale
  mine.version = 3;
  BOOST_TEST(me.store->update_activity(mine, 2));
  tx.commit();
}

BOOST_AUTO_TEST_CASE(migrations_missing_below_the_highest_applied_are_still_applied) {
  Db db;
  BOOST_TEST(db.store->pending_migrations() == 0);
  // A database migrated by a build that had 6 but not yet 5 (numbers merged out of order).
  db.store->exec("DELETE FROM schema_migrations WHERE version = 5");
  db.store->exec("DROP TABLE cycles");
  db.store->exec("DROP TABLE ticks");
  BOOST_TEST(db.store->pending_migrations() == 1);
  BOOST_TEST(db.store->migrate() == 1);
  BOOST_TEST(db.store->pending_migrations() == 0);
  BOOST_TEST(!db.store->last_tick().has_value());  // migration 5's table is back
  BOOST_TEST(!db.store->cycle_state(2026).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
