// `ocop serve`: the HTTP service (issue 11). Runs until SIGTERM or SIGINT, then stops accepting,
// answers the requests it has read, and returns 0; SIGHUP reloads the configuration file.
// docs/operations.md ("The HTTP service") documents the options, limits and signals.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/scheduler.hpp"
#include "http/workers.hpp"
#include "ocop/config.hpp"
#include "ocop/time.hpp"

namespace ocop::http {

struct ServeOptions {
  std::string db;           // the database URL (initialised)
  std::string config_path;  // reloaded on SIGHUP
  std::shared_ptr<const Config> config;  // loaded from config_path at start
  std::string documents_env;             // $OCOP_DOCUMENTS_DIR
  bool simulation = false;
  std::optional<Instant> now;  // a simulation database's clock

  std::string listen = "127.0.0.1:8080";  // HOST:PORT, an IP literal; port 0: any free port
  bool allow_remote = false;              // bind an address that is not loopback
  std::vector<std::string> origins;       // allowed Origin values for cookie-authenticated writes
  std::string web_dir;                    // the web application's built files (--web); "": none

  int readers = 2;                             // reader threads (each its own connection)
  std::size_t max_queue = 256;                 // tasks waiting per pool before 503
  std::size_t max_header_bytes = 16 * 1024;    // request line and headers
  std::size_t max_body_bytes = 1024 * 1024 + 4096;  // a JSON body: an event line is at most 1 MiB
  int read_timeout_ms = 10000;   // from a request's first byte to its last
  int idle_timeout_ms = 60000;   // a kept-alive connection waiting for its next request
  int write_timeout_ms = 60000;  // writing a response (a spooled one gets more per MiB)
  int max_connections = 512;
  int public_rate_per_minute = 60;  // requests to the public face per client address (0: no limit)
  int max_group = 64;  // events in one transaction on the writer (group commit; 1: each alone)

  SchedulerOptions scheduler;  // tick and deliver under the database's lease (scheduler.hpp)

  AccountsFactory accounts;
};

// Listens, serves until a stop signal, and returns the exit code (0 after a clean stop; 1 when
// it could not start, with the reason logged).
int serve(ServeOptions options);

}  // namespace ocop::http
