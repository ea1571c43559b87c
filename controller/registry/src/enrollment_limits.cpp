#include "loa/registry/enrollment_limits.hpp"

namespace loa::registry {

bool EnrollmentRateLimiter::take(const std::string& address, std::chrono::steady_clock::time_point now) {
  const double address_burst = limits_.per_address_burst;
  const double address_rate = limits_.per_address_per_minute / 60;
  const double global_burst = limits_.global_burst;
  const double global_rate = limits_.global_per_minute / 60;
  if (by_address_.size() >= kMaxAddresses && !by_address_.contains(address)) {
    for (auto it = by_address_.begin(); it != by_address_.end();) {
      it = it->second.available(address_burst, address_rate, now) >= address_burst ? by_address_.erase(it) : std::next(it);
    }
    if (by_address_.size() >= kMaxAddresses) return false;  // that many busy addresses: a flood
  }
  auto& mine = by_address_[address];
  // Both must have a token before either is spent.
  if (mine.available(address_burst, address_rate, now) < 1 || global_.available(global_burst, global_rate, now) < 1) {
    return false;
  }
  (void)mine.take(address_burst, address_rate, now);
  (void)global_.take(global_burst, global_rate, now);
  return true;
}

}  // namespace loa::registry
