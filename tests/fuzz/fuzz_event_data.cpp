// libFuzzer: the request validation of event data (ocop::validate_request: fire()'s first
// step, without a store) against tests/data/config/valid.yaml, loaded once.
// Input: byte 0 picks the event (dossier events, certificate events, then those after recognition), byte 1 the actor
// (a configured user), byte 2 whether the request names a dossier; the rest is the data, as
// the CLI's --data takes it (checked for depth on the text, then parsed).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "config/yaml_config.hpp"
#include "ocop/executor.hpp"
#include "ocop/limits.hpp"

namespace {

const ocop::Config& config() {
  static const ocop::Config c = [] {
    auto r = ocop::config::load_file(std::string(OCOP_SOURCE_DIR) + "/tests/data/config/valid.yaml");
    if (!r.ok()) {
      std::cerr << "fuzz_event_data: tests/data/config/valid.yaml does not load\n";
      std::abort();
    }
    return std::move(r.config);
  }();
  return c;
}

const std::vector<std::string> kEvents = {
    "submit_idea",    "accept_idea",   "return_idea", "resubmit_idea", "submit_plan",    "approve_plan",
    "return_plan",    "resubmit_plan", "reject",      "register",      "return_dossier", "resubmit",
    "accept_dossier", "assess",        "score",       "close_scoring", "forward",        "recognize",
    "not_recognize",  "withdraw",      "attach",      "annotate",      "migrate",        "notice",
    "expire",         "revoke",        "supersede",
    // after recognition (spec §10)
    "plan_activity", "open_registration", "close_registration", "start_activity", "finish_activity",
    "close_activity", "cancel_activity", "apply", "select", "waitlist", "decline", "withdraw_application",
    "report_outcome", "mark_no_show", "cancel_participation", "plan_inspection", "record_inspection",
    "confirm_remedy", "remedy_overdue", "close_inspection"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const ocop::Config& cfg = config();
  ocop::EventRequest req;
  req.event = kEvents[data[0] % kEvents.size()];
  req.actor = cfg.users().empty() ? "nobody" : cfg.users()[data[1] % cfg.users().size()].id;
  if (data[2] & 1)
    req.dossier = req.event == "revoke" || req.event == "notice" || req.event == "expire"
                      ? "TQ-2026-00001/province"
                      : "TQ-2026-00001";
  if (data[2] & 2) req.key = "k";
  const std::string text(reinterpret_cast<const char*>(data) + 3, size - 3);
  if (text.size() > ocop::limits::kMaxLineBytes) return 0;
  if (!ocop::check_json_nesting(text, ocop::limits::kMaxDataDepth, "data").ok()) return 0;
  req.data = nlohmann::json::parse(text, nullptr, false);
  if (req.data.is_discarded() || !req.data.is_object()) return 0;
  ocop::Status st = ocop::validate_request(cfg, req);
  if (st.ok()) {
    ocop::prepare_request(req);
    // Accepted data is within the bounds that ocop/limits.hpp promises.
    if (req.prepared && req.prepared->data_text.size() > ocop::limits::kMaxDataBytes) std::abort();
  }
  return 0;
}
