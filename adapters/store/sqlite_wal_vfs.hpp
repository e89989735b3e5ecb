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
// Why this is safe: the WAL's frames count only once the WAL index names them, and SQLite
// updates the index after the commit's fsync, which writes the buffer first; a crash before
// that fsync loses the same frames with or without the buffer. This holds when every commit
// is synced, i.e. with `PRAGMA synchronous=FULL` (or EXTRA), which the store sets on every
// connection it opens; with NORMAL or OFF, frames could sit in the buffer after the index
// names them, so SociStore never uses those settings. A write error surfaces at the sync (or
// the read) that flushes it, and SQLite then fails the commit, as it does when fsync fails.
#pragma once

namespace ocop::store {

// Registers the VFS as the process's default (once; later calls do nothing). Returns false
// when the default VFS could not be found or registration failed: SQLite's own is used.
bool register_coalescing_wal_vfs();

}  // namespace ocop::store
