// The blob store port: the bytes of attached documents, kept by content (SHA-256).
//
// The database records what a dossier holds (kind, name, sha256, bytes, in the documents table
// and the audit trail); a BlobStore keeps the bytes under their SHA-256, so an identical file
// is stored once, a name can never point at other bytes, and a reader can check what it gets.
// adapters/store/file_blob_store implements it with files beside the database.
//
// Writing is two-phase so that nothing acknowledged refers to missing bytes:
//   1. stage() copies the content into the store's scratch area while hashing it, and makes
//      the copy durable (fsync). Nothing is visible under a hash name yet.
//   2. publish() gives the staged copy its hash name atomically (rename, then fsync of the
//      directory). The executor publishes an event's blobs before it writes the event, and
//      the event's transaction commits after that: a crash leaves at worst a blob that no
//      record refers to (harmless), never a record without its bytes, never a half file
//      under a hash name.
//   3. discard() removes a staged copy that was not published (the event was refused).
//
// A BlobStore is used from one thread. Several processes may share one directory: the same
// content published twice is the same file.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

#include "ocop/status.hpp"

namespace ocop {

// A staged copy of some content: its hash and size, and the store's handle on the copy.
struct StagedBlob {
  std::string sha256;      // hex SHA-256 of the bytes
  std::int64_t bytes = 0;  // their number
  std::string handle;      // the adapter's (for the file store: the scratch file's path)
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Copies `in` to the end into the scratch area and hashes it. More than `max_bytes` bytes
  // is Code::bad_input, and so is a stream that cannot be read; a failure to write the copy
  // is Code::internal. On any failure nothing is left behind.
  virtual Status stage(std::istream& in, std::int64_t max_bytes, StagedBlob& out) = 0;

  // Makes a staged copy durable under its hash name. Idempotent: publishing content the store
  // already holds (or the same blob again) only drops the staged copy. Code::internal when
  // the rename or the directory sync fails.
  virtual Status publish(const StagedBlob& blob) = 0;

  // Drops a staged copy that was not published; a no-op once it was. Never fails.
  virtual void discard(const StagedBlob& blob) noexcept = 0;

  // Whether the store holds bytes under this hash (not checking them).
  virtual bool contains(const std::string& sha256) = 0;

  // Writes the bytes stored under `sha256` to `out`, after checking that they still hash to
  // it: Code::not_found when nothing is stored under that name; Code::refused when the stored
  // bytes do not match their name (damaged or altered: nothing is written to `out`);
  // Code::internal on a read error.
  virtual Status read(const std::string& sha256, std::ostream& out) = 0;
};

}  // namespace ocop
