#include "http/metrics.hpp"

#include <cstdio>
#include <sstream>

namespace ocop::http {

namespace {
std::string label(const std::string& v) {  // a label value, escaped
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
std::string num(double v) {  // whole numbers (counts, timestamps) in full
  char buf[64];
  if (v == static_cast<double>(static_cast<long long>(v)) && v > -1e15 && v < 1e15)
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else if (v > 1e6 || v < -1e6)
    std::snprintf(buf, sizeof buf, "%.3f", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace

std::string Metrics::label_pair(const std::string& key, const std::string& value) {
  return key + "=\"" + label(value) + "\"";
}

void Metrics::request(const std::string& route, const std::string& method, unsigned status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.le[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::event(const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++events_[outcome];
}

void Metrics::reload(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(ok ? reloads_ok_ : reloads_failed_);
}

std::string Metrics::render(const std::vector<Sample>& extra) const {
  std::ostringstream o;
  std::lock_guard<std::mutex> lock(mu_);
  o << "# HELP ocop_http_requests_total Requests answered, by route, method and status.\n"
       "# TYPE ocop_http_requests_total counter\n";
  for (const auto& [k, n] : requests_)
    o << "ocop_http_requests_total{route=\"" << label(std::get<0>(k)) << "\",method=\"" << label(std::get<1>(k))
      << "\",status=\"" << std::get<2>(k) << "\"} " << n << "\n";
  o << "# HELP ocop_http_request_duration_seconds Time from a request's first byte read to its last byte "
       "written.\n# TYPE ocop_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
      o << "ocop_http_request_duration_seconds_bucket{route=\"" << label(route) << "\",le=\"" << num(kBuckets[i])
        << "\"} " << h.le[i] << "\n";
    o << "ocop_http_request_duration_seconds_bucket{route=\"" << label(route) << "\",le=\"+Inf\"} " << h.count
      << "\n";
    o << "ocop_http_request_duration_seconds_sum{route=\"" << label(route) << "\"} " << num(h.sum) << "\n";
    o << "ocop_http_request_duration_seconds_count{route=\"" << label(route) << "\"} " << h.count << "\n";
  }
  o << "# HELP ocop_events_total Events posted, by outcome (accepted, duplicate, or the refusal's code).\n"
       "# TYPE ocop_events_total counter\n";
  for (const auto& [k, n] : events_) o << "ocop_events_total{outcome=\"" << label(k) << "\"} " << n << "\n";
  o << "# HELP ocop_config_reloads_total Configuration reloads (SIGHUP), by result.\n"
       "# TYPE ocop_config_reloads_total counter\n"
    << "ocop_config_reloads_total{result=\"ok\"} " << reloads_ok_ << "\n"
    << "ocop_config_reloads_total{result=\"failed\"} " << reloads_failed_ << "\n";
  auto gauge = [&](const char* name, const char* help, std::int64_t v, const char* type = "gauge") {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n" << name << " " << v << "\n";
  };
  gauge("ocop_http_connections", "Connections open now.", connections.load());
  gauge("ocop_http_connections_total", "Connections accepted.", connections_total.load(), "counter");
  gauge("ocop_http_connections_refused_total", "Connections refused over the connection limit.",
        connections_refused.load(), "counter");
  gauge("ocop_http_timeouts_total", "Connections closed by the read or idle timeout.", timeouts.load(), "counter");
  gauge("ocop_http_requests_in_flight", "Requests read and not yet answered.", in_flight.load());
  gauge("ocop_http_rate_limited_total", "Public requests answered 429: the address was over its budget.",
        rate_limited.load(), "counter");
  gauge("ocop_http_overloaded_total", "Requests answered 503 because a worker queue was full.", overloaded.load(),
        "counter");
  const std::string* last = nullptr;
  for (const Sample& s : extra) {
    if (!last || *last != s.name) {
      if (*s.help) o << "# HELP " << s.name << " " << s.help << "\n";
      o << "# TYPE " << s.name << " " << s.type << "\n";
    }
    last = &s.name;
    o << s.name;
    if (!s.labels.empty()) o << "{" << s.labels << "}";
    o << " " << num(s.value) << "\n";
  }
  return o.str();
}

}  // namespace ocop::http
