#include "http/api.hpp"
#include "http/catalogue_pages.hpp"
#include "http/public_pages.hpp"

#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/event_lines.hpp"
#include "notify/curl_transports.hpp"
#include "ocop/accounts.hpp"
#include "ocop/catalogue.hpp"
#include "ocop/url.hpp"
#include "ocop/limits.hpp"
#include "ocop/time.hpp"
#include "report/office_file.hpp"
#include "store/soci_store.hpp"
#include "views/feed_views.hpp"
#include "views/json_views.hpp"

namespace ocop::http {

using nlohmann::json;

// What a handler gets: the request, its route's parameters, its thread's backend, the caller.
struct Call {
  const Request& req;
  const std::vector<std::string>& params;
  Backend& backend;
  const ApiSettings& settings;
  Metrics& metrics;
  Principal principal;
  std::optional<ReadScope> scope;  // what the principal may read (set by reading())

  Application& app() { return backend.app(); }
  int offset() const { return backend.config().province.utc_offset_minutes; }
};

namespace {

Response json_response(const json& j, unsigned status = 200) {
  Response r;
  r.status = status;
  r.body = views::dump(j, -1) + "\n";
  return r;
}

std::string etag(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

// Refuses query parameters the route does not know (a typo would otherwise filter nothing).
Status only_params(const Request& req, std::initializer_list<const char*> allowed) {
  for (const auto& [name, value] : req.query) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || name == a;
    if (!ok) return Status::BadInput("unknown query parameter \"" + name + "\"");
  }
  return Status::Ok();
}

std::string param(const Request& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? "" : it->second;
}

// An integer query parameter within [lo, hi]; absent: `fallback`.
Status int_param(const Request& req, const char* name, long long lo, long long hi, long long fallback,
                 long long& out) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) {
    out = fallback;
    return Status::Ok();
  }
  const std::string& v = it->second;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (errno || end != v.c_str() + v.size() || v.size() > 19 || n < lo || n > hi)
    return Status::BadInput("?" + std::string(name) + "= must be an integer from " + std::to_string(lo) + " to " +
                            std::to_string(hi));
  out = n;
  return Status::Ok();
}

bool is_true(const std::string& v) { return v == "true" || v == "1" || v == "yes"; }

// A JSON object body (bounded depth, valid UTF-8); a syntax problem is 400.
Status json_body(const Request& req, json& out) {
  if (Status st = check_json_nesting(req.body, limits::kMaxDataDepth + 1, "the body"); !st.ok()) return st;
  out = json::parse(req.body, nullptr, false);
  if (out.is_discarded()) return Status::BadInput("the body is not valid JSON (UTF-8)");
  if (!out.is_object()) return Status::BadInput("the body must be a JSON object");
  return Status::Ok();
}

// A spooled body: `write` fills the temporary file; the response sends it.
Status spool(Response& r, const std::function<Status(std::FILE*)>& write) {
  auto s = std::make_shared<Spool>();
  s->file = std::tmpfile();
  if (!s->file) return Status::Internal(std::string("cannot create a temporary file: ") + std::strerror(errno));
  if (Status st = write(s->file); !st.ok()) return st;
  if (std::fflush(s->file) != 0) return Status::Internal("cannot write a temporary file");
  std::rewind(s->file);
  r.spool = std::move(s);
  return Status::Ok();
}

Status require_operator(Call& c) { return c.app().authorize_operator(c.principal.user); }

// A read: the signed-in user's scope into c.scope (ocop/read_scope.hpp), or the problem that
// refuses it (403: their unit is not valid today).
std::optional<Response> reading(Call& c) {
  auto r = c.app().read_scope(c.principal.user);
  if (!r.ok()) return problem(r.status);
  c.scope = std::move(r.value);
  return std::nullopt;
}

// --- dossiers --------------------------------------------------------------------------------

Response dossiers_list(Call& c) {
  const Request& req = c.req;
  if (Status st = only_params(req, {"state", "unit", "level", "year", "product_set", "round", "q", "limit", "cursor"});
      !st.ok())
    return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  DossierQuery q;
  q.round = param(req, "round");
  q.text = param(req, "q");
  q.state = param(req, "state");
  q.unit = param(req, "unit");
  q.level = param(req, "level");
  q.product_set = param(req, "product_set");
  long long year = 0, limit = 0;
  if (Status st = int_param(req, "year", 1900, 2999, 0, year); !st.ok()) return bad_request(st.message());
  if (Status st = int_param(req, "limit", 1, c.settings.max_page, c.settings.default_page, limit); !st.ok())
    return bad_request(st.message());
  q.year = static_cast<int>(year);
  const std::string cursor = param(req, "cursor");
  if (!cursor.empty() && (!from_base64url(cursor, q.after) || q.after.empty()))
    return bad_request("?cursor= is not a cursor this service gave (next_cursor of a page)");
  q.limit = static_cast<int>(limit) + 1;  // one more tells whether a next page exists
  auto r = c.app().list(*c.scope, q);
  if (!r.ok()) return problem(r.status);
  auto n = c.app().count(*c.scope, q);
  if (!n.ok()) return problem(n.status);
  json items = json::array();
  const bool more = static_cast<long long>(r.value.size()) > limit;
  if (more) r.value.pop_back();
  for (const auto& d : r.value) items.push_back(views::dossier_json(d, c.offset()));
  json next = more ? json(base64url(r.value.back().id)) : json(nullptr);
  return json_response({{"items", items}, {"count", n.value}, {"limit", limit}, {"next_cursor", next}});
}

