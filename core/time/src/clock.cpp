#include "loa/time/clock.hpp"

#include <ctime>

namespace loa::time {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t epoch_seconds(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::chrono::steady_clock::time_point SystemClock::steady() const {
  return std::chrono::steady_clock::now();
}

std::int64_t SystemClock::wall_ms() const { return time::wall_ms(); }

ManualClock::ManualClock(std::int64_t start_wall_ms) : start_wall_ms_(start_wall_ms) {}

std::chrono::steady_clock::time_point ManualClock::steady() const {
  return std::chrono::steady_clock::time_point{} + Millis(elapsed_ms_.load());
}

std::int64_t ManualClock::wall_ms() const { return start_wall_ms_ + elapsed_ms_.load(); }

void ManualClock::advance(Millis by) { elapsed_ms_ += by.count(); }

}  // namespace loa::time
