#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "loa/playout/clock_quality.hpp"
#include "loa/v1/telemetry.pb.h"

namespace loa::agent {

// Says how well the station follows the controller's clock: a telemetry reading of the
// "clock" device every `interval`, a log line when the lock is gained or lost, and, for
// a play's as-run, whether the lock held all through it.
class ClockReporter {
 public:
  explicit ClockReporter(std::chrono::milliseconds interval = std::chrono::milliseconds(10000))
      : interval_(interval) {}

  // Takes the latest quality (each loop); a reading to queue when one is due.
  [[nodiscard]] std::optional<loa::v1::Telemetry> update(const playout::ClockQuality& q, std::int64_t wall_ms,
                                                         std::chrono::steady_clock::time_point now);
  // Locked all through [from_ms, now]; nullopt when not following the controller's clock.
  [[nodiscard]] std::optional<bool> locked_since(std::int64_t from_ms) const;
  [[nodiscard]] const playout::ClockQuality& last() const { return last_; }

 private:
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_report_{};
  playout::ClockQuality last_;
  std::int64_t last_unlocked_ms_ = 0;  // the last instant seen unlocked (wall ms)
  bool ever_updated_ = false;
};

}  // namespace loa::agent
