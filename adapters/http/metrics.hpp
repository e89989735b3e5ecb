// The service's counters, rendered as Prometheus text (GET /metrics). Thread-safe: the I/O
// thread and the worker threads record into one Metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace ocop::http {

// One line of /metrics computed by its owner at render time (queues, the scheduler, the outbox).
struct Sample {
  std::string name;    // ocop_...; samples of one name must be consecutive
  std::string labels;  // `state="pending"`, or empty
  double value = 0;
  const char* type = "gauge";  // or "counter"
  const char* help = "";       // for the first sample of a name
};

class Metrics {
 public:
  // One answered request: its route's name (the pattern, "unmatched" when none), method, status
  // and the seconds from its first byte to its last byte written.
  void request(const std::string& route, const std::string& method, unsigned status, double seconds);
  // An event's outcome on the writer: "accepted", "duplicate" or the refusal's code name.
  void event(const std::string& outcome);
  void reload(bool ok);

  std::atomic<std::int64_t> connections{0};           // open now
  std::atomic<std::int64_t> connections_total{0};     // accepted
  std::atomic<std::int64_t> connections_refused{0};   // over the limit
  std::atomic<std::int64_t> timeouts{0};              // connections closed by a read or idle timeout
  std::atomic<std::int64_t> in_flight{0};             // requests between read and written
  std::atomic<std::int64_t> overloaded{0};            // 503: a worker queue was full
  std::atomic<std::int64_t> rate_limited{0};          // 429: an address over the public face's budget

  // key="value", the value escaped, for Sample::labels.
  static std::string label_pair(const std::string& key, const std::string& value);
  // Renders everything, then `extra`, each name with its HELP and TYPE once.
  std::string render(const std::vector<Sample>& extra) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   10};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> le{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, std::uint64_t> events_;
  std::uint64_t reloads_ok_ = 0, reloads_failed_ = 0;
};

}  // namespace ocop::http
