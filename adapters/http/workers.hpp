// The threads that call the application layer for the HTTP service, off the I/O thread.
//
// Application calls block on the database, and a SociStore (one connection) is used by one
// thread at a time. So the service runs a WorkerPool of one writer thread (events, uploads,
// tick, the outbox), a pool of reader threads (every GET) and one thread for slow work (sign-in,
// deliver: api.hpp, Where); each thread owns
// a Backend: its own connection, machines, blob store, Application and Accounts, over the
// configuration current when its task starts. SQLite in WAL mode lets the readers read while
// the writer writes; on PostgreSQL the store's locks decide as for several CLI processes.
//
// Group commit (issue 11, item 4): the writer takes the events queued behind the one it starts
// (up to max_group) and fires them in one transaction (Application::fire_group), so that events
// arriving while a commit runs share the next one; each is answered after its commit. Events
// are authenticated and parsed on a reader before they are queued (server.cpp), so that the
// writer's thread does little but the transactions, their commits and the answers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ocop/accounts.hpp"
#include "ocop/app.hpp"
#include "ocop/config.hpp"

namespace ocop::store {
class SociStore;
class FileBlobStore;
}  // namespace ocop::store

namespace ocop::http {

// The configuration in force: replaced as a whole on reload (SIGHUP); tasks that started on the
// old one finish on it (they hold its shared_ptr).
class ConfigHolder {
 public:
  explicit ConfigHolder(std::shared_ptr<const Config> c) : config_(std::move(c)) {}
  std::shared_ptr<const Config> get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return config_;
  }
  std::uint64_t generation() const { return generation_.load(); }
  void set(std::shared_ptr<const Config> c) {
    std::lock_guard<std::mutex> lock(mu_);
    config_ = std::move(c);
    ++generation_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Config> config_;
  std::atomic<std::uint64_t> generation_{0};
};

// Makes the Accounts of one thread over its store (the engine's implementation, adapters/;
// null when the build has none: then nobody can sign in and every /api/v1 route answers 401).
using AccountsFactory =
    std::function<std::unique_ptr<Accounts>(store::SociStore& store, const Config& config, const Clock& clock)>;

struct BackendSettings {
  std::string db;               // the database URL
  std::string documents_env;    // $OCOP_DOCUMENTS_DIR
  std::optional<Instant> now;   // a simulation database's fixed clock (--now)
  bool simulation = false;
  AccountsFactory accounts;
};

// One worker thread's connection and application. Not thread-safe: used by its thread only.
class Backend {
 public:
  Backend(const BackendSettings& settings, const ConfigHolder& config);
  ~Backend();
  // Brings the Application up to the configuration in force (call at the start of each task).
  void refresh();
  Application& app() { return *app_; }
  Accounts* accounts() { return accounts_.get(); }
  store::SociStore& store() { return *store_; }
  const Config& config() const { return *config_; }
  bool simulation() const { return settings_.simulation; }
  const Clock& clock() const;

 private:
  struct Machines;
  void build();
  const BackendSettings& settings_;
  const ConfigHolder& holder_;
  std::uint64_t generation_ = ~std::uint64_t{0};
  std::shared_ptr<const Config> config_;
  std::unique_ptr<store::SociStore> store_;
  std::unique_ptr<store::FileBlobStore> blobs_;
  std::unique_ptr<Machines> machines_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<Application> app_;
  std::unique_ptr<Accounts> accounts_;
};

// An event for the writer's group commit, authenticated and parsed before it is queued (on a
// reader); the group is fired, then finish() gets this event's result on the writer.
struct EventTask {
  EventRequest request;
  std::function<void(Backend&, FireResult&&)> finish;
};

// A fixed set of threads, each with its Backend, running tasks in arrival order.
class WorkerPool {
 public:
  using Task = std::function<void(Backend&)>;
  // `threads` threads, started by start(); each opens its Backend before it takes a task.
  WorkerPool(std::string name, int threads, std::size_t max_queue, const BackendSettings& settings,
             const ConfigHolder& config);
  ~WorkerPool();
  // Opens every thread's backend; false (with `error`) when one cannot open its database.
  bool start(std::string& error);
  // Queues a task; false when the queue is full (the caller answers 503).
  bool submit(Task task);
  // Queues an event; consecutive queued events are fired together, at most `max_group` in one
  // transaction (set_max_group; 1: each alone).
  bool submit_event(std::shared_ptr<EventTask> event);
  void set_max_group(std::size_t n) { max_group_ = n < 1 ? 1 : n; }
  // Groups fired and the events in them, for /metrics.
  std::atomic<std::uint64_t> groups{0}, grouped_events{0};
  // Runs what is queued, then stops the threads.
  void stop();
  std::size_t queued() const;
  std::size_t busy() const { return busy_.load(); }
  const std::string& name() const { return name_; }

 private:
  void run(int index);
  const std::string name_;
  const int threads_;
  const std::size_t max_queue_;
  const BackendSettings& settings_;
  const ConfigHolder& config_;
  mutable std::mutex mu_;
  std::condition_variable cv_, started_cv_;
  struct Job {
    Task task;
    std::shared_ptr<EventTask> event;
  };
  void run_events(Backend& backend, std::vector<std::shared_ptr<EventTask>>& group);
  std::deque<Job> queue_;
  std::size_t max_group_ = 1;
  bool stopping_ = false;
  int started_ = 0, failed_ = 0;
  std::string start_error_;
  std::atomic<std::size_t> busy_{0};
  std::vector<std::thread> workers_;
};

}  // namespace ocop::http
