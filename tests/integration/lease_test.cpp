// The scheduler's lease (store/lease.hpp) on a real database: one holder at a time, released on
// request and when its holder's connection or file goes away. Two Lease objects in one process
// contend as two processes do (each has its own connection, or its own open file description
// for flock). Runs on SQLite and (integration_postgresql) on PostgreSQL; tests/cli/
// serve_scheduler_test.sh kills real holders.
#include <filesystem>

#include "fixture.hpp"
#include "store/lease.hpp"

using namespace ocop;
using ocop::testing::Db;

BOOST_AUTO_TEST_SUITE(lease)

BOOST_AUTO_TEST_CASE(one_holder_at_a_time_and_the_next_after_a_release) {
  Db db;
  auto a = store::open_lease(db.url, "scheduler");
  auto b = store::open_lease(db.url, "scheduler");
  std::string error;
  BOOST_TEST(!a->still_held(error));  // not taken yet
  BOOST_TEST(a->try_acquire(error));
  BOOST_TEST(error.empty());
  BOOST_TEST(a->try_acquire(error));  // held already: still true
  BOOST_TEST(!b->try_acquire(error));
  BOOST_TEST(error.empty());  // held by another: no error
  BOOST_TEST(a->still_held(error));
  BOOST_TEST(!b->still_held(error));
  a->release();
  BOOST_TEST(!a->still_held(error));
  BOOST_TEST(b->try_acquire(error));
  BOOST_TEST(!a->try_acquire(error));
  // Another name is another lease.
  auto other = store::open_lease(db.url, "something-else");
  BOOST_TEST(other->try_acquire(error));
  BOOST_TEST(a->describe() != other->describe());
}

BOOST_AUTO_TEST_CASE(a_destroyed_holder_lets_the_next_one_in) {
  Db db;
  auto b = store::open_lease(db.url, "scheduler");
  std::string error;
  {
    auto a = store::open_lease(db.url, "scheduler");
    BOOST_TEST(a->try_acquire(error));
    BOOST_TEST(!b->try_acquire(error));
  }  // as when a process ends: its connection or file is closed
  BOOST_TEST(b->try_acquire(error));
}

BOOST_AUTO_TEST_CASE(a_holder_notices_it_lost_the_lease) {
  Db db;
  auto a = store::open_lease(db.url, "scheduler");
  auto b = store::open_lease(db.url, "scheduler");
  std::string error;
  BOOST_REQUIRE(a->try_acquire(error));
  if (db.postgresql()) {
    // The server ends the holder's connection (an administrator, a network failure): the lock
    // goes with it.
    db.store->exec(
        "DO $$ BEGIN PERFORM pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'ocop-scheduler-lease'; END $$");
  } else {
    // Someone removes the lock file: a newcomer would lock a new file at the same path.
    std::string url_error;
    std::filesystem::remove(store::parse_url(db.url, url_error).path + ".scheduler.lock");
  }
  BOOST_TEST(!a->still_held(error));
  BOOST_TEST(!error.empty());
  BOOST_TEST(b->try_acquire(error));
  BOOST_TEST(!a->try_acquire(error));  // it asks again, and the new holder has it
}

BOOST_AUTO_TEST_CASE(a_lease_that_cannot_be_asked_says_why) {
  std::string error;
  auto lost = store::open_lease("sqlite:/nonexistent-directory/ocop.db", "scheduler");
  BOOST_TEST(!lost->try_acquire(error));
  BOOST_TEST(error.find("/nonexistent-directory/ocop.db.scheduler.lock") != std::string::npos, error);
  auto unreachable = store::open_lease("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", "scheduler");
  BOOST_TEST(!unreachable->try_acquire(error));
  BOOST_TEST(!error.empty());
  BOOST_TEST(error.find("cannot ask") != std::string::npos, error);
  BOOST_CHECK_THROW(store::open_lease("mysql://x", "scheduler"), StoreError);
}

BOOST_AUTO_TEST_SUITE_END()
