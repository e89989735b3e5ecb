#include "http/scheduler.hpp"

#include <chrono>

#include "notify/curl_transports.hpp"
#include "store/lease.hpp"
#include "store/soci_store.hpp"

namespace ocop::http {

using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

namespace {
double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
double since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }
}  // namespace

// What /metrics shows; written by the thread, read by the I/O thread, under `mu`.
struct ServiceScheduler::Stats {
  mutable std::mutex mu;
  bool leader = false;
  std::uint64_t acquired = 0, lost = 0;
  std::uint64_t ticks_ok = 0, ticks_incomplete = 0, ticks_failed = 0;
  double last_tick_at = 0, last_tick_seconds = 0;
  std::int64_t last_tick_queued = 0, last_tick_already_queued = 0, last_tick_transitions = 0;
  std::uint64_t deliveries_ok = 0, deliveries_failed = 0;
  std::uint64_t sent = 0, failed = 0, dead = 0, held = 0;
  double last_deliver_at = 0;
};

ServiceScheduler::ServiceScheduler(SchedulerOptions options, const BackendSettings& settings,
                                   const ConfigHolder& config, std::unique_ptr<store::Lease> lease, LogFn log)
    : options_(options),
      settings_(settings),
      config_(config),
      lease_(std::move(lease)),
      log_(std::move(log)),
      stats_(std::make_unique<Stats>()) {}

ServiceScheduler::~ServiceScheduler() { stop(); }

void ServiceScheduler::start() {
  log_("info", {{"msg", "scheduler started: waiting for the lease"},
                {"lease", lease_->describe()},
                {"tick_every_ms", options_.tick_every_ms},
                {"deliver_every_ms", options_.deliver_every_ms},
                {"lease_retry_ms", options_.lease_retry_ms}});
  thread_ = std::thread([this] { run(); });
}

void ServiceScheduler::request_stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

void ServiceScheduler::stop() {
  request_stop();
  if (thread_.joinable()) thread_.join();
}

bool ServiceScheduler::ensure_backend() {
  if (backend_) return true;
  try {
    backend_ = std::make_unique<Backend>(settings_, config_);
    return true;
  } catch (const std::exception& e) {
    log_("error", {{"msg", "scheduler: cannot open the database; trying again"}, {"error", e.what()}});
    return false;
  }
}

bool ServiceScheduler::keep_lease() {
  bool leader;
  {
    std::lock_guard<std::mutex> lock(stats_->mu);
    leader = stats_->leader;
  }
  std::string error;
  if (leader) {
    if (lease_->still_held(error)) return true;
    log_("warn", {{"msg", "scheduler lease lost: ticks and deliveries stop until it is taken again"},
                  {"lease", lease_->describe()},
                  {"error", error}});
    std::lock_guard<std::mutex> lock(stats_->mu);
    stats_->leader = false;
    ++stats_->lost;
    return false;
  }
  if (!lease_->try_acquire(error)) {
    if (error != last_lease_error_ && !error.empty())
      log_("warn", {{"msg", "scheduler: cannot ask for the lease; trying again"}, {"error", error}});
    last_lease_error_ = error;
    return false;
  }
  last_lease_error_.clear();
  log_("info", {{"msg", "scheduler lease acquired: this process ticks and delivers"}, {"lease", lease_->describe()}});
  std::lock_guard<std::mutex> lock(stats_->mu);
  stats_->leader = true;
  ++stats_->acquired;
  return true;
}

// Whether the province's time of day has reached --tick-from.
bool ServiceScheduler::due_tick_time() {
  const int offset = backend_->config().province.utc_offset_minutes;
  const std::int64_t local = backend_->clock().now().seconds + offset * 60LL;
  const std::int64_t minute_of_day = ((local % 86400 + 86400) % 86400) / 60;
  return minute_of_day >= options_.tick_from_minutes;
}

