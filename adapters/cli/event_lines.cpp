#include "event_lines.hpp"

#include <utility>

#include <nlohmann/json.hpp>

#include "ocop/time.hpp"

namespace ocop::cli {

using nlohmann::json;

Status parse_event_line(const std::string& text, bool simulation, int offset_minutes, EventRequest& req) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::BadInput("not valid JSON");
  if (!j.is_object()) return Status::BadInput("an event must be a JSON object");
  auto str = [&](const char* k, std::string& out, bool required) -> Status {
    auto it = j.find(k);
    if (it == j.end() || it->is_null()) {
      return required ? Status::BadInput(std::string("\"") + k + "\" is required") : Status::Ok();
    }
    if (!it->is_string()) return Status::BadInput(std::string("\"") + k + "\" must be a string");
    out = std::move(it->get_ref<std::string&>());
    return Status::Ok();
  };
  for (Status st : {str("event", req.event, true), str("actor", req.actor, true),
                    str("dossier", req.dossier, false), str("key", req.key, false)})
    if (!st.ok()) return st;
  if (auto it = j.find("data"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Status::BadInput("\"data\" must be an object");
    req.data = std::move(*it);
  }
  if (auto it = j.find("version"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) return Status::BadInput("\"version\" must be an integer");
    req.expected_version = it->get<long long>();
  }
  std::string at;
  if (Status st = str("at", at, false); !st.ok()) return st;
  if (!at.empty()) {
    if (!simulation)
      return Status::BadInput("\"at\" is accepted only by a simulation database (ocop init --simulation)");
    auto t = parse_instant(at, offset_minutes);
    if (!t) return Status::BadInput("\"at\": \"" + at + "\" is not an ISO 8601 time");
    req.at = t;
  }
  return Status::Ok();
}

EventLineReader::EventLineReader(const std::string& path, bool simulation, int offset_minutes,
                                 std::size_t chunk, std::size_t max_chunks)
    : in_(path),
      simulation_(simulation),
      offset_(offset_minutes),
      chunk_(std::max<std::size_t>(1, chunk)),
      max_chunks_(std::max<std::size_t>(1, max_chunks)) {
  opened_ = static_cast<bool>(in_);
  if (opened_)
    thread_ = std::thread([this] { run(); });
  else
    done_ = true;
}

EventLineReader::~EventLineReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  space_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventLineReader::run() {
  try {
    read_lines();
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    failure_ = std::current_exception();
    done_ = true;
    ready_.notify_one();
  }
}

void EventLineReader::read_lines() {
  std::string text;
  long line = 0;
  bool more = true;
  while (more) {
    std::vector<EventLine> lines;
    lines.reserve(chunk_);
    while (lines.size() < chunk_ && (more = static_cast<bool>(std::getline(in_, text)))) {
      ++line;
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      EventLine& l = lines.emplace_back();
      l.line = line;
      l.status = parse_event_line(text, simulation_, offset_, l.req);
      if (l.status.ok())
        prepare_request(l.req);
      else
        l.req = EventRequest{};
    }
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return stop_ || chunks_.size() < max_chunks_; });
    if (stop_) return;
    if (!lines.empty()) chunks_.push_back(std::move(lines));
    if (!more) {
      read_failed_ = in_.bad();
      done_ = true;
    }
    lock.unlock();
    ready_.notify_one();
  }
}

bool EventLineReader::next(std::vector<EventLine>& out) {
  std::unique_lock<std::mutex> lock(mu_);
  ready_.wait(lock, [&] { return done_ || !chunks_.empty(); });
  if (chunks_.empty()) {
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    return false;
  }
  out = std::move(chunks_.front());
  chunks_.pop_front();
  lock.unlock();
  space_.notify_one();
  return true;
}

}  // namespace ocop::cli
