// libocop_pgsql.so: the one thing the store needs from SOCI's PostgreSQL backend by type, a
// server error's SQLSTATE (which failures are retried, which mean the connection is gone).
//
// It is a module that the store loads with dlopen when it opens a PostgreSQL database
// (soci_store.cpp, load_pg_plugin), so that `ocop` does not link libsoci_postgresql and libpq
// and the two dozen libraries they bring: every command on the SQLite default starts without
// them (bench/README.md, issue 10). SOCI loads its backend by name in the same way.
#include <soci/postgresql/soci-postgresql.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

#include "store/pg_plugin.hpp"

extern "C" __attribute__((visibility("default"))) int ocop_pg_sqlstate(const std::exception* e, char* out) {
  const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(e);
  if (!pg) return 0;
  const std::string s = pg->sqlstate();
  const std::size_t n = std::min<std::size_t>(s.size(), ocop::kSqlstateSize - 1);
  std::memcpy(out, s.data(), n);
  out[n] = '\0';
  return 1;
}
