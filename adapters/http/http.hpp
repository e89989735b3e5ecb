// HTTP requests and responses as the API sees them, without Boost.Beast.
//
// The server (server.cpp, the only translation unit that includes Beast) reads a request,
// fills a Request, and writes a Response; everything between (routing, authentication, the
// application calls, rendering) works on these plain structs, so it compiles fast and the
// fuzz harness drives it without sockets.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocop/status.hpp"

namespace ocop::http {

struct Request {
  std::string method;  // as sent: GET, POST, DELETE, ...
  std::string target;  // as sent: /api/v1/dossiers?state=submitted
  std::vector<std::string> segments;          // the path's segments, each percent-decoded
  std::map<std::string, std::string> query;   // decoded; a repeated name keeps the first value
  std::map<std::string, std::string> headers;  // names in lower case; repeated ones joined by ", "
  std::string body;
  std::string remote;  // the client's address (the peer; nginx in front: its address)

  // The header's value, or "" when absent. `name` in lower case.
  const std::string& header(const std::string& name) const;
  // A cookie's value from the Cookie header, or "".
  std::string cookie(const std::string& name) const;
  bool unsafe() const { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }
};

// A body spooled to an unlinked temporary file (audit export, document bytes): memory stays
// flat whatever its size. The server sends it from the file.
struct Spool {
  std::FILE* file = nullptr;
  ~Spool() {
    if (file) std::fclose(file);
  }
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // beside the security headers
  std::string body;
  std::shared_ptr<Spool> spool;  // when set, the body is the file's contents, not `body`
  std::string user;              // the signed-in user, for the access log

  void set(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// Splits a request target into its path's segments and its query, percent-decoding each
// (an encoded "/" stays inside its segment: a certificate id is DOSSIER/LEVEL). Bad input when
// an escape is malformed, a decoded part holds a NUL or a control character, or the path is not
// absolute, has an empty, "." or ".." segment, or is longer than 2 KiB.
Status parse_target(std::string_view target, std::vector<std::string>& segments,
                    std::map<std::string, std::string>& query);

// RFC 9457 problem details: {"type", "title", "status", "detail", "code", "exit"}, served as
// application/problem+json. `code` is the CLI's (spec §8).
Response problem(unsigned status, Code code, const std::string& detail);
// The HTTP status for an application layer's Status: bad input 422, not found 404, refused
// 409, conflict (a stale version) 412, forbidden 403, internal 500.
unsigned http_status(Code code);
Response problem(const Status& s);
// A request the adapter itself cannot read (syntax: not JSON, a bad parameter): 400.
Response bad_request(const std::string& detail);

const char* reason_phrase(unsigned status);

// Whether `segments` match a route pattern ("/api/v1/dossiers/{id}": a {name} matches one
// segment, collected into `params` in order).
bool match_pattern(std::string_view pattern, const std::vector<std::string>& segments,
                   std::vector<std::string>& params);

// Whether an unsafe request comes from the service's own pages: Sec-Fetch-Site is same-origin,
// or Origin is one of `origins` (empty: http:// or https:// and the request's Host). The
// session cookie's CSRF defence; requests with a bearer token do not need it.
bool same_origin(const Request& req, const std::vector<std::string>& origins);

// base64url without padding, and back (false on a character outside the alphabet).
std::string base64url(std::string_view bytes);
bool from_base64url(std::string_view text, std::string& out);

}  // namespace ocop::http