Response dossier_show(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  auto r = c.app().show(*c.scope, c.params[0]);
  if (!r.ok()) return problem(r.status);
  const std::string tag = etag(r.value.dossier.version);
  if (c.req.header("if-none-match") == tag) {
    Response nm;
    nm.status = 304;
    nm.content_type.clear();
    nm.set("ETag", tag);
    return nm;
  }
  Response out = json_response(views::dossier_view_json(r.value, c.offset()));
  out.set("ETag", tag);
  return out;
}

Response dossier_history(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  auto r = c.app().history(*c.scope, c.params[0]);
  if (!r.ok()) return problem(r.status);
  json arr = json::array();
  for (const auto& rec : r.value) arr.push_back(views::audit_json(rec, c.offset()));
  return json_response(arr);
}

Response dossier_documents(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  auto r = c.app().documents(*c.scope, c.params[0]);
  if (!r.ok()) return problem(r.status);
  json arr = json::array();
  for (const auto& d : r.value) arr.push_back(views::document_json(d, c.offset()));
  return json_response(arr);
}

// The key of an unsafe request: Idempotency-Key, or the body's "key"; both must agree.
Status request_key(const Request& req, std::string& key) {
  const std::string& header = req.header("idempotency-key");
  if (header.empty()) return Status::Ok();
  if (header.size() > 200) return Status::BadInput("Idempotency-Key is longer than 200 characters");
  if (!key.empty() && key != header)
    return Status::BadInput("Idempotency-Key \"" + header + "\" differs from the body's key \"" + key + "\"");
  key = header;
  return Status::Ok();
}

// If-Match: "VERSION" (an ETag this service gave) as the expected version; * matches any.
Status request_version(const Request& req, std::optional<std::int64_t>& version) {
  std::string v = req.header("if-match");
  if (v.empty() || v == "*") return Status::Ok();
  if (v.rfind("W/", 0) == 0) v = v.substr(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || errno || end != v.c_str() + v.size() || n < 0)
    return Status::BadInput("If-Match must be one ETag this service gave (a dossier's version), not " +
                            req.header("if-match"));
  if (version && *version != n)
    return Status::BadInput("If-Match " + std::to_string(n) + " differs from the body's version " +
                            std::to_string(*version));
  version = n;
  return Status::Ok();
}


// POST /api/v1/events: the body is one line of an event file (spec §9); its actor, when given,
// must be the signed-in user.
std::optional<Response> event_request(Call& c, EventRequest& req) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (Status st = cli::parse_event_line(c.req.body, c.backend.simulation(), c.offset(), req, false); !st.ok())
    return bad_request(st.message());
  if (Status st = request_key(c.req, req.key); !st.ok()) return bad_request(st.message());
  if (Status st = request_version(c.req, req.expected_version); !st.ok()) return bad_request(st.message());
  if (Status st = bind_actor(req, c.principal); !st.ok()) return problem(st);
  return std::nullopt;
}

Response fired(Call& c, FireResult r) {
  if (!r.status.ok()) {
    c.metrics.event(code_name(r.status.code()));
    return problem(r.status);
  }
  c.metrics.event(r.duplicate ? "duplicate" : "accepted");
  Response out = json_response(views::fire_json(r, c.backend.config()));
  if (r.dossier) out.set("ETag", etag(r.dossier->version));
  return out;
}

// Without group commit (a single event): parse, fire, answer.
Response events_post(Call& c) {
  EventRequest req;
  if (auto problem_response = event_request(c, req)) return std::move(*problem_response);
  return fired(c, c.app().fire(std::move(req)));
}

// A document's name as a person gave it: no path, no control characters.
Status document_name(const std::string& name) {
  if (name.empty()) return Status::BadInput("?name= is required: the document's file name");
  if (name.size() > 255) return Status::BadInput("?name= is longer than 255 bytes");
  if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos || name == "." || name == "..")
    return Status::BadInput("?name= must be a file name, not a path");
  return check_name(name, "?name=");
}

// POST /api/v1/dossiers/{id}/documents?kind=K&name=N: the body is the file; fires attach.
Response document_upload(Call& c) {
  if (Status st = only_params(c.req, {"kind", "name"}); !st.ok()) return bad_request(st.message());
  const std::string name = param(c.req, "name");
  if (Status st = document_name(name); !st.ok()) return problem(st);
  EventRequest req;
  req.event = "attach";
  req.dossier = c.params[0];
  req.data = json{{"kind", param(c.req, "kind")}};
  if (Status st = request_key(c.req, req.key); !st.ok()) return bad_request(st.message());
  if (Status st = request_version(c.req, req.expected_version); !st.ok()) return bad_request(st.message());
  if (Status st = bind_actor(req, c.principal); !st.ok()) return problem(st);
  std::istringstream bytes(c.req.body);
  if (Status st = c.app().stage_attachment(req, bytes, static_cast<std::int64_t>(c.req.body.size()), name);
      !st.ok())
    return problem(st);
  return fired(c, c.app().fire(std::move(req)));
}

