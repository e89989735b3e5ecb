// The configuration model (spec §5): the province, its administrative units over time, users
// and roles, the versioned rule sets, the calendar, cycles, reminders and channels.
//
// This is plain data, built by a loader (adapters/config parses YAML) and validated there.
// The engine trusts a Config it is given: every cross-reference resolves, every rule set has
// at least one level, star bands ascend. Lookups the hot path needs are precomputed by
// `Config::index()`; call it once after building or changing a Config.
//
// The directory (units and users: 10,000 entries for a national configuration) may be held in
// memory or read on demand from a DirectoryReader (below): a command that looks up the one unit
// of the one dossier it shows then never builds the rest (issue 10; bench/README.md).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ocop/names.hpp"
#include "ocop/promotion.hpp"
#include "ocop/security.hpp"
#include "ocop/time.hpp"

namespace ocop {

struct Province {
  std::string code;
  std::string name;
  std::string timezone = "Asia/Ho_Chi_Minh";
  int utc_offset_minutes = 420;  // derived from timezone
  // Where the public reaches `ocop serve` (issue 13): https://HOST[:PORT][/PREFIX], no trailing
  // slash. QR codes and printed certificates encode PUBLIC_URL/verify/CODE. Empty: not set.
  std::string public_url;
};

struct Unit {
  std::string code;
  std::string name;
  UnitLevel level = UnitLevel::commune;
  std::string parent;              // empty for the root (central)
  std::optional<Date> valid_from;  // inclusive; unset = since ever
  std::optional<Date> valid_to;    // inclusive; unset = still valid
  std::string successor;           // the unit that took over after valid_to
  std::string email;
  bool valid_on(Date d) const { return (!valid_from || *valid_from <= d) && (!valid_to || d <= *valid_to); }
};

struct User {
  std::string id;
  std::string name;
  std::vector<std::string> roles;
  std::string unit;
  std::string email;
  EventMask events = 0;  // union of the roles' events; filled by Config::index()
};

// Where a Config's directory is read from when the Config does not hold it in memory: the
// configuration snapshot stored in the database (adapters/config/config_snapshot.hpp). The
// entries are those of one configuration, validated when it was loaded; a reader never sees
// another configuration's (the snapshot is keyed by the configuration's fingerprint).
// Failures of the underlying store are thrown as StoreError (ocop/store.hpp), like every other
// read of the store; a Config's lookups pass them on.
class DirectoryReader {
 public:
  virtual ~DirectoryReader() = default;
  // The unit with that code, or false when the configuration has none.
  virtual bool unit(const std::string& code, Unit& out) const = 0;
  // The user with that id (`events` not filled), or false when the configuration has none.
  virtual bool user(const std::string& id, User& out) const = 0;
  // Every unit, or every user (`events` not filled), in configuration order.
  virtual void read_units(std::vector<Unit>& out) const = 0;
  virtual void read_users(std::vector<User>& out) const = 0;
};

struct ProductSet {
  std::string code;
  std::string group;
  std::string name;
};

struct StarBand {
  int stars = 1;
  double min = 0;  // inclusive lower bound of the band
};

enum class Rounding { none, half_up };
enum class LevelKind { screen, council };

struct LevelRule {
  UnitLevel level = UnitLevel::commune;
  LevelKind kind = LevelKind::screen;
  int quorum = 0;                     // council: sheets needed to close scoring
  std::vector<int> recognizes;        // council: stars this level may award
  std::optional<double> forward_min;  // council: score needed to forward to the next level
};

struct RuleSet {
  std::string id;
  Date effective_from;
  std::optional<Date> effective_to;            // inclusive; unset = until the next rule set
  std::array<double, 3> parts = {40, 25, 35};  // maximum points of A, B, C
  std::vector<StarBand> stars;                 // ascending by min
  Rounding rounding = Rounding::none;
  int certificate_months = 36;
  int expiry_notice_days = 30;
  std::map<int, std::vector<std::string>> mandatory;    // star -> criteria it needs
  std::vector<LevelRule> levels;                        // lowest first
  std::map<Event, std::vector<std::string>> documents;  // event -> required document kinds
  // product group -> event -> required kinds: replaces `documents` for the events it names,
  // for dossiers whose product set is in that group (community tourism sends no samples)
  std::map<std::string, std::map<Event, std::vector<std::string>>> documents_by_group;
  std::vector<std::string> locality_criteria;  // screen: criteria assessed (optional)

