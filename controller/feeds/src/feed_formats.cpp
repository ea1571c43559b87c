#include "loa/feeds/feed_formats.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "loa/schedule/recurrence.hpp"

namespace loa::feeds {
namespace {

using Doc = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

std::string name_of(const xmlNode* n) { return n && n->name ? reinterpret_cast<const char*>(n->name) : ""; }

std::string text_of(const xmlNode* n) {
  std::unique_ptr<xmlChar, decltype(xmlFree)> content(xmlNodeGetContent(n), xmlFree);
  std::string out = content ? reinterpret_cast<const char*>(content.get()) : "";
  const auto first = out.find_first_not_of(" \t\r\n");
  const auto last = out.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? "" : out.substr(first, last - first + 1);
}

std::string attribute(const xmlNode* n, const char* name) {
  std::unique_ptr<xmlChar, decltype(xmlFree)> value(xmlGetProp(n, reinterpret_cast<const xmlChar*>(name)), xmlFree);
  return value ? reinterpret_cast<const char*>(value.get()) : "";
}

const xmlNode* child(const xmlNode* parent, const char* name) {
  for (auto* c = parent->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && name_of(c) == name) return c;
  }
  return nullptr;
}

// Atom: <entry><id/><link href rel? type?/></entry>. The CAP message is the link whose
// type says CAP, or rel="alternate", or the only one.
FeedEntry atom_entry(const xmlNode* entry) {
  FeedEntry e;
  if (const auto* id = child(entry, "id")) e.id = text_of(id);
  std::string any;
  for (auto* c = entry->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || name_of(c) != "link") continue;
    const auto href = attribute(c, "href");
    const auto type = attribute(c, "type");
    const auto rel = attribute(c, "rel");
    if (type.find("cap") != std::string::npos) e.link = href;
    if (e.link.empty() && (rel.empty() || rel == "alternate")) any = href;
  }
  if (e.link.empty()) e.link = any;
  return e;
}

FeedEntry rss_item(const xmlNode* item) {
  FeedEntry e;
  if (const auto* link = child(item, "link")) e.link = text_of(link);
  if (const auto* guid = child(item, "guid")) e.id = text_of(guid);
  return e;
}

}  // namespace

std::string resolve_url(const std::string& base, const std::string& link) {
  if (link.find("://") != std::string::npos) return link;
  const auto scheme = base.find("://");
  if (scheme == std::string::npos) return link;
  if (!link.empty() && link[0] == '/') {
    const auto path = base.find('/', scheme + 3);
    return base.substr(0, path) + link;
  }
  const auto last = base.rfind('/');
  return (last > scheme + 2 ? base.substr(0, last + 1) : base + "/") + link;
}

std::vector<FeedEntry> parse_cap_index(const std::string& xml, const std::string& feed_url) {
  // No network, no DTD, no entity expansion: a feed is data, never instructions.
  Doc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), feed_url.c_str(), nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
          &xmlFreeDoc);
  if (!doc) {
    const auto* error = xmlGetLastError();
    throw std::runtime_error("not XML" + (error ? ": line " + std::to_string(error->line) + ": " +
                                                      std::string(error->message ? error->message : "")
                                                : std::string()));
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::vector<FeedEntry> out;
  std::set<std::string> seen;
  auto take = [&](FeedEntry e) {
    if (e.link.empty()) return;
    e.link = resolve_url(feed_url, e.link);
    if (e.id.empty()) e.id = e.link;
    if (seen.insert(e.id).second) out.push_back(std::move(e));
  };
  if (name_of(root) == "feed") {
    for (auto* c = root->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE && name_of(c) == "entry") take(atom_entry(c));
    }
  } else if (name_of(root) == "rss") {
    const auto* channel = child(root, "channel");
    if (!channel) throw std::runtime_error("line " + std::to_string(root->line) + ": an RSS feed without <channel>");
    for (auto* c = channel->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE && name_of(c) == "item") take(rss_item(c));
    }
  } else {
    throw std::runtime_error("line " + std::to_string(root ? root->line : 0) + ": <" + name_of(root) +
                             "> is neither an Atom <feed> nor an RSS <rss>");
  }
  return out;
}

BulletinFeed parse_bulletin_feed(const std::string& json_text, const std::string& feed_url) {
  using json = nlohmann::json;
  const auto doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("bulletins") || !doc["bulletins"].is_array()) {
    throw std::runtime_error("not a bulletin feed: a JSON object with a \"bulletins\" list");
  }
  static const std::set<std::string> kLevels{"normal", "priority", "emergency"};
  BulletinFeed feed;
  for (const auto& b : doc["bulletins"]) {
    auto str = [&](const char* key) { return b.contains(key) && b[key].is_string() ? b[key].get<std::string>() : ""; };
    FeedBulletin out;
    out.id = str("id");
    const std::string name = "bulletin " + (out.id.empty() ? std::string("(no id)") : out.id);
    if (!b.is_object() || out.id.empty() || out.id.size() > 128) {
      feed.refused.push_back(name + ": an id (at most 128 characters) is required");
      continue;
    }
    out.level = str("level");
    if (!kLevels.count(out.level)) {
      feed.refused.push_back(name + ": level must be normal, priority or emergency");
      continue;
    }
    out.title = str("title");
    out.text = str("text");
    out.audio_url = str("audio_url");
    if (!out.audio_url.empty()) out.audio_url = resolve_url(feed_url, out.audio_url);
    if (out.text.empty() && out.audio_url.empty()) {
      feed.refused.push_back(name + ": text or audio_url is required");
      continue;
    }
    out.language = str("language");
    // Instants with their offset; one without is read as UTC.
    static const schedule::TimeZone utc("UTC");
    const auto from = str("valid_from"), until = str("valid_until");
    const auto from_ms = from.empty() ? std::optional<std::int64_t>(0) : schedule::parse_instant(from, utc);
    const auto until_ms = schedule::parse_instant(until, utc);
    if (!from_ms || !until_ms) {
      feed.refused.push_back(name + ": valid_until (and valid_from, if given) must be ISO 8601 instants");
      continue;
    }
    out.valid_from_ms = *from_ms;
    out.valid_until_ms = *until_ms;
    if (b.contains("area") && b["area"].is_array()) {
      for (const auto& a : b["area"]) {
        if (a.is_string()) out.areas.push_back(a.get<std::string>());
      }
    }
    feed.bulletins.push_back(std::move(out));
  }
  return feed;
}

}  // namespace loa::feeds
