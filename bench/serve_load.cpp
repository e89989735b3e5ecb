// The load driver of bench/serve.sh: HTTP/1.1 keep-alive clients for `ocop serve`, on one
// thread with epoll (so that the driver costs far less than the server it measures: per
// request one write, one or two reads and no allocation beyond the response's bytes).
//
//   serve_load events PORTS CONNECTIONS EVENTS.jsonl TOKENS.tsv
//     Replays an event file (spec §9) as POST /api/v1/events: every event of a dossier on the
//     same connection in file order (dossiers are dealt to connections in order of first
//     appearance), each with the bearer token of its actor (TOKENS.tsv: "actor<TAB>token"
//     lines). The line is the body; its `key` makes a resent request harmless.
//   serve_load get PORTS CONNECTIONS IDS.txt TOKEN REQUESTS [RATE]
//     GET /api/v1/dossiers/{id} of ids drawn from IDS.txt (one a line; a fixed pseudo-random
//     sequence) until REQUESTS answers, as one user: each connection sends its next request as
//     soon as it has an answer, or, with RATE (requests/s in all), on a fixed schedule, its
//     latency then counted from the time it was due (no coordinated omission).
//
// PORTS is one port or several separated by commas (several serve processes): connection i
// goes to the (i mod n)-th. Prints one JSON object: requests, seconds, requests/s, latency
// (from a request's first byte written to its answer's last byte read) p50/p99/max in ms,
// answers by status, resent requests. A 503 (busy) is resent after 5 ms; a connection the
// server closed is opened again and its request resent. Exit 1 when the server could not be
// reached or a request was answered with anything but 2xx after its resends.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using Steady = std::chrono::steady_clock;

struct Conn {
  int fd = -1;
  int port = 0;
  std::vector<std::string> requests;  // events: this connection's, in order
  std::size_t next = 0;               // the next request to send
  std::string out;                    // the request being written
  std::size_t written = 0;
  std::string in;  // the answer being read
  Steady::time_point started;
  Steady::time_point retry_at{};  // after a 503, or when a paced request is due
  Steady::time_point due{};       // a paced request's time
  long paced = 0;                 // paced requests taken
  bool waiting = false;           // a request is in flight
};

struct Run {
  std::vector<Conn> conns;
  std::vector<std::uint32_t> latencies_us;
  std::map<int, long> statuses;
  long resent = 0, failed = 0;
  long total = 0, done = 0;
  // get mode
  bool get = false;
  std::vector<std::string> ids;
  std::string token;
  std::uint64_t rng = 2026;
  long issued = 0;
  double interval = 0;  // paced: seconds between one connection's requests
  Steady::time_point t0;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "serve_load: %s\n", what.c_str());
  std::exit(1);
}

int open_conn(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)
    die("connect to port " + std::to_string(port) + ": " + std::strerror(errno));
  return fd;
}

std::string event_request(const std::string& token, const std::string& body) {
  return "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string get_request(const std::string& token, const std::string& id) {
  return "GET /api/v1/dossiers/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n";
}

// The next request of a connection, into c.out; false when it has none left.
bool take_next(Run& run, Conn& c) {
  if (run.get) {
    if (run.issued >= run.total) return false;
    ++run.issued;
    run.rng = run.rng * 6364136223846793005ull + 1442695040888963407ull;
    c.out = get_request(run.token, run.ids[(run.rng >> 33) % run.ids.size()]);
    if (run.interval > 0) {
      const double offset = static_cast<double>(&c - run.conns.data()) / static_cast<double>(run.conns.size());
      c.due = run.t0 + std::chrono::duration_cast<Steady::duration>(
                           std::chrono::duration<double>((static_cast<double>(c.paced++) + offset) * run.interval));
    }
  } else {
    if (c.next >= c.requests.size()) return false;
    c.out = std::move(c.requests[c.next++]);
  }
  c.written = 0;
  c.in.clear();
  return true;
}

// Writes what it can of c.out.
void pump_write(Conn& c) {
  while (c.written < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      return;  // the read side reports the closed connection
    }
    c.written += static_cast<std::size_t>(n);
  }
}

// A complete answer in c.in: its status and length; 0 when not complete yet.
int parse_answer(const std::string& in, std::size_t& length) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  std::size_t content = 0;
  for (std::size_t pos = in.find("\r\n") + 2; pos < end;) {
    const std::size_t eol = in.find("\r\n", pos);
    if (eol - pos > 15 && strncasecmp(in.data() + pos, "content-length:", 15) == 0)
      content = std::strtoul(in.c_str() + pos + 15, nullptr, 10);
    pos = eol + 2;
  }
  if (in.size() < end + 4 + content) return 0;
  length = end + 4 + content;
  return std::atoi(in.c_str() + 9);
}

void start(Run& run, Conn& c, int ep) {
  if (c.fd < 0) {
    c.fd = open_conn(c.port);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.ptr = &c;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  }
  c.waiting = true;
  c.started = c.due != Steady::time_point{} ? c.due : Steady::now();
  pump_write(c);
  (void)run;
}

void reconnect(Run& run, Conn& c, int ep) {
  ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  c.fd = -1;
  ++run.resent;
  c.written = 0;
  c.in.clear();
  start(run, c, ep);
}

