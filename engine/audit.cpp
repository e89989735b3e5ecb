#include "ocop/audit.hpp"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

namespace ocop {

std::string sha256_hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  return out;
}

std::string canonical_encoding(const AuditRecord& r) {
  // `data` is stored in canonical form already (nlohmann::json::dump(): keys sorted, compact)
  // and is embedded as stored: any edit to it, even of white space, changes the hash.
  auto str = [](const std::string& v) { return nlohmann::json(v).dump(); };
  std::string out = "[";
  out += std::to_string(r.seq);
  for (const std::string* f : {&r.actor, &r.role, &r.dossier, &r.event, &r.from_state, &r.to_state, &r.level}) {
    if (f == &r.actor) out += "," + str(format_instant(r.at, 0));
    out += ",";
    out += str(*f);
  }
  out += ",";
  out += r.data.empty() ? "{}" : r.data;
  out += "]";
  return out;
}

std::string compute_hash(const AuditRecord& r) {
  std::string input = r.prev_hash;
  input += '\n';
  input += canonical_encoding(r);
  return sha256_hex(input);
}

bool ChainVerifier::feed(const AuditRecord& r) {
  if (failure_) return false;
  std::string where = "audit record " + std::to_string(r.seq);
  if (r.seq != expected_seq_) {
    failure_ = where + ": expected sequence " + std::to_string(expected_seq_) +
               " (a record is missing or out of order)";
  } else if (r.prev_hash != prev_hash_) {
    failure_ = where + ": prev_hash does not match the previous record's hash";
  } else if (compute_hash(r) != r.hash) {
    failure_ = where + " (dossier " + r.dossier + ", " + r.event +
               "): content does not match its hash (the record was altered)";
  }
  if (failure_) return false;
  prev_hash_ = r.hash;
  ++expected_seq_;
  ++checked_;
  return true;
}

}  // namespace ocop
