// Upstream feeds: whatever a feed serves, its parsers give entries or a clear error.
// The first byte picks the format (CAP index or bulletin feed); every entry given has
// what the poller relies on (a link or an id and a level), and every text can go out
// as JSON (nlohmann refuses to write text that is not UTF-8).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "loa/feeds/feed_formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string url = "https://feeds.example/dir/index";
  try {
    if (data[0] & 1) {
      for (const auto& e : loa::feeds::parse_cap_index(text, url)) {
        if (e.link.empty() || e.id.empty()) std::abort();
      }
    } else {
      const auto feed = loa::feeds::parse_bulletin_feed(text, url);
      for (const auto& b : feed.bulletins) {
        if (b.id.empty() || (b.level != "normal" && b.level != "priority" && b.level != "emergency")) std::abort();
        if (b.text.empty() && b.audio_url.empty()) std::abort();
      }
      for (const auto& why : feed.refused) {
        if (why.empty()) std::abort();
      }
    }
  } catch (const std::runtime_error&) {
    // A clear refusal of the whole document.
  } catch (const nlohmann::json::exception&) {
    // A text that is not UTF-8 inside a well-formed document: refused as the feed's.
  }
  return 0;
}
