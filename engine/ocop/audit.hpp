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
#include <optional>
#include <string>

#include "ocop/dossier.hpp"
#include "ocop/sha256.hpp"

namespace ocop {

inline const std::string kGenesisHash(64, '0');

std::string canonical_encoding(const AuditRecord& r);
std::string compute_hash(const AuditRecord& r);  // uses r.prev_hash

// Checks records fed in sequence order. The first problem is kept: which record, and why.
class ChainVerifier {
 public:
  // Returns false (and stops accepting) at the first record that does not match.
  bool feed(const AuditRecord& r);
  bool ok() const { return !failure_; }
  std::int64_t checked() const { return checked_; }
  const std::optional<std::string>& failure() const { return failure_; }
  const std::string& head() const { return prev_hash_; }

 private:
  std::string prev_hash_ = kGenesisHash;
  std::int64_t expected_seq_ = 1;
  std::int64_t checked_ = 0;
  std::optional<std::string> failure_;
};

}  // namespace ocop
