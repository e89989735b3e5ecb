#include "store/sqlite_wal_vfs.hpp"

#include <sqlite3.h>

#include <cstring>

namespace ocop::store {
namespace {

// At most what one write of the wrapped unix VFS takes: it writes min(n, n & 0x1ffff) bytes
// per call (os_unix.c, seekAndWriteFd), so one write of 128 KiB or more would come back short
// and fail as SQLITE_FULL. 64 KiB holds a commit of up to 15 pages of 4 KiB.
constexpr int kBufferBytes = 64 * 1024;

sqlite3_vfs* g_real = nullptr;  // the wrapped VFS
sqlite3_vfs g_vfs;              // ours

// A WAL file: our header, then the wrapped VFS's file object.
struct WalFile {
  sqlite3_file base;
  sqlite3_file* real;
  char* buf;              // kBufferBytes, or null before the first buffered write
  int len;                // bytes buffered
  sqlite3_int64 offset;   // where buf[0] goes in the file
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f)->real; }

int flush(WalFile* w) {
  if (w->len == 0) return SQLITE_OK;
  const int n = w->len;
  w->len = 0;
  return w->real->pMethods->xWrite(w->real, w->buf, n, w->offset);
}

int wal_close(sqlite3_file* f) {
  auto* w = reinterpret_cast<WalFile*>(f);
  int rc = flush(w);
  int rc2 = w->real->pMethods->xClose(w->real);
  sqlite3_free(w->buf);
  w->buf = nullptr;
  return rc != SQLITE_OK ? rc : rc2;
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
    return SQLITE_OK;
  }
  if (int rc = flush(w); rc != SQLITE_OK) return rc;
  if (n >= kBufferBytes) return w->real->pMethods->xWrite(w->real, data, n, off);
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
const sqlite3_io_methods kWalMethods = {
    1,        wal_close,      wal_read,         wal_write,         wal_truncate,
    wal_sync, wal_file_size,  wal_lock,         wal_unlock,        wal_check_reserved,
    wal_file_control,         wal_sector_size,  wal_device_characteristics,
    nullptr,  nullptr,        nullptr,          nullptr,           nullptr,
    nullptr};

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) {
    // Anything else is the wrapped VFS's own file, in the space SQLite gave us: its methods are
    // called directly, with nothing of ours in between.
    return g_real->xOpen(g_real, name, file, flags, out_flags);
  }
  auto* w = reinterpret_cast<WalFile*>(file);
  w->base.pMethods = nullptr;
  w->real = reinterpret_cast<sqlite3_file*>(w + 1);
  w->buf = nullptr;
  w->len = 0;
  w->offset = 0;
  int rc = g_real->xOpen(g_real, name, w->real, flags, out_flags);
  if (rc == SQLITE_OK && w->real->pMethods) w->base.pMethods = &kWalMethods;
  return rc;
}

}  // namespace

bool register_coalescing_wal_vfs() {
  static const bool registered = [] {
    g_real = sqlite3_vfs_find(nullptr);
    if (!g_real || g_real->iVersion < 1) return false;
    g_vfs = *g_real;  // every other method is the wrapped VFS's
    g_vfs.zName = "ocop-coalescing-wal";
    g_vfs.pNext = nullptr;
    // Room for our header in front of the wrapped file (a WAL file), or for the wrapped file alone.
    g_vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + g_real->szOsFile;
    g_vfs.xOpen = vfs_open;
    return sqlite3_vfs_register(&g_vfs, 1) == SQLITE_OK;
  }();
  return registered;
}

}  // namespace ocop::store
