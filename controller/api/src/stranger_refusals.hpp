#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "loa/log/rate_limiter.hpp"

namespace loa::api {

// Refusals of callers who proved nothing (no credential, a token nobody holds). The
// audit log is for what people do: a stranger's thousand tries must not bury it, fill
// the disk, or load the store the control loop shares. They are counted (for
// /metrics), logged once a minute per address with how many were held back, and
// summed into one audit entry a minute at most. Thread-safe.
class StrangerRefusals {
 public:
  // One summary entry for the audit log: how many refusals, from where, since when.
  struct Summary {
    std::uint64_t count = 0;
    std::string addresses;  // up to a few, comma-separated
  };
  // Counts a refusal. Logs it unless this address was logged within the minute. Returns
  // a summary to write to the audit log when one is due: the first refusal after a
  // quiet minute, then at most one a minute while they go on.
  [[nodiscard]] std::optional<Summary> record(const std::string& address, const std::string& what);
  [[nodiscard]] std::uint64_t total() const { return total_.load(); }

 private:
  static constexpr auto kSummaryEvery = std::chrono::seconds(60);
  static constexpr std::size_t kAddressesNamed = 5;

  std::atomic<std::uint64_t> total_{0};
  log::RateLimiter log_limit_{std::chrono::seconds(60)};
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_summary_;
  std::uint64_t since_summary_ = 0;
  std::set<std::string> addresses_;
};

}  // namespace loa::api
