#include "http/workers.hpp"

#include "activity_machine.hpp"
#include "certificate_machine.hpp"
#include "cycle_machine.hpp"
#include "dossier_machine.hpp"
#include "inspection_machine.hpp"
#include "participation_machine.hpp"
#include "store/file_blob_store.hpp"
#include "store/soci_store.hpp"

namespace ocop::http {

struct Backend::Machines {
  std::unique_ptr<Lifecycle> dossiers = workflows::make_dossier_lifecycle();
  std::unique_ptr<CertificateLifecycle> certificates = workflows::make_certificate_lifecycle();
  std::unique_ptr<CycleLifecycle> cycles = workflows::make_cycle_lifecycle();
  std::unique_ptr<ActivityLifecycle> activities = workflows::make_activity_lifecycle();
  std::unique_ptr<ParticipationLifecycle> participations = workflows::make_participation_lifecycle();
  std::unique_ptr<InspectionLifecycle> inspections = workflows::make_inspection_lifecycle();
  AfterRecognition after{*activities, *participations, *inspections};
};

Backend::Backend(const BackendSettings& settings, const ConfigHolder& config)
    : settings_(settings), holder_(config) {
  store_ = store::open(settings_.db);  // throws StoreError: the pool reports it
  machines_ = std::make_unique<Machines>();
  if (settings_.now)
    clock_ = std::make_unique<FixedClock>(*settings_.now);
  else
    clock_ = std::make_unique<SystemClock>();
  refresh();
}

Backend::~Backend() = default;

const Clock& Backend::clock() const { return *clock_; }

void Backend::refresh() {
  if (generation_ == holder_.generation() && app_) return;
  generation_ = holder_.generation();
  build();
}

void Backend::build() {
  // The Application and Accounts read the Config by reference: drop them before the old one.
  accounts_.reset();
  app_.reset();
  config_ = holder_.get();
  std::string url_error;
  const std::string dir = store::documents_dir(store::parse_url(settings_.db, url_error),
                                               config_->documents.directory, settings_.documents_env);
  blobs_ = dir.empty() ? nullptr : std::make_unique<store::FileBlobStore>(dir);
  app_ = std::make_unique<Application>(
      *config_, *store_,
      Workflows{*machines_->dossiers, *machines_->certificates, *machines_->cycles, &machines_->after}, *clock_,
      blobs_.get());
  if (settings_.accounts) accounts_ = settings_.accounts(*store_, *config_, *clock_);
}

WorkerPool::WorkerPool(std::string name, int threads, std::size_t max_queue, const BackendSettings& settings,
                       const ConfigHolder& config)
    : name_(std::move(name)), threads_(threads < 1 ? 1 : threads), max_queue_(max_queue), settings_(settings),
      config_(config) {}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::start(std::string& error) {
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this, i] { run(i); });
  std::unique_lock<std::mutex> lock(mu_);
  started_cv_.wait(lock, [&] { return started_ + failed_ == threads_; });
  if (failed_) {
    error = start_error_;
    return false;
  }
  return true;
}

bool WorkerPool::submit(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(Job{std::move(task), nullptr});
  }
  cv_.notify_one();
  return true;
}

bool WorkerPool::submit_event(std::shared_ptr<EventTask> event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(Job{nullptr, std::move(event)});
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::run_events(Backend& backend, std::vector<std::shared_ptr<EventTask>>& group) {
  std::vector<EventRequest> reqs;
  reqs.reserve(group.size());
  for (auto& e : group) reqs.push_back(std::move(e->request));
  // Requests with staged bytes are never here (uploads are plain tasks).
  std::vector<FireResult> results = backend.app().fire_group(reqs);
  ++groups;
  grouped_events += results.size();
  for (std::size_t i = 0; i < group.size() && i < results.size(); ++i) group[i]->finish(backend, std::move(results[i]));
}

std::size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void WorkerPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

void WorkerPool::run(int /*index*/) {
  std::unique_ptr<Backend> backend;
  try {
    backend = std::make_unique<Backend>(settings_, config_);
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mu_);
    ++failed_;
    start_error_ = name_ + ": cannot open the database: " + e.what();
    started_cv_.notify_all();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++started_;
  }
  started_cv_.notify_all();
  for (;;) {
    Job job;
    std::vector<std::shared_ptr<EventTask>> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      job = std::move(queue_.front());
      queue_.pop_front();
      if (job.event) {  // the events queued right behind it join its transaction
        group.push_back(std::move(job.event));
        while (group.size() < max_group_ && !queue_.empty() && queue_.front().event) {
          group.push_back(std::move(queue_.front().event));
          queue_.pop_front();
        }
      }
    }
    ++busy_;
    try {
      backend->refresh();
    } catch (...) {
      // The task still runs on the configuration it had; it reports its own failures.
    }
    if (group.empty())
      job.task(*backend);
    else
      run_events(*backend, group);
    --busy_;
  }
}

}  // namespace ocop::http
