// The schema, as numbered migrations (spec §6). Each entry is applied once, in order, in its
// own transaction, and recorded in schema_migrations. Never edit a migration that has shipped:
// add the next number. The SQL is written to run unchanged on SQLite and PostgreSQL: for
// PostgreSQL, SQLite's " WITHOUT ROWID" table option is dropped and "INTEGER PRIMARY KEY" (a
// 64-bit rowid in SQLite) becomes "BIGINT PRIMARY KEY"; where the dialects differ more, the
// entry has two texts.
#pragma once

#include <string>
#include <vector>

namespace ocop::store {

struct Migration {
  int version;
  const char* description;
  std::vector<std::string> sqlite;
  std::vector<std::string> postgresql;  // empty: same as sqlite
};

const std::vector<Migration>& migrations();

// An SQL expression that folds the text expression `text` as the engine's fold_text does
// (ocop/search.hpp). SQLite: ocop_fold(), the engine's fold_text registered as an SQL function on
// every connection (configure_sqlite_library). PostgreSQL: TRANSLATE with the same table (each
// replaced text is one code point; the combining marks come last and have no counterpart, so
// TRANSLATE drops them), then LOWER, which only ASCII letters are left to meet (PostgreSQL's
// LOWER also lowers other scripts' capitals, which no Vietnamese name holds).
std::string fold_sql(bool sqlite, const std::string& text);

}  // namespace ocop::store
