// The transition executor: applies one event to one dossier, all or nothing.
//
// fire() runs spec §2's checks in the public order (the request → the dossier exists → the
// actor's role and unit scope → the state and guards), asks the Lifecycle (the MSM machine)
// for the transition, and writes the dossier's new state and version, its scoresheets,
// documents, certificates, the hash-chained audit record, the notifications the event causes
// (ocop/notify.hpp: returns and recognitions) and the idempotency key in one transaction. A
// refused event writes nothing. Expected failures come back as a Status.
//
// Certificate events (spec §3: `revoke`, and `notice`/`expire` for the scheduler) go through
// fire() too, with the certificate's id in `EventRequest::dossier`. The same order of checks
// applies (the request → the certificate exists → role and scope, for `revoke` also the
// issuing level or above → the certificate machine's state). The event is recorded in the
// certificate's dossier's trail (record `dossier` = that dossier, `from`/`to` = the
// certificate's states, `level` = the issuing level, `data.certificate` = its id) and raises
// that dossier's version by one; the dossier's own state does not change. `supersede` is
// never fired directly: a recognition supersedes (through the certificate machine, so a
// certificate that is no longer in force keeps its state).
//
// Events after recognition (spec §10: activities, participations, inspections) go through
// fire() too, with the object's id in `EventRequest::dossier` (empty for the creating events
// plan_activity, apply and plan_inspection), in the same order of checks; engine/promotion.cpp
// has the rules. They need the three machines (set_after_recognition). A revocation cascades
// cancel_participation and close_inspection, an expiry close_inspection, in its transaction.
//
// An Executor uses one Store and is used from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocop/certificate_lifecycle.hpp"
#include "ocop/blobs.hpp"
#include "ocop/config.hpp"
#include "ocop/dossier.hpp"
#include "ocop/lifecycle.hpp"
#include "ocop/promotion.hpp"
#include "ocop/promotion_lifecycle.hpp"
#include "ocop/status.hpp"
#include "ocop/store.hpp"
#include "ocop/transaction.hpp"

namespace ocop {

// The time source. Tests and simulation databases set it; production reads the system clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

class SystemClock : public Clock {
 public:
  Instant now() const override;
};

class FixedClock : public Clock {
 public:
  explicit FixedClock(Instant t) : t_(t) {}
  Instant now() const override { return t_; }
  void set(Instant t) { t_ = t; }

 private:
  Instant t_;
};

struct EventRequest {
  std::string event;    // the name as given; unknown names are bad input
  std::string dossier;  // empty for a creating event
  std::string actor;
  std::string key;            // idempotency key; empty = none
  std::optional<Instant> at;  // the event's time (simulation databases only; else the clock)
  nlohmann::json data = nlohmann::json::object();
  std::optional<std::int64_t> expected_version;  // a stale one is a conflict
  // Staged bytes of documents that `data` names (the CLI's `attach --file`). The executor
  // publishes them once the event is accepted and before it writes anything, so a committed
  // event never names bytes that are not stored. The caller discards them afterwards (a no-op
  // for published ones). Needs an executor with a BlobStore.
  std::vector<StagedBlob> blobs;
  // What fire() derives from the request alone, computed ahead by prepare_request() (an
  // importer does it on its reading thread); empty: fire() computes it. Present only for a
  // request that passed check_event_request() (ocop/limits.hpp), which fire() then does not
  // repeat. Stale if the request changes after prepare_request().
  struct Prepared {
    std::string data_text;    // data's canonical text (nlohmann dump: sorted keys, compact)
    std::string fingerprint;  // the key's request fingerprint; empty without a key
  };
  std::optional<Prepared> prepared;
};

// Fills req.prepared for a dossier event whose data can be encoded (UTF-8); leaves it empty
// otherwise (fire() then reports the problem in its usual order). Pure: reads and writes only
// `req`, so it may run on another thread than the executor's.
void prepare_request(EventRequest& req);

struct FireResult {
  Status status;
  bool duplicate = false;  // the key was seen before: nothing was written
  std::string dossier_id;
  // Accepted: the dossier after a dossier event, or the certificate after a certificate event
  // (neither when the executor is lean). Duplicate: the dossier or certificate as it is now.
  std::optional<Dossier> dossier;
  std::optional<Certificate> certificate;
  // After recognition (spec §10): the object the event moved or created (dossier_id is its id).
  std::optional<Activity> activity;
  std::optional<Participation> participation;
  std::optional<Inspection> inspection;
  // Objects a cascade moved in the same transaction (declined, cancelled, closed), in order.
  std::vector<std::string> cascaded;
  // Duplicate: what the first request with this key reached.
  struct First {
    std::string state;
    std::int64_t version = 0;
  };
  std::optional<First> first_result;
  // The database failed (a StoreError that was not retryable, or still failed after the last
  // attempt): status is Code::internal and nothing of the event was written. A caller that
  // applies many events (import) stops here rather than fail every following event the same
  // way.
  bool database_failed = false;
  int attempts = 1;  // transactions tried (more than 1 after retryable database errors)
};

// Links `rec` (all fields but seq, prev_hash and hash set) to the head of the audit chain and
// appends it, inside the caller's transaction (Store::append_to_chain: the store may link it
// only at commit, so rec's seq and hash are not filled in).
void chain_and_append(Store& store, AuditRecord& rec);

// Whether the configuration allows a document of `kind` and `bytes` (bytes < 0: not known
// yet): the kind must be configured (when the configuration lists kinds) and the size within
// documents.max_bytes. Code::bad_input otherwise, with `where` ("attach: data") in the message.
// fire() checks every document of an event this way; the CLI also checks before it copies a file.
Status check_document_policy(const Config& config, const std::string& kind, std::int64_t bytes,
                             const std::string& where);

// fire()'s first step without a store: the request's names, its data's bounds and shape
// (ocop/limits.hpp), the event, the actor and the documents against the configuration. What
// fire() would answer with exit 2 for the request alone; never touches a database.
Status validate_request(const Config& config, const EventRequest& req);

class Executor {
 public:
  Executor(const Config& config, const Lifecycle& lifecycle, const CertificateLifecycle& certificates,
           Store& store, const Clock& clock);

