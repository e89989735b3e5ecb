// The outbox (spec §6, §7): notifications written in the same transaction as what caused them,
// delivered later by `ocop deliver`. A message is never lost (it is a row before anything is
// sent) and never queued twice (its `dedupe_key` is unique: a reminder digest's key names its
// rule, unit and day; an event's notification names the dossier, its version after the event, and the
// recipient).
#pragma once

#include <cstdint>
#include <string>

#include "ocop/time.hpp"

namespace ocop {

struct OutboxMessage {
  std::int64_t id = 0;     // assigned by the store
  std::string dedupe_key;  // unique; the second enqueue of the same key writes nothing
  std::string channel;     // "email" or "webhook"
  std::string recipient;   // an e-mail address, or the webhook's URL
  std::string subject;     // Vietnamese
  std::string body;        // Vietnamese text (email), or the JSON body (webhook)
  std::string
      cause;  // what made it, for people: "dossier HG-2026-00001 returned", "reminder stalled-submitted"
  std::string dossier;  // the dossier it is about, if one (empty for digests)
  Instant created_at;
  std::string state = "pending";  // pending | sending | sent | dead
  int attempts = 0;               // deliveries started (a claim counts one, whatever its outcome)
  Instant next_attempt_at;        // pending: not before this
  std::string last_error;
  Instant sent_at;  // sent: when
  // sending: the deliverer that claimed it and until when the claim holds (migration 4). A
  // claim whose lease ran out (the deliverer died) may be taken by another deliverer.
  std::string claimed_by;
  Instant lease_until;
};

// The public names of the states (`ocop outbox --state`).
inline bool is_outbox_state(const std::string& s) {
  return s == "pending" || s == "sending" || s == "sent" || s == "dead";
}

// The idempotency key a message carries to its receiver, the same on every attempt:
// "ocop-<id>" (the webhook's Idempotency-Key header; the e-mail's Message-ID is
// <ocop-<id>@domain>).
inline std::string idempotency_key(const OutboxMessage& m) { return "ocop-" + std::to_string(m.id); }

}  // namespace ocop
