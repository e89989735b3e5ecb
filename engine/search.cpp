#include "ocop/search.hpp"

#include "ocop/limits.hpp"

namespace ocop {

const std::vector<std::pair<std::string, std::string>>& fold_replacements() {
  // The file is UTF-8: each letter as it is written; the combining marks as escapes.
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"à", "a"}, {"á", "a"}, {"ả", "a"}, {"ã", "a"}, {"ạ", "a"}, {"ă", "a"},
      {"ằ", "a"}, {"ắ", "a"}, {"ẳ", "a"}, {"ẵ", "a"}, {"ặ", "a"}, {"â", "a"},
      {"ầ", "a"}, {"ấ", "a"}, {"ẩ", "a"}, {"ẫ", "a"}, {"ậ", "a"}, {"è", "e"},
      {"é", "e"}, {"ẻ", "e"}, {"ẽ", "e"}, {"ẹ", "e"}, {"ê", "e"}, {"ề", "e"},
      {"ế", "e"}, {"ể", "e"}, {"ễ", "e"}, {"ệ", "e"}, {"ì", "i"}, {"í", "i"},
      {"ỉ", "i"}, {"ĩ", "i"}, {"ị", "i"}, {"ò", "o"}, {"ó", "o"}, {"ỏ", "o"},
      {"õ", "o"}, {"ọ", "o"}, {"ô", "o"}, {"ồ", "o"}, {"ố", "o"}, {"ổ", "o"},
      {"ỗ", "o"}, {"ộ", "o"}, {"ơ", "o"}, {"ờ", "o"}, {"ớ", "o"}, {"ở", "o"},
      {"ỡ", "o"}, {"ợ", "o"}, {"ù", "u"}, {"ú", "u"}, {"ủ", "u"}, {"ũ", "u"},
      {"ụ", "u"}, {"ư", "u"}, {"ừ", "u"}, {"ứ", "u"}, {"ử", "u"}, {"ữ", "u"},
      {"ự", "u"}, {"ỳ", "y"}, {"ý", "y"}, {"ỷ", "y"}, {"ỹ", "y"}, {"ỵ", "y"},
      {"đ", "d"}, {"À", "a"}, {"Á", "a"}, {"Ả", "a"}, {"Ã", "a"}, {"Ạ", "a"},
      {"Ă", "a"}, {"Ằ", "a"}, {"Ắ", "a"}, {"Ẳ", "a"}, {"Ẵ", "a"}, {"Ặ", "a"},
      {"Â", "a"}, {"Ầ", "a"}, {"Ấ", "a"}, {"Ẩ", "a"}, {"Ẫ", "a"}, {"Ậ", "a"},
      {"È", "e"}, {"É", "e"}, {"Ẻ", "e"}, {"Ẽ", "e"}, {"Ẹ", "e"}, {"Ê", "e"},
      {"Ề", "e"}, {"Ế", "e"}, {"Ể", "e"}, {"Ễ", "e"}, {"Ệ", "e"}, {"Ì", "i"},
      {"Í", "i"}, {"Ỉ", "i"}, {"Ĩ", "i"}, {"Ị", "i"}, {"Ò", "o"}, {"Ó", "o"},
      {"Ỏ", "o"}, {"Õ", "o"}, {"Ọ", "o"}, {"Ô", "o"}, {"Ồ", "o"}, {"Ố", "o"},
      {"Ổ", "o"}, {"Ỗ", "o"}, {"Ộ", "o"}, {"Ơ", "o"}, {"Ờ", "o"}, {"Ớ", "o"},
      {"Ở", "o"}, {"Ỡ", "o"}, {"Ợ", "o"}, {"Ù", "u"}, {"Ú", "u"}, {"Ủ", "u"},
      {"Ũ", "u"}, {"Ụ", "u"}, {"Ư", "u"}, {"Ừ", "u"}, {"Ứ", "u"}, {"Ử", "u"},
      {"Ữ", "u"}, {"Ự", "u"}, {"Ỳ", "y"}, {"Ý", "y"}, {"Ỷ", "y"}, {"Ỹ", "y"},
      {"Ỵ", "y"}, {"Đ", "d"}, {"\xcc\x80", ""}, {"\xcc\x81", ""}, {"\xcc\x82", ""}, {"\xcc\x83", ""},
      {"\xcc\x86", ""}, {"\xcc\x89", ""}, {"\xcc\x9b", ""}, {"\xcc\xa3", ""},
  };
  return table;
}

std::string fold_text(std::string_view text) {
  std::string s(text);
  for (const auto& [from, to] : fold_replacements()) {
    if (s.find(from) == std::string::npos) continue;
    std::string out;
    out.reserve(s.size());
    for (std::size_t at = 0;;) {
      const std::size_t hit = s.find(from, at);
      if (hit == std::string::npos) {
        out.append(s, at, std::string::npos);
        break;
      }
      out.append(s, at, hit - at).append(to);
      at = hit + from.size();
    }
    s = std::move(out);
  }
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

Status search_words(const std::string& text, std::vector<std::string>& out, std::size_t max_bytes,
                    std::size_t max_words) {
  out.clear();
  if (text.size() > max_bytes)
    return Status::BadInput("the search text is longer than " + std::to_string(max_bytes) + " bytes");
  if (!valid_utf8(text)) return Status::BadInput("the search text is not valid UTF-8");
  const std::string folded = fold_text(text);
  std::string word;
  for (std::size_t i = 0; i <= folded.size(); ++i) {
    const char c = i < folded.size() ? folded[i] : ' ';
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (out.size() > max_words)
    return Status::BadInput("the search text has " + std::to_string(out.size()) + " words; at most " +
                            std::to_string(max_words) + " are searched");
  return Status::Ok();
}

}  // namespace ocop