void on_readable(Run& run, Conn& c, int ep) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n > 0) {
      c.in.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    // Closed by the server, or failed: a request in flight is sent again on a new connection.
    if (c.waiting) return reconnect(run, c, ep);
    ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  std::size_t length = 0;
  const int status = c.waiting ? parse_answer(c.in, length) : 0;
  if (!status) return;
  const auto now = Steady::now();
  if (status == 503) {  // busy: the same request again shortly
    ++run.resent;
    c.written = 0;
    c.in.clear();
    c.retry_at = now + std::chrono::milliseconds(5);
    c.waiting = false;
    return;
  }
  run.latencies_us.push_back(
      static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - c.started).count()));
  ++run.statuses[status];
  if (status < 200 || status > 299) {
    if (run.failed++ < 5) std::fprintf(stderr, "serve_load: answer %d: %s\n", status, c.in.substr(0, length).c_str());
  }
  ++run.done;
  c.waiting = false;
  c.retry_at = {};
  if (!take_next(run, c)) return;
  if (c.due > now)
    c.retry_at = c.due;  // paced: wait for its time
  else
    start(run, c, ep);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr,
                 "usage: serve_load events PORTS CONNECTIONS EVENTS.jsonl TOKENS.tsv\n"
                 "       serve_load get PORTS CONNECTIONS IDS.txt TOKEN REQUESTS\n");
    return 2;
  }
  Run run;
  const std::string mode = argv[1];
  std::vector<int> ports;
  for (const char* p = argv[2]; *p;) {
    ports.push_back(std::atoi(p));
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  const int n = std::atoi(argv[3]);
  if (n < 1 || ports.empty() || (mode != "events" && mode != "get")) die("bad arguments");
  run.conns.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) run.conns[static_cast<std::size_t>(i)].port = ports[static_cast<std::size_t>(i) % ports.size()];

  if (mode == "events") {
    std::unordered_map<std::string, std::string> tokens;
    std::ifstream tf(argv[5]);
    for (std::string line; std::getline(tf, line);) {
      const auto tab = line.find('\t');
      if (tab != std::string::npos) tokens[line.substr(0, tab)] = line.substr(tab + 1);
    }
    std::unordered_map<std::string, std::size_t> dealt;  // dossier -> connection
    std::ifstream ef(argv[4]);
    if (!ef) die(std::string("cannot read ") + argv[4]);
    for (std::string line; std::getline(ef, line);) {
      if (line.empty()) continue;
      const auto e = nlohmann::json::parse(line);
      std::string dossier = e.value("dossier", "");
      if (dossier.empty() && e.contains("data") && e["data"].contains("id")) dossier = e["data"]["id"].get<std::string>();
      const std::string actor = e.value("actor", "");
      auto t = tokens.find(actor);
      if (t == tokens.end()) die("no token for actor " + actor);
      auto [it, fresh] = dealt.emplace(dossier, dealt.size() % static_cast<std::size_t>(n));
      run.conns[it->second].requests.push_back(event_request(t->second, line));
      ++run.total;
    }
  } else {
    if (argc < 7) die("get needs IDS.txt TOKEN REQUESTS");
    run.get = true;
    std::ifstream idf(argv[4]);
    for (std::string line; std::getline(idf, line);)
      if (!line.empty()) run.ids.push_back(line);
    if (run.ids.empty()) die("no ids");
    run.token = argv[5];
    run.total = std::atol(argv[6]);
    if (argc > 7) run.interval = static_cast<double>(n) / std::atof(argv[7]);
  }
  run.latencies_us.reserve(static_cast<std::size_t>(run.total));

  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  const auto t0 = Steady::now();
  run.t0 = t0;
  for (auto& c : run.conns)
    if (take_next(run, c)) {
      if (c.due > t0)
        c.retry_at = c.due;
      else
        start(run, c, ep);
    }
  std::vector<epoll_event> events(static_cast<std::size_t>(n) + 1);
  while (run.done < run.total) {
    int timeout = 1000;
    const auto now = Steady::now();
    for (auto& c : run.conns)
      if (!c.waiting && c.retry_at != Steady::time_point{}) {
        if (c.retry_at <= now) {
          c.retry_at = {};
          start(run, c, ep);
        } else {
          timeout = 1;
        }
      }
    const int k = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout);
    if (k < 0 && errno != EINTR) die(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < k; ++i) {
      Conn& c = *static_cast<Conn*>(events[static_cast<std::size_t>(i)].data.ptr);
      if (events[static_cast<std::size_t>(i)].events & EPOLLOUT) pump_write(c);
      if (events[static_cast<std::size_t>(i)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(run, c, ep);
    }
    if (k == 0 && std::chrono::duration<double>(Steady::now() - t0).count() > 3600) die("no progress for an hour");
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  auto& l = run.latencies_us;
  std::sort(l.begin(), l.end());
  auto pct = [&](double p) {
    return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<std::size_t>(p * static_cast<double>(l.size())))] / 1000.0;
  };
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [s, c] : run.statuses) statuses[std::to_string(s)] = c;
  nlohmann::json out = {{"mode", mode},
                        {"connections", n},
                        {"processes", ports.size()},
                        {"requests", run.done},
                        {"seconds", std::round(seconds * 100) / 100},
                        {"per_second", std::round(static_cast<double>(run.done) / seconds)},
                        {"p50_ms", pct(0.50)},
                        {"p99_ms", pct(0.99)},
                        {"max_ms", l.empty() ? 0.0 : l.back() / 1000.0},
                        {"statuses", statuses},
                        {"rate", run.interval > 0 ? std::round(static_cast<double>(n) / run.interval) : 0.0},
                        {"resent", run.resent}};
  std::printf("%s\n", out.dump().c_str());
  return run.failed ? 1 : 0;
}
