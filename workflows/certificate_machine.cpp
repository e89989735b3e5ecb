// The certificate machine (spec §3) in Boost.MSM: 7 rows, no guards, no actions.
//
// Same layout as dossier_machine.cpp (read its header comment): events and states are class
// templates indexed by the public enums, MSM's state ids are mapped to CertificateState at
// compile time and never stored, and each fire() builds a machine on the stack, start()s it in
// `active` (no state has an entry action) and writes the stored state's id through
// current_state(). tests/unit/certificate_machine_test.cpp pins every state × event.
#include "certificate_machine.hpp"

#include <array>
#include <cstddef>
#include <exception>
#include <utility>

#include <boost/mpl/vector.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

namespace ocop::workflows {
namespace {

namespace mpl = boost::mpl;
namespace msm = boost::msm;
namespace msmf = boost::msm::front;

template <CertificateEvent E>
struct ev_t {};

namespace ev {
using notice = ev_t<CertificateEvent::notice>;
using expire = ev_t<CertificateEvent::expire>;
using revoke = ev_t<CertificateEvent::revoke>;
using supersede = ev_t<CertificateEvent::supersede>;
}  // namespace ev

template <CertificateState S>
struct state_t : msmf::state<> {};  // distinct empty types: no data, entry or exit actions

namespace st {
using active = state_t<CertificateState::active>;
using expiring = state_t<CertificateState::expiring>;
using expired = state_t<CertificateState::expired>;
using revoked = state_t<CertificateState::revoked>;
using superseded = state_t<CertificateState::superseded>;
}  // namespace st

using msmf::none;
using msmf::Row;

struct certificate_def : msmf::state_machine_def<certificate_def> {
  using initial_state = st::active;  // restored over at once; `active` has no entry action
  using no_exception_thrown = int;
  using no_message_queue = int;

  // clang-format off
  struct transition_table : mpl::vector<
    //   source         event          target           action  guard
    Row<st::active,   ev::notice,    st::expiring,    none,   none>,
    Row<st::active,   ev::expire,    st::expired,     none,   none>,
    Row<st::expiring, ev::expire,    st::expired,     none,   none>,
    Row<st::active,   ev::revoke,    st::revoked,     none,   none>,
    Row<st::expiring, ev::revoke,    st::revoked,     none,   none>,
    Row<st::active,   ev::supersede, st::superseded,  none,   none>,
    Row<st::expiring, ev::supersede, st::superseded,  none,   none>
  > {};
  // clang-format on

  // The defaults assert. A missing row is reported through process_event's result instead.
  template <class Fsm, class E>
  void no_transition(E const&, Fsm&, int) {}
  template <class Fsm, class E>
  void exception_caught(E const&, Fsm&, std::exception&) {
    throw;
  }
};

using machine = msm::back::state_machine<certificate_def>;

// CertificateState <-> MSM state id, generated from the table's state set.
template <std::size_t... I>
constexpr std::array<int, kCertificateStateCount> to_msm_ids(std::index_sequence<I...>) {
  return {msm::back::get_state_id<machine::stt, state_t<static_cast<CertificateState>(I)>>::value...};
}
constexpr std::array<int, kCertificateStateCount> kToMsm =
    to_msm_ids(std::make_index_sequence<kCertificateStateCount>{});

constexpr std::array<CertificateState, kCertificateStateCount> invert(
    const std::array<int, kCertificateStateCount>& ids) {
  std::array<CertificateState, kCertificateStateCount> states{};
  for (int s = 0; s < kCertificateStateCount; ++s) states[ids[s]] = static_cast<CertificateState>(s);
  return states;
}
constexpr std::array<CertificateState, kCertificateStateCount> kFromMsm = invert(kToMsm);

constexpr bool is_permutation(const std::array<int, kCertificateStateCount>& ids) {
  std::array<bool, kCertificateStateCount> seen{};
  for (int id : ids) {
    if (id < 0 || id >= kCertificateStateCount || seen[id]) return false;
    seen[id] = true;
  }
  return true;
}
static_assert(mpl::size<machine::state_list>::value == kCertificateStateCount,
              "every CertificateState must appear in the transition table, and nothing else");
static_assert(is_permutation(kToMsm), "MSM state ids must map one to one onto CertificateState");

template <std::size_t... I>
msm::back::HandledEnum dispatch(machine& m, CertificateEvent e, std::index_sequence<I...>) {
  msm::back::HandledEnum handled = msm::back::HANDLED_FALSE;
  (void)((static_cast<std::size_t>(e) == I
              ? (handled = m.process_event(ev_t<static_cast<CertificateEvent>(I)>{}), true)
              : false) ||
         ...);
  return handled;
}

bool valid(CertificateState s) { return static_cast<int>(s) < kCertificateStateCount; }
bool valid(CertificateEvent e) { return static_cast<int>(e) < kCertificateEventCount; }

CertificateTransition run(CertificateState from, CertificateEvent event) {
  machine m;
  m.start();
  // Restore without entry actions (one region); pinned by the unit tests for every state.
  const_cast<int*>(m.current_state())[0] = kToMsm[static_cast<int>(from)];
  const auto handled = dispatch(m, event, std::make_index_sequence<kCertificateEventCount>{});
  CertificateTransition t;
  t.accepted = handled == msm::back::HANDLED_TRUE;
  t.to = t.accepted ? kFromMsm[m.current_state()[0]] : from;
  return t;
}

class certificate_lifecycle final : public CertificateLifecycle {
 public:
  certificate_lifecycle() {
    for (int s = 0; s < kCertificateStateCount; ++s)
      for (int e = 0; e < kCertificateEventCount; ++e)
        if (run(static_cast<CertificateState>(s), static_cast<CertificateEvent>(e)).accepted)
          allowed_[s] |= 1u << e;
  }

  CertificateTransition fire(CertificateState from, CertificateEvent event) const override {
    if (!valid(from) || !valid(event)) return {};
    return run(from, event);
  }

  std::vector<CertificateEvent> allowed(CertificateState state) const override {
    std::vector<CertificateEvent> events;
    if (!valid(state)) return events;
    for (int e = 0; e < kCertificateEventCount; ++e)
      if (allowed_[static_cast<int>(state)] & (1u << e)) events.push_back(static_cast<CertificateEvent>(e));
    return events;
  }

 private:
  std::array<unsigned, kCertificateStateCount> allowed_{};  // written once, in the constructor
};

}  // namespace

std::unique_ptr<CertificateLifecycle> make_certificate_lifecycle() {
  return std::make_unique<certificate_lifecycle>();
}

}  // namespace ocop::workflows
