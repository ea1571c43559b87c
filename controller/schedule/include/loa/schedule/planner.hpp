#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loa/schedule/recurrence.hpp"
#include "loa/store/store.hpp"
#include "loa/v1/command.pb.h"

namespace loa::schedule {

// Priority names as operators write them, lowest first (see loa.v1.Priority).
[[nodiscard]] int priority_rank(const std::string& name);  // 0 = not a priority name
[[nodiscard]] loa::v1::Priority wire_priority(const std::string& name);

// Zones and stations as they are now, for turning a broadcast's targets into stations.
class Fleet {
 public:
  [[nodiscard]] static Fleet load(store::IStore& store);
  // Approved stations named by the targets ("all", "station:ID", "zone:ID" with its
  // sub-zones), sorted and unique.
  [[nodiscard]] std::vector<std::string> resolve(const std::vector<std::string>& targets) const;
  // A person scoped to `zones` (with their sub-zones) may act on `targets` only if every
  // station they name lies there: the first one that does not, or nullopt. No zones
  // means no limit. Targets that name no station ("all" on an empty fleet) pass.
  [[nodiscard]] std::optional<std::string> outside(const std::vector<std::string>& zones,
                                                   const std::vector<std::string>& targets) const;
  // The same check straight from the store: loads the fleet only for a person who is
  // scoped at all (most callers are not, and their requests should not pay for it).
  [[nodiscard]] static std::optional<std::string> out_of_scope(store::IStore& store,
                                                               const std::vector<std::string>& zones,
                                                               const std::vector<std::string>& targets);
  [[nodiscard]] const std::map<std::string, store::ZoneRecord>& zones() const { return zones_; }
  [[nodiscard]] bool has_station(const std::string& id) const { return stations_.count(id) != 0; }
  [[nodiscard]] bool has_zone(const std::string& id) const { return zones_.count(id) != 0; }

 private:
  void add_zone_members(const std::string& zone_id, std::set<std::string>& out, int depth) const;
  std::set<std::string> stations_;  // approved
  std::map<std::string, store::ZoneRecord> zones_;
  std::map<std::string, std::vector<std::string>> children_;
};

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

// Works out when broadcasts air and whether a new one collides with what is scheduled.
class Planner {
 public:
  Planner(store::IStore& store, PlannerSettings settings);

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
  store::IStore& store_;
  PlannerSettings settings_;
  TimeZone local_zone_;
};

}  // namespace loa::schedule
