#include "ocop/dispatch.hpp"

#include <algorithm>
#include <random>

namespace ocop {

std::int64_t backoff_seconds(int attempts) {
  constexpr std::int64_t kFirst = 60, kMax = 6 * 3600;
  if (attempts <= 1) return kFirst;
  const int doublings = std::min(attempts - 1, 20);  // 2^20 minutes is far past the cap
  return std::min(kFirst << doublings, kMax);
}

namespace {
std::string random_worker() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string w = "deliver-";
  for (int i = 0; i < 12; ++i) w += hex[rd() % 16];
  return w;
}
}  // namespace

Dispatcher::Dispatcher(const Config& config, Store& store, const Clock& clock)
    : config_(config), store_(store), clock_(clock), worker_(random_worker()) {}

template <typename F>
auto Dispatcher::in_transaction(F&& f) -> decltype(f()) {
  return with_retry(kRetry, [&](int) {
    Transaction tx(store_);
    auto r = f();
    tx.commit();
    return r;
  });
}

DeliveryReport Dispatcher::run(int limit) {
  DeliveryReport report;
  const Instant now = clock_.now();
  std::vector<std::string> ready;
  for (const auto& [channel, transport] : transports_) {
    std::string why = transport ? transport->unavailable() : "no transport";
    if (why.empty()) {
      ready.push_back(channel);
    } else {
      report.unavailable[channel] = why;
      // (clang 14, which builds the fuzzers, cannot capture a structured binding)
      report.held += in_transaction([&, &ch = channel] { return store_.hold_outbox(ch, now, why); });
    }
  }
  if (ready.empty()) return report;
  const int max_attempts = std::max(1, config_.channels.max_attempts);
  int taken = 0;
  for (;;) {
    int want = Dispatcher::kBatch;
    if (limit > 0) want = std::min(want, limit - taken);
    if (want <= 0) break;
    auto batch = in_transaction([&] {
      return store_.claim_outbox(ready, now, Instant{now.seconds + kLeaseSeconds}, worker_, want,
                                 max_attempts);
    });
    if (batch.empty()) break;
    taken += static_cast<int>(batch.size());
    for (auto& m : batch) {
      Delivery d = transports_.at(m.channel)->send(m);
      if (after_send_) after_send_(m);
      if (d.sent) {
        m.state = "sent";
        m.sent_at = now;
        m.last_error.clear();
      } else if (m.attempts >= max_attempts) {
        m.state = "dead";
        m.last_error = d.error;
      } else {
        m.state = "pending";
        m.next_attempt_at = Instant{now.seconds + backoff_seconds(m.attempts)};
        m.last_error = d.error;
      }
      DeliveredMessage out;
      out.lost_claim = !in_transaction([&] { return store_.settle_outbox(m, worker_); });
      if (!out.lost_claim) {
        if (m.state == "sent")
          ++report.sent;
        else if (m.state == "dead")
          ++report.dead;
        else
          ++report.failed;
      }
      out.message = m;
      report.messages.push_back(std::move(out));
    }
  }
  return report;
}

}  // namespace ocop
