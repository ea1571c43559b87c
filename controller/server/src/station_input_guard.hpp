#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "loa/time/token_bucket.hpp"
#include "loa/v1/link.pb.h"

namespace loa::server {

// Bounds on what one admitted station may send: the size of each field the controller
// stores or shows (so a station cannot fill the store or the console with one report),
// and how many reports a second (so a station whose agent misbehaves cannot load the
// store the whole district shares). Used from the control loop only.
class StationInputGuard {
 public:
  // A report's field that is too long, or "" when all fit. Such a report is counted,
  // acknowledged and dropped: sent again it would be refused again.
  [[nodiscard]] static std::string oversize(const loa::v1::Envelope& envelope);
  // The sequence number of a report (telemetry, alarm, playback, command result); 0 else.
  [[nodiscard]] static std::uint64_t report_seq(const loa::v1::Envelope& envelope);
  // Takes one report of `station`'s allowance: false when it has sent more than its
  // rate lately. Such a report is not acknowledged, so the agent sends it again later.
  [[nodiscard]] bool admit(const std::string& station, std::chrono::steady_clock::time_point now);

  static constexpr double kBurst = 500;       // reports at once (an outbox after an outage)
  static constexpr double kPerSecond = 100;   // then this many a second

 private:
  std::unordered_map<std::string, time::TokenBucket> buckets_;
};

}  // namespace loa::server
