// The file blob store: document bytes as files under a directory, named by their SHA-256.
//
//   ROOT/ab/cdef…        the bytes whose SHA-256 is "abcdef…" (2 + 62 hex digits), read-only
//   ROOT/tmp/*.part      staged copies not yet published (left only by a crash; safe to delete
//                        when no ocop process runs)
//
// ROOT is, in order: $OCOP_DOCUMENTS_DIR; the configuration's documents.directory; for a SQLite
// database "<database file>.documents" (ocop.db → ocop.db.documents). A PostgreSQL database
// needs one of the first two. Staging writes and fsyncs the copy; publishing renames it to its
// hash name and fsyncs the directory, so after a crash a hash name holds either nothing or the
// complete bytes. See ocop/blobs.hpp for the contract.
#pragma once

#include <string>

#include "ocop/blobs.hpp"
#include "store/soci_store.hpp"

namespace ocop::store {

// The documents directory of a database (see above); empty when none can be chosen (a
// PostgreSQL database with neither the variable nor the key).
std::string documents_dir(const DbUrl& url, const std::string& configured, const std::string& from_env);

class FileBlobStore : public BlobStore {
 public:
  // Creates nothing until the first stage().
  explicit FileBlobStore(std::string root);

  const std::string& root() const { return root_; }
  // Where the bytes of `sha256` are (or would be) stored.
  std::string path_of(const std::string& sha256) const;

  Status stage(std::istream& in, std::int64_t max_bytes, StagedBlob& out) override;
  Status publish(const StagedBlob& blob) override;
  void discard(const StagedBlob& blob) noexcept override;
  bool contains(const std::string& sha256) override;
  Status read(const std::string& sha256, std::ostream& out) override;

 private:
  std::string root_;
};

}  // namespace ocop::store