  // The document kinds `ev` requires of a dossier whose product set is in `group` ("" when it
  // has none): the group's list when documents_by_group names the event for that group, else
  // `documents`. Null when nothing is required.
  const std::vector<std::string>* required_documents(Event ev, const std::string& group) const;
};

struct Calendar {
  std::array<bool, 7> weekend = {false, false, false, false, false, true, true};  // Mon..Sun
  std::set<Date> holidays;
  std::set<Date> working_days;  // make-up working days that fall on a weekend
};

struct Round {
  std::string id;
  UnitLevel level = UnitLevel::province;
  Date cutoff;
  Date meeting;
};

// What closing a cycle does with its unfinished dossiers (docs/design.md "Cycles"): `next`
// keeps them in the next cycle's reminders and counts; `report` lists them in the closing
// report to the province and leaves them out of the next cycle's milestone reminders.
enum class CarryOver { report, next };

struct Cycle {
  int year = 0;
  std::map<std::string, Date> milestones;  // ideas_close, plans_close, ...
  std::vector<Round> rounds;
  std::optional<Date> opens;   // first day; unset = 1 January of `year`
  std::optional<Date> closes;  // last day; unset = 31 December of `year`
  CarryOver carry_over = CarryOver::report;
  Date first_day() const { return opens.value_or(make_date(year, 1, 1)); }
  Date last_day() const { return closes.value_or(make_date(year, 12, 31)); }
};

enum class ReminderKind {
  stalled,
  before_milestone,
  certificate_expiry,
  cycle_start,
  promotion_outcome,  // spec §10.1: participations still `selected` after_days working days after `ends`
  inspection_due,     // spec §10.2: days_before working days before an inspection's `due`
  remedy_due,         // spec §10.2: days_before working days before its `remedy_due`
};

struct Reminder {
  std::string id;
  ReminderKind kind = ReminderKind::stalled;
  std::optional<State> state;  // stalled
  int after_days = 0;          // stalled: working days in state; promotion_outcome: after `ends` (10)
  std::string to = "unit";     // unit | parent | province | producer (not the kinds of spec §10)
  std::optional<int> escalate_after_days;  // stalled (unset: none); promotion_outcome (10)
  std::string milestone;                   // before_milestone: a milestone name or round_cutoff
  int days_before = 0;                     // before_milestone, inspection_due, remedy_due: working days
};

struct Channels {
  std::string smtp_url;  // empty: e-mail is not configured (messages wait, with an error)
  std::string smtp_from;
  std::string webhook_url;                                 // empty: no webhook copies are queued
  std::string webhook_secret_env = "OCOP_WEBHOOK_SECRET";  // the variable holding the HMAC secret
  int max_attempts = 5;                                    // attempts before a message is dead
};

// An override of a message template (ocop/notify.hpp): an empty field keeps the default's.
struct MessageTemplate {
  std::string subject;
  std::string body;
};

// Attached documents: how large a stored file may be and where the bytes live. The kinds a
// dossier may hold are Config::document_kinds.
struct DocumentPolicy {
  static constexpr std::int64_t kDefaultMaxBytes = 20 * 1024 * 1024;  // 20 MiB
  std::int64_t max_bytes = kDefaultMaxBytes;  // the largest document, stored or declared
  std::string directory;  // absolute; empty = beside the SQLite database ("<file>.documents")
};

struct Config {
  std::string source;  // the file it came from, for messages
  Province province;
  std::map<std::string, ProductSet> product_sets;  // empty: product_set is free text
  std::map<std::string, EventMask> roles;
  std::vector<RuleSet> rule_sets;  // ascending by effective_from
  Calendar calendar;
  std::map<int, Cycle> cycles;
  std::vector<Reminder> reminders;
  Channels channels;
  // kind -> Vietnamese name. When not empty, a document of any other kind is refused; empty
  // (a configuration that lists none) accepts any kind.
  std::map<std::string, std::string> document_kinds;
  DocumentPolicy documents;
  // Grounds on which a certificate may be revoked: code -> Vietnamese text (optional; without
  // it no certificate can be revoked).
  std::map<std::string, std::string> revocation_grounds;
  // The configured user the scheduler (`ocop tick`) acts as when it fires a certificate's
  // `notice` and `expire` (scheduler.actor; its roles list both). Empty: not configured, and
  // the tick refuses to fire them.
  std::string scheduler_actor;
  // Message templates overridden by the configuration: template name -> subject and body.
  std::map<std::string, MessageTemplate> templates;
  // The province's trade-promotion policy (spec §10.1, `promotion`); the defaults when the
  // configuration has no such section.
  PromotionPolicy promotion;
  // Sign-in: sessions, throttling, second factor (`security`; ocop/security.hpp's defaults when
  // the configuration has no such section).
  SessionPolicy security;

  // The directory: every unit and user, in configuration order. A Config whose directory is
  // read on demand (read_directory_from) reads all units (or all users) on the first call,
  // under a lock, and indexes them; every lookup below works without it.
  const std::vector<Unit>& units() const;
  const std::vector<User>& users() const;
  // For building or changing a Config (loaders, tests): the directory held in memory (read
  // first when it was read on demand). Call index() after changing it.
  std::vector<Unit>& mutable_units();
  std::vector<User>& mutable_users();

