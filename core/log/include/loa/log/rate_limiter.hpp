#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace loa::log {

// Lets one message per key through per interval, and counts the rest, so a peer that
// sends garbage a thousand times a second costs one log line per interval, not a
// thousand. Thread-safe. Keys that have been quiet for a while are forgotten, so a
// hostile client cycling through addresses cannot grow it without bound.
class RateLimiter {
 public:
  explicit RateLimiter(std::chrono::milliseconds interval, std::size_t max_keys = 4096);

  // Returns true when the caller should log now; `suppressed` then holds how many
  // messages for this key were held back since the last one that got through.
  [[nodiscard]] bool allow(const std::string& key, std::chrono::steady_clock::time_point now,
                           std::uint64_t& suppressed);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point last_logged;
    std::uint64_t suppressed = 0;
  };
  std::chrono::milliseconds interval_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace loa::log
