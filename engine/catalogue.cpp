#include "ocop/catalogue.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "ocop/verification.hpp"

namespace ocop {

namespace {

// One code point from UTF-8 at `i` (advanced); U+FFFD for a malformed byte.
char32_t next_code_point(const std::string& s, std::size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (n < 0 || i + n >= s.size() + (n ? 0 : 1)) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = n == 0 ? c : c & (0x3F >> n);
  for (int k = 1; k <= n; ++k) {
    const unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d >> 6) != 2) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  i += n + 1;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

const std::unordered_map<char32_t, char>& vietnamese_letters() {
  static const std::unordered_map<char32_t, char> table = [] {
    const std::pair<char, const char*> groups[] = {
        {'a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"}, {'e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"},
        {'i', "ìíỉĩịÌÍỈĨỊ"}, {'o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
        {'u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"}, {'y', "ỳýỷỹỵỲÝỶỸỴ"}, {'d', "đĐ"}};
    std::unordered_map<char32_t, char> t;
    for (const auto& [base, letters] : groups) {
      const std::string s = letters;
      for (std::size_t i = 0; i < s.size();) t[next_code_point(s, i)] = base;
    }
    return t;
  }();
  return table;
}

std::vector<std::string> words(const std::string& folded) {
  std::vector<std::string> out;
  std::string w;
  for (char c : folded) {
    if (c == ' ' || c == '\t' || c == ',' || c == '-') {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    } else {
      w += c;
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

}  // namespace

std::string fold_vietnamese(const std::string& text) {
  const auto& table = vietnamese_letters();
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = next_code_point(text, i);
    if (cp < 0x80) {
      out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
    } else if (cp >= 0x300 && cp <= 0x36F) {
      continue;  // a combining mark (decomposed input)
    } else if (auto it = table.find(cp); it != table.end()) {
      out += it->second;
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

PublicCertificate public_certificate_view(const Config& config, Store& store, const Certificate& c, Date day) {
  PublicCertificate p;
  p.code = store.verification_code_of(c.id);
  p.id = c.id;
  p.product = c.product;
  p.product_set = c.product_set;
  if (auto it = config.product_sets.find(c.product_set); it != config.product_sets.end())
    p.product_set_name = it->second.name;
  if (auto d = store.load_dossier(c.dossier)) p.producer = d->producer;
  p.unit = c.unit;
  if (const Unit* u = config.unit(c.unit)) p.unit_name = u->name;
  p.stars = c.stars;
  p.level = c.level;
  p.decision_no = c.decision_no;
  p.decision_date = c.decision_date;
  p.issued_on = c.issued_on;
  p.valid_until = c.valid_until;
  if (c.state == "revoked") {
    p.status = "revoked";
    p.revocation_ground = c.revocation_ground;
    if (auto it = config.revocation_grounds.find(c.revocation_ground); it != config.revocation_grounds.end())
      p.revocation_ground_name = it->second;
    p.revocation_decision_no = c.revocation_decision_no;
    p.revoked_on = c.revoked_on;
  } else if (c.state == "superseded") {
    p.status = "superseded";
    p.superseded_by = c.superseded_by;
    if (auto next = store.load_certificate(c.superseded_by)) {
      p.superseded_by_code = store.verification_code_of(next->id);
      p.superseded_by_level = next->level;
      p.superseded_by_stars = next->stars;
    }
  } else if (c.state == "expired" || c.valid_until <= day) {
    // Reaching valid_until ends it (the scheduler's `expire` fires that day): the public does
    // not wait for the scheduler.
    p.status = "expired";
  } else {
    p.days_left = c.valid_until.days - day.days;
    p.status = p.days_left <= kPublicExpiringDays ? "expiring" : "in_force";
  }
  return p;
}

Result<CataloguePage> Catalogue::products(const CatalogueQuery& q) {
  Result<CataloguePage> r;
  try {
    if (q.limit < 1 || q.limit > kCatalogueMaxPage) {
      r.status = Status::BadInput("limit must be 1 to " + std::to_string(kCatalogueMaxPage));
      return r;
    }
    if (q.stars != 0 && (q.stars < 1 || q.stars > 5)) {
      r.status = Status::BadInput("stars must be 1 to 5");
      return r;
    }
    if (q.year != 0 && (q.year < 2000 || q.year > 2200)) {
      r.status = Status::BadInput("year must be 2000 to 2200");
      return r;
    }
    if (!q.product_set.empty() && !config_.product_sets.empty() && !config_.product_sets.count(q.product_set)) {
      r.status = Status::BadInput("no product set \"" + q.product_set + "\"");
      return r;
    }
    std::set<std::string> sets_of_group;
    if (!q.group.empty()) {
      for (const auto& [code, set] : config_.product_sets)
        if (set.group == q.group) sets_of_group.insert(code);
      if (sets_of_group.empty()) {
        r.status = Status::BadInput("no product group \"" + q.group + "\"");
        return r;
      }
    }
    CertificateFilter f;
    f.states = {"active", "expiring"};
    f.valid_until_after = today_;
    f.stars = q.stars;
    if (!q.unit.empty()) {
      if (!config_.unit(q.unit)) {
        r.status = Status::BadInput("no unit \"" + q.unit + "\"");
        return r;
      }
      f.units = config_.units_under(q.unit, today_);
    }
    std::vector<Certificate> all = store_.certificates(f);
    std::sort(all.begin(), all.end(), [](const Certificate& a, const Certificate& b) { return a.id < b.id; });
    const std::vector<std::string> wanted = words(fold_vietnamese(q.q));
    for (const Certificate& c : all) {
      if (!q.after.empty() && !(c.id > q.after)) continue;
      if (!q.product_set.empty() && c.product_set != q.product_set) continue;
      if (!sets_of_group.empty() && !sets_of_group.count(c.product_set)) continue;
      if (q.year && year_of(c.decision_date) != q.year) continue;
      if (!wanted.empty()) {
        std::string hay = fold_vietnamese(c.product);
        bool all_found = std::all_of(wanted.begin(), wanted.end(),
                                     [&](const std::string& w) { return hay.find(w) != std::string::npos; });
        if (!all_found) {  // the producer's name too (read only when the product's does not match)
          if (auto d = store_.load_dossier(c.dossier)) hay += " " + fold_vietnamese(d->producer);
          all_found = std::all_of(wanted.begin(), wanted.end(),
                                  [&](const std::string& w) { return hay.find(w) != std::string::npos; });
        }
        if (!all_found) continue;
      }
      if (static_cast<int>(r.value.items.size()) == q.limit) {
        r.value.next = r.value.items.back().id;
        break;
      }
      r.value.items.push_back(public_certificate_view(config_, store_, c, today_));
    }
  } catch (const StoreError& e) {
    r.status = Status::Internal(std::string("database: ") + e.what());
  }
  return r;
}

Result<PublicProduct> Catalogue::product(const std::string& code) {
  Result<PublicProduct> r;
  try {
    const std::string normal = normalize_verification_code(code);
    auto seed = normal.empty() ? std::nullopt : store_.certificate_by_code(normal);
    auto dossier = seed ? store_.load_dossier(seed->dossier) : std::nullopt;
    if (!seed || !dossier) {
      r.status = Status::NotFound("no certificate has the verification code \"" + code + "\"");
      return r;
    }
    r.value.product = seed->product;
    r.value.producer = dossier->producer;
    DossierFilter df;
    df.product = seed->product;
    df.producer = dossier->producer;
    df.limit = 1000;
    std::vector<Certificate> certs;
    for (const Dossier& d : store_.list_dossiers(df)) {
      CertificateFilter cf;
      cf.dossier = d.id;
      for (Certificate& c : store_.certificates(cf)) certs.push_back(std::move(c));
    }
    std::sort(certs.begin(), certs.end(), [](const Certificate& a, const Certificate& b) {
      return a.issued_on != b.issued_on ? a.issued_on > b.issued_on : a.id > b.id;
    });
    for (const Certificate& c : certs) r.value.certificates.push_back(public_certificate_view(config_, store_, c, today_));
  } catch (const StoreError& e) {
    r.status = Status::Internal(std::string("database: ") + e.what());
  }
  return r;
}

}  // namespace ocop
