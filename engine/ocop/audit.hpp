// The audit chain (spec §6): append-only, hash-chained.
//
// hash(record) = hex(SHA-256(prev_hash + "\n" + canonical(record))), where canonical(record) is
// the compact JSON array
//   [seq, at, actor, role, dossier, event, from, to, level, data]
// with `at` as UTC "YYYY-MM-DDTHH:MM:SSZ", `data` as the event's data object with keys sorted
// and no insignificant white space (nlohmann::json's dump()), UTF-8 unescaped. The first
// record's prev_hash is 64 zeros. This encoding is public and frozen: an auditor's own tool
// recomputes it, and changing it would invalidate every stored chain.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ocop/dossier.hpp"
#include "ocop/sha256.hpp"

namespace ocop {

inline const std::string kGenesisHash(64, '0');

// Archives (docs/operations.md, "Archive"; adapters/store/archive.hpp). `ocop archive` moves
// the records of archived dossiers out of the trail and appends a checkpoint record: event
// "archive", dossier "archive:<id>", data (canonical JSON) with at least
//   archive, manifest_sha256, cut_seq, cut_hash, archived_records, archived_digest,
//   retained_records, retained_digest
// where a digest is hex(SHA-256) over one line "<seq> <hash>\n" per record in sequence order:
// `archived_*` of the records moved into the archive, `retained_*` of the records left in the
// trail before the checkpoint (those of objects that stay live, and earlier checkpoints).
inline constexpr const char* kArchiveEvent = "archive";
inline constexpr const char* kArchivePrefix = "archive:";

// The digest of records fed in order (the "<seq> <hash>\n" lines above).
class RecordDigest {
 public:
  void add(std::int64_t seq, const std::string& hash);
  std::int64_t count() const { return count_; }
  std::string hex();  // ends the digest: call once

 private:
  Sha256 sha_;
  std::int64_t count_ = 0;
};

// An archive's records, in sequence order, for `audit verify --archive` (the adapter reads
// them from the archive's folder after checking its manifest).
class ArchivedTrail {
 public:
  virtual ~ArchivedTrail() = default;
  virtual const std::string& id() const = 0;               // as its checkpoint names it
  virtual const std::string& manifest_sha256() const = 0;  // SHA-256 of its manifest.json
  // The next record into `r`; false at the end or when a line cannot be read (then problem()).
  virtual bool next(AuditRecord& r) = 0;
  virtual const std::string& problem() const = 0;  // empty unless next() failed
};

std::string canonical_encoding(const AuditRecord& r);
std::string compute_hash(const AuditRecord& r);  // uses r.prev_hash

// Checks records fed in sequence order. The first problem is kept: which record, and why.
class ChainVerifier {
 public:
  // The trail was archived (ocop/audit.hpp above): the records before the checkpoint at `seq`
  // are only those left live, with gaps where archived ones were. Each of them is checked on
  // its own (its content against its hash, and its link when the record before it is there
  // too), their count and digest against the checkpoint's retained_*; from the checkpoint on,
  // every link as usual. Call before the first feed.
  void expect_checkpoint(std::int64_t seq) { checkpoint_ = seq; }
  // Returns false (and stops accepting) at the first record that does not match.
  bool feed(const AuditRecord& r);
  bool ok() const { return !failure_; }
  std::int64_t checked() const { return checked_; }
  const std::optional<std::string>& failure() const { return failure_; }
  const std::string& head() const { return prev_hash_; }

 private:
  std::string prev_hash_ = kGenesisHash;
  std::string scratch_;  // the canonical encoding's head, its buffer reused record after record
  std::int64_t checkpoint_ = 0;  // the checkpoint's seq while records before it are fed
  std::int64_t last_seq_ = 0;    // before the checkpoint: the last record's seq
  std::unique_ptr<RecordDigest> retained_;
  // The record's time and content against its hash; sets failure_.
  void check_content(const AuditRecord& r);
  // A record before the checkpoint, or the checkpoint itself.
  void feed_before_checkpoint(const AuditRecord& r);
  std::int64_t expected_seq_ = 1;
  std::int64_t checked_ = 0;
  std::optional<std::string> failure_;
};

// A ChainVerifier run on a second thread while the caller reads the next records: feed()
// copies a record into a batch (the batch's strings keep their buffers, so nothing is allocated
// per record once warm) and hands a full batch to the worker. Two batches of 2,048 records
// exist, whatever the trail's length: memory is flat. The verifier's result (the first failure,
// the count checked, the head) is exactly what feeding it the same records in the same order
// on one thread gives. Read the verifier only after finish(). Not thread-safe itself: one
// caller feeds.
class PipelinedChainVerifier {
 public:
  explicit PipelinedChainVerifier(ChainVerifier& v);
  ~PipelinedChainVerifier();  // finishes
  PipelinedChainVerifier(const PipelinedChainVerifier&) = delete;
  PipelinedChainVerifier& operator=(const PipelinedChainVerifier&) = delete;

  // Queues the record; false once the worker has found a failure (stop reading).
  bool feed(const AuditRecord& r);
  // Checks what is queued and stops the worker. Idempotent.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ocop
