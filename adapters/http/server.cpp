// The HTTP server on Boost.Beast: the only translation unit that includes Beast (it compiles
// slowly). One I/O thread runs every connection asynchronously; application calls go to the
// worker pools (workers.hpp) and their answers come back to the I/O thread to be written.
//
// Limits, so that no client holds the server: request line and headers at most
// max_header_bytes (431), a body at most max_body_bytes (uploads: the configured document size)
// and refused at once by its Content-Length (413); a request must arrive whole within
// read_timeout_ms of its first byte, and a kept-alive connection is closed after idle_timeout_ms
// without one (a slow-headers client is cut off by the first, and only ever holds its own
// connection); at most max_connections connections (more are answered 503 and closed); full
// worker queues answer 503.
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unordered_set>

#include "config/config_cache.hpp"
#include "http/api.hpp"
#include "http/serve.hpp"
#include "http/static_files.hpp"
#include "http/rate_limit.hpp"
#include "ocop/limits.hpp"
#include "notify/curl_transports.hpp"
#include "store/lease.hpp"
#include "store/soci_store.hpp"
#include "views/json_views.hpp"

namespace ocop::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using Clock_ = std::chrono::steady_clock;

namespace {

// One JSON object per line on stderr: {"ts", "level", ...fields}.
std::shared_ptr<spdlog::logger> make_logger() {
  auto logger = spdlog::stderr_logger_mt("ocop-serve");
  logger->set_pattern("{\"ts\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",%v}", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::info);
  return logger;
}

// `s` as a JSON string: quotes, backslashes and control characters escaped; bytes of invalid
// UTF-8 (a raw request target may hold any) as \u00XX.
void append_json_string(std::string& out, std::string_view s) {
  const bool utf8 = valid_utf8(s);
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::string fields(const json& j) {  // an object's members without its braces
  std::string s = views::dump(j, -1);
  return s.size() >= 2 ? s.substr(1, s.size() - 2) : std::string();
}

// On every response (written by Beast for spooled bodies, by serialize_head otherwise).
constexpr const char* kSecurityHeaders =
    "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Frame-Options: DENY\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Cross-Origin-Resource-Policy: same-origin\r\n";

// A header value without CR or LF (the values are the service's own; this keeps it so).
void append_value(std::string& out, const std::string& v) {
  for (char c : v)
    if (c != '\r' && c != '\n') out += c;
}

// An HTTP/1.1 response's status line and headers, ending with the blank line; `length` is the
// Content-Length to announce (none for 204 and 304).
std::string serialize_head(const Response& r, bool keep_alive, std::size_t length) {
  std::string out;
  out.reserve(640);
  out += "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += reason_phrase(r.status);
  out += "\r\n";
  out += kSecurityHeaders;
  // no-store, unless the response says otherwise (the web application's files may be cached).
  if (std::none_of(r.headers.begin(), r.headers.end(), [](const auto& h) { return beast::iequals(h.first, "Cache-Control"); }))
    out += "Cache-Control: no-store\r\n";
  if (!r.content_type.empty()) {
    out += "Content-Type: ";
    append_value(out, r.content_type);
    out += "\r\n";
  }
  for (const auto& [k, v] : r.headers) {
    append_value(out, k);
    out += ": ";
    append_value(out, v);
    out += "\r\n";
  }
  if (!keep_alive) out += "Connection: close\r\n";
  if (r.status != 204 && r.status != 304 && !(r.status >= 100 && r.status < 200)) {
    out += "Content-Length: ";
    out += std::to_string(length);
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

void add_security_headers(bhttp::fields& h) {
  h.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "no-referrer");
  h.set("X-Frame-Options", "DENY");
  h.set("Cross-Origin-Opener-Policy", "same-origin");
  h.set("Cross-Origin-Resource-Policy", "same-origin");
  h.set(bhttp::field::cache_control, "no-store");
}

// The pseudo-route of the web application's files (static_files.hpp): a GET or HEAD that no
// API route matches, answered on the I/O thread from memory.
const Route& static_route() {
  static const Route r{"GET", "/{static}", Where::io, false, false, nullptr};
  return r;
}

}  // namespace

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server& server);
  ~Session();
  void start(bool reject);
  // Stop signal: a connection that is not handling a request closes now; one that is closes
  // after its answer.
  void drain();

