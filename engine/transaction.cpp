#include "ocop/transaction.hpp"

#include <chrono>
#include <random>
#include <thread>

namespace ocop {

void retry_backoff(const RetryPolicy& p, int failed_attempts) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const int cap = p.base_delay_ms << std::min(failed_attempts - 1, 10);
  if (cap <= 0) return;
  std::uniform_int_distribution<int> us(0, cap * 1000 - 1);
  std::this_thread::sleep_for(std::chrono::microseconds(us(rng)));
}

}  // namespace ocop
