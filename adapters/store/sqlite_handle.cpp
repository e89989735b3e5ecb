// The raw SQLite connection under a SOCI session, for the one read that SOCI's row copying made
// slow (the audit trail's scan: SociStore::scan_audit). Kept in its own translation unit because
// SOCI's backend header includes <sqlite3.h> inside a namespace of its own, which cannot share a
// file with the plain include. Only a member is read: nothing of SOCI's SQLite library is called.
#include "store/sqlite_handle.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace ocop::store {

void* sqlite_handle(soci::session& s) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
  return backend ? static_cast<void*>(backend->conn_) : nullptr;
}

}  // namespace ocop::store