 private:
  void wait_request();
  void on_first_bytes(beast::error_code ec, std::size_t n);
  void read_header();
  void on_header(beast::error_code ec, std::size_t);
  void read_body();
  void on_body(beast::error_code ec, std::size_t);
  void dispatch();
  void respond(Response r);
  void on_written(bool keep_alive, std::size_t bytes, beast::error_code ec, std::size_t);
  void fail_request(Response r);  // answered before the request was read whole: then close
  void close();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server& server_;
  std::string remote_;
  Request req_;
  Match match_;
  Clock_::time_point started_;
  bool busy_ = false;     // a request is read and not yet answered
  bool reading_ = false;  // waiting for or reading a request
  bool closed_ = false;
  bool keep_alive_ = true;
  std::shared_ptr<void> message_;  // the response being written
  unsigned status_ = 0;            // its status, and the user who asked (for the access log)
  std::string user_;
};

class Server {
 public:
  Server(net::io_context& ioc, ServeOptions options, std::shared_ptr<spdlog::logger> log)
      : ioc_(ioc),
        options_(std::move(options)),
        log_(std::move(log)),
        acceptor_(ioc),
        stop_signals_(ioc, SIGTERM, SIGINT),
        hup_(ioc, SIGHUP),
        config_(options_.config),
        public_limit_(options_.public_rate_per_minute) {
    settings_.db = options_.db;
    settings_.documents_env = options_.documents_env;
    settings_.now = options_.now;
    settings_.simulation = options_.simulation;
    settings_.accounts = options_.accounts;
    api_.origins = options_.origins;
  }

