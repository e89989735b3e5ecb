#include "http/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace ocop::http {

RateLimiter::RateLimiter(int per_minute, std::size_t max_clients)
    : capacity_(per_minute > 0 ? per_minute : 0), per_second_(per_minute > 0 ? per_minute / 60.0 : 0),
      max_clients_(std::max<std::size_t>(max_clients, 1)) {}

bool RateLimiter::allow(const std::string& client, Clock::time_point now, int& retry_after_seconds) {
  if (capacity_ <= 0) return true;
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      for (auto i = buckets_.begin(); i != buckets_.end();) {
        const double s = std::chrono::duration<double>(now - i->second.at).count();
        if (i->second.tokens + s * per_second_ >= capacity_)
          i = buckets_.erase(i);
        else
          ++i;
      }
      if (buckets_.size() >= max_clients_) buckets_.clear();
    }
    it = buckets_.emplace(client, Bucket{capacity_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.at).count());
  b.tokens = std::min(capacity_, b.tokens + elapsed * per_second_);
  b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  retry_after_seconds = std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / per_second_)));
  return false;
}

}  // namespace ocop::http