// GET /api/v1/documents/{sha256}: the exact bytes (checked against the hash as they are read).
Response document_get(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  const std::string& sha = c.params[0];
  bool hex = sha.size() == 64;
  for (char ch : sha) hex = hex && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  if (!hex) return bad_request("a document is named by its SHA-256: 64 lower-case hexadecimal digits");
  Response out;
  out.content_type = "application/octet-stream";
  Status st = spool(out, [&](std::FILE* f) {
    std::ostringstream buf;  // document_bytes writes to a stream; documents are bounded (max_bytes)
    Status s = c.app().document_bytes(*c.scope, sha, buf);
    if (!s.ok()) return s;
    const std::string b = buf.str();
    if (std::fwrite(b.data(), 1, b.size(), f) != b.size()) return Status::Internal("cannot write a temporary file");
    return Status::Ok();
  });
  if (!st.ok()) return problem(st);
  out.set("Content-Disposition", "attachment");
  out.set("ETag", "\"" + sha + "\"");
  return out;
}

// --- certificates, products, report, cycle -----------------------------------------------------

Response certificates_list(Call& c) {
  if (Status st = only_params(c.req, {"state", "unit", "stars", "expiring_within"}); !st.ok())
    return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  CertificateQuery q;
  q.state = param(c.req, "state");
  q.unit = param(c.req, "unit");
  long long stars = 0, within = -1;
  if (Status st = int_param(c.req, "stars", 1, 5, 0, stars); !st.ok()) return bad_request(st.message());
  if (Status st = int_param(c.req, "expiring_within", 0, 36500, -1, within); !st.ok())
    return bad_request(st.message());
  q.stars = static_cast<int>(stars);
  q.expiring_within_days = static_cast<int>(within);
  auto r = c.app().certificates(*c.scope, q);
  if (!r.ok()) return problem(r.status);
  json arr = json::array();
  for (const auto& cert : r.value) arr.push_back(views::certificate_json(cert, &c.backend.config()));
  return json_response(arr);
}

