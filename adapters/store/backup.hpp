// Backups of a SQLite database with its documents, and their restore (issue 14; `ocop backup`,
// `ocop restore`; docs/operations.md, "Backups").
//
// A backup is a new directory:
//   DEST/ocop.db           the database, copied by SQLite's online backup (a consistent
//                          snapshot while other processes write; they are not stopped)
//   DEST/documents/ab/...  every document the copy names, laid out as a documents directory
//   DEST/manifest.json     what a restore checks: the format, when, from where, the schema, the
//                          audit chain's record count and head in the copy, the database file's
//                          size and SHA-256, and every document's SHA-256 and size
// Documents are copied after the database: stored files never change and are never deleted,
// so every file the snapshot names exists then. The manifest is written last: a directory
// without one is an incomplete backup, which restore refuses.
//
// The chain in the copy is verified by the caller (the CLI opens the copy and runs the
// application's audit_verify) between copy_database() and write_manifest(); restore checks every
// hash before it copies anything into place, and the caller verifies the restored chain
// against the manifest's head. PostgreSQL's backups are pg_dump's (docs); nothing here
// speaks to PostgreSQL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocop/status.hpp"

namespace ocop::store {

inline constexpr int kBackupFormat = 1;
inline constexpr const char* kBackupDatabase = "ocop.db";
inline constexpr const char* kBackupDocuments = "documents";
inline constexpr const char* kBackupManifest = "manifest.json";

struct BackupDocument {
  std::string sha256;
  std::int64_t bytes = 0;
};

struct BackupManifest {
  int format = kBackupFormat;
  std::string created_at;       // ISO 8601, the province's time
  std::string source;           // the database URL, password redacted
  int schema_version = 0;
  bool simulation = false;
  std::int64_t audit_records = 0;
  std::string audit_head;       // empty for an empty trail
  std::int64_t database_bytes = 0;
  std::string database_sha256;
  std::vector<BackupDocument> documents;  // copied, by SHA-256
  // Named by the database but never stored (an event recorded a document's hash without its
  // bytes, as the sample's and imported files' do): listed, not copied, not an error.
  std::vector<std::string> not_stored;
};

// Creates DEST (it must not exist; its parent must) and copies the SQLite database at
// `source_path` into DEST/ocop.db with SQLite's online backup. Bad input (DEST exists, the
// source is not a database): BadInput; I/O: Internal. Leaves DEST for the caller to remove on
// failure.
Status copy_database(const std::string& source_path, const std::string& dest);

// Copies every document the database copy in DEST names from `documents_dir` into
// DEST/documents, checking each one's SHA-256 and size as it copies; a damaged document is a
// failure naming it (code 4: the source is damaged). Fills manifest.documents, and
// manifest.not_stored with those whose bytes are not in the directory.
Status copy_documents(const std::string& documents_dir, const std::string& dest, BackupManifest& manifest);

// Hashes DEST/ocop.db into the manifest and writes DEST/manifest.json (fsynced).
Status write_manifest(const std::string& dest, BackupManifest& manifest);

// Reads and checks a backup: the manifest parses and is of a known format; the database file's
// size and SHA-256 and every document's are as the manifest says. What is wrong names the
// file (code 4; a directory that is no backup: 2).
Status check_backup(const std::string& src, BackupManifest& manifest);

// Copies a checked backup into place: the database to `db_path` and the documents into
// `documents_dir`. The database must not exist (a restore never overwrites one); documents
// already in the directory are kept (named by their hash, they are the same bytes). On failure
// what was created is removed; on success `created` lists it (the caller removes it if the
// restored chain does not verify).
Status restore_files(const std::string& src, const BackupManifest& manifest, const std::string& db_path,
                     const std::string& documents_dir, std::vector<std::string>& created);

// File helpers shared with the archive (store/archive.hpp).
// fsync of a file or directory; false when it cannot be opened or synced.
bool fsync_path(const std::string& path, bool directory);
// The SHA-256 and size of a file, streamed (a missing file: Refused, naming it).
Status hash_file(const std::string& path, std::string& sha, std::int64_t& bytes);
// Copies `from` to `to` through `to`.part (fsynced, then renamed), checking the SHA-256 and
// size of what it copied against `sha` and `bytes` (a mismatch: Refused, naming `from`).
Status copy_checked(const std::string& from, const std::string& to, const std::string& sha, std::int64_t bytes);

// Removes what restore_files created (newest first, with the database's -wal and -shm), and the
// directories under and including `documents_dir` that are left empty.
void remove_restored(std::vector<std::string>& created, const std::string& documents_dir);

}  // namespace ocop::store
