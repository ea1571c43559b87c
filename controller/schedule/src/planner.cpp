#include "loa/schedule/planner.hpp"

#include "loa/live/live_streams.hpp"
#include "loa/orders/priority.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace loa::schedule {
namespace {

constexpr std::size_t kConflictsListed = 50;
constexpr int kMinutesPerDay = 24 * 60;

std::int64_t saturating_add(std::int64_t a, std::int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

// A stored broadcast's priority, as a rank (validate() let only known names in).
int rank_of(const std::string& priority) {
  const auto p = orders::parse_priority(priority);
  return p ? orders::rank(*p) : 0;
}

}  // namespace

Planner::Planner(ScheduleStores stores, PlannerSettings settings)
    : stores_(stores), settings_(std::move(settings)), local_zone_(settings_.local_zone) {}

std::optional<std::pair<int, int>> Planner::parse_quiet_hours(const std::string& text) {
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0, used = 0;
  if (std::sscanf(text.c_str(), "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &used) != 4 ||
      static_cast<std::size_t>(used) != text.size()) {
    return std::nullopt;
  }
  if (h1 < 0 || h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 || (h2 == 24 && m2 != 0)) {
    return std::nullopt;
  }
  const int from = h1 * 60 + m1;
  const int to = h2 * 60 + m2;
  if (from == to) return std::nullopt;
  return std::make_pair(from, to);
}

void Planner::validate(const store::BroadcastRecord& b) const {
  if (!orders::parse_priority(b.priority)) {
    throw ScheduleError("priority: '" + b.priority + "' is not one of " + std::string(orders::priority_names()));
  }
  if (!orders::parse_on_preempt(b.on_preempt)) {
    throw ScheduleError("on_preempt: '" + b.on_preempt + "' is not drop or resume");
  }
  if (!(b.volume > 0 && b.volume <= 1.0)) throw ScheduleError("volume: must be above 0 and at most 1");
  if (b.slot_ms < 0) throw ScheduleError("slot: must not be negative");
  if (b.targets.empty()) throw ScheduleError("to: a broadcast needs at least one station or zone");
  if (b.content_kind == store::ContentKind::clip) {
    if (!stores_.clips.find_clip(b.clip_sha256)) throw ScheduleError("clip: no clip " + b.clip_sha256 + " in the library");
  } else if (b.content_kind == store::ContentKind::relay) {
    try {
      (void)live::source_description(b.relay_url);
    } catch (const live::SourceError& e) {
      throw ScheduleError(std::string("relay: ") + e.what());
    }
    if (b.slot_ms <= 0) throw ScheduleError("slot: a relay needs its length (slot_s)");
  } else {
    throw ScheduleError("content: a broadcast needs a clip, a text or a relay URL");
  }
  if (b.valid_until_ms != 0 && b.valid_until_ms <= b.valid_from_ms) {
    throw ScheduleError("valid_until: must be after valid_from");
  }
  (void)Recurrence(Timing{b.start_local, b.time_zone, b.rrule, b.exdates});
}

std::vector<std::int64_t> Planner::occurrences(const store::BroadcastRecord& b, std::int64_t from_ms,
                                               std::int64_t to_ms, std::size_t limit) const {
  Recurrence recurrence(Timing{b.start_local, b.time_zone, b.rrule, b.exdates});
  const auto from = std::max(from_ms, b.valid_from_ms);
  const auto to = b.valid_until_ms != 0 ? std::min(to_ms, b.valid_until_ms) : to_ms;
  return recurrence.between(from, to, limit);
}

std::int64_t Planner::air_ms(const store::BroadcastRecord& b) const {
  if (b.slot_ms > 0) return b.slot_ms;
  if (auto clip = stores_.clips.find_clip(b.clip_sha256)) return std::max<std::int64_t>(clip->duration_ms, 1000);
  return 60'000;  // a clip removed from the library: assume a minute
}

CheckReport Planner::check(const store::BroadcastRecord& candidate, std::int64_t now_ms) const {
  CheckReport report;
  const auto fleet = fleet::Fleet::load(stores_.stations);
  report.stations = fleet.resolve(candidate.targets);
  // The window opens at the candidate's first upcoming occurrence: a broadcast set up
  // months ahead is checked against what will be on air then.
  const auto first = occurrences(candidate, now_ms, INT64_MAX, 1);
  if (first.empty()) return report;
  const auto window_start = first.front();
  const auto window_end = saturating_add(
      window_start, std::chrono::duration_cast<std::chrono::milliseconds>(settings_.conflict_window).count());
  const auto mine = occurrences(candidate, window_start, window_end);
  const auto my_air = air_ms(candidate);
  const int my_rank = rank_of(candidate.priority);

  const std::set<std::string> my_stations(report.stations.begin(), report.stations.end());
  // Quiet hours: only emergencies may sound then, in any zone holding one of its stations.
  if (candidate.priority != "emergency") {
    const int minutes = static_cast<int>(std::min<std::int64_t>((my_air + 59'999) / 60'000, kMinutesPerDay));
    for (const auto& [zone_id, zone] : fleet.zones()) {
      auto quiet = parse_quiet_hours(zone.quiet_hours);
      if (!quiet) continue;
      const auto members = fleet.resolve({"zone:" + zone_id});
      if (std::none_of(members.begin(), members.end(), [&](const std::string& s) { return my_stations.count(s) != 0; })) {
        continue;
      }
      auto in_quiet = [&](int minute) {
        minute %= kMinutesPerDay;
        return quiet->first < quiet->second ? (minute >= quiet->first && minute < quiet->second)
                                            : (minute >= quiet->first || minute < quiet->second);
      };
      for (auto at : mine) {
        const int start = local_zone_.minute_of_day(at);
        bool hit = false;
        for (int m = 0; m < minutes && !hit; ++m) hit = in_quiet(start + m);
        if (hit) {
          report.quiet_hours.push_back({zone_id, zone.quiet_hours, at});
          break;
        }
      }
    }
  }

  if (mine.empty() || report.stations.empty()) return report;
  for (const auto& other : stores_.broadcasts.list_broadcasts(false)) {
    if (other.id == candidate.id || rank_of(other.priority) < my_rank) continue;
    std::vector<std::string> shared;
    for (const auto& s : fleet.resolve(other.targets)) {
      if (my_stations.count(s)) shared.push_back(s);
    }
    if (shared.empty()) continue;
    const auto other_air = air_ms(other);
    std::vector<std::int64_t> theirs;
    try {
      theirs = occurrences(other, window_start - other_air, window_end);
    } catch (const ScheduleError&) {
      continue;  // stored before a rule it no longer passes; it cannot collide
    }
    // Both lists are sorted: walk them together.
    std::size_t j = 0;
    for (auto at : mine) {
      while (j < theirs.size() && theirs[j] + other_air <= at) ++j;
      for (std::size_t k = j; k < theirs.size() && theirs[k] < at + my_air; ++k) {
        ++report.conflicts_total;
        if (report.conflicts.size() < kConflictsListed) {
          report.conflicts.push_back({other.id, other.title, other.priority, shared, at, theirs[k], theirs[k] + other_air});
        }
      }
    }
  }
  return report;
}

}  // namespace loa::schedule
