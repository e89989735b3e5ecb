#include "ocop/limits.hpp"

#include <cstdio>
#include <vector>

#include "ocop/executor.hpp"

namespace ocop {

using nlohmann::json;

namespace {

// Bytes a scan must stop at; every other byte is skipped in a tight loop.
struct ByteSet {
  bool in[256] = {};
  constexpr ByteSet(std::initializer_list<unsigned char> bytes, bool controls = false) {
    for (unsigned char b : bytes) in[b] = true;
    if (controls)
      for (int b = 0; b < 0x20; ++b) in[b] = true;
  }
  bool operator[](char c) const { return in[static_cast<unsigned char>(c)]; }
};
constexpr ByteSet kStructure{'"', '[', ']', '{', '}'};  // outside a JSON string
constexpr ByteSet kStringEnd{'"', '\\'};                // inside one
constexpr ByteSet kSuspect({0x7f, 0xc2, 0xe2}, true);   // forbidden_character's candidates

}  // namespace

bool json_nesting_exceeds(std::string_view text, int max_depth) {
  int depth = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    while (p < end && !kStructure[*p]) ++p;
    if (p == end) break;
    const char c = *p++;
    if (c == '"') {  // skip the string, escapes included
      for (;;) {
        while (p < end && !kStringEnd[*p]) ++p;
        if (p == end) return false;
        if (*p++ == '"') break;
        if (p < end) ++p;  // the escaped character
      }
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (depth > 0) {
      --depth;
    }
  }
  return false;
}

Status check_json_nesting(std::string_view text, int max_depth, const std::string& what) {
  if (!json_nesting_exceeds(text, max_depth)) return Status::Ok();
  return Status::BadInput(what + " nests arrays or objects more than " + std::to_string(max_depth) +
                          " levels deep");
}

std::optional<std::string> forbidden_character(std::string_view s, bool free_text) {
  auto describe = [](unsigned cp, const char* kind, std::size_t at) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "U+%04X (%s) at byte %zu", cp, kind, at);
    return std::string(buf);
  };
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n; ++i) {
    while (i < n && !kSuspect[s[i]]) ++i;  // printable ASCII and most of UTF-8: nothing to check
    if (i == n) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) {
      if (free_text && (c == '\n' || c == '\t')) continue;
      return describe(c, "a control character", i);
    }
    if (c == 0x7f) return describe(c, "a control character", i);
    if (c == 0xc2 && i + 1 < n) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0x80 && d <= 0x9f) return describe(d, "a control character", i);
    }
    if (c == 0xe2 && i + 2 < n) {
      const auto d = static_cast<unsigned char>(s[i + 1]), e = static_cast<unsigned char>(s[i + 2]);
      if (d == 0x80 && (e == 0xa8 || e == 0xa9)) return describe(0x2000 + e - 0x80, "a line separator", i);
      if (d == 0x80 && e >= 0xaa && e <= 0xae)
        return describe(0x2000 + e - 0x80, "a bidirectional override", i);
      if (d == 0x81 && e >= 0xa6 && e <= 0xa9)
        return describe(0x2040 + e - 0x80, "a bidirectional isolate", i);
    }
  }
  return std::nullopt;
}

Status check_name(std::string_view s, const std::string& what) {
  auto bad = forbidden_character(s);
  if (!bad) return Status::Ok();
  return Status::BadInput(what + " contains " + *bad +
                          ": control, line-separator and bidirectional-override characters are refused");
}

namespace {

// A step of the path to a value in the data: a key or an index.
struct Step {
  std::string_view key;
  std::size_t index = 0;
  bool is_index = false;
};

std::string path_text(const std::vector<Step>& path) {
  std::string out = "data";
  for (const auto& s : path) {
    if (s.is_index)
      out += "[" + std::to_string(s.index) + "]";
    else
      out += "." + std::string(s.key);
  }
  return out;
}

// Walks the tree; the recursion is at most limits::kMaxDataDepth + 1 deep.
Status walk(const json& j, int level, std::vector<Step>& path, const std::string& event) {
  auto refuse_text = [&](std::string_view s, bool free_text, const std::string& where) -> Status {
    if (auto bad = forbidden_character(s, free_text))
      return Status::BadInput(event + ": " + where + " contains " + *bad +
                              (free_text ? ": only line feeds and tabs are allowed in free text"
                                         : ": control, line-separator and bidirectional-override "
                                           "characters are refused"));
    return Status::Ok();
  };
  if (j.is_string()) {
    // Free text: the top-level note and reason (the only fields people write sentences in).
    const bool free_text =
        path.size() == 1 && !path[0].is_index && (path[0].key == "note" || path[0].key == "reason");
    const auto& s = j.get_ref<const std::string&>();
    if (!forbidden_character(s, free_text)) return Status::Ok();
    return refuse_text(s, free_text, path_text(path));
  }
  if (!j.is_structured()) return Status::Ok();
  if (level > limits::kMaxDataDepth)
    return Status::BadInput(event + ": data nests arrays or objects more than " +
                            std::to_string(limits::kMaxDataDepth) + " levels deep");
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (forbidden_character(it.key())) {
        std::string where = path_text(path) + ": a key";
        return refuse_text(it.key(), false, where);
      }
      path.push_back({it.key(), 0, false});
      Status s = walk(*it, level + 1, path, event);
      path.pop_back();
      if (!s.ok()) return s;
    }
  } else {
    std::size_t i = 0;
    for (const auto& v : j) {
      path.push_back({{}, i++, true});
      Status s = walk(v, level + 1, path, event);
      path.pop_back();
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

}  // namespace

Status check_event_request(const EventRequest& req) {
  for (auto [value, what] : {std::pair<const std::string*, const char*>{&req.event, "the event's name"},
                             {&req.dossier, "the dossier (or certificate) id"},
                             {&req.actor, "the actor"},
                             {&req.key, "the idempotency key"}})
    if (Status s = check_name(*value, what); !s.ok()) return s;
  std::vector<Step> path;
  return walk(req.data, 1, path, req.event);
}

Status check_data_size(std::string_view event, std::size_t canonical_bytes) {
  if (canonical_bytes <= limits::kMaxDataBytes) return Status::Ok();
  return Status::BadInput(std::string(event) + ": data is " + std::to_string(canonical_bytes) +
                          " bytes as canonical JSON, over the limit of " +
                          std::to_string(limits::kMaxDataBytes) + " bytes");
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (n < 0 || end - p <= n) return n == 0;
    if (c == 0xC0 || c == 0xC1 || c > 0xF4) return false;
    for (int i = 1; i <= n; ++i)
      if ((p[i] & 0xC0) != 0x80) return false;
    p += n + 1;
  }
  return true;
}

}  // namespace ocop
