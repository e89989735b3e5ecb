// The HTTP API (/api/v1), a thin front end over the application layer, like the CLI: each
// route parses its request, calls one Application (or Accounts) method as the signed-in user,
// and renders the result with adapters/views. docs/openapi.json describes every route; the
// route table below is checked against it (tests/cli/serve_test.sh).
//
// Threads: match() runs on the I/O thread (cheap); handle() runs on the route's worker thread
// (workers.hpp) with that thread's Backend. Nothing here keeps state between requests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/http.hpp"
#include "http/metrics.hpp"
#include "http/workers.hpp"

namespace ocop::http {

// Where a route runs: on the I/O thread (no database), on a reader, on the writer, or on the
// slow thread: signing in (password hashing is slow and memory-hard by design: one at a time)
// and delivering notifications (SMTP and webhook round trips), never in the way of events or reads.
// `events`: the writer, grouped with the events queued behind it (group commit).
enum class Where { io, reader, writer, slow, events };

struct Call;
using Handler = Response (*)(Call&);

struct Route {
  const char* method;
  const char* pattern;  // "/api/v1/dossiers/{id}": a {name} matches one decoded segment
  Where where;
  bool authenticated;   // needs a principal (every /api/v1 route but signing in)
  bool upload;          // its body may be a document (the configured documents.max_bytes)
  Handler handler;      // null for the I/O thread's routes, which the server answers itself
};

// Every route, in the order they are matched.
const std::vector<Route>& routes();

// The public face's routes (/verify/..., /catalogue..., /api/v1/public/..., /public/..., /feeds/...): no sign-in, and
// limited per client address by the server (ServeOptions::public_rate_per_minute).
bool is_public(const Route& r);

struct Match {
  const Route* route = nullptr;
  std::vector<std::string> params;  // the {name} segments, in order
  std::string allow;                // the path exists with these methods (405), when no route
};
Match match(const std::string& method, const std::vector<std::string>& segments);

struct ApiSettings {
  std::vector<std::string> origins;  // origins allowed for unsafe requests with a session cookie;
                                     // empty: http(s):// + the request's Host
  int max_page = 500;                // the hard maximum of ?limit= on lists
  int default_page = 100;
};

// The name of the session cookie (a __Host- cookie: Secure, Path=/, no Domain).
inline constexpr const char* kSessionCookie = "__Host-ocop_session";

// Authenticates (when the route needs it), checks CSRF, and runs the route's handler. Never
// throws: an exception becomes a 500 problem.
Response handle(const Match& m, const Request& req, Backend& backend, const ApiSettings& settings,
                Metrics& metrics);

// POST /api/v1/events in two steps for the writer's group commit (workers.hpp, EventTask):
// authenticate and parse the request into `out` (a response when it is refused; `user` is the
// signed-in user, for the access log), then answer the event's result.
std::optional<Response> prepare_event(const Request& req, Backend& backend, const ApiSettings& settings,
                                      Metrics& metrics, EventRequest& out, std::string& user);
Response event_response(const Request& req, Backend& backend, const ApiSettings& settings, Metrics& metrics,
                        FireResult&& result);

}  // namespace ocop::http