  int run() {
    std::string error;
    tcp::endpoint endpoint;
    if (!endpoint_of(options_.listen, endpoint, error)) {
      log_->error(fields({{"msg", error}}));
      return 2;
    }
    if (!endpoint.address().is_loopback() && !options_.allow_remote) {
      log_->error(fields({{"msg", "refusing to listen on " + options_.listen +
                                      ": not a loopback address (put nginx in front for TLS, or pass "
                                      "--allow-remote to mean it)"}}));
      return 2;
    }
    if (!options_.web_dir.empty()) {
      if (Status st = StaticSite::load(options_.web_dir, site_); !st.ok()) {
        log_->error(fields({{"msg", st.message()}}));
        return 2;
      }
      log_->info(fields({{"msg", "serving the web application"}, {"dir", site_->dir()}, {"files", site_->files()},
                         {"bytes", site_->bytes()}}));
    }
    notify::global_init();
    readers_ = std::make_unique<WorkerPool>("reader", options_.readers, options_.max_queue, settings_, config_);
    writer_ = std::make_unique<WorkerPool>("writer", 1, options_.max_queue, settings_, config_);
    writer_->set_max_group(static_cast<std::size_t>(options_.max_group));
    slow_ = std::make_unique<WorkerPool>("slow", 1, options_.max_queue, settings_, config_);
    if (!readers_->start(error) || !writer_->start(error) || !slow_->start(error)) {
      log_->error(fields({{"msg", error}}));
      return 1;
    }
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      log_->error(fields({{"msg", "cannot listen on " + options_.listen + ": " + ec.message()}}));
      readers_->stop();
      writer_->stop();
      slow_->stop();
      return 1;
    }
    const tcp::endpoint bound = acceptor_.local_endpoint();
    const std::string where = (bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                        : bound.address().to_string()) +
                              ":" + std::to_string(bound.port());
    log_->info(fields({{"msg", "listening"}, {"address", where}, {"readers", options_.readers}}));
    std::cout << "listening on http://" << where << std::endl;
    if (options_.scheduler.enabled) {
      auto log = log_;
      scheduler_ = std::make_unique<ServiceScheduler>(
          options_.scheduler, settings_, config_, store::open_lease(options_.db, "scheduler"),
          [log](const char* level, const json& j) {
            const std::string line = fields(j);
            if (level[0] == 'e')
              log->error(line);
            else if (level[0] == 'w')
              log->warn(line);
            else
              log->info(line);
          });
      scheduler_->start();
    }
    stop_signals_.async_wait([this](beast::error_code e, int sig) {
      if (!e) stop(sig);
    });
    wait_hup();
    accept();
    ioc_.run();
    // Every session has finished (each held the loop while it had a request); the pools'
    // queues are empty: stop their threads, and the scheduler after its run in progress.
    if (scheduler_) scheduler_->stop();
    readers_->stop();
    writer_->stop();
    slow_->stop();
    log_->info(fields({{"msg", "stopped"}}));
    return 0;
  }

  // --- for sessions ---
  const ServeOptions& options() const { return options_; }
  const ApiSettings& api() const { return api_; }
  const StaticSite* site() const { return site_.get(); }
  Metrics& metrics() { return metrics_; }
  RateLimiter& public_limit() { return public_limit_; }  // the I/O thread's
  spdlog::logger& log() { return *log_; }
  bool draining() const { return draining_; }
  void add(Session* s) { sessions_.insert(s); }
  void remove(Session* s) { sessions_.erase(s); }
  std::size_t sessions() const { return sessions_.size(); }
  std::size_t upload_limit() const {
    const auto c = config_.get();
    return static_cast<std::size_t>(c->documents.max_bytes) + 1;
  }
  net::io_context& ioc() { return ioc_; }

  // Runs `task` on the route's pool; false when its queue is full.
  bool submit_event(std::shared_ptr<EventTask> task) { return writer_->submit_event(std::move(task)); }
  bool submit(Where where, WorkerPool::Task task) {
    WorkerPool& pool = where == Where::writer ? *writer_ : where == Where::slow ? *slow_ : *readers_;
    return pool.submit(std::move(task));
  }

  // GET /metrics. The outbox's counts are kept for kOutboxCountsFor; when older, they are
  // counted again first on a reader (its connection), and `then` runs on that reader; otherwise
  // (or when the readers' queue is full: the older counts) at once. Then call metrics_text().
  void refresh_outbox_counts(std::function<void()> then) {
    {
      std::lock_guard<std::mutex> lock(outbox_.mu);
      if (outbox_.known && Clock_::now() - outbox_.at < kOutboxCountsFor) return then();
    }
    auto counted = [this, then](Backend& backend) {
      try {
        auto counts = backend.store().outbox_counts();
        std::lock_guard<std::mutex> lock(outbox_.mu);
        outbox_.by_state = std::move(counts);
        outbox_.known = true;
        outbox_.at = Clock_::now();
      } catch (const std::exception& e) {
        {
          std::lock_guard<std::mutex> lock(outbox_.mu);
          ++outbox_.errors;
        }
        log_->warn(fields({{"msg", "metrics: cannot count the outbox"}, {"error", e.what()}}));
      }
      then();
    };
    if (!readers_->submit(counted)) then();
  }

  std::string metrics_text() {
    std::vector<Sample> g = {
        {"ocop_worker_queue_reader", "", static_cast<double>(readers_->queued()), "gauge",
         "Requests waiting for a reader thread."},
        {"ocop_worker_queue_writer", "", static_cast<double>(writer_->queued()), "gauge",
         "Requests waiting for the writer thread."},
        {"ocop_worker_busy_reader", "", static_cast<double>(readers_->busy()), "gauge", "Reader threads working."},
        {"ocop_worker_busy_writer", "", static_cast<double>(writer_->busy()), "gauge", "Whether the writer works."},
        {"ocop_worker_queue_slow", "", static_cast<double>(slow_->queued()), "gauge",
         "Requests waiting for the slow thread (sign-in, deliver)."},
        {"ocop_config_generation", "", static_cast<double>(config_.generation()), "gauge",
         "Configurations loaded since start (SIGHUP reloads)."},
        {"ocop_event_commits_total", "", static_cast<double>(writer_->groups.load()), "counter",
         "Transactions the writer committed for POSTed events (group commit)."},
        {"ocop_event_committed_requests_total", "", static_cast<double>(writer_->grouped_events.load()), "counter",
         "POSTed events those transactions held."},
    };
    {
      std::lock_guard<std::mutex> lock(outbox_.mu);
      if (outbox_.known) {
        std::map<std::string, std::int64_t> by_state = {{"pending", 0}, {"sending", 0}, {"sent", 0}, {"dead", 0}};
        for (const auto& [state, n] : outbox_.by_state) by_state[state] = n;
        const char* help = "Messages in the outbox by state, counted at most 5 s ago (shared by every process).";
        for (const auto& [state, n] : by_state) {
          g.push_back({"ocop_outbox_messages", Metrics::label_pair("state", state), static_cast<double>(n), "gauge",
                       help});
          help = "";
        }
      }
      g.push_back({"ocop_outbox_count_errors_total", "", static_cast<double>(outbox_.errors), "counter",
                   "Times counting the outbox for /metrics failed (the last counts are shown)."});
    }
    if (scheduler_) {
      for (auto& sample : scheduler_->samples()) g.push_back(std::move(sample));
    } else {
      g.push_back({"ocop_scheduler_enabled", "", 0, "gauge", "Whether this process runs the scheduler (--scheduler)."});
      g.push_back({"ocop_scheduler_leader", "", 0, "gauge",
                   "Whether this process holds the scheduler lease (ticks and delivers) now."});
    }
    return metrics_.render(g);
  }

 private:
  static bool endpoint_of(const std::string& listen, tcp::endpoint& out, std::string& error) {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      error = "--listen must be HOST:PORT (an IP address and a port), not \"" + listen + "\"";
      return false;
    }
    std::string host = listen.substr(0, colon);
    const std::string port = listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    beast::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    char* end = nullptr;
    const long p = std::strtol(port.c_str(), &end, 10);
    if (ec || port.empty() || end != port.c_str() + port.size() || p < 0 || p > 65535) {
      error = "--listen must be HOST:PORT with an IP address (no name lookup) and a port 0-65535, not \"" +
              listen + "\"";
      return false;
    }
    out = tcp::endpoint(address, static_cast<unsigned short>(p));
    return true;
  }

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted || draining_) return;
        log_->warn(fields({{"msg", "accept failed: " + ec.message()}}));
      } else {
        ++metrics_.connections_total;
        const bool reject = sessions_.size() >= static_cast<std::size_t>(options_.max_connections);
        if (reject) ++metrics_.connections_refused;
        std::make_shared<Session>(std::move(socket), *this)->start(reject);
      }
      if (!draining_) accept();
    });
  }

  void wait_hup() {
    hup_.async_wait([this](beast::error_code ec, int) {
      if (ec) return;
      reload();
      wait_hup();
    });
  }

  // SIGHUP: the configuration file again; an invalid one keeps the configuration in force.
  void reload() {
    Config fresh;
    Status st = config::load_config(options_.config_path, fresh, nullptr);
    if (!st.ok()) {
      metrics_.reload(false);
      std::size_t pos = 0;
      const std::string& m = st.message();
      while (pos <= m.size()) {
        std::size_t end = m.find('\n', pos);
        if (end == std::string::npos) end = m.size();
        if (end > pos)
          log_->error(fields({{"msg", "configuration reload refused; the configuration in force is kept"},
                              {"file", options_.config_path},
                              {"problem", m.substr(pos, end - pos)}}));
        pos = end + 1;
      }
      return;
    }
    config_.set(std::make_shared<const Config>(std::move(fresh)));
    metrics_.reload(true);
    log_->info(fields({{"msg", "configuration reloaded"},
                       {"file", options_.config_path},
                       {"generation", config_.generation()}}));
  }

  void stop(int sig) {
    log_->info(fields({{"msg", "stopping: no new connections; answering the requests in flight"},
                       {"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                       {"connections", sessions_.size()}}));
    draining_ = true;
    if (scheduler_) scheduler_->request_stop();
    beast::error_code ec;
    acceptor_.close(ec);
    hup_.cancel(ec);
    // A copy: drain() may end a session (and remove it) at once.
    std::vector<Session*> all(sessions_.begin(), sessions_.end());
    for (Session* s : all) s->drain();
  }

  net::io_context& ioc_;
  ServeOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  tcp::acceptor acceptor_;
  net::signal_set stop_signals_, hup_;
  ConfigHolder config_;
  BackendSettings settings_;
  ApiSettings api_;
  Metrics metrics_;
  std::unique_ptr<WorkerPool> readers_, writer_, slow_;
  std::unique_ptr<StaticSite> site_;
  RateLimiter public_limit_;
  std::unique_ptr<ServiceScheduler> scheduler_;
  static constexpr auto kOutboxCountsFor = std::chrono::seconds(5);
  struct OutboxCounts {
    std::mutex mu;
    std::map<std::string, std::int64_t> by_state;
    Clock_::time_point at{};
    bool known = false;
    std::uint64_t errors = 0;
  } outbox_;
  std::unordered_set<Session*> sessions_;
  bool draining_ = false;
};

// --- Session --------------------------------------------------------------------------------------

Session::Session(tcp::socket&& socket, Server& server) : stream_(std::move(socket)), server_(server) {
  beast::error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? "?" : ep.address().to_string();
  server_.add(this);
  ++server_.metrics().connections;
}

Session::~Session() {
  server_.remove(this);
  --server_.metrics().connections;
}

void Session::start(bool reject) {
  if (reject) {
    keep_alive_ = false;
    Response r = problem(503, Code::internal, "too many connections; try again shortly");
    r.set("Retry-After", "1");
    started_ = Clock_::now();
    req_.method = "-";
    respond(std::move(r));
    return;
  }
  wait_request();
}

void Session::drain() {
  if (busy_) return;  // closes after its answer (draining: no keep-alive)
  close();
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

void Session::wait_request() {
  if (server_.draining()) return close();
  reading_ = true;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
  // The route's own limit is set once the target is known (on_header); until then the largest.
  parser_->body_limit(std::max(server_.options().max_body_bytes, server_.upload_limit()));
  if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
  // Idle: wait for the next request's first bytes.
  stream_.expires_after(std::chrono::milliseconds(server_.options().idle_timeout_ms));
  stream_.async_read_some(buffer_.prepare(4096),
                          beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
}

void Session::on_first_bytes(beast::error_code ec, std::size_t n) {
  if (ec) {
    if (ec == beast::error::timeout) ++server_.metrics().timeouts;
    return close();
  }
  buffer_.commit(n);
  read_header();
}

void Session::read_header() {
  started_ = Clock_::now();
  // The whole request must arrive within the read timeout of its first byte.
  stream_.expires_after(std::chrono::milliseconds(server_.options().read_timeout_ms));
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::on_header, shared_from_this()));
}

void Session::on_header(beast::error_code ec, std::size_t) {
  keep_alive_ = false;
  if (ec == bhttp::error::end_of_stream) return close();
  if (ec == beast::error::timeout) {
    ++server_.metrics().timeouts;
    req_.method = "-";
    return fail_request(problem(408, Code::bad_input, "the request did not arrive in time"));
  }
  if (ec == bhttp::error::header_limit)
    return fail_request(problem(431, Code::bad_input, "the request line and headers are larger than " +
                                                          std::to_string(server_.options().max_header_bytes) +
                                                          " bytes"));
  if (ec == bhttp::error::body_limit)
    return fail_request(problem(413, Code::bad_input, "the body is larger than any route accepts"));
  if (ec) return fail_request(bad_request("malformed HTTP request: " + ec.message()));
  auto& h = parser_->get();
  req_ = Request{};
  req_.method = std::string(h.method_string());
  req_.target = std::string(h.target());
  req_.remote = remote_;
  for (const auto& f : h) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, fresh] = req_.headers.emplace(name, std::string(f.value()));
    if (!fresh) it->second += (name == "cookie" ? "; " : ", ") + std::string(f.value());
  }
  if (Status st = parse_target(req_.target, req_.segments, req_.query); !st.ok())
    return fail_request(bad_request(st.message()));
  match_ = match(req_.method, req_.segments);
  if (!match_.route && server_.site() && (req_.method == "GET" || req_.method == "HEAD") &&
      !(req_.segments.size() > 0 && req_.segments.front() == "api"))
    match_.route = &static_route();
  if (!match_.route) {
    Response r = match_.allow.empty() ? problem(404, Code::not_found, "no such resource: " + req_.target)
                                      : problem(405, Code::bad_input, "method " + req_.method + " not allowed");
    if (!match_.allow.empty()) r.set("Allow", match_.allow);
    return fail_request(std::move(r));
  }
  if (is_public(*match_.route)) {  // the public face: a budget per client address (issue 13)
    int retry_after = 1;
    if (!server_.public_limit().allow(remote_, RateLimiter::Clock::now(), retry_after)) {
      ++server_.metrics().rate_limited;
      Response r = problem(429, Code::refused,
                           "too many requests from this address to the public pages: at most " +
                               std::to_string(server_.options().public_rate_per_minute) +
                               " a minute; try again in " + std::to_string(retry_after) + " s");
      r.set("Retry-After", std::to_string(retry_after));
      return fail_request(std::move(r));
    }
  }
  const std::size_t limit = match_.route->upload ? server_.upload_limit() : server_.options().max_body_bytes;
  if (auto length = parser_->content_length(); length && *length > limit)
    return fail_request(problem(413, Code::bad_input,
                                "the body is larger than " + std::to_string(limit) + " bytes"));
  parser_->body_limit(limit);
  if (parser_->is_done()) return on_body({}, 0);
  if (beast::iequals(h[bhttp::field::expect], "100-continue")) {  // curl asks before a large body
    auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
    bhttp::async_write(stream_, *go_on, [self = shared_from_this(), go_on](beast::error_code e, std::size_t) {
      if (e) return self->close();
      self->read_body();
    });
    return;
  }
  read_body();
}

void Session::read_body() {
  bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_body, shared_from_this()));
}

