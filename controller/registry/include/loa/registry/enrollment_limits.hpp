#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "loa/time/token_bucket.hpp"

namespace loa::registry {

// How many unknown stations may ask to be enrolled, and how fast: a flood of fresh keys
// from the open network must not fill the operator's pending list, nor keep a real new
// station out of it.
struct EnrollmentLimits {
  std::size_t max_pending = 200;                       // pending stations kept at once
  std::chrono::hours pending_ttl{24 * 7};              // a pending station nobody approved is forgotten
  double per_address_burst = 5;                        // new pending stations from one address at once ...
  double per_address_per_minute = 1;                   // ... then this many a minute
  double global_burst = 50;                            // from everywhere at once ...
  double global_per_minute = 20;                       // ... then this many a minute
};

// Token buckets for new pending stations, per source address and for all addresses.
// Not thread-safe: the registry calls it under its lock.
class EnrollmentRateLimiter {
 public:
  explicit EnrollmentRateLimiter(const EnrollmentLimits& limits) : limits_(limits) {}
  // Takes a token for a new pending station from `address`; false when either its own
  // bucket or the global one is empty (nothing taken then).
  [[nodiscard]] bool take(const std::string& address, std::chrono::steady_clock::time_point now);

 private:
  // The per-address map is bounded: once it holds this many, full buckets (addresses
  // quiet long enough to have refilled) are dropped; they would start full anyway.
  static constexpr std::size_t kMaxAddresses = 4096;

  EnrollmentLimits limits_;
  time::TokenBucket global_;
  std::unordered_map<std::string, time::TokenBucket> by_address_;
};

}  // namespace loa::registry
