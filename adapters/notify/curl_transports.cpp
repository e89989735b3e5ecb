#include "notify/curl_transports.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "notify/mail_format.hpp"

namespace ocop::notify {

namespace {

// libcurl's functions, loaded with dlopen when a process first sends (issue 10): libcurl brings
// some thirty libraries (GnuTLS, Kerberos, LDAP, SSH, ...) that every other command would
// otherwise map at start. Loaded once per process, thread-safe; `error` says why it could not
// be, and then no function is set.
struct CurlApi {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  std::string error;
};

constexpr const char* kLibcurl = "libcurl.so.4";

template <typename F>
bool bind(void* lib, const char* name, F& fn, std::string& error) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn && error.empty()) error = std::string(kLibcurl) + " has no " + name;
  return fn != nullptr;
}

CurlApi load_curl() {
  CurlApi a;
  void* lib = dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);  // never closed: the process keeps it
  if (!lib) {
    const char* why = dlerror();
    a.error = std::string("cannot load ") + kLibcurl + " (apt-get install libcurl4): " + (why ? why : "?");
    return a;
  }
  bool ok = bind(lib, "curl_global_init", a.global_init, a.error) &&
            bind(lib, "curl_easy_init", a.easy_init, a.error) &&
            bind(lib, "curl_easy_cleanup", a.easy_cleanup, a.error) &&
            bind(lib, "curl_easy_setopt", a.easy_setopt, a.error) &&
            bind(lib, "curl_easy_perform", a.easy_perform, a.error) &&
            bind(lib, "curl_easy_getinfo", a.easy_getinfo, a.error) &&
            bind(lib, "curl_easy_strerror", a.easy_strerror, a.error) &&
            bind(lib, "curl_slist_append", a.slist_append, a.error) &&
            bind(lib, "curl_slist_free_all", a.slist_free_all, a.error);
  if (ok && a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    a.error = "curl_global_init failed";
    ok = false;
  }
  if (!ok) {
    std::string why = std::move(a.error);
    a = CurlApi{};  // no function half-bound
    a.error = std::move(why);
  }
  return a;
}

const CurlApi& curl() {
  static const CurlApi api = load_curl();
  return api;
}

}  // namespace

void global_init() { (void)curl(); }

std::string curl_unavailable() { return curl().error; }