void Session::on_body(beast::error_code ec, std::size_t) {
  if (ec == bhttp::error::body_limit)
    return fail_request(problem(413, Code::bad_input, "the body is larger than this route accepts"));
  if (ec == beast::error::timeout) {
    ++server_.metrics().timeouts;
    return fail_request(problem(408, Code::bad_input, "the request did not arrive in time"));
  }
  if (ec) return fail_request(bad_request("malformed HTTP request: " + ec.message()));
  reading_ = false;
  keep_alive_ = parser_->get().keep_alive();
  req_.body = parser_->release().body();
  dispatch();
}

void Session::dispatch() {
  busy_ = true;
  ++server_.metrics().in_flight;
  if (match_.route == &static_route()) {  // the web application's files, from memory
    std::optional<Response> r = server_.site()->answer(req_);
    return respond(r ? std::move(*r) : problem(404, Code::not_found, "no such resource: " + req_.target));
  }
  // The loop must not end while the task is on a worker (a stop waits for it).
  auto guard = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(
      server_.ioc().get_executor());
  auto self = shared_from_this();
  if (match_.route->where == Where::io) {  // GET /metrics: rendered on the I/O thread
    server_.refresh_outbox_counts([self, guard]() mutable {
      net::post(self->stream_.get_executor(), [self, guard]() mutable {
        Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = self->server_.metrics_text();
        self->respond(std::move(r));
      });
    });
    return;
  }
  if (match_.route->where == Where::events) {  // the writer's group commit
    auto task = std::make_shared<EventTask>();
    // `held` keeps the session and the loop's guard until the answer is posted, and then hands
    // them to the I/O thread: the session is only ever destroyed there.
    auto held = std::make_shared<std::pair<std::shared_ptr<Session>, decltype(guard)>>(self, guard);
    Session* s = this;
    auto answer = [s, held](Response r) {
      net::post(s->stream_.get_executor(),
                [s, keep = std::move(held->first), g = std::move(held->second), r = std::move(r)]() mutable {
                  s->respond(std::move(r));
                });
    };
    auto busy = [answer, s] {
      ++s->server_.metrics().overloaded;
      Response r = problem(503, Code::internal, "the service is busy; try again shortly");
      r.set("Retry-After", "1");
      answer(std::move(r));
    };
    // After the commit, on the writer (one more hand-over to a reader cost more than it saved).
    task->finish = [s, answer](Backend& backend, FireResult&& result) {
      Response r = event_response(s->req_, backend, s->server_.api(), s->server_.metrics(), std::move(result));
      r.user = s->user_;
      answer(std::move(r));
    };
    // First, on a reader: authenticate and parse; then queue it for the writer.
    const bool queued = server_.submit(Where::reader, [s, task, answer, busy](Backend& backend) {
      std::string user;
      auto refused =
          prepare_event(s->req_, backend, s->server_.api(), s->server_.metrics(), task->request, user);
      s->user_ = user;  // the I/O thread reads it only after the answer is posted
      if (refused) {
        refused->user = user;
        return answer(std::move(*refused));
      }
      if (!s->server_.submit_event(task)) busy();
    });
    if (!queued) busy();
    return;
  }
  // The session is only ever destroyed on the I/O thread: the task hands its reference over.
  const bool queued = server_.submit(match_.route->where, [self, guard](Backend& backend) mutable {
    Response r = handle(self->match_, self->req_, backend, self->server_.api(), self->server_.metrics());
    auto executor = self->stream_.get_executor();
    net::post(executor, [self = std::move(self), guard = std::move(guard), r = std::move(r)]() mutable {
      self->respond(std::move(r));
    });
  });
  if (!queued) {
    ++server_.metrics().overloaded;
    Response r = problem(503, Code::internal, "the service is busy; try again shortly");
    r.set("Retry-After", "1");
    respond(std::move(r));
  }
}

