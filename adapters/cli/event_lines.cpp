#include "event_lines.hpp"

#include <cstring>
#include <filesystem>
#include <utility>

#include <nlohmann/json.hpp>

#include "ocop/limits.hpp"
#include "ocop/time.hpp"

namespace ocop::cli {

using nlohmann::json;

Status parse_event_line(const std::string& text, bool simulation, int offset_minutes, EventRequest& req,
                        bool actor_required) {
  if (text.size() > limits::kMaxLineBytes)
    return Status::BadInput("the line is longer than " + std::to_string(limits::kMaxLineBytes) + " bytes");
  // The line's object is one level above the data's: checked on the text, before any tree.
  if (Status st = check_json_nesting(text, limits::kMaxDataDepth + 1, "the line"); !st.ok()) return st;
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
  for (Status st : {str("event", req.event, true), str("actor", req.actor, actor_required),
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

// Reads lines in blocks, never holding more than limits::kMaxLineBytes of one line: a longer
// line is refused and ends the reading (where the next line starts is not known without
// reading on without bound, as /dev/zero would have it).
void EventLineReader::read_lines() {
  constexpr std::size_t kBlock = 64 << 10;
  constexpr std::size_t kChunkBytes = 1 << 20;  // a chunk is handed over at this much line text
  std::vector<char> block(kBlock);
  std::size_t pos = 0, filled = 0;
  bool eof = false, overlong = false;
  std::string text;
  long line = 0;
  // The next line into `text`; false at the end of the file. Sets `overlong` (and stops) on a
  // line longer than the limit.
  auto get_line = [&]() -> bool {
    text.clear();
    for (;;) {
      if (pos == filled) {
        if (eof) return !text.empty();
        in_.read(block.data(), static_cast<std::streamsize>(block.size()));
        filled = static_cast<std::size_t>(in_.gcount());
        pos = 0;
        if (filled < block.size()) eof = true;
        if (filled == 0) return !text.empty();
      }
      const char* start = block.data() + pos;
      const auto* nl = static_cast<const char*>(std::memchr(start, '\n', filled - pos));
      const std::size_t n = nl ? static_cast<std::size_t>(nl - start) : filled - pos;
      if (text.size() + n > limits::kMaxLineBytes) {
        overlong = true;
        return true;
      }
      text.append(start, n);
      pos += n;
      if (nl) {
        ++pos;
        return true;
      }
    }
  };
  bool more = true;
  while (more) {
    std::vector<EventLine> lines;
    lines.reserve(chunk_);
    std::size_t bytes = 0;
    while (lines.size() < chunk_ && bytes < kChunkBytes && (more = get_line())) {
      ++line;
      if (overlong) {
        EventLine& l = lines.emplace_back();
        l.line = line;
        l.status = Status::BadInput("the line is longer than " + std::to_string(limits::kMaxLineBytes) +
                                    " bytes (1 MiB); the rest of the file was not read");
        text = std::string();
        more = false;
        break;
      }
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      bytes += text.size();
      EventLine& l = lines.emplace_back();
      l.line = line;
      l.status = parse_event_line(text, simulation_, offset_, l.req);
      if (l.status.ok()) {
        prepare_request(l.req);
        // Refused here already when too big, so that its tree does not wait in the queue.
        if (l.req.prepared)
          if (Status st = check_data_size(l.req.event, l.req.prepared->data_text.size()); !st.ok())
            l.status = st;
      }
      if (!l.status.ok()) l.req = EventRequest{};
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

long count_lines(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return 0;
  std::ifstream in(path, std::ios::binary);
  std::vector<char> block(64 << 10);
  long n = 0;
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    const char* p = block.data();
    const char* end = p + in.gcount();
    while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
      ++n;
      ++p;
    }
  }
  return n;
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
