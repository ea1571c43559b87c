#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loa/fleet/fleet.hpp"
#include "loa/schedule/recurrence.hpp"
#include "loa/store/clip_store.hpp"
#include "loa/store/schedule_store.hpp"
#include "loa/store/station_store.hpp"
#include "loa/v1/command.pb.h"

namespace loa::schedule {

struct PlannerSettings {
  std::chrono::hours conflict_window{24 * 31};  // how far ahead occurrences are compared
  std::string local_zone = "Asia/Ho_Chi_Minh";  // the zone quiet hours are written in
};

// An occurrence of another broadcast that would overlap the candidate on air.
struct Conflict {
  std::string broadcast_id;
  std::string title;
  std::string priority;
  std::vector<std::string> stations;  // shared by both
  std::int64_t at_ms = 0;             // candidate's occurrence
  std::int64_t other_at_ms = 0;       // the other broadcast's occurrence
  std::int64_t other_end_ms = 0;
};

// A non-emergency occurrence inside a zone's quiet hours.
struct QuietHoursHit {
  std::string zone_id;
  std::string quiet_hours;
  std::int64_t at_ms = 0;
};

struct CheckReport {
  std::vector<Conflict> conflicts;
  std::size_t conflicts_total = 0;  // conflicts beyond the listed ones are counted only
  std::vector<QuietHoursHit> quiet_hours;
  std::vector<std::string> stations;  // the candidate's stations
};

// What the schedule reads and writes: broadcasts (and the plays sent for them), the
// clips they play, and the stations and zones they reach.
struct ScheduleStores {
  store::IScheduleStore& broadcasts;
  store::IClipStore& clips;
  store::IStationStore& stations;
};

// Works out when broadcasts air and whether a new one collides with what is scheduled.
class Planner {
 public:
  Planner(ScheduleStores stores, PlannerSettings settings);

  // Checks a broadcast's fields (time zone, rule, priority, content); throws
  // ScheduleError naming the bad one.
  void validate(const store::BroadcastRecord& broadcast) const;
  // Occurrences in [from_ms, to_ms) inside the broadcast's validity window.
  [[nodiscard]] std::vector<std::int64_t> occurrences(const store::BroadcastRecord& broadcast, std::int64_t from_ms,
                                                      std::int64_t to_ms, std::size_t limit = 100000) const;
  // How long an occurrence holds the air: the slot, else the clip's length.
  [[nodiscard]] std::int64_t air_ms(const store::BroadcastRecord& broadcast) const;

  // Overlaps on a common station with active broadcasts of the same or higher priority,
  // within the conflict window from `now_ms`, and occurrences inside quiet hours.
  [[nodiscard]] CheckReport check(const store::BroadcastRecord& candidate, std::int64_t now_ms) const;

  // Parses "HH:MM-HH:MM"; nullopt when malformed. Minutes since midnight.
  [[nodiscard]] static std::optional<std::pair<int, int>> parse_quiet_hours(const std::string& text);

 private:
  ScheduleStores stores_;
  PlannerSettings settings_;
  TimeZone local_zone_;
};

}  // namespace loa::schedule
