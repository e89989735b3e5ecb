// After recognition (spec §10): the records of trade promotion (activities and the
// participations of recognised products in them) and of inspections after recognition (hậu
// kiểm). Plain data; the store persists them, the executor (engine/promotion.cpp) changes them.
//
// States are kept as their public names (ocop/names.hpp), as a certificate's are. Money is
// whole đồng in 64-bit integers, never floating point. Every object has a version: 1 when
// created, +1 per accepted event (its own or a cascade), equal to the number of audit records
// whose `dossier` is its id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ocop/names.hpp"
#include "ocop/time.hpp"

namespace ocop {

// The province's promotion policy (configuration `promotion`); an activity may override any key
// in its `plan_activity` data. An activity stores the policy in force when it was planned, so
// what producers were told does not change under them.
struct PromotionPolicy {
  int min_stars = 3;
  int max_booths_per_producer = 2;
  std::int64_t booth_fee_vnd = 0;
  int support_percent = 50;
  std::int64_t support_cap_vnd = 10'000'000;  // per participation
};

// A fair, exhibition, point of sale or e-commerce campaign that a unit organises.
struct Activity {
  std::string id;    // UNIT-XT-YYYY-NNN unless given
  std::string name;  // Vietnamese
  std::string kind;  // fair | exhibition | point_of_sale | ecommerce
  std::string unit;  // the organiser
  std::string venue;
  std::string state = "planned";  // an ActivityState's name
  std::int64_t version = 0;
  Date registration_opens, registration_closes, starts, ends;  // calendar days
  int booths = 1;
  std::vector<std::string> open_to;  // units whose products may apply; empty = the organiser's subtree
  PromotionPolicy policy;            // in force for this activity
  std::string reason;                // cancelled: why
  Instant created_at, updated_at, state_since;
  int year() const { return year_of(starts); }
};

// One product at one activity: id ACTIVITY/DOSSIER (the dossier holding the certificate).
struct Participation {
  std::string id;
  std::string activity;
  std::string dossier;
  std::string certificate;
  std::string product;   // the certificate's product
  std::string producer;  // the dossier's producer text (booths per producer compare it exactly)
  std::string unit;      // the unit of the certificate's dossier
  std::string state = "applied";  // a ParticipationState's name
  std::int64_t version = 0;
  int booths = 1;
  std::int64_t support_vnd = 0;  // set on `select`
  std::optional<std::int64_t> revenue_vnd, contracts, buyers;  // set on `report_outcome`
  std::string note;
  std::string reason;  // declined, withdrawn, cancelled: why
  Instant created_at, updated_at, state_since;
};

// An inspection after recognition of one certificate.
struct Inspection {
  std::string id;  // UNIT-HK-YYYY-NNN unless given
  std::string certificate;
  std::string dossier;  // the certificate's dossier
  std::string product;
  std::string unit;                // the unit of the certificate's dossier
  std::string level;               // the certificate's issuing level
  std::string state = "planned";   // an InspectionState's name
  std::int64_t version = 0;
  Date due;
  std::optional<Date> remedy_due;  // remedy_required: the remedy_days-th working day after recording
  std::optional<Date> recorded_on;
  std::string result;    // compliant | remedy_required | violation, once recorded
  std::string criteria;  // JSON array of texts ("[]" when none)
  std::string findings;  // JSON array of {criterion, note} ("[]" before recording)
  std::string team;
  std::string ground;  // violation: a revocation ground's code
  std::string note;    // confirm_remedy: the note
  std::string reason;  // closed: why
  Instant created_at, updated_at, state_since;
};

// Empty strings and zeros do not filter.
struct ActivityFilter {
  std::string state;
  int year = 0;                    // the year of `starts`
  std::vector<std::string> units;  // the organiser is any of these (empty: any)
  std::vector<std::string> states; // any of these states (with `state`, both must hold)
  std::optional<Date> day_from, day_to;  // scheduler: some date column of the activity in [from, to]
  int limit = 0;
};

struct ParticipationFilter {
  std::string activity;
  std::string certificate;
  std::string dossier;
  std::string producer;                      // with `activity`: one producer's applications there
  std::vector<std::string> units;            // of a dossier filed under any of these (empty: any)
  std::vector<std::string> states;           // any of these (empty: any)
  std::vector<std::string> activity_states;  // participations whose activity is in one of these
  std::optional<Date> ends_on_or_before;     // ... and whose activity ended on or before this day
  int limit = 0;
};

struct InspectionFilter {
  std::string state;
  int year = 0;  // the year of `due`
  std::vector<std::string> units;  // the certificate's dossier's unit is any of these
  std::string certificate;
  std::vector<std::string> states;
  std::optional<Date> due_from, due_to;              // `due` in [from, to]
  std::optional<Date> remedy_due_from, remedy_due_to;  // `remedy_due` in [from, to]
  int limit = 0;
};

}  // namespace ocop
