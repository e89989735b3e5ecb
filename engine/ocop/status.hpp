// Status: the outcome of an operation that can fail in an expected way.
//
// Expected failures (bad input, not found, refused, conflict, forbidden) are values, never
// exceptions. The numeric codes are the CLI's exit codes (spec §8) and are public: frozen.
#pragma once

#include <string>
#include <utility>

namespace ocop {

enum class Code : int {
  ok = 0,
  internal = 1,   // a bug or an environment failure (disk, database unreachable)
  bad_input = 2,  // arguments, JSON, configuration, event data
  not_found = 3,  // the dossier (or certificate, document) does not exist
  refused = 4,    // the state or a guard does not allow the event
  conflict = 5,   // stale version: someone else changed the dossier first
  forbidden = 6,  // the actor's role or unit scope does not allow the event
};

const char* code_name(Code c);

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(Code c, std::string msg) { return Status(c, std::move(msg)); }
  static Status BadInput(std::string m) { return Status(Code::bad_input, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::not_found, std::move(m)); }
  static Status Refused(std::string m) { return Status(Code::refused, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::conflict, std::move(m)); }
  static Status Forbidden(std::string m) { return Status(Code::forbidden, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::internal, std::move(m)); }

  bool ok() const { return code_ == Code::ok; }
  Code code() const { return code_; }
  int exit_code() const { return static_cast<int>(code_); }
  const std::string& message() const { return message_; }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::ok;
  std::string message_;
};

}  // namespace ocop
