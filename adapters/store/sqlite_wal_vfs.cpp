#include "store/sqlite_wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <atomic>
#include <cstring>
#include <mutex>

namespace ocop::store {
namespace {

// At most what one write of the wrapped unix VFS takes: it writes min(n, n & 0x1ffff) bytes
// per call (os_unix.c, seekAndWriteFd), so one write of 128 KiB or more would come back short
// and fail as SQLITE_FULL. 64 KiB holds a commit of up to 15 pages of 4 KiB.
constexpr int kBufferBytes = 64 * 1024;

// SQLite's WAL write lock is shared-memory lock 0 (wal.c: WAL_WRITE_LOCK).
constexpr int kWalWriteLock = 0;

sqlite3_vfs* g_real = nullptr;  // the wrapped VFS
sqlite3_vfs g_vfs;              // ours
std::size_t g_slot = 0;         // where, after the wrapped file, a database file keeps its WAL
std::atomic<long long> g_coalesced{0};

// A WAL file: our header, then the wrapped VFS's file object.
struct WalFile {
  sqlite3_file base;
  sqlite3_file* real;
  sqlite3_file* db;      // the database file this WAL belongs to (its slot names us)
  bool buffered;         // false: every write goes straight through
  char* buf;             // kBufferBytes, or null before the first buffered write
  int len;               // bytes buffered
  sqlite3_int64 offset;  // where buf[0] goes in the file
};

// A database file is the wrapped VFS's own object, in place, followed by one pointer: the WAL
// file of the same connection while it is open.
WalFile*& wal_of(sqlite3_file* db) {
  return *reinterpret_cast<WalFile**>(reinterpret_cast<char*>(db) + g_slot);
}

int flush(WalFile* w) {
  if (w->len == 0) return SQLITE_OK;
  const int n = w->len;
  w->len = 0;
  return w->real->pMethods->xWrite(w->real, w->buf, n, w->offset);
}

// --- the database file: the wrapped methods, but for xShmLock --------------------------------

// The wrapped methods a database file came with, and our copy of them (one per distinct set:
// the unix VFS has one per locking style).
struct Intercepted {
  const sqlite3_io_methods* original = nullptr;
  sqlite3_io_methods copy{};
};
constexpr int kMaxMethodSets = 4;
Intercepted g_sets[kMaxMethodSets];
int g_set_count = 0;
std::mutex g_sets_mu;

const sqlite3_io_methods* original_of(const sqlite3_io_methods* copy) {
  for (int i = 0; i < kMaxMethodSets; ++i)
    if (&g_sets[i].copy == copy) return g_sets[i].original;
  return nullptr;
}

// Before the WAL write lock is given up, whatever the buffer holds goes to the file: the frames
// of a commit (already there when every commit syncs), or those a transaction wrote before it
// rolled back (past the WAL's valid end, as SQLite itself leaves them). Once the lock is gone
// another connection may write the WAL at the same offsets, so nothing may be written later.
int db_shm_lock(sqlite3_file* db, int offset, int n, int flags) {
  const sqlite3_io_methods* original = original_of(db->pMethods);
  if ((flags & SQLITE_SHM_UNLOCK) && (flags & SQLITE_SHM_EXCLUSIVE) && offset <= kWalWriteLock &&
      kWalWriteLock < offset + n) {
    if (WalFile* w = wal_of(db)) flush(w);  // an error here cannot stop the unlock; the commit was synced
  }
  return original->xShmLock(db, offset, n, flags);
}

const sqlite3_io_methods* intercepted(const sqlite3_io_methods* original) {
  if (!original || original->iVersion < 2 || !original->xShmLock) return nullptr;
  std::lock_guard<std::mutex> lock(g_sets_mu);
  for (int i = 0; i < g_set_count; ++i)
    if (g_sets[i].original == original) return &g_sets[i].copy;
  if (g_set_count == kMaxMethodSets) return nullptr;
  Intercepted& s = g_sets[g_set_count++];
  s.original = original;
  s.copy = *original;
  s.copy.xShmLock = db_shm_lock;
  return &s.copy;
}

// --- the WAL file ------------------------------------------------------------------------------

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f)->real; }

int wal_close(sqlite3_file* f) {
  auto* w = reinterpret_cast<WalFile*>(f);
  // Empty by now: the write lock's release flushed it. Never written here: without the lock,
  // these offsets may belong to another connection's frames.
  w->len = 0;
  if (w->db && wal_of(w->db) == w) wal_of(w->db) = nullptr;
  int rc = w->real->pMethods->xClose(w->real);
  sqlite3_free(w->buf);
  w->buf = nullptr;
  return rc;
}

