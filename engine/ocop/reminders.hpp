// The Vietnamese texts of what `ocop tick` queues (spec §7: templates are Vietnamese by
// default): reminder digests, escalations, milestone and cycle-start reminders, the closing
// report of a cycle and the certificate expiry notice. Each fills the placeholders of a
// template of notify.hpp (reminder_stalled, ..., certificate_notice), which the configuration's
// `templates:` may override.
//
// Pure functions of their arguments. Dates are civil days in the province's zone, shown as
// dd/mm/yyyy.
#pragma once

#include <string>
#include <vector>

#include "ocop/config.hpp"
#include "ocop/dossier.hpp"

namespace ocop::text {

struct Rendered {
  std::string subject;
  std::string body;
};

// One line of a digest: a dossier, where it waits and for how long.
struct DigestLine {
  std::string dossier, product, producer;
  std::string unit;  // the unit it is filed under, resolved on the day (code)
  std::string unit_name;
  State state = State::none;
  std::string level;  // its current level ("" before register)
  Date since;         // the day it entered its state
  int waited = 0;     // working days waited on the digest's day (calendar.hpp, working_days_waited)
};

// A digest lists at most this many entries (dossiers, products) and then says how many more
// there are: a national unit's list of every product in force would be a message of megabytes
// that no mail server accepts and nobody reads. The count in the message is always the whole.
constexpr std::size_t kDigestMaxEntries = 200;
// "… và còn N <what> khác." when `total` exceeds kDigestMaxEntries, else "".
std::string more_entries(std::size_t total, const std::string& what);

// "hồ sơ đã nộp, chờ tiếp nhận" for `submitted`, ...
std::string state_vi(State s);
// "hạn nhận đăng ký ý tưởng sản phẩm" for ideas_close, ...; a round's cut-off names the round.
std::string milestone_vi(const std::string& milestone, const Round* round);

// `stalled`: the unit's dossiers that have waited in `rule.state` more than rule.after_days.
Rendered stalled_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name, Date day,
                        const std::vector<DigestLine>& lines);
// `stalled` escalated: dossiers of the units below `recipient_name` that waited after_days +
// escalate_after_days.
Rendered escalation_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name,
                           Date day, const std::vector<DigestLine>& lines);
// `before_milestone`: the unit's dossiers still waiting for a milestone on `deadline`.
Rendered milestone_digest(const Config& cfg, const Reminder& rule, const std::string& recipient_name,
                          Date day, const std::string& milestone, const Round* round, Date deadline,
                          int working_days_left, const std::vector<DigestLine>& lines);
// `cycle_start`: the cycle opens; its milestones and rounds.
Rendered cycle_start(const Config& cfg, const Cycle& cycle, const std::string& recipient_name);
// The closing report of a cycle to the province: its unfinished dossiers, carried or reported.
Rendered cycle_closed(const Config& cfg, const Cycle& cycle, const std::string& recipient_name,
                      const std::vector<DigestLine>& unfinished);
// The certificate expiry notice (spec §3), to the producer or to the unit.
Rendered certificate_notice(const Config& cfg, const Certificate& c, const std::string& recipient_name,
                            bool to_producer, int days_left);

}  // namespace ocop::text
