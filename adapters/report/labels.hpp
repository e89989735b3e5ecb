// The Vietnamese names the offices' reports (the spreadsheet, office_workbook.hpp, and the
// yearly report, office_pdf.hpp) give the engine's names: states, certificate states, inspection
// results, cycle stages, units.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ocop/app.hpp"
#include "ocop/config.hpp"

namespace ocop::report {

// As web/src/i18n/vi.ts names them.
const char* state_label(State s);
std::string certificate_state_label(const std::string& s);
std::string inspection_label(const std::string& s);
// "Ý tưởng", "Phương án", "Phát triển sản phẩm", "Đánh giá, phân hạng", "Được công nhận",
// "Kết thúc, không công nhận".
const char* stage_label(CycleStage s);
// The unit's name in the configuration ("" for a code it does not know).
std::string unit_name(const Config& config, const std::string& code);
// m[k], 0 when absent.
std::int64_t count_in(const std::map<std::string, std::int64_t>& m, const std::string& k);

}  // namespace ocop::report