void Session::fail_request(Response r) {
  reading_ = false;
  busy_ = true;
  keep_alive_ = false;
  ++server_.metrics().in_flight;
  respond(std::move(r));
}

void Session::respond(Response r) {
  const bool keep_alive = keep_alive_ && !server_.draining();
  const bool head = req_.method == "HEAD";
  status_ = r.status;
  user_ = r.user;
  std::size_t head_length = r.body.size();
  if (head && r.spool) {  // HEAD of a spooled body: its length only
    std::fseek(r.spool->file, 0, SEEK_END);
    head_length = static_cast<std::size_t>(std::ftell(r.spool->file));
    r.spool.reset();
  }
  auto fill = [&](auto& msg) {
    msg.version(11);
    msg.result(r.status);
    add_security_headers(msg);
    if (!r.content_type.empty()) msg.set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) {
      if (beast::iequals(k, "Cache-Control"))
        msg.set(bhttp::field::cache_control, v);  // the web application's files may be cached
      else
        msg.insert(k, v);
    }
    msg.keep_alive(keep_alive);
  };
  auto done = [self = shared_from_this(), keep_alive](std::size_t bytes) {
    return [self, keep_alive, bytes](beast::error_code ec, std::size_t n) {
      self->on_written(keep_alive, bytes, ec, n);
    };
  };
  if (r.spool) {
    auto msg = std::make_shared<bhttp::response<bhttp::file_body>>();
    fill(*msg);
    beast::error_code ec;
    beast::file_posix f;
    const int fd = ::dup(fileno(r.spool->file));
    ::lseek(fd, 0, SEEK_SET);
    f.native_handle(fd);
    msg->body().reset(std::move(f), ec);
    msg->prepare_payload();
    const std::size_t bytes = msg->body().size();
    message_ = msg;
    stream_.expires_after(std::chrono::milliseconds(server_.options().write_timeout_ms) +
                          std::chrono::seconds(bytes >> 20));
    bhttp::async_write(stream_, *msg, done(bytes));
    return;
  }
  // A body in memory: the status line, headers and body in one buffer, written at once (Beast's
  // serializer walked each header field through layers of buffer views: a fifth of the I/O
  // thread's time under load, bench/README.md).
  auto msg = std::make_shared<std::string>(serialize_head(r, keep_alive, head ? head_length : r.body.size()));
  const std::size_t bytes = head ? 0 : r.body.size();
  if (!head) *msg += r.body;
  message_ = msg;
  stream_.expires_after(std::chrono::milliseconds(server_.options().write_timeout_ms));
  net::async_write(stream_, net::buffer(*msg), done(bytes));
}