void ServiceScheduler::tick() {
  const auto t0 = Steady::now();
  TickReport r;
  try {
    backend_->refresh();
    r = backend_->app().tick(false);
  } catch (const std::exception& e) {
    r.status = Status::Internal(e.what());
  }
  const double seconds = since(t0);
  const bool failed = r.status.code() == Code::internal;
  {
    std::lock_guard<std::mutex> lock(stats_->mu);
    ++(r.status.ok() ? stats_->ticks_ok : failed ? stats_->ticks_failed : stats_->ticks_incomplete);
    stats_->last_tick_at = wall_seconds();
    stats_->last_tick_seconds = seconds;
    stats_->last_tick_queued = static_cast<std::int64_t>(r.queued.size());
    stats_->last_tick_already_queued = r.already_queued;
    stats_->last_tick_transitions = static_cast<std::int64_t>(r.transitions.size());
  }
  json line = {{"msg", "tick"},
               {"day", format_date(r.day)},
               {"queued", r.queued.size()},
               {"already_queued", r.already_queued},
               {"transitions", r.transitions.size()},
               {"already_fired", r.already_fired},
               {"ms", static_cast<long long>(seconds * 1000)}};
  if (!r.status.ok()) line["problem"] = r.status.message();
  log_(r.status.ok() ? "info" : failed ? "error" : "warn", line);
  if (failed) backend_.reset();  // a fresh connection for the next run
}

void ServiceScheduler::deliver() {
  DeliveryReport total;
  bool failed = false;
  std::string problem;
  try {
    backend_->refresh();
    for (;;) {
      const Config& config = backend_->config();
      notify::Transports transports(config.channels, backend_->clock(), config.province.utc_offset_minutes);
      auto r = backend_->app().deliver(kDeliverRound, transports.by_channel());
      if (!r.ok()) {
        failed = true;
        problem = r.status.message();
        break;
      }
      total.sent += r.value.sent;
      total.failed += r.value.failed;
      total.dead += r.value.dead;
      total.held = r.value.held;
      total.unavailable = r.value.unavailable;
      if (static_cast<int>(r.value.messages.size()) < kDeliverRound) break;
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
  } catch (const std::exception& e) {
    failed = true;
    problem = e.what();
  }
  {
    std::lock_guard<std::mutex> lock(stats_->mu);
    ++(failed ? stats_->deliveries_failed : stats_->deliveries_ok);
    stats_->sent += total.sent;
    stats_->failed += total.failed;
    stats_->dead += total.dead;
    stats_->held = total.held;
    stats_->last_deliver_at = wall_seconds();
  }
  if (failed) {
    log_("error", {{"msg", "deliver failed; trying again at the next interval"}, {"problem", problem}});
    backend_.reset();
    return;
  }
  if (total.sent || total.failed || total.dead)
    log_("info", {{"msg", "deliver"}, {"sent", total.sent}, {"failed", total.failed}, {"dead", total.dead},
                  {"held", total.held}});
  std::string unavailable;
  for (const auto& [channel, why] : total.unavailable) unavailable += channel + ": " + why + "; ";
  if (total.held && unavailable != last_unavailable_)
    log_("warn", {{"msg", "messages are held: a channel cannot send"}, {"held", total.held},
                  {"channels", unavailable}});
  last_unavailable_ = total.held ? unavailable : "";
}

void ServiceScheduler::run() {
  using std::chrono::milliseconds;
  const auto retry = milliseconds(options_.lease_retry_ms);
  Steady::time_point next_tick{}, next_deliver{};
  bool was_leader = false;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    const bool leader = keep_lease();
    auto now = Steady::now();
    if (leader && !was_leader) next_tick = next_deliver = now;  // a new holder runs at once
    was_leader = leader;
    Steady::time_point wake = now + retry;
    if (leader && ensure_backend()) {
      if (now >= next_tick) {
        if (due_tick_time()) {
          tick();
          next_tick = Steady::now() + milliseconds(options_.tick_every_ms);
        }  // else: look again at the next wake-up
      }
      if (backend_ && now >= next_deliver) {
        deliver();
        next_deliver = Steady::now() + milliseconds(options_.deliver_every_ms);
      }
      now = Steady::now();
      for (const auto t : {next_tick, next_deliver})
        if (t > now) wake = std::min(wake, t);
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, wake, [&] { return stopping_; });
    if (stopping_) break;
  }
  bool held;
  {
    std::lock_guard<std::mutex> lock(stats_->mu);
    held = stats_->leader;
    stats_->leader = false;
  }
  lease_->release();
  backend_.reset();
  log_("info", {{"msg", held ? "scheduler stopped; lease released" : "scheduler stopped"}});
}

