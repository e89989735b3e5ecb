// Transactions and retries: the one way every caller runs a unit of work against a store.
//
// A Transaction begins on construction and rolls back on destruction unless commit() returned
// (a commit that throws leaves it open, so it is rolled back too). with_retry() runs a unit of
// work again after a retryable StoreError (SQLite busy or locked; PostgreSQL serialization
// failure, deadlock, lock not available, unique violation: ocop/store.hpp), sleeping a jittered,
// growing delay between attempts, at most `attempts` times in all; any other error, and the last
// retryable one, propagates to the caller. Nothing is ever skipped silently. The unit of work
// opens its own Transaction, so each attempt starts from a clean slate and re-reads everything.
//
// Used by the executor, the scheduler, the dispatcher, the migrator and the import. Neither is
// thread-safe beyond the Store they use (one connection, one thread).
#pragma once

#include <algorithm>

#include "ocop/store.hpp"

namespace ocop {

// How a unit of work is retried after a retryable StoreError: at most `attempts` transactions
// in all, sleeping a random time in [0, base_delay_ms * 2^(n-1)) after the n-th failure
// (jitter keeps writers that collided from colliding again in step).
struct RetryPolicy {
  int attempts = 8;
  int base_delay_ms = 2;
};

// Sleeps the jittered delay that follows the `failed_attempts`-th failure under `p`.
void retry_backoff(const RetryPolicy& p, int failed_attempts);

class Transaction {
 public:
  explicit Transaction(TransactionPort& store) : store_(store) { store_.begin(); }
  ~Transaction() {
    if (open_) {
      try {
        store_.rollback();
      } catch (...) {
        // The connection failed; the database rolls the transaction back by itself.
      }
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    store_.commit();
    open_ = false;
  }
  // Ends the transaction writing nothing (a dry run); throws what the store throws.
  void rollback() {
    open_ = false;
    store_.rollback();
  }
  bool open() const { return open_; }

 private:
  TransactionPort& store_;
  bool open_ = true;
};

// Runs fn(attempt) (attempt = 1, 2, ...) until it returns; see the header comment.
template <typename F>
auto with_retry(const RetryPolicy& p, F&& fn) -> decltype(fn(1)) {
  const int attempts = std::max(1, p.attempts);
  for (int attempt = 1;; ++attempt) {
    try {
      return fn(attempt);
    } catch (const StoreError& e) {
      if (!e.retryable() || attempt >= attempts) throw;
      retry_backoff(p, attempt);
    }
  }
}

}  // namespace ocop