  // Fires one event in its own transaction. Retryable store errors roll the transaction back
  // and run the whole event again (every check re-reads the database), at most
  // RetryPolicy::attempts times; other store errors, and the last retryable one, come back as
  // Code::internal with `database_failed` set and nothing written. Never a silent skip.
  FireResult fire(const EventRequest& req);

  // Fires one event inside a transaction the caller has begun (batched import). On a refusal
  // nothing of this event is written; on a StoreError the exception propagates and the caller
  // must roll the whole transaction back.
  FireResult fire_in_transaction(const EventRequest& req);

  // Where staged document bytes are published (EventRequest::blobs). Optional: without one, a
  // request that carries blobs fails with Code::internal. Not owned.
  void set_blob_store(BlobStore* blobs) { blobs_ = blobs; }

  // A lean executor does not build `FireResult::result` for accepted events (bulk import).
  void set_lean(bool lean) { lean_ = lean; }

  // The machines of spec §10. Without them those events fail with Code::internal, and so does a
  // revocation or expiry of a certificate that has open participations or inspections. Not owned.
  void set_after_recognition(const AfterRecognition* machines) { after_ = machines; }

  // Test hook: called after the dossier's new state is written and before the commit.
  void set_before_commit_hook(std::function<void()> hook) { before_commit_ = std::move(hook); }

  void set_retry_policy(RetryPolicy p) { retry_ = p; }
  const RetryPolicy& retry_policy() const { return retry_; }

 private:
  struct Firing;
  // fire_in_transaction's steps for a dossier event, in spec §2's order (executor.cpp).
  Status check_request(Firing& f);
  Status load_or_create(Firing& f);
  Status authorize_actor_on_dossier(Firing& f);
  Status answer_key(Firing& f);
  Status bind_level(Firing& f);
  Status assign_id(Firing& f);
  Status check_version(Firing& f);
  Status check_values(Firing& f);
  Status apply_transition(Firing& f);
  FireResult fire_certificate_event(const EventRequest& req, CertificateEvent event);

  const Config& config_;
  const Lifecycle& lifecycle_;
  const CertificateLifecycle& certificates_;
  Store& store_;
  const Clock& clock_;
  std::function<void()> before_commit_;
  BlobStore* blobs_ = nullptr;
  const AfterRecognition* after_ = nullptr;
  bool lean_ = false;
  RetryPolicy retry_;
};

}  // namespace ocop
