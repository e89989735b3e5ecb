// The WAL-coalescing VFS (adapters/store/sqlite_wal_vfs.hpp) under SQLite's own API: what a
// connection commits is what another connection, and the file after a crash, holds, whatever
// the size of the commit (one page; more than the 64 KiB buffer; megabytes), and a transaction
// that never committed leaves nothing, also when its frames went to the WAL before the crash.
// SQLite only (the PostgreSQL run has nothing to test here).
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "fixture.hpp"
#include "store/sqlite_wal_vfs.hpp"

namespace {

using ocop::testing::temp_dir;

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path, const std::string& cache = "-256") {
    BOOST_REQUIRE(ocop::store::register_coalescing_wal_vfs());
    BOOST_REQUIRE_EQUAL(
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                        nullptr),
        SQLITE_OK);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA cache_size=" + cache);   // small: big transactions spill to the WAL
    exec("PRAGMA wal_autocheckpoint=0");  // the frames stay in the WAL, where reads must find them
  }
  ~Db() { sqlite3_close(db); }
  void exec(const std::string& q) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, q.c_str(), nullptr, nullptr, &err);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, q << ": " << (err ? err : "?"));
    sqlite3_free(err);
  }
  long long one(const std::string& q) {
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_prepare_v2(db, q.c_str(), -1, &st, nullptr), SQLITE_OK);
    BOOST_REQUIRE_EQUAL(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }
  std::string text(const std::string& q) {
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_prepare_v2(db, q.c_str(), -1, &st, nullptr), SQLITE_OK);
    BOOST_REQUIRE_EQUAL(sqlite3_step(st), SQLITE_ROW);
    std::string v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
  }
};

// Inserts `rows` rows of `bytes` random bytes each, in one transaction.
void insert(Db& d, int rows, int bytes) {
  d.exec("BEGIN IMMEDIATE");
  d.exec("INSERT INTO t (b) SELECT randomblob(" + std::to_string(bytes) + ") FROM generate_rows LIMIT " +
         std::to_string(rows));
  d.exec("COMMIT");
}

void setup(Db& d) {
  d.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
  d.exec("CREATE INDEX t_b ON t (b)");  // a second B-tree: inserts write pages all over the file
  d.exec("CREATE TABLE generate_rows (x)");
  d.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
      "INSERT INTO generate_rows SELECT i FROM n");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sqlite_wal_vfs)

BOOST_AUTO_TEST_CASE(is_the_default_vfs) {
  BOOST_REQUIRE(ocop::store::register_coalescing_wal_vfs());
  BOOST_REQUIRE(ocop::store::register_coalescing_wal_vfs());  // once; a second call is a no-op
  BOOST_TEST(std::string(sqlite3_vfs_find(nullptr)->zName) == "ocop-coalescing-wal");
}

