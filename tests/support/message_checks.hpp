// What a rendered message must never show because one of its values was empty or missing
// (engine/ocop/notify.hpp, "Optional segments"): a placeholder left as it is, a doubled space
// inside a line, a space before punctuation or at a line's end, empty quotes or brackets, or a
// dangling "ở" (its level dropped: "ở ngày", "ở ." ...). Used by the unit tests of the templates
// and by the integration test that renders every message of a simulated year.
#pragma once

#include <string>
#include <vector>

namespace ocop::testing {

// The problems of `text` (a subject or a body), each with the line it is on; empty when good.
inline std::vector<std::string> message_text_problems(const std::string& text) {
  std::vector<std::string> out;
  auto report = [&](const std::string& what, const std::string& line) {
    out.push_back(what + " in line \"" + line + "\"");
  };
  auto is_punct = [](char c) { return c == '.' || c == ',' || c == ';' || c == ':' || c == ')'; };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (line.find_first_of("{}") != std::string::npos) report("a brace", line);
    const size_t first = line.find_first_not_of(' ');  // leading indentation is layout
    if (first != std::string::npos) {
      if (line.find("  ", first) != std::string::npos) report("a doubled space", line);
      if (line.back() == ' ' || line.back() == '\t') report("a space at the end", line);
    }
    for (size_t i = 0; i + 1 < line.size(); ++i)
      if (line[i] == ' ' && is_punct(line[i + 1])) report("a space before punctuation", line);
    if (line.find("\"\"") != std::string::npos) report("empty quotes", line);
    if (line.find("()") != std::string::npos || line.find("( ") != std::string::npos ||
        line.find("(,") != std::string::npos || line.find(",)") != std::string::npos)
      report("empty or broken brackets", line);
    // "ở" as a word must be followed by what it locates ("ở cấp tỉnh", "ở trạng thái"), not by
    // the end of the line, punctuation, or the words that follow a dropped level.
    const std::string o = "\xe1\xbb\x9f";  // ở
    for (size_t p = line.find(o); p != std::string::npos; p = line.find(o, p + 1)) {
      if (p > 0 && line[p - 1] != ' ' && line[p - 1] != '(' && line[p - 1] != '"') continue;  // in a word
      const std::string rest = line.substr(p + o.size());
      if (!rest.empty() && rest[0] != ' ' && !is_punct(rest[0])) continue;  // "ởi": in a word
      const bool dangling = rest.empty() || rest[0] != ' ' || rest.size() == 1 || rest[1] == ' ' ||
                            is_punct(rest[1]) || rest.rfind(" ngày", 0) == 0 || rest.rfind(" theo", 0) == 0 ||
                            rest.rfind(" để", 0) == 0;
      if (dangling) report("a dangling \"ở\"", line);
    }
    start = end + 1;
  }
  return out;
}

}  // namespace ocop::testing