  // Drops the directory held in memory: from now on `reader` answers the lookups (unit, user,
  // unit_on, ancestors_on, in_scope), one entry at a time, each read once and kept (after 64 of
  // a kind, the rest of that kind is read at once); units() and units_under read all units
  // once, users() and producers_with_email all users once. The Config
  // must not outlive what `reader` reads from. `any_user_email`: the directory's answer to
  // any_user_email(), recorded with it. Its calls are safe from several threads at once, as
  // long as the reader's are; a copy of the Config reads through the same reader.
  void read_directory_from(std::shared_ptr<const DirectoryReader> reader, bool any_user_email);
  // Whether the whole directory is held in memory (read whole, or never read on demand).
  bool directory_in_memory() const;
  // Reads the whole directory now if it is read on demand (then directory_in_memory()): for a
  // Config about to be shared between threads or to outlive its reader. Throws what the reader
  // throws.
  void read_whole_directory() const;

  // Precomputes the lookups below and each user's event mask. Call after building. A
  // directory read on demand is indexed when it is first read whole.
  void index();

  const Unit* unit(const std::string& code) const;

  // Units over time (spec §5). A unit that ended (valid_to) lives on in its successor: on `day`
  // the unit a dossier filed under `code` belongs to is `code` itself while it is valid, else
  // its successor's, followed (bounded) until one is valid. Null when none is valid on `day`
  // (a unit that does not exist yet, or ended without a successor).
  const Unit* unit_on(const std::string& code, Date day) const;
  // The units above `code` on `day`, nearest first, `code`'s own resolved unit not included:
  // each parent that ended is replaced by its successor, or skipped when it has none (a
  // commune whose district was abolished belongs directly to the province).
  std::vector<const Unit*> ancestors_on(const std::string& code, Date day) const;
  // True when `actor_unit` is the unit a dossier filed under `unit` belongs to on `day`, or one
  // of its ancestors on `day`.
  bool in_scope(const std::string& actor_unit, const std::string& unit, Date day) const;
  // Every configured unit code, current or ended, whose dossiers are listed under `code` on
  // `day`: those that belong to `code` or below on that day, and those that were filed under
  // `code` or below it in the configuration as written (history stays findable). Sorted.
  std::vector<std::string> units_under(const std::string& code, Date day) const;
  const User* user(const std::string& id) const;
  // Whether any configured user has an e-mail address (when none has, a notification to
  // producers has nobody to go to, and nobody need be looked up).
  bool any_user_email() const;
  // The users of `unit` with the producer role and an e-mail address, in configuration order.
  std::vector<const User*> producers_with_email(const std::string& unit) const;
  // The rule set in force on `day`, or null when none is.
  const RuleSet* rule_set_on(Date day) const;
  const RuleSet* rule_set(const std::string& id) const;

 private:
  struct OnDemand;  // the reader, the entries read so far, and the lock (config.cpp)
  // Owns an OnDemand. A copy of a Config whose directory is read on demand reads through the
  // same reader (with entries of its own); a copy of one held in memory holds a copy of it.
  class OnDemandPtr {
   public:
    OnDemandPtr();
    OnDemandPtr(const OnDemandPtr& other);
    OnDemandPtr(OnDemandPtr&& other) noexcept;
    OnDemandPtr& operator=(const OnDemandPtr& other);
    OnDemandPtr& operator=(OnDemandPtr&& other) noexcept;
    ~OnDemandPtr();
    OnDemand* get() const { return p_.get(); }
    void reset(std::unique_ptr<OnDemand> p);

   private:
    std::unique_ptr<OnDemand> p_;
  };
  // All units (users) in memory, read and indexed first if they were read on demand (once,
  // under the lock). The directory's members are mutable for this.
  const std::vector<Unit>& all_units() const;
  const std::vector<User>& all_users() const;
  void index_units() const;
  void index_users() const;
  mutable std::vector<Unit> units_;
  mutable std::vector<User> users_;
  OnDemandPtr on_demand_;
  // Open-addressing tables of positions into `units` and `users` (position + 1; 0 is an empty
  // slot), probed from the hash of the code or id: one allocation each, no copy of the keys, and
  // still right in a copy of the Config (positions, not pointers). A national directory (3,356
  // units, 6,664 users) indexes in well under a millisecond.
  mutable std::vector<std::uint32_t> unit_slots_;
  mutable std::vector<std::uint32_t> user_slots_;
  // The units directly below each unit, as a tree of reversed edges: for unit i,
  // below_[below_start_[i] .. below_start_[i + 1]) are the positions of the units whose parent
  // or successor is i. units_under walks these from its unit instead of testing every unit.
  mutable std::vector<std::uint32_t> below_start_;
  mutable std::vector<std::uint32_t> below_;
  void index_units_below() const;
  // The positions of the users with the producer role and an e-mail, by unit, then in
  // configuration order.
  mutable std::vector<std::uint32_t> producers_with_email_;
  mutable bool any_user_email_ = false;
};

}  // namespace ocop