BOOST_AUTO_TEST_CASE(commits_of_every_size_are_read_back_by_another_connection_and_after_reopening) {
  const auto dir = temp_dir();
  const std::string path = (dir / "t.db").string();
  long long expected_rows = 0, expected_bytes = 0;
  const long long coalesced_before = ocop::store::coalesced_wal_writes();
  {
    Db w(path);
    setup(w);
    Db r(path);
    // One small row (one or two pages); ~100 KiB (more than the buffer, less than the unix
    // VFS's 128 KiB write limit); ~600 KiB; ~4 MiB (spills out of the small cache mid-transaction).
    for (auto [rows, bytes] : {std::pair{1, 100}, {25, 4000}, {150, 4000}, {1000, 4000}, {3, 10}}) {
      insert(w, rows, bytes);
      expected_rows += rows;
      expected_bytes += static_cast<long long>(rows) * bytes;
      BOOST_TEST(r.one("SELECT COUNT(*) FROM t") == expected_rows);
      BOOST_TEST(r.one("SELECT SUM(length(b)) FROM t") == expected_bytes);
      BOOST_TEST(w.one("SELECT COUNT(*) FROM t") == expected_rows);  // the writer reads its own WAL
    }
    BOOST_TEST(r.text("PRAGMA integrity_check") == "ok");
  }
  // The buffering was in effect (otherwise these tests would pass against SQLite's own VFS).
  BOOST_TEST(ocop::store::coalesced_wal_writes() > coalesced_before);
  Db again(path);
  BOOST_TEST(again.one("SELECT COUNT(*) FROM t") == expected_rows);
  BOOST_TEST(again.one("SELECT SUM(length(b)) FROM t") == expected_bytes);
  BOOST_TEST(again.text("PRAGMA integrity_check") == "ok");
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_rolled_back_transaction_leaves_nothing) {
  const auto dir = temp_dir();
  const std::string path = (dir / "t.db").string();
  Db w(path);
  setup(w);
  insert(w, 10, 1000);
  w.exec("BEGIN IMMEDIATE");
  w.exec("INSERT INTO t (b) SELECT randomblob(4000) FROM generate_rows LIMIT 800");  // spills to the WAL
  w.exec("ROLLBACK");
  BOOST_TEST(w.one("SELECT COUNT(*) FROM t") == 10);
  Db r(path);
  BOOST_TEST(r.one("SELECT COUNT(*) FROM t") == 10);
  BOOST_TEST(r.text("PRAGMA integrity_check") == "ok");
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_crash_keeps_every_commit_and_nothing_of_the_open_transaction) {
  const auto dir = temp_dir();
  const std::string path = (dir / "t.db").string();
  {
    Db w(path);
    setup(w);
  }
  pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    // The child commits three transactions (the last one large), then dies in the middle of a
    // fourth whose frames partly went to the WAL (a small cache spills) and partly sit in the
    // VFS's buffer: no close, no flush, no destructor.
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) _exit(2);
    const char* steps[] = {"PRAGMA journal_mode=WAL",
                           "PRAGMA synchronous=FULL",
                           "PRAGMA cache_size=-256",
                           "PRAGMA wal_autocheckpoint=0",
                           "INSERT INTO t (b) VALUES (randomblob(100))",
                           "INSERT INTO t (b) SELECT randomblob(4000) FROM generate_rows LIMIT 30",
                           "INSERT INTO t (b) SELECT randomblob(4000) FROM generate_rows LIMIT 700",
                           "BEGIN IMMEDIATE",
                           "INSERT INTO t (b) SELECT randomblob(4000) FROM generate_rows LIMIT 900"};
    for (const char* q : steps)
      if (sqlite3_exec(db, q, nullptr, nullptr, nullptr) != SQLITE_OK) _exit(3);
    _exit(0);
  }
  int status = 0;
  BOOST_REQUIRE_EQUAL(waitpid(child, &status, 0), child);
  BOOST_REQUIRE(WIFEXITED(status));
  BOOST_REQUIRE_EQUAL(WEXITSTATUS(status), 0);
  Db r(path);
  BOOST_TEST(r.one("SELECT COUNT(*) FROM t") == 1 + 30 + 700);
  BOOST_TEST(r.one("SELECT SUM(length(b)) FROM t") == 100 + (30 + 700) * 4000LL);
  BOOST_TEST(r.text("PRAGMA integrity_check") == "ok");
  std::filesystem::remove_all(dir);
}

// A transaction that spilled pages into the WAL and rolled back leaves frames in the buffer;
// they must reach the file before the write lock is given up, never after another connection
// has committed frames at the same offsets (the first transaction after the WAL restarted, when
// nothing else makes the rolled-back connection touch the WAL first).
BOOST_AUTO_TEST_CASE(a_rolled_back_transaction_never_overwrites_another_connections_commit) {
  const auto dir = temp_dir();
  const std::string path = (dir / "t.db").string();
  Db a(path), b(path, "-8192");
  a.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
  a.exec("CREATE TABLE u (id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
  a.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
      "INSERT INTO t SELECT i, zeroblob(10) FROM n");
  a.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  a.exec("BEGIN IMMEDIATE");
  a.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
      "INSERT INTO u SELECT i, randomblob(3000) FROM n");  // spills out of the small cache
  a.exec("ROLLBACK");
  b.exec("BEGIN IMMEDIATE");
  b.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
      "INSERT INTO u SELECT i, zeroblob(3000) FROM n");
  b.exec("COMMIT");
  BOOST_TEST(a.one("SELECT COUNT(*) FROM u") == 400);  // a reads the WAL again
  Db c(path);
  BOOST_TEST(c.one("SELECT COUNT(*) FROM u") == 400);
  BOOST_TEST(c.one("SELECT COUNT(*) FROM u WHERE b <> zeroblob(3000)") == 0);
  BOOST_TEST(c.text("PRAGMA integrity_check") == "ok");
  std::filesystem::remove_all(dir);
}

// Without power-safe overwrite SQLite pads each commit to a sector after its sync; that WAL is
// not buffered, and another connection reads every commit.
BOOST_AUTO_TEST_CASE(a_device_without_powersafe_overwrite_is_written_through) {
  const auto dir = temp_dir();
  const std::string path = (dir / "t.db").string();
  Db a("file:" + path + "?psow=0"), b("file:" + path);
  a.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  for (int i = 0; i < 20; ++i) {
    a.exec("INSERT INTO t (v) VALUES ('row" + std::to_string(i) + "')");
    BOOST_TEST(b.one("SELECT COUNT(*) FROM t") == i + 1);
  }
  BOOST_TEST(b.text("PRAGMA integrity_check") == "ok");
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
