// The floor under `ocop import`: the same kind of statements per event, straight through the
// SQLite C API, with none of the engine's work (no machine, no guards, no rules, no hashing of
// real content). Per event: read the dossier, check the idempotency key, insert or update the
// dossier row and its state index, append an audit row, record the key; commit every BATCH
// events; WAL, synchronous=FULL, a 9 MiB cache, a checkpoint every 16,000 pages and the
// WAL-coalescing VFS (adapters/store/sqlite_wal_vfs.hpp), as the engine runs. Compare its
// events/s with the engine's on the same machine (bench/run.sh prints both).
// Usage: sqlite_baseline EVENTS.jsonl DB BATCH
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "store/sqlite_wal_vfs.hpp"

namespace {
void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}
sqlite3_stmt* prep(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  check(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), db, sql);
  return st;
}
void text(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), int(s.size()), SQLITE_TRANSIENT);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s EVENTS.jsonl DB BATCH\n", argv[0]);
    return 2;
  }
  const int batch = std::atoi(argv[3]);
  sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  ocop::store::register_coalescing_wal_vfs();
  sqlite3* db = nullptr;
  check(sqlite3_open(argv[2], &db), db, "open");
  for (const char* q :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA cache_size=-9216",
        "PRAGMA wal_autocheckpoint=16000",
        "CREATE TABLE dossiers (id TEXT PRIMARY KEY, state TEXT, version INTEGER, unit TEXT,"
        " product TEXT, state_since TEXT, updated_at TEXT)",
        "CREATE INDEX dossiers_state ON dossiers (state, state_since)",
        "CREATE INDEX dossiers_unit ON dossiers (unit)",
        "CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, dossier TEXT, event TEXT,"
        " data TEXT, prev_hash TEXT, hash TEXT)",
        "CREATE INDEX audit_dossier ON audit (dossier, seq)",
        "CREATE TABLE idempotency (key TEXT PRIMARY KEY, dossier TEXT, result TEXT) WITHOUT ROWID"})
    check(sqlite3_exec(db, q, nullptr, nullptr, nullptr), db, q);
  sqlite3_stmt* load = prep(db, "SELECT state, version FROM dossiers WHERE id = ?");
  sqlite3_stmt* key = prep(db, "SELECT result FROM idempotency WHERE key = ?");
  sqlite3_stmt* ins = prep(db, "INSERT INTO dossiers VALUES (?, ?, 1, ?, ?, ?, ?)");
  sqlite3_stmt* upd = prep(
      db,
      "UPDATE dossiers SET state = ?, version = version + 1, state_since = ?, updated_at = ? WHERE id = ?");
  sqlite3_stmt* aud = prep(db, "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite3_stmt* put = prep(db, "INSERT INTO idempotency VALUES (?, ?, ?)");
  sqlite3_stmt* begin = prep(db, "BEGIN IMMEDIATE");
  sqlite3_stmt* commit = prep(db, "COMMIT");
  auto run = [&](sqlite3_stmt* st) {
    check(sqlite3_step(st), db, sqlite3_sql(st));
    sqlite3_reset(st);
  };

  std::ifstream in(argv[1]);
  std::string line;
  long n = 0, seq = 0;
  const std::string hash(64, 'a');
  auto t0 = std::chrono::steady_clock::now();
  while (std::getline(in, line)) {
    auto e = nlohmann::json::parse(line);
    const std::string ev = e["event"], actor = e["actor"], at = e["at"], k = e.value("key", "");
    std::string id =
        e.contains("dossier") ? e["dossier"].get<std::string>() : e["data"]["id"].get<std::string>();
    if (n % batch == 0) run(begin);
    text(key, 1, k);
    sqlite3_step(key);
    sqlite3_reset(key);
    text(load, 1, id);
    bool exists = sqlite3_step(load) == SQLITE_ROW;
    sqlite3_reset(load);
    const std::string state = ev + "_state";
    if (!exists) {
      text(ins, 1, id);
      text(ins, 2, state);
      text(ins, 3, e["data"].value("unit", ""));
      text(ins, 4, e["data"].value("product", ""));
      text(ins, 5, at);
      text(ins, 6, at);
      run(ins);
    } else {
      text(upd, 1, state);
      text(upd, 2, at);
      text(upd, 3, at);
      text(upd, 4, id);
      run(upd);
    }
    const std::string data = e.contains("data") ? e["data"].dump() : "{}";
    sqlite3_bind_int64(aud, 1, ++seq);
    text(aud, 2, at);
    text(aud, 3, actor);
    text(aud, 4, id);
    text(aud, 5, ev);
    text(aud, 6, data);
    text(aud, 7, hash);
    text(aud, 8, hash);
    run(aud);
    text(put, 1, k);
    text(put, 2, id);
    text(put, 3, "{\"state\":\"" + state + "\"}");
    run(put);
    if (++n % batch == 0) run(commit);
  }
  if (n % batch != 0) run(commit);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("sqlite baseline, batch %d: %ld events in %.2fs = %.0f events/s\n", batch, n, s, n / s);
  sqlite3_close(db);
  return 0;
}
