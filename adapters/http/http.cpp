#include "http/http.hpp"

#include <nlohmann/json.hpp>


namespace ocop::http {

namespace {
const std::string kEmpty;

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in`; `plus_is_space` for query parts (application/x-www-form-urlencoded).
Status decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size() || hex(in[i + 1]) < 0 || hex(in[i + 2]) < 0)
        return Status::BadInput("a malformed %-escape in the target");
      c = static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return Status::BadInput("a control character in the target");
    out += c;
  }
  return Status::Ok();
}
}  // namespace

const std::string& Request::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? kEmpty : it->second;
}

std::string Request::cookie(const std::string& name) const {
  const std::string& all = header("cookie");
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t end = all.find(';', pos);
    if (end == std::string::npos) end = all.size();
    std::string_view part(all.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    pos = end + 1;
  }
  return "";
}

Status parse_target(std::string_view target, std::vector<std::string>& segments,
                    std::map<std::string, std::string>& query) {
  segments.clear();
  query.clear();
  if (target.size() > 2048) return Status::BadInput("the request target is longer than 2048 bytes");
  if (target.empty() || target.front() != '/') return Status::BadInput("the request target must be an absolute path");
  const std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view qs = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (const std::size_t h = qs.find('#'); h != std::string_view::npos) qs = qs.substr(0, h);
  if (path != "/") {
    std::size_t pos = 1;
    while (pos <= path.size()) {
      std::size_t end = path.find('/', pos);
      if (end == std::string_view::npos) end = path.size();
      std::string seg;
      if (Status st = decode(path.substr(pos, end - pos), false, seg); !st.ok()) return st;
      if (seg.empty() && end == path.size() && !segments.empty()) break;  // one trailing slash
      if (seg.empty() || seg == "." || seg == "..")
        return Status::BadInput("the path has an empty, \".\" or \"..\" segment");
      segments.push_back(std::move(seg));
      pos = end + 1;
    }
  }
  std::size_t pos = 0;
  while (pos < qs.size()) {
    std::size_t end = qs.find('&', pos);
    if (end == std::string_view::npos) end = qs.size();
    std::string_view part = qs.substr(pos, end - pos);
    if (!part.empty()) {
      const std::size_t eq = part.find('=');
      std::string name, value;
      if (Status st = decode(part.substr(0, eq), true, name); !st.ok()) return st;
      if (eq != std::string_view::npos)
        if (Status st = decode(part.substr(eq + 1), true, value); !st.ok()) return st;
      query.emplace(std::move(name), std::move(value));
    }
    pos = end + 1;
  }
  return Status::Ok();
}

unsigned http_status(Code code) {
  switch (code) {
    case Code::ok:
      return 200;
    case Code::bad_input:
      return 422;
    case Code::not_found:
      return 404;
    case Code::refused:
      return 409;
    case Code::conflict:
      return 412;
    case Code::forbidden:
      return 403;
    case Code::internal:
      break;
  }
  return 500;
}

const char* reason_phrase(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

Response problem(unsigned status, Code code, const std::string& detail) {
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  const nlohmann::json j = {{"type", std::string("urn:ocop:problem:") + code_name(code)},
                            {"title", reason_phrase(status)},
                            {"status", status},
                            {"detail", detail},
                            {"code", code_name(code)},
                            {"exit", static_cast<int>(code)}};
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return r;
}

Response problem(const Status& s) { return problem(http_status(s.code()), s.code(), s.message()); }

Response bad_request(const std::string& detail) { return problem(400, Code::bad_input, detail); }

bool match_pattern(std::string_view pattern, const std::vector<std::string>& segments,
                   std::vector<std::string>& params) {
  params.clear();
  std::size_t i = 0, pos = 1;
  while (pos <= pattern.size()) {
    std::size_t end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    const std::string_view part = pattern.substr(pos, end - pos);
    if (i >= segments.size()) return false;
    if (!part.empty() && part.front() == '{')
      params.push_back(segments[i]);
    else if (part != segments[i])
      return false;
    ++i;
    pos = end + 1;
  }
  return i == segments.size();
}

bool same_origin(const Request& req, const std::vector<std::string>& origins) {
  if (req.header("sec-fetch-site") == "same-origin") return true;
  const std::string& origin = req.header("origin");
  if (origin.empty() || origin == "null") return false;
  if (!origins.empty()) {
    for (const auto& o : origins)
      if (o == origin) return true;
    return false;
  }
  const std::string& host = req.header("host");
  return !host.empty() && (origin == "https://" + host || origin == "http://" + host);
}

std::string base64url(std::string_view bytes) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    out += a[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += a[(v >> 18) & 63];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
  }
  return out;
}

bool from_base64url(std::string_view text, std::string& out) {
  out.clear();
  unsigned v = 0;
  int bits = 0;
  for (char c : text) {
    int d;
    if (c >= 'A' && c <= 'Z') d = c - 'A';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
    else if (c >= '0' && c <= '9') d = c - '0' + 52;
    else if (c == '-') d = 62;
    else if (c == '_') d = 63;
    else return false;
    v = (v << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return text.size() % 4 != 1;
}

}  // namespace ocop::http