namespace {

constexpr long kConnectTimeoutSeconds = 10;
constexpr long kTimeoutSeconds = 30;

struct CurlDeleter {
  void operator()(CURL* c) const { curl().easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl().slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, CurlDeleter>;
using List = std::unique_ptr<curl_slist, ListDeleter>;

// Adds a line to a curl list; false when curl could not allocate.
bool append(List& list, const std::string& line) {
  curl_slist* l = curl().slist_append(list.get(), line.c_str());
  if (!l) return false;
  list.release();
  list.reset(l);
  return true;
}

struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

size_t read_upload(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t room = size * n, left = u->data->size() - u->pos, k = std::min(room, left);
  std::memcpy(buf, u->data->data() + u->pos, k);
  u->pos += k;
  return k;
}

size_t keep_some(char* buf, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  constexpr size_t kKeep = 200;
  if (s->size() < kKeep) s->append(buf, std::min(size * n, kKeep - s->size()));
  return size * n;
}

std::string curl_error(CURLcode rc, const char* detail) {
  std::string out = curl().easy_strerror(rc);
  if (detail && *detail) out += std::string(": ") + detail;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// What the server said last (an SMTP reply such as "452 4.3.1 mailbox full"), for the error
// message; with OCOP_CURL_VERBOSE=1 the whole exchange also goes to stderr.
struct Trace {
  std::string last_reply;
  bool echo = false;
};

int trace(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* t = static_cast<Trace*>(user);
  if (t->echo && (type == CURLINFO_TEXT || type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT)) {
    const char* prefix = type == CURLINFO_TEXT ? "* " : type == CURLINFO_HEADER_IN ? "< " : "> ";
    std::fprintf(stderr, "%s%.*s", prefix, static_cast<int>(size), data);
  }
  if (type == CURLINFO_HEADER_IN) {
    std::string line(data, size);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) t->last_reply = line.substr(0, 200);
  }
  return 0;
}

void common_options(CURL* c, char* errbuf, Trace& t) {
  curl().easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl().easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl().easy_setopt(c, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl().easy_setopt(c, CURLOPT_TIMEOUT, kTimeoutSeconds);
  const char* v = std::getenv("OCOP_CURL_VERBOSE");
  t.echo = v && *v && *v != '0';
  curl().easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace);
  curl().easy_setopt(c, CURLOPT_DEBUGDATA, &t);
  curl().easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds trace(); nothing is printed unless asked
}

}  // namespace

SmtpTransport::SmtpTransport(const Channels& channels, const Clock& clock, int offset_minutes)
    : url_(channels.smtp_url), from_(channels.smtp_from), clock_(clock), offset_minutes_(offset_minutes) {}

std::string SmtpTransport::unavailable() const {
  if (std::string e = curl_unavailable(); !e.empty()) return e;
  if (url_.empty() || from_.empty()) return "e-mail is not configured (channels.smtp: url and from)";
  return {};
}

Delivery SmtpTransport::send(const OutboxMessage& m) {
  Delivery d;
  if (!curl().easy_init) {
    d.error = curl().error;
    return d;
  }
  Easy c(curl().easy_init());
  if (!c) {
    d.error = "curl_easy_init failed";
    return d;
  }
  const std::string message = build_mail(m, from_, clock_.now(), offset_minutes_);
  Upload up{&message};
  List rcpt;
  char errbuf[CURL_ERROR_SIZE] = {0};
  if (!append(rcpt, "<" + m.recipient + ">")) {
    d.error = "out of memory";
    return d;
  }
  const std::string from = "<" + from_ + ">";
  Trace t;
  common_options(c.get(), errbuf, t);
  curl().easy_setopt(c.get(), CURLOPT_URL, url_.c_str());
  curl().easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl().easy_setopt(c.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl().easy_setopt(c.get(), CURLOPT_MAIL_RCPT, rcpt.get());
  curl().easy_setopt(c.get(), CURLOPT_READFUNCTION, read_upload);
  curl().easy_setopt(c.get(), CURLOPT_READDATA, &up);
  curl().easy_setopt(c.get(), CURLOPT_UPLOAD, 1L);
  curl().easy_setopt(c.get(), CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  CURLcode rc = curl().easy_perform(c.get());
  if (rc == CURLE_OK) {
    d.sent = true;
    return d;
  }
  // The server's own words when it answered (they say why), else curl's.
  d.error = "SMTP: " + (t.last_reply.empty() || rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT
                            ? curl_error(rc, errbuf)
                            : t.last_reply);
  return d;
}

WebhookTransport::WebhookTransport(const Channels& channels) : secret_env_(channels.webhook_secret_env) {
  if (const char* v = std::getenv(secret_env_.c_str()); v && *v) {
    secret_ = v;
    have_secret_ = true;
  }
}

std::string WebhookTransport::unavailable() const {
  if (std::string e = curl_unavailable(); !e.empty()) return e;
  if (!have_secret_)
    return "environment variable " + secret_env_ +
           " (channels.webhook.secret_env) is not set: webhook messages are "
           "not sent unsigned";
  return {};
}

Delivery WebhookTransport::send(const OutboxMessage& m) {
  Delivery d;
  if (!have_secret_) {
    d.error = unavailable();
    return d;
  }
  if (!curl().easy_init) {
    d.error = curl().error;
    return d;
  }
  Easy c(curl().easy_init());
  if (!c) {
    d.error = "curl_easy_init failed";
    return d;
  }
  List headers;
  bool ok = append(headers, "Content-Type: application/json; charset=utf-8") &&
            append(headers, "X-OCOP-Signature: " + webhook_signature(secret_, m.body)) &&
            append(headers, "Idempotency-Key: " + idempotency_key(m)) &&
            append(headers, "X-OCOP-Outbox-Id: " + std::to_string(m.id)) &&
            append(headers, "Expect:");  // no 100-continue round trip
  if (!ok) {
    d.error = "out of memory";
    return d;
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::string response;
  Trace t;
  common_options(c.get(), errbuf, t);
  curl().easy_setopt(c.get(), CURLOPT_URL, m.recipient.c_str());
  curl().easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl().easy_setopt(c.get(), CURLOPT_USERAGENT, "ocop-engine");
  curl().easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl().easy_setopt(c.get(), CURLOPT_POST, 1L);
  curl().easy_setopt(c.get(), CURLOPT_POSTFIELDS, m.body.data());
  curl().easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(m.body.size()));
  curl().easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, keep_some);
  curl().easy_setopt(c.get(), CURLOPT_WRITEDATA, &response);
  CURLcode rc = curl().easy_perform(c.get());
  if (rc != CURLE_OK) {
    d.error = "HTTP: " + curl_error(rc, errbuf);
    return d;
  }
  long code = 0;
  curl().easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &code);
  if (code >= 200 && code < 300) {
    d.sent = true;
    return d;
  }
  for (char& ch : response)
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  d.error = "HTTP " + std::to_string(code) + (response.empty() ? std::string() : ": " + response);
  return d;
}

}  // namespace ocop::notify