int wal_read(sqlite3_file* f, void* out, int n, sqlite3_int64 off) {
  auto* w = reinterpret_cast<WalFile*>(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xRead(w->real, out, n, off);
}

int wal_write(sqlite3_file* f, const void* data, int n, sqlite3_int64 off) {
  auto* w = reinterpret_cast<WalFile*>(f);
  if (w->len > 0 && off == w->offset + w->len && w->len + n <= kBufferBytes) {
    std::memcpy(w->buf + w->len, data, static_cast<size_t>(n));
    w->len += n;
    g_coalesced.fetch_add(1, std::memory_order_relaxed);
    return SQLITE_OK;
  }
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  if (!w->buffered || n >= kBufferBytes) return w->real->pMethods->xWrite(w->real, data, n, off);
  if (!w->buf) {
    w->buf = static_cast<char*>(sqlite3_malloc(kBufferBytes));
    if (!w->buf) return w->real->pMethods->xWrite(w->real, data, n, off);
  }
  std::memcpy(w->buf, data, static_cast<size_t>(n));
  w->len = n;
  w->offset = off;
  return SQLITE_OK;
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  auto* w = reinterpret_cast<WalFile*>(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xTruncate(w->real, size);
}

int wal_sync(sqlite3_file* f, int flags) {
  auto* w = reinterpret_cast<WalFile*>(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xSync(w->real, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  auto* w = reinterpret_cast<WalFile*>(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileSize(w->real, size);
}

int wal_lock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
int wal_unlock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
int wal_check_reserved(sqlite3_file* f, int* out) {
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int wal_file_control(sqlite3_file* f, int op, void* arg) {
  auto* w = reinterpret_cast<WalFile*>(f);
  if (int rc = flush(w); rc != SQLITE_OK) return rc;  // whatever the control does sees the file as written
  return w->real->pMethods->xFileControl(w->real, op, arg);
}
int wal_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int wal_device_characteristics(sqlite3_file* f) {
  return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
// A WAL file has no shared memory of its own and is not memory-mapped (version 1 methods).
const sqlite3_io_methods kWalMethods = {1,
                                        wal_close,
                                        wal_read,
                                        wal_write,
                                        wal_truncate,
                                        wal_sync,
                                        wal_file_size,
                                        wal_lock,
                                        wal_unlock,
                                        wal_check_reserved,
                                        wal_file_control,
                                        wal_sector_size,
                                        wal_device_characteristics,
                                        nullptr,
                                        nullptr,
                                        nullptr,
                                        nullptr,
                                        nullptr,
                                        nullptr};

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) {
    // Anything else is the wrapped VFS's own file, in the space SQLite gave us; a main
    // database's xShmLock is ours (db_shm_lock), its other methods the wrapped VFS's.
    const int rc = g_real->xOpen(g_real, name, file, flags, out_flags);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) && file->pMethods) {
      wal_of(file) = nullptr;
      if (const sqlite3_io_methods* m = intercepted(file->pMethods)) file->pMethods = m;
    }
    return rc;
  }
  auto* w = reinterpret_cast<WalFile*>(file);
  w->base.pMethods = nullptr;
  w->real = reinterpret_cast<sqlite3_file*>(w + 1);
  w->db = nullptr;
  w->buffered = false;
  w->buf = nullptr;
  w->len = 0;
  w->offset = 0;
  int rc = g_real->xOpen(g_real, name, w->real, flags, out_flags);
  if (rc != SQLITE_OK || !w->real->pMethods) return rc;
  w->base.pMethods = &kWalMethods;
  // Buffered only when the write lock's release can be seen (the database file is ours), and
  // when the device overwrites safely: without SQLITE_IOCAP_POWERSAFE_OVERWRITE SQLite pads a
  // commit to a sector after its sync, and that padding must reach the file at once.
  sqlite3_file* db = sqlite3_database_file_object(name);
  const bool psow = w->real->pMethods->xDeviceCharacteristics(w->real) & SQLITE_IOCAP_POWERSAFE_OVERWRITE;
  if (db && original_of(db->pMethods) && psow) {
    w->db = db;
    w->buffered = true;
    wal_of(db) = w;
  }
  return rc;
}

}  // namespace

long long coalesced_wal_writes() { return g_coalesced.load(std::memory_order_relaxed); }

bool register_coalescing_wal_vfs() {
  static const bool registered = [] {
    g_real = sqlite3_vfs_find(nullptr);
    if (!g_real || g_real->iVersion < 1) return false;
    g_vfs = *g_real;  // every other method is the wrapped VFS's
    g_vfs.zName = "ocop-coalescing-wal";
    g_vfs.pNext = nullptr;
    // Room for our header in front of a wrapped WAL file, or for a wrapped file and the slot
    // naming its WAL after it.
    g_slot = (static_cast<std::size_t>(g_real->szOsFile) + alignof(WalFile*) - 1) / alignof(WalFile*) *
             alignof(WalFile*);
    const std::size_t need =
        std::max(sizeof(WalFile) + static_cast<std::size_t>(g_real->szOsFile), g_slot + sizeof(WalFile*));
    g_vfs.szOsFile = static_cast<int>(need);
    g_vfs.xOpen = vfs_open;
    return sqlite3_vfs_register(&g_vfs, 1) == SQLITE_OK;
  }();
  return registered;
}

}  // namespace ocop::store
