// libFuzzer: an HTTP request as `ocop serve` reads and routes it, without a socket or a
// database. Input: the request's bytes. Boost.Beast's parser under the service's limits, then
// what the I/O thread does with a request (server.cpp, http.cpp): the headers folded, the
// target split and percent-decoded, the route matched against every path of docs/openapi.json,
// the cookie and the CSRF check, and an event body through the event line parser.
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/event_lines.hpp"
#include "http/http.hpp"

namespace {
namespace bhttp = boost::beast::http;

const std::vector<std::string>& patterns() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    std::ifstream in(std::string(OCOP_SOURCE_DIR) + "/docs/openapi.json");
    const auto spec = nlohmann::json::parse(in, nullptr, false);
    if (spec.is_object() && spec.contains("paths"))
      for (auto it = spec["paths"].begin(); it != spec["paths"].end(); ++it) out.push_back(it.key());
    return out;
  }();
  return all;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  boost::asio::const_buffer buf(data, size);
  while (buf.size() > 0 && !ec && !parser.is_done()) {
    const std::size_t used = parser.put(buf, ec);
    if (used == 0) break;
    buf += used;
  }
  if (!parser.is_header_done()) return 0;
  ocop::http::Request req;
  const auto& h = parser.get();
  req.method = std::string(h.method_string());
  req.target = std::string(h.target());
  for (const auto& f : h) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, fresh] = req.headers.emplace(name, std::string(f.value()));
    if (!fresh) it->second += (name == "cookie" ? "; " : ", ") + std::string(f.value());
  }
  if (parser.is_done()) req.body = h.body();
  if (!ocop::http::parse_target(req.target, req.segments, req.query).ok()) return 0;
  std::vector<std::string> params;
  bool events = false;
  for (const auto& p : patterns())
    if (ocop::http::match_pattern(p, req.segments, params)) events = events || p == "/api/v1/events";
  (void)req.cookie("__Host-ocop_session");
  (void)ocop::http::same_origin(req, {});
  (void)ocop::http::same_origin(req, {"https://ocop.example.vn"});
  std::string decoded;
  if (auto it = req.query.find("cursor"); it != req.query.end()) (void)ocop::http::from_base64url(it->second, decoded);
  if (events) {
    ocop::EventRequest ev;
    if (ocop::cli::parse_event_line(req.body, false, 420, ev, false).ok()) ocop::prepare_request(ev);
  }
  (void)ocop::http::problem(ocop::Status::BadInput(req.target));
  return 0;
}
