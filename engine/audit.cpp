#include "ocop/audit.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ocop {

namespace {
// A JSON string exactly as nlohmann::json::dump() writes it (UTF-8 kept, control characters
// and the two specials escaped), without building a json value.
void append_json_string(std::string& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
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

namespace {
// canonical(record) up to its data: "[seq,at,actor,role,dossier,event,from,to,level,".
std::string canonical_head(const AuditRecord& r) {
  std::string out;
  out.reserve(256);
  out += '[';
  out += std::to_string(r.seq);
  out += ',';
  append_json_string(out, format_instant(r.at, 0));
  for (const std::string* f :
       {&r.actor, &r.role, &r.dossier, &r.event, &r.from_state, &r.to_state, &r.level}) {
    out += ',';
    append_json_string(out, *f);
  }
  out += ",";
  return out;
}
}  // namespace

std::string canonical_encoding(const AuditRecord& r) {
  // `data` is stored in canonical form already (nlohmann::json::dump(): keys sorted, compact)
  // and is embedded as stored: any edit to it, even of white space, changes the hash.
  std::string out = canonical_head(r);
  out += r.data.empty() ? "{}" : r.data;
  out += "]";
  return out;
}

std::string compute_hash(const AuditRecord& r) {
  // prev_hash + "\n" + canonical(record), hashed in pieces: a large record is not copied.
  Sha256 h;
  h.update(r.prev_hash.data(), r.prev_hash.size());
  h.update("\n", 1);
  const std::string head = canonical_head(r);
  h.update(head.data(), head.size());
  if (r.data.empty())
    h.update("{}", 2);
  else
    h.update(r.data.data(), r.data.size());
  h.update("]", 1);
  return h.hex();
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
    failure_ =
        where + ": its time \"" + r.at_text + "\" is not in the canonical UTC form (the record was altered)";
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
