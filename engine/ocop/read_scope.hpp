// Who may read what (issue 11): the scope every read of the application layer takes, so that the
// CLI and the HTTP service answer a reader alike (docs/design.md, "Who may read what").
//
// The rule. A configured user whose unit is valid on the day sees the objects filed under their
// unit or below it, and under every unit merged into those: Config::units_under(unit, day), the
// unit scope of spec §2's events on that day (a merged commune's dossiers belong to its
// successor) plus the units written below theirs in the configuration (history stays visible).
// An object's unit is a dossier's and a certificate's own; a participation's and an
// inspection's, their certificate's dossier's; an activity's, its organiser. An activity that an
// ancestor of the reader's unit organises (the province's fair) is announced to the units below
// and is visible to them too, with only their own participations. A reader whose scope holds
// the province's own unit (Config::province.code: the provincial office, its council and
// auditors; the central units) is province-wide: they see the whole database, including account
// records and the whole audit chain. The CLI's operator (whoever runs `ocop` on the server,
// with access to the database itself) reads everything: ReadScope::unrestricted().
//
// A ReadScope is a plain value, built for one day from one Config; it holds no reference to
// either. Build a new one when the day or the configuration changes (the HTTP service builds one
// per request).
#pragma once

#include <string>
#include <vector>

#include "ocop/config.hpp"
#include "ocop/status.hpp"
#include "ocop/time.hpp"

namespace ocop {

template <typename T>
struct Result;

// A scope comes from unrestricted() or of_user(), never from a default constructor: there is no
// scope that sees nothing by accident (a restricted scope's unit list is never empty, and the
// store's filters read an empty list as "any unit").
class ReadScope {
 public:
  // The CLI's operator: every object, every record; not a configured user.
  static ReadScope unrestricted();
  // The scope of `user` on `day`. Forbidden (6) when `user` is not a configured user or their
  // unit is not valid on `day` (nothing else is checked: every role may read its own scope).
  static Status of_user(const Config& cfg, const std::string& user, Date day, ReadScope& out);

  // The CLI's operator.
  bool is_operator() const { return operator_; }
  // Sees every object: the operator or a province-wide reader.
  bool whole() const { return operator_ || province_wide_; }
  // The reader; empty for the operator.
  const std::string& user() const { return user_; }

  // The unit codes a restricted scope sees, sorted and never empty; empty when whole() (which
  // store filters read as "any unit").
  const std::vector<std::string>& units() const { return units_; }
  // The organisers whose activities the reader sees: units() and the announcing ancestors,
  // sorted; empty when whole().
  const std::vector<std::string>& activity_units() const { return activity_units_; }

  // Whether an object filed under `unit` is in the scope.
  bool sees(const std::string& unit) const;
  // Whether an activity organised by `organiser` is (its own or announced to the reader).
  bool sees_activity(const std::string& organiser) const;
  // Whether the records of the account `user` ("user:<id>" in the chain) are: province-wide
  // readers and the user themself.
  bool sees_account(const std::string& user) const { return whole() || (!user_.empty() && user == user_); }

  // "lan.nguyen (unit TQ-BACQUANG)", or "the operator", for messages.
  std::string describe() const;

 private:
  ReadScope() = default;
  template <typename T>
  friend struct Result;  // a Result<ReadScope> that failed holds one; it is never read

  bool operator_ = false;
  bool province_wide_ = false;
  std::string user_, unit_;
  std::vector<std::string> units_, activity_units_;
};

}  // namespace ocop
