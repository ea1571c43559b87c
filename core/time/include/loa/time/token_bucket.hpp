#pragma once

#include <algorithm>
#include <chrono>

namespace loa::time {

// A token bucket: `burst` at once, then `per_second` more each second. Starts full.
// Not thread-safe; each caller keeps its own under its own lock.
class TokenBucket {
 public:
  // Takes a token if one is there at `now`.
  [[nodiscard]] bool take(double burst, double per_second, std::chrono::steady_clock::time_point now) {
    refill(burst, per_second, now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }
  // Tokens there at `now` (`burst` when full: a bucket that could be forgotten).
  [[nodiscard]] double available(double burst, double per_second, std::chrono::steady_clock::time_point now) {
    refill(burst, per_second, now);
    return tokens_;
  }

 private:
  void refill(double burst, double per_second, std::chrono::steady_clock::time_point now) {
    if (tokens_ < 0) {
      tokens_ = burst;
    } else {
      tokens_ = std::min(burst, tokens_ + std::chrono::duration<double>(now - at_).count() * per_second);
    }
    at_ = now;
  }
  double tokens_ = -1;  // < 0: not used yet (full)
  std::chrono::steady_clock::time_point at_{};
};

}  // namespace loa::time
