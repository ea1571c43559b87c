#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace loa::time {

using Millis = std::chrono::milliseconds;

// Milliseconds since the Unix epoch on the wall clock. This is what goes on the wire
// and into stores: a figure both ends and a person can read.
[[nodiscard]] std::int64_t wall_ms();

// Seconds since the epoch of a civil date and time read as UTC (month 1-12). Fields out
// of range carry over, as timegm does.
[[nodiscard]] std::int64_t epoch_seconds(int year, int month, int day, int hour, int minute, int second);

// The time base components take, so tests can drive time by hand instead of sleeping.
// `steady()` is for intervals and timeouts (never jumps); `wall_ms()` for records.
class IClock {
 public:
  virtual ~IClock() = default;
  [[nodiscard]] virtual std::chrono::steady_clock::time_point steady() const = 0;
  [[nodiscard]] virtual std::int64_t wall_ms() const = 0;
};

class SystemClock final : public IClock {
 public:
  [[nodiscard]] std::chrono::steady_clock::time_point steady() const override;
  [[nodiscard]] std::int64_t wall_ms() const override;
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public IClock {
 public:
  explicit ManualClock(std::int64_t start_wall_ms = 1'700'000'000'000);
  [[nodiscard]] std::chrono::steady_clock::time_point steady() const override;
  [[nodiscard]] std::int64_t wall_ms() const override;
  void advance(Millis by);

 private:
  std::atomic<std::int64_t> elapsed_ms_{0};
  std::int64_t start_wall_ms_;
};

}  // namespace loa::time