std::vector<Sample> ServiceScheduler::samples() const {
  std::lock_guard<std::mutex> lock(stats_->mu);
  const Stats& s = *stats_;
  auto result = [](const char* r) { return Metrics::label_pair("result", r); };
  return {
      {"ocop_scheduler_enabled", "", 1, "gauge", "Whether this process runs the scheduler (--scheduler)."},
      {"ocop_scheduler_leader", "", s.leader ? 1.0 : 0.0, "gauge",
       "Whether this process holds the scheduler lease (ticks and delivers) now."},
      {"ocop_scheduler_lease_acquired_total", "", static_cast<double>(s.acquired), "counter",
       "Times this process took the scheduler lease."},
      {"ocop_scheduler_lease_lost_total", "", static_cast<double>(s.lost), "counter",
       "Times this process lost the scheduler lease while holding it."},
      {"ocop_scheduler_ticks_total", result("ok"), static_cast<double>(s.ticks_ok), "counter",
       "Ticks run, by result (incomplete: some due work was refused or not configured; failed: the database)."},
      {"ocop_scheduler_ticks_total", result("incomplete"), static_cast<double>(s.ticks_incomplete), "counter"},
      {"ocop_scheduler_ticks_total", result("failed"), static_cast<double>(s.ticks_failed), "counter"},
      {"ocop_scheduler_last_tick_timestamp_seconds", "", s.last_tick_at, "gauge",
       "When the last tick ended (Unix time; 0: none yet)."},
      {"ocop_scheduler_last_tick_duration_seconds", "", s.last_tick_seconds, "gauge", "How long the last tick took."},
      {"ocop_scheduler_last_tick_queued", "", static_cast<double>(s.last_tick_queued), "gauge",
       "Messages the last tick queued."},
      {"ocop_scheduler_last_tick_already_queued", "", static_cast<double>(s.last_tick_already_queued), "gauge",
       "Messages the last tick found queued already (by an earlier tick of the day)."},
      {"ocop_scheduler_last_tick_transitions", "", static_cast<double>(s.last_tick_transitions), "gauge",
       "Transitions (certificate notices and expiries, cycles, activities) the last tick fired."},
      {"ocop_scheduler_deliveries_total", result("ok"), static_cast<double>(s.deliveries_ok), "counter",
       "Delivery runs, by result (failed: the database)."},
      {"ocop_scheduler_deliveries_total", result("failed"), static_cast<double>(s.deliveries_failed), "counter"},
      {"ocop_scheduler_delivered_messages_total", result("sent"), static_cast<double>(s.sent), "counter",
       "Messages the scheduler's delivery runs tried, by outcome."},
      {"ocop_scheduler_delivered_messages_total", result("failed"), static_cast<double>(s.failed), "counter"},
      {"ocop_scheduler_delivered_messages_total", result("dead"), static_cast<double>(s.dead), "counter"},
      {"ocop_scheduler_held_messages", "", static_cast<double>(s.held), "gauge",
       "Messages due but held at the last delivery run (a channel cannot send)."},
      {"ocop_scheduler_last_deliver_timestamp_seconds", "", s.last_deliver_at, "gauge",
       "When the last delivery run ended (Unix time; 0: none yet)."},
  };
}

}  // namespace ocop::http
