// The records the engine keeps: dossiers, scoresheets, documents, certificates and audit
// records. Plain data; the store persists them, the executor changes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ocop/names.hpp"
#include "ocop/time.hpp"

namespace ocop {

struct Dossier {
  std::string id;
  State state = State::none;
  std::int64_t version = 0;  // 1 after creation; +1 per accepted event
  std::string unit;          // the commune it was filed under
  std::string product;
  std::string product_set;
  std::string producer;
  int year = 0;                   // the cycle: the year it was created, in the province's zone
  std::string rule_set;           // fixed at `register`; empty before
  int level_index = -1;           // index into the rule set's levels; -1 before `register`
  std::string level;              // the level's name ("commune", "province", ...); empty before
  std::string registration_type;  // new | upgrade | re_evaluation
  std::string base_certificate;   // the certificate an upgrade or re-evaluation builds on
  std::optional<double> score;    // the last closed scoring's average
  std::optional<int> stars;       // the last computed stars; the held certificate's when recognized
  std::string certificate;        // the certificate the dossier holds, if any
  std::string round;              // the evaluation round at the current council level
  std::string assessment;         // the screening level's locality assessment (JSON object)
  Instant created_at;
  Instant updated_at;
  Instant state_since;  // when it entered its current state
};

struct Scoresheet {
  std::string dossier;
  std::string level;
  std::string member;
  double a = 0, b = 0, c = 0;
  double total() const { return a + b + c; }
};

struct Document {
  std::string dossier;
  std::string kind;
  std::string name;
  std::string sha256;
  std::int64_t bytes = 0;
  Instant at;
};

struct Certificate {
  std::string id;
  std::string dossier;
  std::string product;
  std::string product_set;
  std::string unit;
  int stars = 0;
  std::string level;
  std::string decision_no;
  Date decision_date;
  Date issued_on;
  Date valid_until;
  std::string state = "active";        // a CertificateState's name (names.hpp)
  std::string superseded_by;           // superseded: the certificate that replaced it
  std::string revocation_ground;       // revoked: the ground's code (config revocation_grounds)
  std::string revocation_decision_no;  // revoked: the revocation decision's number
  std::optional<Date> revoked_on;      // revoked: the decision's date (else the day it was fired)
};

// One audit record. The fields in the hash and their canonical encoding are public and
// frozen (see audit.hpp).
struct AuditRecord {
  std::int64_t seq = 0;
  Instant at;
  std::string actor;
  std::string role;
  std::string dossier;
  std::string event;
  std::string from_state;
  std::string to_state;
  std::string level;
  std::string data;       // canonical JSON of the event's data
  std::string prev_hash;  // hex SHA-256 of the previous record; 64 zeros for the first
  std::string hash;       // hex SHA-256 of this record
  std::string at_text;    // as stored, when read back (verification checks its canonical form)
};

}  // namespace ocop
