// Leases: the right to do one kind of work (the scheduler of `ocop serve --scheduler`) that at
// most one process of all those sharing a database holds at a time, and that ends by itself
// when its holder dies, so that another takes over.
//
// PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection of the
// lease's own. The server releases it when that connection ends: the process exits or is
// killed (the kernel closes its socket), or the connection is lost. The connection asks the
// server to probe it (TCP keepalives after 10 s idle, every 5 s, 3 probes), so a holder whose
// machine vanished without closing its socket loses the lease within about 25 s rather than
// the kernel's default two hours. Advisory locks are per database: two databases on one
// server have separate leases.
//
// SQLite: an exclusive flock(2) on a file beside the database (`PATH.NAME.lock`, created with
// mode 0600 when missing). The kernel releases it when the process ends, however it ends.
// flock covers processes on one machine, which is what one SQLite file is shared by (never a
// network file system).
//
// A lease only keeps holders from doing the same work at once; nothing it guards may depend
// on it for correctness (the scheduler's tick and deliver are safe in parallel: a holder that
// lost its lease mid-run and a new holder can overlap for one run without duplicates).
//
// Not thread-safe: one thread uses a Lease.
#pragma once

#include <memory>
#include <string>

namespace ocop::store {

class Lease {
 public:
  virtual ~Lease() = default;
  // Tries to take the lease without waiting. True when this holder holds it now (also when it
  // held it already). False when another holder has it, or when it cannot be asked (the
  // database unreachable: `error` says why; empty when another simply holds it).
  virtual bool try_acquire(std::string& error) = 0;
  // Whether the lease is still held: false when it was never taken, was released, or was lost
  // (PostgreSQL: its connection no longer answers; `error` says why). After false, the holder
  // must stop the work and try_acquire() again.
  virtual bool still_held(std::string& error) = 0;
  // Gives the lease up (no-op when not held).
  virtual void release() = 0;
  // What it is, for logs: "advisory lock 7427371938 on postgresql://…", "flock on PATH".
  virtual std::string describe() const = 0;
};

// The lease named `name` ("scheduler") on the database of `db_url` (a --db URL). Throws
// StoreError when the URL is not understood; opens nothing yet (try_acquire() connects).
std::unique_ptr<Lease> open_lease(const std::string& db_url, const std::string& name);

}  // namespace ocop::store
