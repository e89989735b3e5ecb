#include "ocop/executor.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "event_support.hpp"
#include "promotion_events.hpp"
#include "ocop/audit.hpp"
#include "ocop/authorize.hpp"
#include "ocop/limits.hpp"
#include "ocop/notify.hpp"
#include "ocop/sha256.hpp"
#include "ocop/rules.hpp"

namespace ocop {

using nlohmann::json;

Instant SystemClock::now() const {
  using namespace std::chrono;
  return Instant{duration_cast<seconds>(system_clock::now().time_since_epoch()).count()};
}

namespace detail {  // shared with promotion.cpp through engine/event_support.hpp

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// --- request validation (exit 2): shapes only, nothing that needs the store ---------------

const json* field(const json& data, const char* name) {
  auto it = data.find(name);
  return it == data.end() || it->is_null() ? nullptr : &*it;
}

Status require_string(const json& data, const char* name, std::string_view event) {
  const json* v = field(data, name);
  if (!v) return Status::BadInput(std::string(event) + ": data." + name + " is required");
  if (!v->is_string() || v->get_ref<const std::string&>().empty())
    return Status::BadInput(std::string(event) + ": data." + name + " must be a non-empty string");
  return Status::Ok();
}

Status check_optional_string(const json& data, const char* name, std::string_view event) {
  const json* v = field(data, name);
  if (v && !v->is_string())
    return Status::BadInput(std::string(event) + ": data." + name + " must be a string");
  return Status::Ok();
}

Status check_string_list(const json& data, const char* name, std::string_view event) {
  const json* v = field(data, name);
  if (!v) return Status::Ok();
  if (!v->is_array())
    return Status::BadInput(std::string(event) + ": data." + name + " must be a list of strings");
  for (const auto& x : *v)
    if (!x.is_string())
      return Status::BadInput(std::string(event) + ": data." + name + " must be a list of strings");
  return Status::Ok();
}

Status check_document(const json& d, const std::string& where) {
  if (!d.is_object()) return Status::BadInput(where + " must be an object {kind, name, sha256, bytes}");
  for (const char* k : {"kind", "name", "sha256"}) {
    auto it = d.find(k);
    if (it == d.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
      return Status::BadInput(where + "." + k + " must be a non-empty string");
  }
  if (!is_sha256_hex(d["sha256"].get<std::string>()))
    return Status::BadInput(where + ".sha256 must be 64 lower-case hex digits");
  auto b = d.find("bytes");
  if (b == d.end() || !b->is_number_integer() || b->get<std::int64_t>() < 0)
    return Status::BadInput(where + ".bytes must be a non-negative integer");
  return Status::Ok();
}

Status check_documents(const json& data, std::string_view name) {
  if (const json* docs = field(data, "documents")) {
    if (!docs->is_array()) return Status::BadInput(std::string(name) + ": data.documents must be a list");
    for (size_t i = 0; i < docs->size(); ++i) {
      Status s =
          check_document((*docs)[i], std::string(name) + ": data.documents[" + std::to_string(i) + "]");
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status validate_data(Event ev, const json& data, bool creating) {
  const std::string_view name = to_string(ev);
  if (!data.is_object()) return Status::BadInput(std::string(name) + ": data must be a JSON object");
  if (Status s = check_documents(data, name); !s.ok()) return s;
  Status s;
  auto need = [&](const char* f) {
    if (s.ok()) s = require_string(data, f, name);
  };
  if (creating) {
    for (const char* f : {"product", "product_set", "producer", "unit"}) need(f);
    if (s.ok()) s = check_optional_string(data, "id", name);
    if (s.ok() && field(data, "id")) {
      const auto& id = data["id"].get_ref<const std::string&>();
      bool good = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.';
      });
      if (!good)
        return Status::BadInput(std::string(name) + ": data.id must be 1-64 characters of A-Z a-z 0-9 - _ .");
    }
  }
  switch (ev) {
    case Event::return_idea:
    case Event::return_plan:
    case Event::reject:
    case Event::not_recognize:
    case Event::withdraw:
      need("reason");
      break;
    case Event::return_dossier:
      need("reason");
      if (s.ok()) s = check_string_list(data, "missing", name);
      break;
    case Event::register_: {
      need("registration_type");
      if (!s.ok()) break;
      const auto& t = data["registration_type"].get_ref<const std::string&>();
      if (t != "new" && t != "upgrade" && t != "re_evaluation")
        return Status::BadInput(
            "register: data.registration_type must be new, upgrade or re_evaluation, not \"" + t + "\"");
      if (t != "new") need("certificate");
      break;
    }
    case Event::accept_dossier:
      s = check_optional_string(data, "round", name);
      break;
    case Event::assess: {
      const json* loc = field(data, "locality");
      if (!loc || !loc->is_object() || loc->empty())
        return Status::BadInput("assess: data.locality must be an object {criterion: points}");
      for (auto it = loc->begin(); it != loc->end(); ++it)
        if (!it->is_number() || it->get<double>() < 0)
          return Status::BadInput("assess: data.locality." + it.key() + " must be a non-negative number");
      break;
    }
    case Event::score:
      for (const char* p : {"A", "B", "C"}) {
        const json* v = field(data, p);
        if (!v || !v->is_number())
          return Status::BadInput(std::string("score: data.") + p + " must be a number (points of part " + p +
                                  ")");
        if (v->get<double>() < 0)
          return Status::BadInput(std::string("score: data.") + p + " must not be negative");
      }
      break;
    case Event::close_scoring:
      s = check_string_list(data, "failed_criteria", name);
      break;
    case Event::recognize:
      need("decision_no");
      need("decision_date");
      if (s.ok() && !parse_date(data["decision_date"].get<std::string>()))
        return Status::BadInput("recognize: data.decision_date must be a date YYYY-MM-DD");
      break;
    case Event::attach:
      s = check_document(data, "attach: data");
      break;
    case Event::annotate:
      need("note");
      break;
    default:
      break;
  }
  return s;
}

// A certificate event's data (spec §3): `revoke` needs a configured `ground` and the
// revocation's `decision_no`; `decision_date` is optional. Any of them may carry documents
// (attached to the certificate's dossier) and may name the certificate it is fired at.
Status validate_certificate_data(CertificateEvent ev, const json& data, const std::string& certificate,
                                 const Config& cfg) {
  const std::string_view name = to_string(ev);
  if (!data.is_object()) return Status::BadInput(std::string(name) + ": data must be a JSON object");
  if (Status s = check_documents(data, name); !s.ok()) return s;
  if (const json* c = field(data, "certificate");
      c && (!c->is_string() || c->get<std::string>() != certificate))
    return Status::BadInput(std::string(name) +
                            ": data.certificate, when given, must be the certificate fired at (" +
                            certificate + ")");
  if (ev != CertificateEvent::revoke) return Status::Ok();
  for (const char* f : {"ground", "decision_no"})
    if (Status s = require_string(data, f, name); !s.ok()) return s;
  if (Status s = check_optional_string(data, "decision_date", name); !s.ok()) return s;
  if (const json* dd = field(data, "decision_date"); dd && !parse_date(dd->get<std::string>()))
    return Status::BadInput("revoke: data.decision_date must be a date YYYY-MM-DD");
  const std::string& ground = data["ground"].get_ref<const std::string&>();
  if (!cfg.revocation_grounds.count(ground)) {
    if (cfg.revocation_grounds.empty())
      return Status::BadInput("revoke: no revocation_grounds are configured, so no ground \"" + ground +
                              "\" can be given");
    std::string known;
    for (const auto& [code, text] : cfg.revocation_grounds) known += (known.empty() ? "" : ", ") + code;
    return Status::BadInput("revoke: data.ground \"" + ground + "\" is not a configured revocation ground (" +
                            known + ")");
  }
  return Status::Ok();
}

// Every document the event carries (attach's own data, and any data.documents) against the
// configured kinds and size limit. Runs after validate_data: the shapes are known good.
Status check_documents(const Config& cfg, std::string_view event, bool attach, const json& data) {
  const std::string name(event);
  if (attach) {
    Status s = check_document_policy(cfg, data["kind"].get<std::string>(), data["bytes"].get<std::int64_t>(),
                                     name + ": data");
    if (!s.ok()) return s;
  }
  if (const json* docs = field(data, "documents")) {
    for (size_t i = 0; i < docs->size(); ++i) {
      const json& d = (*docs)[i];
      Status s = check_document_policy(cfg, d["kind"].get<std::string>(), d["bytes"].get<std::int64_t>(),
                                       name + ": data.documents[" + std::to_string(i) + "]");
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

// --- idempotency keys ------------------------------------------------------------------------

// A key's row keeps the first 32 hex digits (128 bits) of its request's fingerprint: enough to
// tell two requests apart, and a third of the row. Rows written before keep all 64.
constexpr std::size_t kStoredFingerprint = 32;

bool same_request(const std::string& stored, const std::string& fingerprint) {
  return (stored.size() == kStoredFingerprint || stored.size() == fingerprint.size()) &&
         fingerprint.compare(0, stored.size(), stored) == 0;
}

// What a key's row records of the first result: the dossier, the state and version it reached
// (and, for a certificate event, the certificate), and the request's fingerprint. Compact JSON
// with sorted keys (as nlohmann's dump writes it), built without a json object per event.
void append_json_text(std::string& out, std::string_view v) {
  // Printable ASCII without quotes or backslashes (every id and state) is its own JSON text.
  const bool plain =
      std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (!plain) {
    out += json(std::string(v)).dump();
    return;
  }
  out += '"';
  out += v;
  out += '"';
}

std::string key_result(const std::string& dossier, const std::string* certificate, std::string_view state,
                       std::int64_t version, const std::string& fingerprint) {
  std::string r;
  r.reserve(128);
  r += '{';
  if (certificate) {
    r += "\"certificate\":";
    append_json_text(r, *certificate);
    r += ',';
  }
  r += "\"id\":";
  append_json_text(r, dossier);
  r += ",\"request\":\"";
  r.append(fingerprint, 0, kStoredFingerprint);
  r += "\",\"state\":";
  append_json_text(r, state);
  r += ",\"version\":";
  r += std::to_string(version);
  r += '}';
  return r;
}

// The first result recorded with `key`, when the key was seen before for this same request
// (`fingerprint`); a key seen with another request sets `out.status` (bad input) instead.
std::optional<json> first_result(Store& store, const std::string& key, const std::string& fingerprint,
                                 FireResult& out) {
  auto prior = store.find_key(key);
  if (!prior) return std::nullopt;
  json first = json::parse(*prior, nullptr, false);
  if (first.is_discarded() || !same_request(first.value("request", ""), fingerprint)) {
    out.status = Status::BadInput("key \"" + key + "\" was already used for a different request");
    return std::nullopt;
  }
  return first;
}

// The request's identity under its key: event, target, actor and the data's canonical text.
std::string request_fingerprint(const EventRequest& req, const std::string& data_text) {
  return sha256_hex(req.event + '\n' + req.dossier + '\n' + req.actor + '\n' + data_text);
}

void mark_duplicate(FireResult& out, const json& first) {
  out.duplicate = true;
  out.first_result = FireResult::First{first.value("state", ""), first.value("version", std::int64_t{0})};
}

// --- the engine's side of the machine -----------------------------------------------------

class ExecContext : public DossierContext {
 public:
  ExecContext(const Config& cfg, Store& store, Dossier& d, Event ev, const json& data, Date day, Instant at,
              const RuleSet* rs)
      : cfg_(cfg), store_(store), d_(d), ev_(ev), data_(data), day_(day), at_(at), rs_(rs) {}

  // Writes the actions decided, to be applied by the executor.
  std::optional<Scoresheet> sheet;
  std::vector<Document> new_documents;
  std::optional<Certificate> certificate;
  std::vector<std::string> superseded;

  const LevelRule* level() const {
    if (!rs_ || d_.level_index < 0 || d_.level_index >= static_cast<int>(rs_->levels.size())) return nullptr;
    return &rs_->levels[d_.level_index];
  }

  bool at_screen_level() override {
    const LevelRule* l = level();
    if (l && l->kind == LevelKind::screen) return true;
    refuse(std::string(to_string(ev_)) + " is for a screening level; the " + d_.level +
           " level is a council level");
    return false;
  }
  bool at_council_level() override {
    const LevelRule* l = level();
    if (l && l->kind == LevelKind::council) return true;
    refuse(std::string(to_string(ev_)) + " is for a council level; the " + d_.level + " level only screens");
    return false;
  }
  bool quorum_met() override {
    const LevelRule* l = level();
    auto n = static_cast<int>(sheets().size());
    if (l && n >= l->quorum) return true;
    refuse("quorum not met: " + std::to_string(n) + " scoresheet(s) at the " + d_.level + " level, " +
           std::to_string(l ? l->quorum : 0) + " needed");
    return false;
  }
  bool may_forward() override {
    const LevelRule* l = level();
    if (!l || d_.level_index + 1 >= static_cast<int>(rs_->levels.size())) {
      refuse("the " + d_.level + " level is the last level of rule set " + d_.rule_set +
             "; there is nowhere to forward");
      return false;
    }
    if (d_.state == State::recognized && !holds_certificate()) {
      refuse("its certificate " + d_.certificate + " is no longer in force; it cannot be forwarded on it");
      return false;
    }
    if (l->kind == LevelKind::council) {
      if (!l->forward_min) {
        refuse("rule set " + d_.rule_set + " does not let the " + d_.level + " level forward");
        return false;
      }
      if (!d_.score || *d_.score < *l->forward_min) {
        refuse("score " + (d_.score ? format_score(*d_.score) : std::string("none")) + " is below the " +
               d_.level + " level's forward_min " + format_score(*l->forward_min));
        return false;
      }
    }
    return true;
  }
  bool may_recognize() override {
    const LevelRule* l = level();
    if (!l || l->recognizes.empty()) {
      refuse("the " + d_.level + " level does not recognise under rule set " + d_.rule_set);
      return false;
    }
    int awarded = award_stars(*l, d_.stars.value_or(0));
    if (std::find(l->recognizes.begin(), l->recognizes.end(), awarded) == l->recognizes.end()) {
      std::string stars;
      for (int s : l->recognizes) stars += (stars.empty() ? "" : ", ") + std::to_string(s);
      refuse("computed " + std::to_string(d_.stars.value_or(0)) + "★ is not among the stars the " + d_.level +
             " level recognises (" + stars + ")");
      return false;
    }
    return true;
  }
  // "Holds" means in force: a dossier whose certificate was revoked (or has expired) while it
  // was evaluated higher up ends as not_recognized or withdrawn, not back in `recognized`.
  bool holds_certificate() override {
    if (d_.certificate.empty()) return false;
    if (!held_in_force_) {
      auto c = store_.load_certificate(d_.certificate);
      auto st = c ? parse_certificate_state(c->state) : std::nullopt;
      held_in_force_ = st && in_force(*st);
    }
    return *held_in_force_;
  }
  bool documents_present() override {
    const RuleSet* rs = rs_;
    if (!rs) return true;
    auto ps = cfg_.product_sets.find(d_.product_set);
    const std::vector<std::string>* required =
        rs->required_documents(ev_, ps == cfg_.product_sets.end() ? std::string() : ps->second.group);
    if (!required || required->empty()) return true;
    std::set<std::string> have;
    if (!d_.id.empty() && d_.version > 0)
      for (auto& k : store_.document_kinds(d_.id)) have.insert(std::move(k));
    if (const json* docs = field(data_, "documents"))
      for (const auto& x : *docs) have.insert(x["kind"].get<std::string>());
    std::vector<std::string> missing;
    for (const auto& k : *required)
      if (!have.count(k)) missing.push_back(k);
    if (missing.empty()) return true;
    refuse("required documents missing for " + std::string(to_string(ev_)) + ": " + join(missing));
    return false;
  }
  bool registration_valid() override {
    if (!rs_) {
      refuse("no rule set is in force on " + format_date(day_));
      return false;
    }
    const auto& type = data_["registration_type"].get_ref<const std::string&>();
    if (type != "new") {
      const std::string cert = data_["certificate"].get<std::string>();
      auto c = store_.load_certificate(cert);
      if (!c) {
        refuse(type + " names certificate " + cert + ", which does not exist");
        return false;
      }
      if (!cfg_.in_scope(actor_unit_, c->unit, day_)) {
        refuse(type + " names certificate " + cert + " of unit " + c->unit + ", outside " + actor_ +
               "'s scope");
        return false;
      }
      if (auto st = parse_certificate_state(c->state); !st || !in_force(*st)) {
        refuse(type + " names certificate " + cert + ", which is " + c->state);
        return false;
      }
    }
    return true;
  }

  void enter_first_level() override {
    d_.rule_set = rs_->id;
    d_.level_index = 0;
    d_.level = std::string(to_string(rs_->levels[0].level));
    d_.registration_type = data_["registration_type"].get<std::string>();
    if (d_.registration_type != "new") d_.base_certificate = data_["certificate"].get<std::string>();
  }
  void record_assessment() override { d_.assessment = data_["locality"].dump(); }
  void record_scoresheet() override {
    sheet = Scoresheet{d_.id,
                       d_.level,
                       actor_,
                       data_["A"].get<double>(),
                       data_["B"].get<double>(),
                       data_["C"].get<double>()};
  }
  void compute_result() override {
    std::vector<double> totals;
    totals.reserve(sheets().size());
    for (const auto& s : sheets()) totals.push_back(s.total());
    std::vector<std::string> failed;
    if (const json* f = field(data_, "failed_criteria"))
      for (const auto& x : *f) failed.push_back(x.get<std::string>());
    Evaluation e = evaluate(*rs_, totals, failed);
    d_.score = e.score;
    d_.stars = e.stars;
  }
  void assign_round() override {
    const LevelRule* l = level();
    if (!l || l->kind != LevelKind::council) return;
    if (const json* r = field(data_, "round")) {
      d_.round = r->get<std::string>();
      return;
    }
    d_.round = next_open_round(cfg_, l->level, day_);
  }
  void advance_level() override {
    d_.level_index += 1;
    d_.level = std::string(to_string(rs_->levels[d_.level_index].level));
    d_.round.clear();
  }
  void issue_certificate() override {
    const LevelRule* l = level();
    Certificate c;
    c.id = d_.id + "/" + d_.level;
    c.dossier = d_.id;
    c.product = d_.product;
    c.product_set = d_.product_set;
    c.unit = d_.unit;
    c.stars = award_stars(*l, d_.stars.value_or(0));
    c.level = d_.level;
    c.decision_no = data_["decision_no"].get<std::string>();
    c.decision_date = *parse_date(data_["decision_date"].get<std::string>());
    c.issued_on = c.decision_date;
    c.valid_until = add_months(c.issued_on, rs_->certificate_months);
    if (!d_.certificate.empty()) superseded.push_back(d_.certificate);
    if (!d_.base_certificate.empty() && d_.base_certificate != d_.certificate)
      superseded.push_back(d_.base_certificate);
    d_.certificate = c.id;
    d_.stars = c.stars;
    certificate = std::move(c);
  }
  bool documents_attached() const { return documents_attached_; }
  void attach_documents() override {
    documents_attached_ = true;
    auto add = [&](const json& x) {
      new_documents.push_back(Document{d_.id, x["kind"].get<std::string>(), x["name"].get<std::string>(),
                                       x["sha256"].get<std::string>(), x["bytes"].get<std::int64_t>(), at_});
    };
    if (ev_ == Event::attach) add(data_);
    if (const json* docs = field(data_, "documents"))
      for (const auto& x : *docs) add(x);
  }

  std::string actor_;

 private:
  const Config& cfg_;
  Store& store_;
  Dossier& d_;
  Event ev_;
  const json& data_;
  Date day_;
  Instant at_;
  const RuleSet* rs_;
  bool documents_attached_ = false;
  std::optional<bool> held_in_force_;              // holds_certificate(), asked once
  std::optional<std::vector<Scoresheet>> sheets_;  // read once: quorum_met and compute_result share it

  const std::vector<Scoresheet>& sheets() {
    if (!sheets_) sheets_ = store_.scoresheets(d_.id, d_.level);
    return *sheets_;
  }

 public:
  std::string actor_unit_;
};

std::string generate_id(const Config& cfg, Store& store, int year) {
  std::int64_t n = store.count_dossiers_created(year) + 1;
  for (;; ++n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s-%d-%05lld", cfg.province.code.c_str(), year,
                  static_cast<long long>(n));
    if (!store.object_id_taken(buf)) return buf;  // nor an activity's, participation's or inspection's
  }
}

}  // namespace detail
using namespace detail;

Status check_document_policy(const Config& config, const std::string& kind, std::int64_t bytes,
                             const std::string& where) {
  if (!config.document_kinds.empty() && !config.document_kinds.count(kind)) {
    std::string known;
    for (const auto& [k, label] : config.document_kinds) known += (known.empty() ? "" : ", ") + k;
    return Status::BadInput(where + ".kind \"" + kind +
                            "\" is not a configured document kind (configured: " + known + ")");
  }
  if (bytes > config.documents.max_bytes)
    return Status::BadInput(where + ".bytes " + std::to_string(bytes) + " is over the limit of " +
                            std::to_string(config.documents.max_bytes) + " bytes (documents.max_bytes)");
  return Status::Ok();
}

void AuditLog::append_to_chain(AuditRecord r) {
  AuditHead head = audit_head();
  r.seq = head.seq + 1;
  r.prev_hash = head.hash;
  r.hash = compute_hash(r);
  append_audit(r);
}

void chain_and_append(Store& store, AuditRecord& rec) { store.append_to_chain(rec); }

Executor::Executor(const Config& config, const Lifecycle& lifecycle, const CertificateLifecycle& certificates,
                   Store& store, const Clock& clock)
    : config_(config), lifecycle_(lifecycle), certificates_(certificates), store_(store), clock_(clock) {}

void prepare_request(EventRequest& req) {
  req.prepared.reset();
  if (!parse_event(req.event)) return;         // certificate events encode their data differently
  if (!check_event_request(req).ok()) return;  // fire() refuses it before it needs the text
  EventRequest::Prepared p;
  try {
    p.data_text = req.data.dump();
  } catch (const json::type_error&) {
    return;  // invalid UTF-8: fire() says so, after the checks that come first
  }
  if (!req.key.empty()) p.fingerprint = request_fingerprint(req, p.data_text);
  req.prepared = std::move(p);
}

Status validate_request(const Config& config, const EventRequest& req) {
  // The checks of fire()'s first step, in its order, without the store.
  if (Status s = check_event_request(req); !s.ok()) return s;
  auto ev = parse_event(req.event);
  if (!ev) {
    auto ce = parse_certificate_event(req.event);
    if (!ce && is_after_recognition_event(req.event)) {
      if (Status s = validate_after_recognition_request(config, req); !s.ok()) return s;
    } else if (!ce) {
      return Status::BadInput("unknown event \"" + req.event + "\"");
    } else {
    if (!config.user(req.actor))
      return Status::BadInput("unknown actor \"" + req.actor + "\": not a configured user");
    if (*ce == CertificateEvent::supersede) return Status::BadInput("supersede is not fired directly");
    if (req.dossier.empty()) return Status::BadInput(req.event + " needs a certificate (DOSSIER/LEVEL)");
    if (Status s = validate_certificate_data(*ce, req.data, req.dossier, config); !s.ok()) return s;
    if (Status s = check_documents(config, to_string(*ce), false, req.data); !s.ok()) return s;
    }
  } else {
    if (*ev == Event::migrate) return Status::BadInput("migrate is not fired");
    if (!config.user(req.actor))
      return Status::BadInput("unknown actor \"" + req.actor + "\": not a configured user");
    const bool creating = req.dossier.empty();
    if (creating && !is_creating(*ev)) return Status::BadInput(req.event + " needs a dossier");
    if (Status s = validate_data(*ev, req.data, creating); !s.ok()) return s;
    if (Status s = check_documents(config, to_string(*ev), *ev == Event::attach, req.data); !s.ok()) return s;
  }
  std::string text;
  try {
    text = req.data.dump();
  } catch (const json::type_error&) {
    return Status::BadInput(req.event + ": data is not valid UTF-8");
  }
  return check_data_size(req.event, text.size());
}

FireResult Executor::fire(const EventRequest& req) {
  int tried = 0;
  try {
    return with_retry(retry_, [&](int attempt) {
      tried = attempt;
      Transaction tx(store_);
      FireResult r = fire_in_transaction(req);
      if (r.status.ok() && !r.duplicate) {
        if (before_commit_) before_commit_();
        tx.commit();
      }  // else: refused or a duplicate, nothing to keep; the transaction rolls back
      r.attempts = attempt;
      return r;
    });
  } catch (const StoreError& e) {
    FireResult r;
    r.dossier_id = req.dossier;
    r.database_failed = true;
    r.attempts = tried;
    r.status = Status::Internal(
        std::string("database: ") + e.what() +
        (e.retryable() ? " (still failing after " + std::to_string(tried) + " attempts)" : std::string()));
    return r;
  } catch (const std::exception& e) {
    FireResult r;
    r.status = Status::Internal(e.what());
    return r;
  }
}

// One dossier event on its way through fire_in_transaction's steps.
struct Executor::Firing {
  Firing(const EventRequest& r, Event e) : req(r), ev(e) {}
  const EventRequest& req;
  Event ev;
  FireResult out;
  const User* user = nullptr;
  bool creating = false;
  bool answered = false;  // the key was seen before: `out` is the first result
  std::string data_text, fingerprint;
  Instant at;
  Date day;
  Dossier d;
  const RuleSet* rs = nullptr;
};

FireResult Executor::fire_in_transaction(const EventRequest& req) {
  // The request's names, data depth and characters come first, for every machine (exit 2);
  // a prepared request passed these checks where it was prepared (the importer's reading thread).
  if (Status s = req.prepared ? Status::Ok() : check_event_request(req); !s.ok()) {
    FireResult out;
    out.dossier_id = req.dossier;
    out.status = s;
    return out;
  }
  auto ev = parse_event(req.event);
  if (!ev) {
    if (auto ce = parse_certificate_event(req.event)) return fire_certificate_event(req, *ce);
    if (is_after_recognition_event(req.event))
      return ocop::fire_after_recognition(config_, after_, store_, clock_, req, lean_);
    FireResult out;
    out.dossier_id = req.dossier;
    out.status = Status::BadInput("unknown event \"" + req.event + "\"");
    return out;
  }
  Firing f(req, *ev);
  f.out.dossier_id = req.dossier;
  // Spec §2's checks in the public order: the request (2), the dossier (3), the actor's role
  // and scope (6), then what needs the dossier (a repeated key answers here), the state and
  // guards (4) through the machine; then the writes. The first step that fails decides.
  using Step = Status (Executor::*)(Firing&);
  static constexpr Step kSteps[] = {
      &Executor::check_request, &Executor::load_or_create, &Executor::authorize_actor_on_dossier,
      &Executor::answer_key,    &Executor::bind_level,     &Executor::assign_id,
      &Executor::check_version, &Executor::check_values,   &Executor::apply_transition,
  };
  for (Step step : kSteps) {
    if (Status s = (this->*step)(f); !s.ok()) {
      f.out.status = std::move(s);
      return std::move(f.out);
    }
    if (f.answered) return std::move(f.out);
  }
  f.out.status = Status::Ok();
  return std::move(f.out);
}

// 1. The request itself (exit 2): shapes only, nothing that needs the store.
Status Executor::check_request(Firing& f) {
  const EventRequest& req = f.req;
  if (f.ev == Event::migrate)
    return Status::BadInput("migrate is not fired: dossiers move by plan with `ocop migrate --plan FILE`");
  f.user = config_.user(req.actor);
  if (!f.user) return Status::BadInput("unknown actor \"" + req.actor + "\": not a configured user");
  f.creating = req.dossier.empty();
  if (f.creating && !is_creating(f.ev)) return Status::BadInput(req.event + " needs a dossier");
  if (Status s = validate_data(f.ev, req.data, f.creating); !s.ok()) return s;
  if (Status s = check_documents(config_, to_string(f.ev), f.ev == Event::attach, req.data); !s.ok())
    return s;
  // The data's canonical text (sorted keys, compact): hashed into the audit record and the
  // key's fingerprint. Dumped once; invalid UTF-8 cannot be encoded and is bad input.
  // The request's identity for its idempotency key (`fingerprint`): a key reused for another
  // request is an error, not a silent "duplicate".
  if (req.prepared) {
    f.data_text = req.prepared->data_text;
    f.fingerprint = req.prepared->fingerprint;
  } else {
    try {
      f.data_text = req.data.dump();
    } catch (const json::type_error&) {
      return Status::BadInput(req.event + ": data is not valid UTF-8");
    }
    if (!req.key.empty()) f.fingerprint = request_fingerprint(req, f.data_text);
  }
  if (Status s = check_data_size(req.event, f.data_text.size()); !s.ok()) return s;
  f.at = req.at.value_or(clock_.now());
  f.day = local_date(f.at, config_.province.utc_offset_minutes);
  return Status::Ok();
}

// 2. The dossier exists (exit 3), or a new one is filled in from the data.
Status Executor::load_or_create(Firing& f) {
  const EventRequest& req = f.req;
  Dossier& d = f.d;
  if (!f.creating) {
    auto loaded = store_.load_dossier(req.dossier);
    if (!loaded) return Status::NotFound("dossier " + req.dossier + " not found");
    d = std::move(*loaded);
    f.out.dossier_id = d.id;
    return Status::Ok();
  }
  const std::string& unit = req.data["unit"].get_ref<const std::string&>();
  const Unit* u = config_.unit(unit);
  if (!u) return Status::BadInput(req.event + ": data.unit \"" + unit + "\" is not a configured unit");
  if (!u->valid_on(f.day))
    return Status::BadInput(req.event + ": unit " + unit + " does not exist on " + format_date(f.day));
  const std::string& ps = req.data["product_set"].get_ref<const std::string&>();
  if (!config_.product_sets.empty() && !config_.product_sets.count(ps))
    return Status::BadInput(req.event + ": data.product_set \"" + ps + "\" is not a configured product set");
  d.year = year_of(f.day);
  d.unit = unit;
  d.product = req.data["product"].get<std::string>();
  d.product_set = ps;
  d.producer = req.data["producer"].get<std::string>();
  d.created_at = f.at;
  d.state_since = f.at;
  return Status::Ok();
}

// 3. The actor's role and unit scope (exit 6).
Status Executor::authorize_actor_on_dossier(Firing& f) {
  return authorize(config_, *f.user, f.req.event, event_bit(f.ev), f.d.unit, f.day);
}

// Only an actor with the right to act (role and unit scope) learns what a key, or an existing
// id, says. The key comes before the level binding, which depends on where the dossier is now:
// an event replayed after it moved the dossier on (an import run again after a crash) is a
// duplicate, not "forbidden at the next level".
Status Executor::answer_key(Firing& f) {
  if (f.req.key.empty()) return Status::Ok();
  auto first = first_result(store_, f.req.key, f.fingerprint, f.out);
  if (!first) return f.out.status;  // not seen (ok), or seen with another request (bad input)
  f.out.dossier_id = first->value("id", "");
  f.out.dossier = store_.load_dossier(f.out.dossier_id);
  mark_duplicate(f.out, *first);
  f.answered = true;
  return Status::Ok();
}

// The dossier's rule set, and events bound to its level need the actor's unit at that level.
Status Executor::bind_level(Firing& f) {
  const Dossier& d = f.d;
  f.rs = f.creating || d.rule_set.empty() ? nullptr : config_.rule_set(d.rule_set);
  if (!d.rule_set.empty() && !f.rs)
    return Status::Internal("dossier " + d.id + " uses rule set " + d.rule_set + ", which is not configured");
  if (is_level_bound(f.ev)) {
    const Unit* au = config_.unit(f.user->unit);
    if (d.level.empty() || to_string(au->level) != d.level)
      return Status::Forbidden(f.req.actor + " (unit " + f.user->unit + ", " +
                               std::string(to_string(au->level)) + " level) may not fire " + f.req.event +
                               " at the " + (d.level.empty() ? std::string("(no)") : d.level) + " level");
  }
  return Status::Ok();
}

// A new dossier's id: given (and not taken), or the next of its province and year.
Status Executor::assign_id(Firing& f) {
  if (!f.creating) return Status::Ok();
  Dossier& d = f.d;
  const json* given = field(f.req.data, "id");  // validated: absent, null or a good string
  d.id = given ? given->get<std::string>() : generate_id(config_, store_, d.year);
  // Ids are unique across dossiers, activities, participations and inspections (spec §10); a
  // generated one is not taken by any of them.
  if (store_.load_dossier(d.id) || (given && store_.object_id_taken(d.id))) {
    // On PostgreSQL each statement reads what committed before it: a concurrent writer may
    // have committed this very request between the key's look-up and these. Its key,
    // committed with the dossier, says so.
    if (Status s = answer_key(f); !s.ok() || f.answered) return s;
    if (store_.load_dossier(d.id)) return Status::Refused("dossier " + d.id + " already exists");
    return Status::Refused(f.req.event + ": id " + d.id +
                           " is already taken by an activity, a participation or an inspection");
  }
  f.out.dossier_id = d.id;
  return Status::Ok();
}

Status Executor::check_version(Firing& f) {
  if (f.req.expected_version && *f.req.expected_version != f.d.version)
    return Status::Conflict("dossier " + f.d.id + " is at version " + std::to_string(f.d.version) + ", not " +
                            std::to_string(*f.req.expected_version) +
                            ": someone changed it first; reload and retry");
  return Status::Ok();
}

// Value checks that need the dossier's rule set (exit 2).
Status Executor::check_values(Firing& f) {
  const json& data = f.req.data;
  if (f.ev == Event::register_ && !f.rs) f.rs = config_.rule_set_on(f.day);
  if (f.ev == Event::score && f.rs) {
    static const char* parts[] = {"A", "B", "C"};
    for (int i = 0; i < 3; ++i) {
      double v = data[parts[i]].get<double>();
      if (v > f.rs->parts[i])
        return Status::BadInput("score: part " + std::string(parts[i]) + " " + format_score(v) +
                                " exceeds its maximum " + format_score(f.rs->parts[i]) + " under rule set " +
                                f.rs->id);
    }
  }
  if (f.ev == Event::accept_dossier && data.contains("round") && data["round"].is_string()) {
    const std::string round = data["round"].get<std::string>();
    const Round* r = find_round(config_, round);
    if (!r) return Status::BadInput("accept_dossier: round \"" + round + "\" is not configured in any cycle");
    if (!f.d.level.empty() && to_string(r->level) != f.d.level)
      return Status::BadInput("accept_dossier: round " + round + " is a " + std::string(to_string(r->level)) +
                              " round; the dossier is at the " + f.d.level + " level");
  }
  return Status::Ok();
}

// 4. The state and guards (exit 4), through the machine; then, accepted, the writes: the
// document bytes, the dossier, what the machine's actions decided, the audit record, the
// notifications and the key, all in the caller's transaction.
Status Executor::apply_transition(Firing& f) {
  const EventRequest& req = f.req;
  Dossier& d = f.d;
  const State from = d.state;
  const Dossier before = d;
  ExecContext ctx(config_, store_, d, f.ev, req.data, f.day, f.at, f.rs);
  ctx.actor_ = req.actor;
  ctx.actor_unit_ = f.user->unit;
  Transition t = lifecycle_.fire(from, f.ev, ctx);
  if (!t.accepted) {
    if (!t.guard_refusal.empty())
      return Status::Refused(req.event + " refused for dossier " + d.id + " in state " +
                             std::string(to_string(from)) + ": " + t.guard_refusal);
    std::string allowed;
    for (Event e : lifecycle_.allowed(from))
      allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(e));
    return Status::Refused(
        req.event + " is not allowed for dossier " + d.id + " in state " + std::string(to_string(from)) +
        "; allowed there: " + (allowed.empty() ? std::string("none (final state)") : allowed));
  }

  // Documents may ride on any event (spec §2); the machine attaches them for the events whose
  // guards look at them, the rest are attached here.
  if (!ctx.documents_attached()) ctx.attach_documents();

  // The bytes before the records that name them (blobs.hpp): a failure here writes nothing.
  for (const auto& blob : req.blobs) {
    if (!blobs_)
      return Status::Internal(req.event + " carries document bytes but the executor has no blob store");
    if (Status s = blobs_->publish(blob); !s.ok()) return s;
  }

  d.state = t.to;
  if (t.to != from) d.state_since = f.at;
  if (t.to == State::recognized && f.ev != Event::recognize && !d.certificate.empty()) {
    if (auto c = store_.load_certificate(d.certificate)) d.stars = c->stars;
  }
  d.updated_at = f.at;
  d.version = before.version + 1;
  if (f.creating) {
    store_.insert_dossier(d);
  } else if (!store_.update_dossier(d, before)) {
    return Status::Conflict("dossier " + d.id + " changed while " + req.event + " was applied; retry");
  }
  if (ctx.sheet) store_.put_scoresheet(*ctx.sheet);
  for (const auto& doc : ctx.new_documents) store_.add_document(doc);
  // Supersession goes through the certificate machine: one that is no longer in force
  // (expired, revoked, already superseded) keeps its state and its history.
  for (const auto& id : ctx.superseded) {
    if (!ctx.certificate) break;
    auto old = store_.load_certificate(id);
    auto old_state = old ? parse_certificate_state(old->state) : std::nullopt;
    if (!old_state) continue;
    CertificateTransition ct = certificates_.fire(*old_state, CertificateEvent::supersede);
    if (!ct.accepted) continue;
    old->state = std::string(to_string(ct.to));
    old->superseded_by = ctx.certificate->id;
    store_.update_certificate(*old);
  }
  if (ctx.certificate) store_.insert_certificate(*ctx.certificate);

  AuditRecord rec =
      make_audit_record(f.at, req.actor, role_for(config_, *f.user, event_bit(f.ev)), d.id, req.event,
                        to_string(from), to_string(t.to), d.level, std::move(f.data_text));
  chain_and_append(store_, rec);

  // Notifications in the same transaction (notify.hpp); most events send nothing and ask
  // nothing of the store.
  if (event_notifies(f.ev)) {
    EventNotice notice;
    notice.record = &rec;
    notice.dossier = &d;
    notice.data = &req.data;
    notice.certificate = ctx.certificate ? &*ctx.certificate : nullptr;
    queue_event_notifications(config_, store_, f.ev, notice);
  }

  if (!lean_) f.out.dossier = d;
  if (!req.key.empty())
    store_.put_key(req.key, d.id, key_result(d.id, nullptr, to_string(d.state), d.version, f.fingerprint));
  return Status::Ok();
}

FireResult Executor::fire_certificate_event(const EventRequest& req, CertificateEvent ev) {
  FireResult out;
  out.dossier_id = req.dossier;
  const int offset = config_.province.utc_offset_minutes;

  // 1. The request itself (exit 2).
  const User* user = config_.user(req.actor);
  if (!user) {
    out.status = Status::BadInput("unknown actor \"" + req.actor + "\": not a configured user");
    return out;
  }
  if (ev == CertificateEvent::supersede) {
    out.status = Status::BadInput(
        "supersede is not fired directly: recognising the same product again (a higher "
        "level, an upgrade or a re-evaluation) supersedes its certificate");
    return out;
  }
  if (req.dossier.empty()) {
    out.status = Status::BadInput(req.event + " needs a certificate (DOSSIER/LEVEL)");
    return out;
  }
  if (Status s = validate_certificate_data(ev, req.data, req.dossier, config_);
      !s.ok() || !(s = check_documents(config_, to_string(ev), false, req.data)).ok()) {
    out.status = s;
    return out;
  }
  std::string data_text;
  try {
    json data = req.data;
    data["certificate"] = req.dossier;  // the record names the certificate; its dossier is the record's
    data_text = data.dump();
  } catch (const json::type_error&) {
    out.status = Status::BadInput(req.event + ": data is not valid UTF-8");
    return out;
  }
  if (Status s = check_data_size(req.event, data_text.size()); !s.ok()) {
    out.status = s;
    return out;
  }
  const Instant at = req.at.value_or(clock_.now());
  const Date day = local_date(at, offset);
  std::string fingerprint;
  if (!req.key.empty()) fingerprint = request_fingerprint(req, data_text);

  // 2. The certificate exists (exit 3).
  auto cert = store_.load_certificate(req.dossier);
  if (!cert) {
    out.status = Status::NotFound("certificate " + req.dossier + " not found");
    return out;
  }
  auto dossier = store_.load_dossier(cert->dossier);
  if (!dossier) {
    out.status = Status::Internal("certificate " + cert->id + " names dossier " + cert->dossier +
                                  ", which is missing");
    return out;
  }
  out.dossier_id = dossier->id;

  // 3. The actor's role and unit scope (exit 6); `revoke` is for the issuing level or above.
  if (Status s = authorize(config_, *user, req.event, certificate_event_bit(ev), cert->unit, day); !s.ok()) {
    out.status = s;
    return out;
  }
  const Unit* au = config_.unit(user->unit);
  if (ev == CertificateEvent::revoke) {
    auto issued_at = parse_unit_level(cert->level);
    if (!issued_at || au->level > *issued_at) {  // UnitLevel: a lower value is a higher level
      out.status =
          Status::Forbidden(req.actor + " (unit " + user->unit + ", " + std::string(to_string(au->level)) +
                            " level) may not revoke certificate " + cert->id + ": it was issued at the " +
                            cert->level + " level, and only a signer of that level or above revokes it");
      return out;
    }
  }
  if (!req.key.empty()) {
    if (auto first = first_result(store_, req.key, fingerprint, out)) {
      out.certificate = store_.load_certificate(first->value("certificate", ""));
      mark_duplicate(out, *first);
      return out;
    }
    if (!out.status.ok()) return out;
  }
  // The version an audit record counts is the dossier's: a stale one is a conflict.
  if (req.expected_version && *req.expected_version != dossier->version) {
    out.status =
        Status::Conflict("dossier " + dossier->id + " (of certificate " + cert->id + ") is at version " +
                         std::to_string(dossier->version) + ", not " + std::to_string(*req.expected_version) +
                         ": someone changed it first; reload and retry");
    return out;
  }

  // 4. The state (exit 4), through the certificate machine.
  auto from = parse_certificate_state(cert->state);
  if (!from) {
    out.status =
        Status::Internal("certificate " + cert->id + " has an unknown state \"" + cert->state + "\"");
    return out;
  }
  CertificateTransition t = certificates_.fire(*from, ev);
  if (!t.accepted) {
    std::string allowed;
    for (CertificateEvent e : certificates_.allowed(*from))
      if (e != CertificateEvent::supersede)
        allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(e));
    std::string why = cert->state;
    if (!cert->superseded_by.empty()) why += " by " + cert->superseded_by;
    if (!cert->revocation_ground.empty())
      why += " (" + cert->revocation_ground + ", " + cert->revocation_decision_no + ")";
    out.status = Status::Refused(
        req.event + " is not allowed for certificate " + cert->id + " in state " + why +
        "; allowed there: " + (allowed.empty() ? std::string("none (final state)") : allowed));
    return out;
  }

  // 5. Write: the certificate, its dossier's version, documents, the audit record, the key.
  Certificate after = *cert;
  after.state = std::string(to_string(t.to));
  if (ev == CertificateEvent::revoke) {
    after.revocation_ground = req.data["ground"].get<std::string>();
    after.revocation_decision_no = req.data["decision_no"].get<std::string>();
    const json* dd = field(req.data, "decision_date");
    after.revoked_on = dd ? *parse_date(dd->get<std::string>()) : day;
  }
  store_.update_certificate(after);
  Dossier d = *dossier;
  d.version = dossier->version + 1;
  d.updated_at = at;
  if (!store_.update_dossier(d, *dossier)) {
    out.status = Status::Conflict("dossier " + d.id + " changed while " + req.event + " was applied; retry");
    return out;
  }
  if (const json* docs = field(req.data, "documents"))
    for (const auto& x : *docs)
      store_.add_document(Document{d.id, x["kind"].get<std::string>(), x["name"].get<std::string>(),
                                   x["sha256"].get<std::string>(), x["bytes"].get<std::int64_t>(), at});

  std::string role = role_for(config_, *user, certificate_event_bit(ev));
  AuditRecord rec = make_audit_record(at, req.actor, role, d.id, req.event, to_string(*from), after.state,
                                      cert->level, std::move(data_text));
  chain_and_append(store_, rec);
  // Spec §10: a revocation cancels the certificate's open participations and closes its open
  // inspections; an expiry closes them too. Each its own record, in this transaction.
  std::string reason;
  if (ev == CertificateEvent::revoke) {
    const auto& ground = req.data["ground"].get_ref<const std::string&>();
    auto g = config_.revocation_grounds.find(ground);
    reason = g == config_.revocation_grounds.end() ? ground : g->second;
  } else if (ev == CertificateEvent::expire) {
    reason = "giấy chứng nhận hết hiệu lực";
  }
  if (Status s = cascade_certificate_end(config_, after_, store_, after, ev, req.actor, role, at, reason, out);
      !s.ok()) {
    out.status = s;
    return out;
  }

  queue_certificate_webhook(config_, store_, ev, after, d, rec);

  if (!lean_) out.certificate = after;
  if (!req.key.empty()) {
    store_.put_key(req.key, d.id, key_result(d.id, &after.id, after.state, d.version, fingerprint));
  }
  out.status = Status::Ok();
  return out;
}

}  // namespace ocop
