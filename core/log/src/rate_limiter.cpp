#include "loa/log/rate_limiter.hpp"

namespace loa::log {

RateLimiter::RateLimiter(std::chrono::milliseconds interval, std::size_t max_keys)
    : interval_(interval), max_keys_(max_keys) {}

bool RateLimiter::allow(const std::string& key, std::chrono::steady_clock::time_point now,
                        std::uint64_t& suppressed) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_logged > interval_; });
    }
    if (entries_.size() >= max_keys_) {
      // Still full of keys that are all active: log nothing new rather than grow.
      suppressed = 0;
      return false;
    }
    entries_.emplace(key, Entry{now, 0});
    suppressed = 0;
    return true;
  }
  Entry& entry = it->second;
  if (now - entry.last_logged >= interval_) {
    suppressed = entry.suppressed;
    entry.suppressed = 0;
    entry.last_logged = now;
    return true;
  }
  ++entry.suppressed;
  return false;
}

}  // namespace loa::log
