// A SQLite VFS that writes each transaction's WAL frames in a few large writes.
//
// SQLite appends a commit to its write-ahead log with two pwrite() calls per page (the 24-byte
// frame header, then the page), then fsyncs. With ~10 pages per event that is ~20 system calls
// per commit, about a tenth of an imported event's time at `--batch 1`. This VFS wraps the
// default one ("unix") and, for WAL files only, gathers consecutive writes in a buffer that
// goes to the file in one pwrite() when SQLite next syncs, reads, truncates, asks the size
// of, or closes the file, when a write does not continue the buffer, or when the buffer is
// full (64 KiB). The database file and its shared-memory index are the default VFS's own,
// untouched.
//
// Why this is safe: the buffer is written to the file before its connection gives up the WAL
// write lock (the database file's xShmLock is wrapped to see that), so another connection
// never finds the WAL other than SQLite alone would leave it at that point: a commit's frames
// are in the file (with synchronous=FULL, which the store sets, already at the commit's sync,
// before the WAL index names them), and a rolled-back transaction's frames lie past the WAL's
// valid end, as SQLite leaves them. A crash while the lock is held loses only what was never
// synced. Buffering is off for a WAL whose database file is not this VFS's, and on a device
// without SQLITE_IOCAP_POWERSAFE_OVERWRITE (SQLite then pads a commit after its sync). A write
// error surfaces at the sync (or read) that flushes it, and SQLite fails the commit, as it
// does when fsync fails.
#pragma once

namespace ocop::store {

// Registers the VFS as the process's default (once; later calls do nothing). Returns false
// when the default VFS could not be found or registration failed: SQLite's own is used.
bool register_coalescing_wal_vfs();

// WAL writes gathered into a buffer rather than written at once, since the process started
// (tests and benchmarks: zero means the buffering is not in effect).
long long coalesced_wal_writes();

}  // namespace ocop::store
