#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loa::feeds {

// The entries of a CAP index feed, Atom or RSS 2.0 (as google/cap-library's index
// feeds are): for each entry, the link to its CAP message, made absolute against the
// feed's own URL, and its id (Atom <id>, RSS <guid>, else the link). Throws
// std::runtime_error naming line and reason for a document that is not such a feed.
struct FeedEntry {
  std::string id;
  std::string link;
};
[[nodiscard]] std::vector<FeedEntry> parse_cap_index(const std::string& xml, const std::string& feed_url);

// One bulletin of a plain bulletin feed (docs/bulletin-feed.md).
struct FeedBulletin {
  std::string id;
  std::string level;  // normal, priority, emergency
  std::string title;
  std::string text;
  std::string audio_url;  // absolute
  std::string language;
  std::int64_t valid_from_ms = 0;
  std::int64_t valid_until_ms = 0;
  std::vector<std::string> areas;  // zone ids, CAP geocodes "name=value", or area names
};
struct BulletinFeed {
  std::vector<FeedBulletin> bulletins;
  // Entries left out, each with why ("id x: level must be ...").
  std::vector<std::string> refused;
};
// Throws std::runtime_error when the document is not a bulletin feed at all; a bad
// entry is refused on its own and the rest are taken.
[[nodiscard]] BulletinFeed parse_bulletin_feed(const std::string& json_text, const std::string& feed_url);

// `link` made absolute against `base` ("/x", "x", or already absolute).
[[nodiscard]] std::string resolve_url(const std::string& base, const std::string& link);

}  // namespace loa::feeds
