// The dossier lifecycle as the engine sees it: a port that the Boost.MSM machine in
// workflows/ implements (engine/ never includes MSM).
//
// The machine owns the *structure* of spec §2's table: which event is allowed in which state,
// which guard decides between two targets, which actions run. The *meaning* of every guard
// and action (what a quorum is, how stars are computed, what a certificate is) lives in the
// engine, behind DossierContext. A machine call is pure with respect to storage: actions only
// change the in-memory dossier and record what the executor must write afterwards.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ocop/names.hpp"

namespace ocop {

// Guards answer true or false; a guard that answers false records why in `refusal()` so the
// caller can say which guard failed. Actions may not fail: everything they need was checked
// by a guard or by the request's validation.
class DossierContext {
 public:
  virtual ~DossierContext() = default;

  // --- guards ---
  virtual bool at_screen_level() = 0;     // current level is a screening level
  virtual bool at_council_level() = 0;    // current level is a council level
  virtual bool quorum_met() = 0;          // close_scoring: enough scoresheets at this level
  virtual bool may_forward() = 0;         // forward: a next level exists; score or documents allow
  virtual bool may_recognize() = 0;       // recognize: capped stars are among the level's
  virtual bool holds_certificate() = 0;   // the dossier already holds a certificate
  virtual bool documents_present() = 0;   // required documents for this event are attached
  virtual bool registration_valid() = 0;  // register: rule set in force, base certificate ok

  // --- actions ---
  virtual void enter_first_level() = 0;  // register: fix the rule set, level = first level
  virtual void record_assessment() = 0;  // assess
  virtual void record_scoresheet() = 0;  // score
  virtual void compute_result() = 0;     // close_scoring: average, stars
  virtual void assign_round() = 0;       // accept_dossier at a council level
  virtual void advance_level() = 0;      // forward: next level, score cleared
  virtual void issue_certificate() = 0;  // recognize
  virtual void attach_documents() = 0;   // attach (and any event's `documents`)

  // Set by a guard that answered false.
  void refuse(std::string why) { refusal_ = std::move(why); }
  const std::string& refusal() const { return refusal_; }
  void clear_refusal() { refusal_.clear(); }

 private:
  std::string refusal_;
};

struct Transition {
  bool accepted = false;
  State to = State::none;
  // When refused: empty if the state does not allow the event at all; otherwise the reason
  // the guard gave.
  std::string guard_refusal;
};

class Lifecycle {
 public:
  virtual ~Lifecycle() = default;
  // Fires `event` at a dossier in `from` (State::none for a creating event). Thread-safe:
  // each call builds its own machine and restores `from` without running entry actions.
  virtual Transition fire(State from, Event event, DossierContext& ctx) const = 0;
  // Events the table allows in `state` (any guard result), in Event order. For messages.
  virtual std::vector<Event> allowed(State state) const = 0;
};

}  // namespace ocop
