#include "ocop/audit.hpp"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ocop {

std::string sha256_hex(const std::string& bytes) {
  // The digest is fetched once and the context reused: EVP_Digest() looks the algorithm up
  // and allocates a context on every call, which showed as a tenth of an import's CPU.
  struct Digest {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Digest() {
      EVP_MD_CTX_free(ctx);
      EVP_MD_free(md);
    }
  };
  thread_local Digest d;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!d.md || !d.ctx || !EVP_DigestInit_ex(d.ctx, d.md, nullptr) ||
      !EVP_DigestUpdate(d.ctx, bytes.data(), bytes.size()) || !EVP_DigestFinal_ex(d.ctx, md, &len))
    throw std::runtime_error("OpenSSL SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  return out;
}

namespace {
// A JSON string exactly as nlohmann::json::dump() writes it (UTF-8 kept, control characters
// and the two specials escaped), without building a json value.
void append_json_string(std::string& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}
}  // namespace

std::string canonical_encoding(const AuditRecord& r) {
  // `data` is stored in canonical form already (nlohmann::json::dump(): keys sorted, compact)
  // and is embedded as stored: any edit to it, even of white space, changes the hash.
  std::string out;
  out.reserve(256 + r.data.size());
  out += '[';
  out += std::to_string(r.seq);
  out += ',';
  append_json_string(out, format_instant(r.at, 0));
  for (const std::string* f : {&r.actor, &r.role, &r.dossier, &r.event, &r.from_state, &r.to_state, &r.level}) {
    out += ',';
    append_json_string(out, *f);
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
  } else if (!r.at_text.empty() && r.at_text != format_instant(r.at, 0)) {
    failure_ = where + ": its time \"" + r.at_text + "\" is not in the canonical UTC form (the record was altered)";
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
