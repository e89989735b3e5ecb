// Event files (spec §9), read ahead.
//
// EventLineReader reads a JSONL file of events on its own thread, parses each line into an
// EventRequest and prepares it (ocop::prepare_request: the data's canonical text and the key's
// fingerprint), while the caller applies the lines already handed over. On a machine with two
// cores the parsing then costs the importer no time of its own. Lines come out in file order,
// in chunks; memory is bounded (at most `max_chunks` chunks wait at any time).
//
// A line that is not a valid event comes out with its Status (bad input, saying what is wrong)
// and no request; blank lines do not come out. No line is buffered past limits::kMaxLineBytes:
// a longer one comes out refused and is the last (the rest of the file is not read). A chunk
// is handed over at `chunk` lines or 1 MiB of line text, whichever comes first. A read error ends the lines
// early: read_failed() says so once next() has returned false. An exception on the reading thread (out of
// memory on a huge line) ends the lines too, and next() rethrows it on the caller's thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ocop/app.hpp"
#include "ocop/executor.hpp"
#include "ocop/status.hpp"

namespace ocop::cli {

using ocop::EventLine;  // ocop/app.hpp

// Parses one JSONL line (spec §9) into `req`; a failed Status says what is wrong with it.
// `at` is accepted only on a simulation database; `offset_minutes` is the province's zone.
// Without `actor_required` (the HTTP service: the actor is whoever signed in) "actor" may be absent.
Status parse_event_line(const std::string& text, bool simulation, int offset_minutes, EventRequest& req,
                        bool actor_required = true);

// The number of line feeds in `path` when it is a regular file (0 otherwise: a pipe or a
// device may never end). Reads it in blocks; memory stays flat.
long count_lines(const std::string& path);

class EventLineReader : public EventSource {
 public:
  // Starts reading `path` at once. `chunk`: lines per hand-over.
  EventLineReader(const std::string& path, bool simulation, int offset_minutes, std::size_t chunk = 256,
                  std::size_t max_chunks = 4);
  // Stops the reading thread (it may not have reached the end) and waits for it.
  ~EventLineReader();
  EventLineReader(const EventLineReader&) = delete;
  EventLineReader& operator=(const EventLineReader&) = delete;

  // Whether the file could be opened. When false, next() returns false at once.
  bool opened() const { return opened_; }
  // Moves the next lines, in file order, into `out` (replacing its contents); false at the end.
  bool next(std::vector<EventLine>& out) override;
  std::string failure() const override { return read_failed_ ? "a read error" : ""; }
  // After next() returned false: whether reading stopped on an error rather than at the end.
  bool read_failed() const { return read_failed_; }

 private:
  void run();
  void read_lines();

  std::ifstream in_;
  bool opened_ = false;
  const bool simulation_;
  const int offset_;
  const std::size_t chunk_, max_chunks_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<std::vector<EventLine>> chunks_;
  bool done_ = false, stop_ = false, read_failed_ = false;
  std::exception_ptr failure_;  // thrown on the reading thread; rethrown by next()
  std::thread thread_;
};

}  // namespace ocop::cli
