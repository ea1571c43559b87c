#include "loa/registry/enrollment_limits.hpp"

#include <algorithm>

namespace loa::registry {

void EnrollmentRateLimiter::refill(Bucket& b, double burst, double per_minute, std::chrono::steady_clock::time_point now) {
  if (b.tokens < 0) {  // new: starts full
    b.tokens = burst;
    b.at = now;
    return;
  }
  const double minutes = std::chrono::duration<double, std::ratio<60>>(now - b.at).count();
  b.tokens = std::min(burst, b.tokens + minutes * per_minute);
  b.at = now;
}

bool EnrollmentRateLimiter::take(const std::string& address, std::chrono::steady_clock::time_point now) {
  refill(global_, limits_.global_burst, limits_.global_per_minute, now);
  if (by_address_.size() >= kMaxAddresses && !by_address_.contains(address)) {
    for (auto it = by_address_.begin(); it != by_address_.end();) {
      refill(it->second, limits_.per_address_burst, limits_.per_address_per_minute, now);
      it = it->second.tokens >= limits_.per_address_burst ? by_address_.erase(it) : std::next(it);
    }
    if (by_address_.size() >= kMaxAddresses) return false;  // that many busy addresses: a flood
  }
  auto [it, added] = by_address_.try_emplace(address, Bucket{-1, {}});
  refill(it->second, limits_.per_address_burst, limits_.per_address_per_minute, now);
  if (it->second.tokens < 1 || global_.tokens < 1) return false;
  it->second.tokens -= 1;
  global_.tokens -= 1;
  return true;
}

}  // namespace loa::registry
