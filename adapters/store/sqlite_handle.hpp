// The sqlite3* of a SOCI session opened with the "sqlite3" backend (only those: the caller
// knows its backend), as void* (cast it to sqlite3*). Null when the session is not connected.
// Use it on the session's own thread, as the session itself.
#pragma once

namespace soci {
class session;
}

namespace ocop::store {

void* sqlite_handle(soci::session& s);

}  // namespace ocop::store
