#include "views/feed_views.hpp"

#include <nlohmann/json.hpp>

#include "views/json_views.hpp"
#include "views/markup.hpp"

namespace ocop::views {
namespace {

using nlohmann::json;

std::string xml_escape(const std::string& s) { return escape_markup(s); }

std::string entry_id(const Config& config, std::int64_t seq) {
  return "urn:ocop:" + config.province.code + ":audit:" + std::to_string(seq);
}

std::string title(const CertificateFeedEntry& e) {
  const Certificate& c = e.certificate;
  const std::string what = e.event == "recognize" ? "Công nhận" : e.event == "revoke" ? "Thu hồi" : "Hết hiệu lực";
  return what + " sản phẩm OCOP " + std::to_string(c.stars) + " sao: " + c.product;
}

std::string summary(const CertificateFeedEntry& e, const Config& config) {
  const Certificate& c = e.certificate;
  const Unit* u = config.unit(c.unit);
  std::string s = "Sản phẩm: " + c.product + "\nChủ thể: " + e.producer + "\nĐơn vị: " + (u ? u->name : c.unit) +
                  "\nHạng: " + std::to_string(c.stars) + " sao\nQuyết định số: " + c.decision_no +
                  "\nHiệu lực: " + format_date(c.issued_on) + " đến " + format_date(c.valid_until) +
                  "\nGiấy chứng nhận: " + c.id;
  if (e.event == "revoke" && !c.revocation_ground.empty()) {
    auto g = config.revocation_grounds.find(c.revocation_ground);
    s += "\nLý do thu hồi: " + (g == config.revocation_grounds.end() ? c.revocation_ground : g->second) +
         " (quyết định số " + c.revocation_decision_no + ")";
  }
  return s;
}

std::string feed_title(const Config& config) {
  return "Sản phẩm OCOP tỉnh " + config.province.name + ": công nhận, thu hồi, hết hiệu lực";
}

std::string with_before(const std::string& self, std::int64_t before, int limit) {
  return self + "?before=" + std::to_string(before) + "&limit=" + std::to_string(limit);
}

}  // namespace

std::string certificate_feed_atom(const CertificateFeed& feed, const Config& config, const std::string& self,
                                  int limit) {
  const int offset = config.province.utc_offset_minutes;
  std::string x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n";
  x += "  <id>urn:ocop:" + xml_escape(config.province.code) + ":certificates</id>\n";
  x += "  <title>" + xml_escape(feed_title(config)) + "</title>\n";
  // The feed changed when its newest entry was recorded (an empty feed: the epoch).
  x += "  <updated>" + format_instant(feed.entries.empty() ? Instant{} : feed.entries.front().at, offset) +
       "</updated>\n";
  x += "  <author><name>" + xml_escape("Văn phòng Điều phối Chương trình OCOP tỉnh " + config.province.name) +
       "</name></author>\n";
  x += "  <link rel=\"self\" href=\"" + xml_escape(self) + "\"/>\n";
  if (feed.older) x += "  <link rel=\"next\" href=\"" + xml_escape(with_before(self, feed.older, limit)) + "\"/>\n";
  for (const CertificateFeedEntry& e : feed.entries) {
    x += "  <entry>\n";
    x += "    <id>" + xml_escape(entry_id(config, e.seq)) + "</id>\n";
    x += "    <title>" + xml_escape(title(e)) + "</title>\n";
    x += "    <updated>" + format_instant(e.at, offset) + "</updated>\n";
    x += "    <category term=\"" + xml_escape(e.event) + "\"/>\n";
    x += "    <summary type=\"text\">" + xml_escape(summary(e, config)) + "</summary>\n";
    x += "  </entry>\n";
  }
  x += "</feed>\n";
  return x;
}

std::string certificate_feed_json(const CertificateFeed& feed, const Config& config, const std::string& self,
                                  int limit) {
  const int offset = config.province.utc_offset_minutes;
  json items = json::array();
  for (const CertificateFeedEntry& e : feed.entries) {
    json ocop = certificate_json(e.certificate, &config);
    items.push_back({{"id", entry_id(config, e.seq)},
                     {"title", title(e)},
                     {"content_text", summary(e, config)},
                     {"date_published", format_instant(e.at, offset)},
                     {"tags", json::array({e.event})},
                     {"_ocop",
                      {{"event", e.event},
                       {"seq", e.seq},
                       {"hash", e.hash},
                       {"producer", e.producer},
                       {"certificate", ocop}}}});
  }
  json j = {{"version", "https://jsonfeed.org/version/1.1"},
            {"title", feed_title(config)},
            {"language", "vi"},
            {"feed_url", self},
            {"items", items}};
  if (feed.older) j["next_url"] = with_before(self, feed.older, limit);
  return dump(j, -1) + "\n";
}

}  // namespace ocop::views
