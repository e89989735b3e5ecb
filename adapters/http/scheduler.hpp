// The scheduler inside the HTTP service (`ocop serve --scheduler`; issue 11, item 4).
//
// One thread with a Backend of its own (its own connection) runs what `ocop tick` and
// `ocop deliver` do, on an interval, and only while this process holds the database's
// scheduler lease (store/lease.hpp): on PostgreSQL an advisory lock of a connection of its own,
// on SQLite a flock beside the file. Any number of `serve --scheduler` processes may share a
// database; one of them ticks and delivers, the others try the lease every `lease_retry_ms` and
// take over when the holder dies (its lock goes with its process or connection).
//
// While it holds the lease the thread checks it every `lease_retry_ms` and before each run; a
// lost lease (the connection failed) stops the work until it is taken again. A run that had
// started finishes; an overlap with a new holder is harmless, because tick and deliver are
// safe in parallel (docs/design.md): every message has a dedupe key, every certificate
// transition a version, every delivery a claim.
//
// A tick runs at once when the lease is taken, then every `tick_every_ms`, never before
// `tick_from_minutes` after midnight in the province's time zone (reminders go out in the
// morning); a deliver run at once, then every `deliver_every_ms`, in rounds of at most
// kDeliverRound messages while more are due. The clock is the Backend's (a simulation
// database's --now). Each acquisition, loss, tick and delivery that sent something is logged;
// samples() gives /metrics its `ocop_scheduler_*` lines.
//
// Threads: start(), request_stop(), stop() and samples() from any one other thread; samples()
// from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http/metrics.hpp"
#include "http/workers.hpp"

namespace ocop::store {
class Lease;
}

namespace ocop::http {

struct SchedulerOptions {
  bool enabled = false;                      // --scheduler
  std::int64_t tick_every_ms = 3'600'000;    // --tick-every (1h)
  std::int64_t deliver_every_ms = 60'000;    // --deliver-every (1m)
  std::int64_t lease_retry_ms = 10'000;      // --lease-retry (10s)
  int tick_from_minutes = 6 * 60;            // --tick-from (06:00, the province's time)
};

// A log line: its level ("info", "warn", "error") and its fields ({"msg", ...}).
using LogFn = std::function<void(const char* level, const nlohmann::json& fields)>;

class ServiceScheduler {
 public:
  static constexpr int kDeliverRound = 100;

  ServiceScheduler(SchedulerOptions options, const BackendSettings& settings, const ConfigHolder& config,
                   std::unique_ptr<store::Lease> lease, LogFn log);
  ~ServiceScheduler();  // stop()

  void start();
  // Asks the thread to stop after the run in progress (does not wait).
  void request_stop();
  // Stops the thread (after the run in progress) and releases the lease.
  void stop();

  // ocop_scheduler_* lines for /metrics.
  std::vector<Sample> samples() const;

 private:
  struct Stats;
  void run();
  bool keep_lease();  // takes or checks the lease; logs changes; true while held
  void tick();
  void deliver();
  bool ensure_backend();
  bool due_tick_time();

  const SchedulerOptions options_;
  const BackendSettings& settings_;
  const ConfigHolder& config_;
  std::unique_ptr<store::Lease> lease_;
  LogFn log_;
  std::unique_ptr<Backend> backend_;  // the thread's; opened when first needed
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::unique_ptr<Stats> stats_;
  std::string last_lease_error_, last_unavailable_;  // the thread's: logged when they change
};

}  // namespace ocop::http
