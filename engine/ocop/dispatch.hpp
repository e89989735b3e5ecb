// The dispatcher (`ocop deliver`): takes due messages from the outbox and hands each to the
// transport of its channel, at least once.
//
// A run repeats: claim a few due messages in one short transaction (Store::claim_outbox: state
// `sending`, claimed_by this run, a lease of kLease, attempts + 1), commit, then send each one
// outside any transaction, and settle each in its own short transaction (sent; or pending again
// after a backoff; or dead once attempts reach channels.max_attempts). Two deliverers never
// hold the same message: a claim is a committed row change (SQLite has one writer; PostgreSQL
// skips rows another claim has locked), and settling checks that the claim is still this run's.
//
// At least once, not exactly once: a deliverer that dies after its transport handed a message
// over and before it settled leaves the message `sending`; once the lease runs out, the next run
// claims it and sends it again with the same idempotency key (outbox.hpp), by which a receiver
// recognises the repeat. A claim that is never settled still counts as an attempt, so a message
// that makes the deliverer crash ends dead instead of looping.
//
// Times come from the Clock (`--now` on a simulation database). A Dispatcher uses one Store
// and is used from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ocop/config.hpp"
#include "ocop/executor.hpp"
#include "ocop/outbox.hpp"
#include "ocop/store.hpp"
#include "ocop/transaction.hpp"

namespace ocop {

// The outcome of handing one message to its receiver.
struct Delivery {
  bool sent = false;
  std::string error;  // why not, for people ("HTTP 503 ...", "connection refused ...")
};

// Sends messages of one channel. adapters/notify implements SMTP and webhook over libcurl.
class Transport {
 public:
  virtual ~Transport() = default;
  // Why this transport cannot send at all right now (not configured, the signing secret is
  // missing), or empty when it can. Messages then stay pending with this as their error.
  virtual std::string unavailable() const = 0;
  // Hands `m` to its receiver; blocks at most the transport's own timeout.
  virtual Delivery send(const OutboxMessage& m) = 0;
};

// The wait after the n-th failed attempt (n >= 1): 1 minute × 2^(n−1), at most 6 hours.
std::int64_t backoff_seconds(int attempts);

struct DeliveredMessage {
  OutboxMessage message;    // as settled
  bool lost_claim = false;  // the lease ran out and another deliverer took it: not recorded
};

struct DeliveryReport {
  int sent = 0;
  int failed = 0;                                  // will be retried
  int dead = 0;                                    // failed for the last time in this run
  int held = 0;                                    // due but not sendable (a channel unavailable)
  std::map<std::string, std::string> unavailable;  // channel -> why it cannot send (held or not)
  std::vector<DeliveredMessage> messages;          // in the order they were tried
};

class Dispatcher {
 public:
  // How long a claim holds. Longer than a batch of sends can take (kBatch × a transport's
  // timeout), so that a live deliverer never loses its claim.
  static constexpr std::int64_t kLeaseSeconds = 10 * 60;
  static constexpr int kBatch = 10;
  // A claim, a settlement or a hold is retried like any transaction (ocop/transaction.hpp).
  static constexpr RetryPolicy kRetry{5, 2};

  Dispatcher(const Config& config, Store& store, const Clock& clock);

  // The transport for a channel ("email", "webhook"). Not owned.
  void set_transport(const std::string& channel, Transport* t) { transports_[channel] = t; }
  // This run's name in claimed_by; default: random.
  void set_worker(std::string w) { worker_ = std::move(w); }
  // Test hook: called after a message was sent and before its outcome is settled.
  void set_after_send_hook(std::function<void(const OutboxMessage&)> h) { after_send_ = std::move(h); }

  // Delivers due messages, at most `limit` (0: all that are due). Store failures throw
  // StoreError (a claim that fails writes nothing; the messages stay due).
  DeliveryReport run(int limit);

 private:
  template <typename F>
  auto in_transaction(F&& f) -> decltype(f());

  const Config& config_;
  Store& store_;
  const Clock& clock_;
  std::map<std::string, Transport*> transports_;
  std::string worker_;
  std::function<void(const OutboxMessage&)> after_send_;
};

}  // namespace ocop
