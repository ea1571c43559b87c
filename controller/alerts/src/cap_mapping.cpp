#include "loa/alerts/cap_mapping.hpp"

#include <glib.h>

#include <algorithm>
#include <memory>

#include "desk_support.hpp"
#include "loa/alerts/alert_desk.hpp"

namespace loa::alerts {

using namespace desk;
using nlohmann::json;

namespace {

// The <info> block in the first preferred language the message has, else its first.
const CapInfo& preferred_info(const CapMessage& m, const std::vector<std::string>& languages) {
  for (const auto& lang : languages) {
    auto it = std::find_if(m.infos.begin(), m.infos.end(), [&](const CapInfo& i) { return voice_of(i.language) == lang; });
    if (it != m.infos.end()) return *it;
  }
  return m.infos.front();
}

// Headline, description and instruction as sentences, or the event's name alone.
std::string text_to_read(const CapInfo& info) {
  std::string text;
  for (const auto* part : {&info.headline, &info.description, &info.instruction}) {
    if (part->empty()) continue;
    text += (text.empty() ? "" : " ") + *part;
    if (text.back() != '.' && text.back() != '!' && text.back() != '?') text += '.';
  }
  return text.empty() ? info.event : text;
}

// A name as compared: Unicode-normalised and case-folded, so "Thôn Đông" written in
// NFD by one system matches "thôn đông" written in NFC by an operator.
std::string folded(const std::string& name) {
  const std::unique_ptr<gchar, decltype(&g_free)> normal(g_utf8_normalize(name.c_str(), -1, G_NORMALIZE_DEFAULT),
                                                        &g_free);
  if (!normal) return lower(name);  // not UTF-8: compare as bytes
  const std::unique_ptr<gchar, decltype(&g_free)> fold(g_utf8_casefold(normal.get(), -1), &g_free);
  return fold.get();
}

bool zone_covers(const store::ZoneRecord& zone, const std::vector<CapArea>& areas) {
  for (const auto& area : areas) {
    for (const auto& want : zone.cap_areas) {
      if (want.find('=') != std::string::npos) {
        for (const auto& [name, value] : area.geocodes) {
          if (want == name + "=" + value) return true;
        }
      } else if (folded(want) == folded(area.description)) {
        return true;
      }
    }
  }
  return false;
}

std::string describe(const std::vector<CapArea>& areas) {
  std::string out;
  for (const auto& area : areas) {
    out += (out.empty() ? "" : "; ") + area.description;
    for (const auto& [name, value] : area.geocodes) out += " " + name + "=" + value;
  }
  return out.empty() ? "none given" : out;
}

}  // namespace

std::vector<std::string> zones_covering(const std::vector<CapArea>& areas, const std::vector<store::ZoneRecord>& zones) {
  std::vector<std::string> out;
  for (const auto& zone : zones) {
    if (zone_covers(zone, areas)) out.push_back(zone.id);
  }
  return out;
}

std::string severity_of(const CapInfo& info) {
  // CAP's severity, except that what is past or unlikely is minor, and an unknown
  // severity is moderate when it is immediate and observed or likely, else minor.
  if (info.urgency == "Past" || info.certainty == "Unlikely") return "minor";
  if (info.severity == "Unknown" || info.severity.empty()) {
    const bool sure = info.certainty == "Observed" || info.certainty == "Likely";
    return info.urgency == "Immediate" && sure ? "moderate" : "minor";
  }
  return lower(info.severity);
}

json alert_definition_of(const CapMessage& m, const std::string& status, const std::vector<std::string>& languages,
                         const std::vector<store::ZoneRecord>& zones, std::int64_t now_ms) {
  const CapInfo& info = preferred_info(m, languages);
  json body;
  body["status"] = status;
  body["severity"] = severity_of(info);
  body["headline"] = info.headline;
  body["language"] = voice_of(info.language);
  body["tts"] = text_to_read(info);
  json to = json::array();
  for (const auto& id : zones_covering(info.areas, zones)) to.push_back("zone:" + id);
  if (to.empty()) {
    throw AlertError(AlertProblem::no_area,
                     "no zone is configured for the CAP area(s): " + describe(info.areas) + " (set a zone's cap_areas)");
  }
  body["to"] = to;
  if (!info.expires.empty()) {
    const auto at = parse_cap_time(info.expires);
    if (!at || *at <= now_ms) throw AlertError(AlertProblem::expiry_passed, "the CAP alert expired at " + info.expires);
    body["expires_at_ms"] = *at;
  }
  body["cap"] = {{"identifier", m.identifier}, {"sender", m.sender},         {"sent", m.sent},
                 {"msg_type", m.msg_type},     {"event", info.event},         {"urgency", info.urgency},
                 {"severity", info.severity},  {"certainty", info.certainty}, {"status", m.status}};
  return body;
}

}  // namespace loa::alerts