void Session::on_written(bool keep_alive, std::size_t bytes, beast::error_code ec, std::size_t) {
  const double seconds = std::chrono::duration<double>(Clock_::now() - started_).count();
  const unsigned status = status_;
  const std::string route = match_.route ? match_.route->pattern : "unmatched";
  server_.metrics().request(route, req_.method, status, seconds);
  --server_.metrics().in_flight;
  // The access log line, written out directly (a json object per request cost a tenth of the
  // I/O thread under load).
  std::string line;
  line.reserve(256);
  line += "\"msg\":\"request\",\"remote\":";
  append_json_string(line, remote_);
  line += ",\"method\":";
  append_json_string(line, req_.method);
  line += ",\"path\":";
  append_json_string(line, std::string_view(req_.target).substr(0, req_.target.find('?')));
  line += ",\"route\":";
  append_json_string(line, route);
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, ",\"status\":%u,\"bytes\":%zu,\"ms\":%.2f", status, bytes, seconds * 1000);
  line += numbers;
  if (!user_.empty()) {
    line += ",\"user\":";
    append_json_string(line, user_);
  }
  if (ec) {
    line += ",\"write_error\":";
    append_json_string(line, ec.message());
  }
  server_.log().info(line);
  message_.reset();
  busy_ = false;
  match_ = Match{};
  if (ec || !keep_alive || server_.draining()) return close();
  wait_request();
}

int serve(ServeOptions options) {
  auto log = make_logger();
  // A client that goes away mid-answer must not end the process.
  std::signal(SIGPIPE, SIG_IGN);
  net::io_context ioc(1);
  Server server(ioc, std::move(options), log);
  return server.run();
}

}  // namespace ocop::http
