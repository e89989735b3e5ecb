// Bounds on what an event may carry, checked at the door by every front end (docs/design.md,
// "Hostile input").
//
// Event data is refused (Code::bad_input, nothing written) when
//   - it nests arrays or objects more than kMaxDataDepth levels deep (the data object itself is
//     level 1; real data needs 3: data → documents → a document),
//   - its canonical text (nlohmann dump: sorted keys, compact) is longer than kMaxDataBytes,
//   - any string in it, a key or a value, holds a character that could drive a terminal or hide
//     text: C0 controls, DEL, C1 controls, U+2028/U+2029, and the bidirectional embeddings,
//     overrides and isolates (U+202A–U+202E, U+2066–U+2069). The free-text fields `note` and
//     `reason` may hold line feeds and tabs; nothing else may.
// The request's own names (event, dossier or certificate id, actor, idempotency key) follow the
// same character rule, without exception. An event file's line (spec §9) is at most
// kMaxLineBytes long; a reader must not buffer more than that to find out.
//
// Depth is checked on the text before a JSON tree is built (check_json_nesting: the tree
// functions of nlohmann::json recurse, and a tree 100,000 deep overflows the stack), and again
// on a tree that a front end built itself (check_event_request).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ocop/status.hpp"

namespace ocop {

struct EventRequest;

namespace limits {

inline constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;   // 1 MiB
inline constexpr std::size_t kMaxDataBytes = std::size_t{64} << 10;  // 64 KiB of canonical text
inline constexpr int kMaxDataDepth = 16;

}  // namespace limits

// Whether `text` (JSON, possibly invalid) nests arrays and objects more than `max_depth`
// levels deep; strings are skipped, so brackets inside them do not count. O(n), no allocation.
bool json_nesting_exceeds(std::string_view text, int max_depth);

// Bad input "WHAT nests arrays or objects more than N levels deep" when it does.
Status check_json_nesting(std::string_view text, int max_depth, const std::string& what);

// The first character of `s` that the character rule above refuses, described for a message
// ("U+001B (a control character) at byte 3"); nullopt when there is none. `free_text` allows
// LF and TAB. Bytes that are not valid UTF-8 are not this function's business (skipped).
std::optional<std::string> forbidden_character(std::string_view s, bool free_text = false);

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates' lead bytes C0/C1, nothing
// above U+10FFFF). PostgreSQL refuses any other text as a parameter.
bool valid_utf8(std::string_view s);

// Bad input "WHAT contains U+001B (a control character) at byte 3; ..." when `s` holds one.
Status check_name(std::string_view s, const std::string& what);

// The request's names and its data's depth and strings (not its size: see check_data_size).
// Bounded work and recursion whatever the tree holds.
Status check_event_request(const EventRequest& req);

// Bad input when the data's canonical text is longer than kMaxDataBytes.
Status check_data_size(std::string_view event, std::size_t canonical_bytes);

}  // namespace ocop
