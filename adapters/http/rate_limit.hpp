// A token bucket per client address, for the public face's routes (issue 13): each address may
// make `per_minute` requests in a burst and then one every 60 / per_minute seconds. Used from the
// server's one I/O thread only (not thread-safe). Memory is bounded: at most `max_clients`
// addresses are remembered; when full, those whose bucket has refilled (they are owed nothing)
// are forgotten first, then, if still full, all of them (a flood of addresses resets the limit
// rather than growing without end).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace ocop::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // per_minute <= 0: no limit (every request allowed).
  explicit RateLimiter(int per_minute, std::size_t max_clients = 100000);
  // Takes one token of `client`'s bucket at `now`. False: none left; `retry_after_seconds` then
  // says when the next one comes (at least 1).
  bool allow(const std::string& client, Clock::time_point now, int& retry_after_seconds);
  std::size_t clients() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  double capacity_;
  double per_second_;
  std::size_t max_clients_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace ocop::http
