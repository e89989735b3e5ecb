// Accent-insensitive text search for Vietnamese names (issue 12): "che shan tuyet" finds
// "Chè Shan tuyết", "dac san" finds "Đặc sản".
//
// Folding: every precomposed Vietnamese letter (the 67 lower-case and 67 upper-case letters with
// a tone or vowel mark, and đ/Đ) becomes its base ASCII letter, the combining marks Vietnamese
// text written in NFD uses (U+0300, U+0301, U+0302, U+0303, U+0306, U+0309, U+031B, U+0323) are
// dropped, and ASCII letters are lower-cased. Everything else is kept as it is. The same
// replacements, in the same order, are what a database store applies in SQL (nested REPLACE,
// then LOWER) to the stored names, so that the engine's fold of a query and the database's fold
// of a name agree on SQLite and PostgreSQL alike.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocop/status.hpp"

namespace ocop {

// (UTF-8 text, its replacement), to apply in this order: precomposed letters first, then the
// combining marks (replaced by "").
const std::vector<std::pair<std::string, std::string>>& fold_replacements();

// `text` folded as above (lower-case ASCII for Vietnamese letters, no marks).
std::string fold_text(std::string_view text);

// The words of a search: `text` folded and split at white space (ASCII space, tab, newline).
// Bad input (2) when it is not UTF-8, longer than `max_bytes`, or has more than `max_words`.
Status search_words(const std::string& text, std::vector<std::string>& out, std::size_t max_bytes = 200,
                    std::size_t max_words = 8);

}  // namespace ocop
