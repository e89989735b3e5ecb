// Archives: `ocop archive --until YEAR DEST` and `ocop audit verify --archive DEST` (issue 14;
// docs/operations.md, "Archive", has the design and its reasons).
//
// What is archived: a dossier of a cycle year <= YEAR that is in a final state (recognized,
// not_recognized, rejected, withdrawn), none of whose certificates is in force (active or
// expiring), that no promotion participation or inspection names, and whose certificates no
// dossier that stays live builds on (base_certificate). Every cycle of a year <= YEAR that has
// dossiers must be over: its row in `cycles` says closed, or it has none and its last day
// (configuration) is before today; otherwise the archive is refused and nothing is written.
//
// The chain is global: records of archived dossiers are interleaved with records of what stays
// live. The archive takes the archived dossiers' records up to the cut (the head when the plan
// was made), and the live trail keeps the others where they are and gets a checkpoint record
// (ocop/audit.hpp) that commits to both sides: the archive's manifest, the count and digest
// of the records that left, and of the records that stayed before it.
//
// DEST (a new directory) holds, each file written and fsynced before the next:
//   audit.jsonl         the archived records in sequence order, one JSON object a line:
//                       seq, at (as stored), actor, role, dossier, event, from, to, level,
//                       data (the stored canonical text, as a string), prev_hash, hash
//   dossiers.jsonl, certificates.jsonl, scoresheets.jsonl, documents.jsonl
//                       the archived dossiers' rows, column by column
//   documents/ab/...    the bytes of their documents (as a documents directory)
//   manifest.json       written last: format, id, until, cut, counts, the digest of the
//                       archived records, every file's SHA-256 and size
// Then one transaction deletes the archived rows, appends the checkpoint and records the
// archive (tables archives, archived_dossiers: migration 10). Documents' files no live row
// names are removed after the commit.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ocop/audit.hpp"
#include "ocop/status.hpp"
#include "ocop/time.hpp"
#include "store/soci_store.hpp"

namespace ocop::store {

inline constexpr int kArchiveFormat = 1;
inline constexpr const char* kArchiveManifest = "manifest.json";

struct ArchivePlan {
  int until = 0;
  std::string id;                     // "until-YEAR-cut-SEQ"
  AuditHead cut;                      // the head when the plan was made
  std::vector<std::string> dossiers;  // to archive, by id
  // Dossiers of years <= until left live, by reason.
  std::map<std::string, std::int64_t> kept;
};

// The manifest of an archive, as written and as read back.
struct ArchiveManifest {
  int format = kArchiveFormat;
  std::string id, created_at, source;
  int until = 0;
  AuditHead cut;
  std::int64_t dossiers = 0, records = 0;
  std::string records_digest;  // RecordDigest of the archived records
  std::map<std::string, std::pair<std::string, std::int64_t>> files;  // name -> (sha256, bytes)
  std::vector<std::pair<std::string, std::int64_t>> documents;        // (sha256, bytes)
  std::vector<std::string> not_stored;                                 // named, without bytes
  std::string sha256;  // of manifest.json itself (read back)
};

// The plan: which dossiers go (the rules above). `last_days`: the configured cycles' last days
// by year; `today` the clock's day. A cycle still open: Refused (4), naming it.
Status plan_archive(SociStore& s, int until, const std::map<int, Date>& last_days, Date today, ArchivePlan& plan);

// Writes DEST (which must not exist) as described above, the manifest last; checks what it
// wrote (every record's hash, the files' hashes) before it returns. `documents_dir` may be
// empty (no documents directory: documents are listed as not stored). On failure DEST is
// removed.
Status write_archive(SociStore& s, const ArchivePlan& plan, const std::string& documents_dir, const std::string& dest,
                     const std::string& created_at, const std::string& source, ArchiveManifest& m);

// Reads DEST/manifest.json and checks every file it names (SHA-256 and size) and, with
// `records`, every record of audit.jsonl against its hash and the count and digest. What is
// wrong names the file or the record: Refused (4); DEST without a manifest: BadInput (2, an
// incomplete archive).
Status check_archive(const std::string& dest, ArchiveManifest& m, bool records);

// Whether the archive `id` was committed (its checkpoint is in the trail).
bool archive_committed(SociStore& s, const std::string& id);

// The transaction: checks that nothing happened to the archived dossiers since the cut and that
// they still qualify, deletes their rows and records up to the cut, appends the checkpoint
// record and records the archive. `actor` signs the checkpoint. Refused (4) and nothing
// changed when a dossier moved on since the archive was written.
Status commit_archive(SociStore& s, const ArchiveManifest& m, const std::string& dest, Instant now,
                      const std::string& actor, std::int64_t& checkpoint);

// Removes the documents' files of the archive that no live row names any more. Returns how
// many it removed.
std::int64_t purge_documents(SociStore& s, const ArchiveManifest& m, const std::string& documents_dir);

// The archive's records for Application::audit_verify: the manifest checked first
// (check_archive), then audit.jsonl read a line at a time.
std::unique_ptr<ArchivedTrail> open_archived_trail(const std::string& dest, Status& status);

}  // namespace ocop::store
