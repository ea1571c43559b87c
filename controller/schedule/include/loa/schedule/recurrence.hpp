#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace loa::schedule {

// A schedule the operator wrote that cannot be understood: the message says which part
// and why ("rrule: FREQ=WEEKL is not an RFC 5545 recurrence rule").
class ScheduleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// When a broadcast airs, as the operator wrote it: a local start in an IANA time zone,
// optionally repeated by an RFC 5545 RRULE, minus EXDATEs.
struct Timing {
  std::string start_local;               // "2026-11-24T06:00" or "2026-11-24 06:00:00"
  std::string time_zone = "Asia/Ho_Chi_Minh";
  std::string rrule;                     // e.g. "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"; empty = once
  std::vector<std::string> exdates;      // local date-times skipped, or whole dates ("2026-12-25")
};

// A time zone from the system's zoneinfo (through libical).
class TimeZone {
 public:
  // Throws ScheduleError for a name that is not an IANA zone.
  explicit TimeZone(const std::string& name);
  [[nodiscard]] const std::string& name() const { return name_; }
  // Seconds east of UTC at an instant.
  [[nodiscard]] int offset_at(std::int64_t utc_ms) const;
  // The instant of a local wall time, as RFC 5545 reads it: a time that happens twice
  // (clocks going back) is the first; one that never happens (clocks going forward) is
  // read with the offset from before the change, so it lands just after it.
  [[nodiscard]] std::int64_t to_utc_ms(int year, int month, int day, int hour, int minute, int second) const;
  // "2026-11-24T06:00:00+07:00"
  [[nodiscard]] std::string format(std::int64_t utc_ms) const;
  // Minutes since local midnight.
  [[nodiscard]] int minute_of_day(std::int64_t utc_ms) const;

 private:
  std::string name_;
  void* zone_;  // icaltimezone*, owned by libical's built-in zone table
};

// A Timing checked and ready to expand. Expansion is in the broadcast's own time zone,
// so "06:00 every weekday" stays 06:00 across daylight-saving changes.
class Recurrence {
 public:
  // Throws ScheduleError naming the bad part.
  explicit Recurrence(Timing timing);

  // Occurrence instants (ms since the epoch) in [from_ms, to_ms), earliest first, at most
  // `limit` of them.
  [[nodiscard]] std::vector<std::int64_t> between(std::int64_t from_ms, std::int64_t to_ms,
                                                  std::size_t limit = 100000) const;
  // The first `count` occurrences at or after `from_ms`.
  [[nodiscard]] std::vector<std::int64_t> next(std::int64_t from_ms, std::size_t count) const;
  [[nodiscard]] bool repeats() const { return !timing_.rrule.empty(); }
  // The first occurrence (the start, unless an EXDATE removes it).
  [[nodiscard]] std::int64_t first_ms() const { return first_ms_; }
  [[nodiscard]] const Timing& timing() const { return timing_; }
  [[nodiscard]] const TimeZone& zone() const { return zone_; }

 private:
  struct Local {
    int year, month, day, hour, minute, second;
    auto operator<=>(const Local&) const = default;
  };
  template <typename Stop>
  void expand(std::int64_t from_ms, Stop&& stop) const;

  Timing timing_;
  TimeZone zone_;
  Local start_{};
  std::vector<Local> excluded_times_;
  std::vector<Local> excluded_dates_;  // hour/minute/second unused
  std::int64_t first_ms_ = 0;
};

// Parses "2026-11-24T06:00[:00]" (or with a space): nullopt when malformed.
struct LocalDateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool has_time = false;
};
[[nodiscard]] std::optional<LocalDateTime> parse_local(const std::string& text);

// Parses an ISO 8601 instant with offset or Z ("2026-11-24T06:00:00+07:00"), or a local
// date-time read in `zone`.
[[nodiscard]] std::optional<std::int64_t> parse_instant(const std::string& text, const TimeZone& zone);

}  // namespace loa::schedule