Response product_show(Call& c) {
  if (Status st = only_params(c.req, {"producer"}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  auto r = c.app().product(*c.scope, c.params[0], param(c.req, "producer"));
  if (!r.ok()) return problem(r.status);
  return json_response(views::product_json(r.value, c.backend.config()));
}

// ?format=xlsx: the offices' spreadsheet (report/office_workbook.hpp); ?format=pdf: the yearly
// report (report/office_pdf.hpp); over the caller's units, written to a temporary file that
// becomes the body.
Response report_file(Call& c, const std::string& format) {
  long long within = 90;
  if (Status st = int_param(c.req, "expiring_within", 0, 3650, 90, within); !st.ok()) return bad_request(st.message());
  auto r = c.app().office_report(*c.scope, static_cast<int>(within));
  if (!r.ok()) return problem(r.status);
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/ocop-report-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) return problem(Status::Internal(std::string("cannot create a temporary file: ") + std::strerror(errno)));
  close(fd);
  Status written = report::write_office_file(format, r.value, c.backend.config(), path);
  Response out;
  if (written.ok()) {
    auto s = std::make_shared<Spool>();
    s->file = std::fopen(path.c_str(), "rb");
    if (!s->file) written = Status::Internal("cannot read back " + path + ": " + std::strerror(errno));
    out.spool = std::move(s);
  }
  std::remove(path.c_str());  // an open file stays readable; nothing is left behind
  if (!written.ok()) return problem(written);
  out.content_type = report::office_content_type(format);
  out.set("Content-Disposition", "attachment; filename=\"" + report::office_file_name(format, r.value) + "\"");
  return out;
}

Response report(Call& c) {
  if (Status st = only_params(c.req, {"format", "expiring_within"}); !st.ok()) return bad_request(st.message());
  const std::string format = param(c.req, "format");
  if (!format.empty() && format != "json" && !report::is_office_format(format))
    return bad_request("?format= must be json, xlsx or pdf, not \"" + format + "\"");
  const bool file = report::is_office_format(format);
  if (!file && !param(c.req, "expiring_within").empty())
    return bad_request("?expiring_within= is for ?format=xlsx or pdf");
  if (auto refused = reading(c)) return std::move(*refused);
  if (file) return report_file(c, format);
  auto r = c.app().report(*c.scope);
  if (!r.ok()) return problem(r.status);
  return json_response(views::report_json(r.value));
}

Response cycle(Call& c) {
  if (Status st = only_params(c.req, {"year"}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  long long year = 0;
  if (Status st = int_param(c.req, "year", 1900, 2999, 0, year); !st.ok()) return bad_request(st.message());
  CycleReport r = c.app().cycle(*c.scope, static_cast<int>(year));
  if (!r.status.ok()) return problem(r.status);
  return json_response(views::cycle_json(r));
}

// --- the audit trail -----------------------------------------------------------------------------

Response audit_verify(Call& c) {
  if (Status st = only_params(c.req, {"anchor"}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  AuditVerification v = c.app().audit_verify(*c.scope, param(c.req, "anchor"));
  if (!v.status.ok()) return problem(v.status);
  if (!v.valid) {
    Response out = problem(409, Code::refused, "audit chain broken: " + v.problem);
    json j = json::parse(out.body);
    j["verification"] = views::verification_json(v);
    out.body = views::dump(j, -1) + "\n";
    return out;
  }
  return json_response(views::verification_json(v));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

// GET /api/v1/audit/export?format=jsonl|csv: the CLI's export, spooled and sent as it was
// written (memory stays flat).
Response audit_export(Call& c) {
  if (Status st = only_params(c.req, {"format"}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  std::string format = param(c.req, "format");
  if (format.empty()) format = "jsonl";
  if (format != "jsonl" && format != "csv") return bad_request("?format= must be jsonl or csv");
  Response out;
  out.content_type = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
  Status st = spool(out, [&](std::FILE* f) {
    if (format == "csv") std::fputs("seq,at,actor,role,dossier,event,from,to,level,data,prev_hash,hash\n", f);
    return c.app().audit_export(*c.scope, [&](const AuditRecord& r) {
      std::string line;
      if (format == "jsonl") {
        line = views::dump(views::audit_json(r, 0), -1) + "\n";
      } else {
        line = std::to_string(r.seq) + "," + format_instant(r.at, 0) + "," + csv_field(r.actor) + "," +
               csv_field(r.role) + "," + csv_field(r.dossier) + "," + r.event + "," + r.from_state + "," +
               r.to_state + "," + r.level + "," + csv_field(r.data) + "," + r.prev_hash + "," + r.hash + "\n";
      }
      std::fwrite(line.data(), 1, line.size(), f);
    });
  });
  if (!st.ok()) return problem(st);
  out.set("Content-Disposition", std::string("attachment; filename=\"audit.") + format + "\"");
  return out;
}

// --- the scheduler and the outbox (operators) -----------------------------------------------------

Response outbox_list(Call& c) {
  if (Status st = only_params(c.req, {"state", "limit"}); !st.ok()) return bad_request(st.message());
  // The outbox is an operator's: the application checks it.
  if (auto refused = reading(c)) return std::move(*refused);
  long long limit = 0;
  if (Status st = int_param(c.req, "limit", 1, c.settings.max_page, c.settings.default_page, limit); !st.ok())
    return bad_request(st.message());
  auto r = c.app().outbox(*c.scope, param(c.req, "state"), static_cast<int>(limit));
  if (!r.ok()) return problem(r.status);
  json arr = json::array();
  for (const auto& m : r.value) arr.push_back(views::outbox_json(m, c.offset()));
  return json_response(arr);
}

Response outbox_retry(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (Status st = require_operator(c); !st.ok()) return problem(st);
  const std::string& text = c.params[0];
  char* end = nullptr;
  errno = 0;
  const long long id = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || errno || end != text.c_str() + text.size() || id <= 0)
    return bad_request("\"" + text + "\" is not an outbox message id (a positive number)");
  auto r = c.app().outbox_retry(id);
  if (!r.ok()) return problem(r.status);
  json j = views::outbox_json(r.value.after, c.offset());
  j.erase("body");
  return json_response(j);
}

Response tick(Call& c) {
  if (Status st = only_params(c.req, {"dry_run"}); !st.ok()) return bad_request(st.message());
  if (Status st = require_operator(c); !st.ok()) return problem(st);
  TickReport r = c.app().tick(is_true(param(c.req, "dry_run")));
  if (!r.status.ok()) {
    Response out = problem(r.status);
    json j = json::parse(out.body);
    j["tick"] = views::tick_json(r);
    out.body = views::dump(j, -1) + "\n";
    return out;
  }
  return json_response(views::tick_json(r));
}

Response deliver(Call& c) {
  if (Status st = only_params(c.req, {"limit"}); !st.ok()) return bad_request(st.message());
  if (Status st = require_operator(c); !st.ok()) return problem(st);
  long long limit = 0;
  if (Status st = int_param(c.req, "limit", 1, 100000, 0, limit); !st.ok()) return bad_request(st.message());
  const Config& config = c.backend.config();
  notify::Transports transports(config.channels, c.backend.clock(), c.offset());
  auto r = c.app().deliver(static_cast<int>(limit), transports.by_channel());
  if (!r.ok()) return problem(r.status);
  return json_response(views::delivery_json(r.value, c.offset()));
}

// --- after recognition (spec §10.3) ---------------------------------------------------------------

Response activities_list(Call& c) {
  if (Status st = only_params(c.req, {"state", "year", "unit"}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  ActivityQuery q;
  q.state = param(c.req, "state");
  q.unit = param(c.req, "unit");
  long long year = 0;
  if (Status st = int_param(c.req, "year", 1900, 2999, 0, year); !st.ok()) return bad_request(st.message());
  q.year = static_cast<int>(year);
  auto r = c.app().activities(*c.scope, q);
  if (!r.ok()) return problem(r.status);
  json arr = json::array();
  for (const auto& a : r.value) arr.push_back(views::activity_summary_json(a, c.offset()));
  return json_response(arr);
}

Response activity_show(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  auto r = c.app().activity(*c.scope, c.params[0]);
  if (!r.ok()) return problem(r.status);
  Response out = json_response(views::activity_view_json(r.value, c.offset()));
  out.set("ETag", etag(r.value.activity.version));
  return out;
}

Response inspections_list(Call& c) {
  if (Status st = only_params(c.req, {"state", "year", "unit"}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  InspectionQuery q;
  q.state = param(c.req, "state");
  q.unit = param(c.req, "unit");
  long long year = 0;
  if (Status st = int_param(c.req, "year", 1900, 2999, 0, year); !st.ok()) return bad_request(st.message());
  q.year = static_cast<int>(year);
  auto r = c.app().inspections(*c.scope, q);
  if (!r.ok()) return problem(r.status);
  json arr = json::array();
  for (const auto& i : r.value) arr.push_back(views::inspection_json(i, c.offset()));
  return json_response(arr);
}

// POST /api/v1/inspections/plan {"year", "share", "due"}: as the signed-in user.
Response inspections_plan(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  json body;
  if (Status st = json_body(c.req, body); !st.ok()) return bad_request(st.message());
  InspectionPlanRequest rq;
  if (!body.contains("year") || !body["year"].is_number_integer() || !body.contains("share") ||
      !body["share"].is_number_integer() || !body.contains("due") || !body["due"].is_string())
    return bad_request("the body must be {\"year\": YEAR, \"share\": PERCENT, \"due\": \"YYYY-MM-DD\"}");
  rq.year = body["year"].get<int>();
  rq.share = body["share"].get<int>();
  auto due = parse_date(body["due"].get<std::string>());
  if (!due) return bad_request("\"due\" must be a date YYYY-MM-DD");
  rq.due = *due;
  EventRequest acting;
  if (body.contains("actor") && body["actor"].is_string()) acting.actor = body["actor"].get<std::string>();
  if (Status st = bind_actor(acting, c.principal); !st.ok()) return problem(st);
  rq.actor = acting.actor;
  InspectionPlan p = c.app().plan_inspections(rq);
  if (!p.status.ok()) {
    Response out = problem(p.status);
    json j = json::parse(out.body);
    j["plan"] = views::inspection_plan_json(p);
    out.body = views::dump(j, -1) + "\n";
    return out;
  }
  return json_response(views::inspection_plan_json(p));
}

// --- signing in -----------------------------------------------------------------------------------

std::string session_cookie(const std::string& value, bool clear) {
  return std::string(kSessionCookie) + "=" + value + "; Secure; HttpOnly; SameSite=Strict; Path=/" +
         (clear ? "; Max-Age=0" : "");
}

Response unauthenticated(const std::string& detail) {
  Response r = problem(401, Code::forbidden, detail);
  r.body = views::dump([&] {
             json j = json::parse(r.body);
             j["code"] = "unauthenticated";
             j["type"] = "urn:ocop:problem:unauthenticated";
             return j;
           }(),
                       -1) +
           "\n";
  r.set("WWW-Authenticate", "Bearer realm=\"ocop\"");
  return r;
}

// POST /api/v1/session {"user", "password", "totp"}: a session cookie.
Response session_login(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  // A login from another site's page (login CSRF) is refused like any cross-site unsafe request.
  if ((!c.req.header("origin").empty() || !c.req.header("sec-fetch-site").empty()) &&
      !same_origin(c.req, c.settings.origins))
    return problem(403, Code::forbidden, "cross-site request refused (Origin / Sec-Fetch-Site)");
  Accounts* accounts = c.backend.accounts();
  if (!accounts) return unauthenticated("signing in is not available in this build");
  json body;
  if (Status st = json_body(c.req, body); !st.ok()) return bad_request(st.message());
  LoginRequest lr;
  for (auto [key, field] : {std::pair<const char*, std::string*>{"user", &lr.user}, {"password", &lr.password},
                            {"totp", &lr.totp}}) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_string()) return bad_request(std::string("\"") + key + "\" must be a string");
    *field = it->get<std::string>();
  }
  if (lr.user.empty() || lr.password.empty()) return bad_request("\"user\" and \"password\" are required");
  lr.address = c.req.remote;
  auto r = accounts->login(lr);
  if (!r.ok()) {
    if (r.status.code() == Code::forbidden || r.status.code() == Code::not_found)
      return unauthenticated(r.status.message());
    return problem(r.status);
  }
  Response out = json_response(
      {{"user", r.value.principal.user}, {"via", "session"}, {"second_factor", r.value.principal.second_factor}});
  out.set("Set-Cookie", session_cookie(r.value.session, false));
  return out;
}

// DELETE /api/v1/session: signs this session out.
Response session_logout(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (c.principal.via != "session") return bad_request("DELETE /api/v1/session signs out a session cookie");
  if (Status st = c.backend.accounts()->logout(c.req.cookie(kSessionCookie)); !st.ok()) return problem(st);
  Response out;
  out.status = 204;
  out.content_type.clear();
  out.set("Set-Cookie", session_cookie("", true));
  return out;
}

// DELETE /api/v1/sessions: signs the user out everywhere (every session).
Response sessions_logout_everywhere(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (Status st = c.backend.accounts()->logout_everywhere(c.principal.user, c.principal.user); !st.ok())
    return problem(st);
  Response out;
  out.status = 204;
  out.content_type.clear();
  if (c.principal.via == "session") out.set("Set-Cookie", session_cookie("", true));
  return out;
}

Response me(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  const User* u = c.backend.config().user(c.principal.user);
  json roles = u ? json(u->roles) : json::array();
  return json_response({{"user", c.principal.user},
                        {"name", u ? u->name : ""},
                        {"unit", u ? u->unit : ""},
                        {"roles", roles},
                        {"via", c.principal.via},
                        {"second_factor", c.principal.second_factor},
                        {"operator", c.app().authorize_operator(c.principal.user).ok()}});
}

// --- the public feed of certificates (issue 13): no sign-in ------------------------------------

Response certificate_feed(Call& c, bool atom) {
  if (Status st = only_params(c.req, {"before", "limit"}); !st.ok()) return bad_request(st.message());
  long long before = 0, limit = 50;
  if (Status st = int_param(c.req, "before", 1, std::numeric_limits<long long>::max(), 0, before); !st.ok())
    return bad_request(st.message());
  if (Status st = int_param(c.req, "limit", 1, 200, 50, limit); !st.ok()) return bad_request(st.message());
  auto r = c.app().certificate_feed(before, static_cast<int>(limit));
  if (!r.ok()) return problem(r.status);
  Response out;
  const std::string self = atom ? "/feeds/certificates.atom" : "/feeds/certificates.json";
  if (atom) {
    out.content_type = "application/atom+xml; charset=utf-8";
    out.body = views::certificate_feed_atom(r.value, c.backend.config(), self, static_cast<int>(limit));
  } else {
    out.content_type = "application/feed+json; charset=utf-8";
    out.body = views::certificate_feed_json(r.value, c.backend.config(), self, static_cast<int>(limit));
  }
  return out;
}

Response certificate_feed_atom(Call& c) { return certificate_feed(c, true); }
Response certificate_feed_json(Call& c) { return certificate_feed(c, false); }
// --- the public face (issue 13; docs/public.md): no sign-in, rate limited per address ---------

std::string public_url(Call& c, const std::string& code) {
  const std::string& base = c.backend.config().province.public_url;
  return base.empty() || code.empty() ? std::string() : base + "/verify/" + code;
}

Response public_certificate(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  auto r = c.app().verify_certificate(c.params[0]);
  if (!r.ok()) return problem(r.status);
  return json_response(views::public_certificate_json(r.value, public_url(c, r.value.code)));
}

Response verify(Call& c) {
  auto r = c.app().verify_certificate(c.params[0]);
  if (r.status.code() == Code::not_found) return verify_not_found_page(c.params[0]);
  if (!r.ok()) return problem(r.status);
  return verify_page(r.value, c.app().today());
}

Response public_style(Call&) { return public_stylesheet(); }

// The catalogue's filters from the query string (the API's and the page's).
Status catalogue_query(const Request& req, CatalogueQuery& q) {
  if (Status st = only_params(req, {"q", "product_set", "group", "unit", "stars", "year", "limit", "cursor"}); !st.ok())
    return st;
  q.q = param(req, "q");
  if (q.q.size() > 200) return Status::BadInput("?q= is longer than 200 bytes");
  q.product_set = param(req, "product_set");
  q.group = param(req, "group");
  q.unit = param(req, "unit");
  long long stars = 0, year = 0, limit = 0;
  if (Status st = int_param(req, "stars", 1, 5, 0, stars); !st.ok()) return st;
  if (Status st = int_param(req, "year", 2000, 2200, 0, year); !st.ok()) return st;
  if (Status st = int_param(req, "limit", 1, kCatalogueMaxPage, 20, limit); !st.ok()) return st;
  q.stars = static_cast<int>(stars);
  q.year = static_cast<int>(year);
  q.limit = static_cast<int>(limit);
  const std::string cursor = param(req, "cursor");
  if (!cursor.empty() && (!from_base64url(cursor, q.after) || q.after.empty()))
    return Status::BadInput("?cursor= is not a cursor this service gave (next_cursor of a page)");
  return Status::Ok();
}

Response public_products(Call& c) {
  CatalogueQuery q;
  if (Status st = catalogue_query(c.req, q); !st.ok()) return bad_request(st.message());
  Catalogue catalogue(c.backend.config(), c.backend.store(), c.app().today());
  auto r = catalogue.products(q);
  if (!r.ok()) return problem(r.status);
  json items = json::array();
  for (const auto& p : r.value.items) items.push_back(views::public_certificate_json(p, public_url(c, p.code)));
  json next = r.value.next.empty() ? json(nullptr) : json(base64url(r.value.next));
  return json_response({{"items", items}, {"limit", q.limit}, {"next_cursor", next}});
}

Response public_product(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  Catalogue catalogue(c.backend.config(), c.backend.store(), c.app().today());
  auto r = catalogue.product(c.params[0]);
  if (!r.ok()) return problem(r.status);
  json certs = json::array();
  for (const auto& p : r.value.certificates) certs.push_back(views::public_certificate_json(p, public_url(c, p.code)));
  return json_response({{"product", r.value.product}, {"producer", r.value.producer}, {"certificates", certs}});
}

// GET /catalogue: the list as a page; the form submits its filters by GET.
Response catalogue_html(Call& c) {
  CatalogueQuery q;
  if (Status st = catalogue_query(c.req, q); !st.ok()) return catalogue_problem_page(400, st.message());
  Catalogue catalogue(c.backend.config(), c.backend.store(), c.app().today());
  auto r = catalogue.products(q);
  if (!r.ok()) return catalogue_problem_page(http_status(r.status.code()), r.status.message());
  std::map<std::string, std::string> groups;
  for (const auto& [code, set] : c.backend.config().product_sets) groups.emplace(set.group, vn_group(set.group));
  std::string next;
  if (!r.value.next.empty()) {
    next = "/catalogue?";
    for (const auto& [name, value] : c.req.query)
      if (name != "cursor" && !value.empty()) next += name + "=" + url_encode(value) + "&";
    next += "cursor=" + base64url(r.value.next);
  }
  return catalogue_page(r.value, q, groups, next, c.app().today());
}

Response product_html(Call& c) {
  Catalogue catalogue(c.backend.config(), c.backend.store(), c.app().today());
  auto r = catalogue.product(c.params[0]);
  if (r.status.code() == Code::not_found)
    return catalogue_problem_page(404, "Kh\u00f4ng c\u00f3 s\u1ea3n ph\u1ea9m OCOP n\u00e0o c\u00f3 m\u00e3 n\u00e0y.");
  if (!r.ok()) return problem(r.status);
  return product_page(r.value, c.app().today());
}


// GET /api/v1/config: what the configuration publishes to a signed-in reader.
Response published_config(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (auto refused = reading(c)) return std::move(*refused);
  auto r = c.app().published_config(*c.scope);
  if (!r.ok()) return problem(r.status);
  return json_response(views::config_json(r.value));
}

// GET /api/v1/me/tokens: the signed-in user's own API tokens (never their secrets).
Response my_tokens(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  auto r = c.backend.accounts()->tokens(c.principal.user);
  if (!r.ok()) return problem(r.status);
  json arr = json::array();
  for (const auto& t : r.value) arr.push_back(views::token_json(t, c.offset()));
  return json_response(arr);
}

// DELETE /api/v1/me/tokens/{id}: revokes one of the user's own tokens (another's: 404).
Response my_token_revoke(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  if (Status st = c.backend.accounts()->revoke_own_token(c.principal.user, c.params[0]); !st.ok()) return problem(st);
  Response out;
  out.status = 204;
  out.content_type.clear();
  return out;
}

// GET /api/v1/me/sessions: the user's sessions in force, the one making the request marked.
Response my_sessions(Call& c) {
  if (Status st = only_params(c.req, {}); !st.ok()) return bad_request(st.message());
  auto r = c.backend.accounts()->sessions(c.principal.user);
  if (!r.ok()) return problem(r.status);
  json arr = json::array();
  for (const auto& s : r.value)
    arr.push_back(views::session_json(s, c.offset(), c.principal.via == "session" && s.id == c.principal.credential));
  return json_response(arr);
}

Response healthz(Call& c) {
  if (c.backend.store().schema_version() <= 0) return problem(503, Code::internal, "the database is not initialised");
  return json_response({{"status", "ok"}});
}

}  // namespace

const std::vector<Route>& routes() {
  static const std::vector<Route> table = {
      {"GET", "/healthz", Where::reader, false, false, healthz},
      {"GET", "/metrics", Where::io, false, false, nullptr},
      {"GET", "/feeds/certificates.atom", Where::reader, false, false, certificate_feed_atom},
      {"GET", "/feeds/certificates.json", Where::reader, false, false, certificate_feed_json},
      {"POST", "/api/v1/session", Where::slow, false, false, session_login},
      {"DELETE", "/api/v1/session", Where::writer, true, false, session_logout},
      {"DELETE", "/api/v1/sessions", Where::writer, true, false, sessions_logout_everywhere},
      {"GET", "/api/v1/me", Where::reader, true, false, me},
      {"GET", "/api/v1/me/tokens", Where::reader, true, false, my_tokens},
      {"DELETE", "/api/v1/me/tokens/{id}", Where::writer, true, false, my_token_revoke},
      {"GET", "/api/v1/me/sessions", Where::reader, true, false, my_sessions},
      {"GET", "/api/v1/config", Where::reader, true, false, published_config},
      {"GET", "/api/v1/dossiers", Where::reader, true, false, dossiers_list},
      {"GET", "/api/v1/dossiers/{id}", Where::reader, true, false, dossier_show},
      {"GET", "/api/v1/dossiers/{id}/history", Where::reader, true, false, dossier_history},
      {"GET", "/api/v1/dossiers/{id}/documents", Where::reader, true, false, dossier_documents},
      {"POST", "/api/v1/dossiers/{id}/documents", Where::writer, true, true, document_upload},
      {"GET", "/api/v1/documents/{sha256}", Where::reader, true, false, document_get},
      {"POST", "/api/v1/events", Where::events, true, false, events_post},
      {"GET", "/api/v1/certificates", Where::reader, true, false, certificates_list},
      {"GET", "/api/v1/products/{product}", Where::reader, true, false, product_show},
      {"GET", "/api/v1/report", Where::reader, true, false, report},
      {"GET", "/api/v1/cycle", Where::reader, true, false, cycle},
      {"GET", "/api/v1/audit/verify", Where::reader, true, false, audit_verify},
      {"GET", "/api/v1/audit/export", Where::reader, true, false, audit_export},
      {"GET", "/api/v1/outbox", Where::reader, true, false, outbox_list},
      {"POST", "/api/v1/outbox/{id}/retry", Where::writer, true, false, outbox_retry},
      {"POST", "/api/v1/tick", Where::writer, true, false, tick},
      {"POST", "/api/v1/deliver", Where::slow, true, false, deliver},
      {"GET", "/api/v1/activities", Where::reader, true, false, activities_list},
      {"GET", "/api/v1/activities/{id}", Where::reader, true, false, activity_show},
      {"GET", "/api/v1/inspections", Where::reader, true, false, inspections_list},
      {"POST", "/api/v1/inspections/plan", Where::writer, true, false, inspections_plan},
      // The public face: no sign-in; is_public() routes are rate limited per client address.
      {"GET", "/api/v1/public/certificates/{code}", Where::reader, false, false, public_certificate},
      {"GET", "/api/v1/public/products", Where::reader, false, false, public_products},
      {"GET", "/api/v1/public/products/{code}", Where::reader, false, false, public_product},
      {"GET", "/verify/{code}", Where::reader, false, false, verify},
      {"GET", "/catalogue", Where::reader, false, false, catalogue_html},
      {"GET", "/catalogue/{code}", Where::reader, false, false, product_html},
      {"GET", "/public/style.css", Where::reader, false, false, public_style},
  };
  return table;
}

bool is_public(const Route& r) {
  const std::string_view p = r.pattern;
  return !r.authenticated && (p.rfind("/verify/", 0) == 0 || p.rfind("/api/v1/public/", 0) == 0 ||
                              p.rfind("/public/", 0) == 0 || p.rfind("/catalogue", 0) == 0 ||
                              p.rfind("/feeds/", 0) == 0);
}

Match match(const std::string& method, const std::vector<std::string>& segments) {
  Match m;
  for (const Route& r : routes()) {
    std::vector<std::string> params;
    if (!match_pattern(r.pattern, segments, params)) continue;
    if (method == r.method || (method == "HEAD" && std::strcmp(r.method, "GET") == 0)) {
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    m.allow += (m.allow.empty() ? "" : ", ") + std::string(r.method);
  }
  return m;
}

namespace {
// Who is calling: the principal of the bearer token or the session cookie (with the CSRF check
// of an unsafe request), or the response that refuses the request.
std::optional<Response> authenticate(const Request& req, Backend& backend, const ApiSettings& settings,
                                     Principal& out) {
  Accounts* accounts = backend.accounts();
  if (!accounts) return unauthenticated("signing in is not available in this build");
  const std::string& authorization = req.header("authorization");
  Result<Principal> who;
  if (!authorization.empty()) {
    if (authorization.size() < 8 || strncasecmp(authorization.c_str(), "Bearer ", 7) != 0)
      return unauthenticated("Authorization must be \"Bearer TOKEN\"");
    who = accounts->authenticate_token(authorization.substr(7));
  } else if (std::string session = req.cookie(kSessionCookie); !session.empty()) {
    if (req.unsafe() && !same_origin(req, settings.origins))
      return problem(403, Code::forbidden,
                     "cross-site request refused: an unsafe request with the session cookie needs Origin "
                     "of this service or Sec-Fetch-Site: same-origin");
    who = accounts->authenticate_session(session);
  } else {
    return unauthenticated("sign in first: Authorization: Bearer TOKEN, or the session cookie of "
                           "POST /api/v1/session");
  }
  if (!who.ok()) {
    if (who.status.code() == Code::internal) return problem(who.status);
    return unauthenticated(who.status.message());
  }
  out = std::move(who.value);
  return std::nullopt;
}
}  // namespace

Response handle(const Match& m, const Request& req, Backend& backend, const ApiSettings& settings,
                Metrics& metrics) {
  try {
    Call call{req, m.params, backend, settings, metrics, Principal{}, std::nullopt};
    if (m.route->authenticated)
      if (auto refused = authenticate(req, backend, settings, call.principal)) return std::move(*refused);
    Response r = m.route->handler(call);
    r.user = call.principal.user;
    return r;
  } catch (const std::exception& e) {
    return problem(500, Code::internal, std::string("internal error: ") + e.what());
  }
}

std::optional<Response> prepare_event(const Request& req, Backend& backend, const ApiSettings& settings,
                                      Metrics& metrics, EventRequest& out, std::string& user) {
  try {
    const std::vector<std::string> none;
    Call call{req, none, backend, settings, metrics, Principal{}, std::nullopt};
    if (auto refused = authenticate(req, backend, settings, call.principal)) return refused;
    user = call.principal.user;
    return event_request(call, out);
  } catch (const std::exception& e) {
    return problem(500, Code::internal, std::string("internal error: ") + e.what());
  }
}

Response event_response(const Request& req, Backend& backend, const ApiSettings& settings, Metrics& metrics,
                        FireResult&& result) {
  try {
    const std::vector<std::string> none;
    Call call{req, none, backend, settings, metrics, Principal{}, std::nullopt};
    return fired(call, std::move(result));
  } catch (const std::exception& e) {
    return problem(500, Code::internal, std::string("internal error: ") + e.what());
  }
}

}  // namespace ocop::http
