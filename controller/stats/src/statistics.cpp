#include "loa/stats/statistics.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "loa/fleet/fleet.hpp"

namespace loa::stats {
namespace {

PlayFigures figures_of(const store::AsRunTally& t) {
  PlayFigures f;
  f.plays = t.sounded;
  f.completed = t.outcome == "played" ? t.count : 0;
  f.missed = t.outcome == "missed" ? t.count : 0;
  f.failed = t.outcome == "failed" ? t.count : 0;
  f.sounded_ms = t.sounded_ms;
  return f;
}

}  // namespace

PlayFigures& PlayFigures::operator+=(const PlayFigures& other) {
  plays += other.plays;
  completed += other.completed;
  missed += other.missed;
  failed += other.failed;
  sounded_ms += other.sounded_ms;
  return *this;
}

Statistics::Statistics(store::IAsRunStore& asrun, store::IStationStore& stations)
    : asrun_(asrun), stations_(stations) {}

std::vector<PlayRow> Statistics::plays(const std::vector<Period>& periods, By by, const fleet::Scope& scope) {
  return std::move(plays(periods, std::vector<By>{by}, scope).front());
}

std::vector<std::vector<PlayRow>> Statistics::plays(const std::vector<Period>& periods, const std::vector<By>& bys,
                                                    const fleet::Scope& scope) {
  // A zone's figures are its stations' as they are grouped now, every level below it
  // included; a station counts in each zone above it.
  std::map<std::string, std::vector<std::string>> zones_of_station;
  if (std::find(bys.begin(), bys.end(), By::zone) != bys.end()) {
    const auto fleet = fleet::Fleet::load(stations_);
    for (const auto& [id, zone] : fleet.zones()) {
      if (!scope.sees_zone(id)) continue;
      for (const auto& station : fleet.resolve({"zone:" + id})) zones_of_station[station].push_back(id);
    }
  }
  std::vector<std::vector<PlayRow>> out(bys.size());
  for (const auto& period : periods) {
    // One tally of the period's as-run rows, however many ways it is added up.
    const auto tallies = asrun_.tally_asrun(period.from_ms, period.until_ms);
    for (std::size_t b = 0; b < bys.size(); ++b) {
      std::map<std::string, PlayFigures> rows;
      for (const auto& t : tallies) {
        if (!scope.sees_station(t.station_id)) continue;
        const auto f = figures_of(t);
        switch (bys[b]) {
          case By::station: rows[t.station_id] += f; break;
          case By::content: rows[t.content_id] += f; break;
          case By::zone:
            if (auto it = zones_of_station.find(t.station_id); it != zones_of_station.end()) {
              for (const auto& zone : it->second) rows[zone] += f;
            }
            break;
        }
      }
      for (auto& [key, f] : rows) out[b].push_back({period.label, key, f});
    }
  }
  return out;
}

std::vector<PlayRow> Statistics::member_plays(const std::vector<Period>& periods, By by,
                                             store::IFederationStore& federation) {
  std::vector<PlayRow> out;
  for (const auto& period : periods) {
    std::map<std::string, PlayFigures> rows;
    for (const auto& [member, t] : federation.tally_member_asrun(period.from_ms, period.until_ms)) {
      const auto f = figures_of(t);
      switch (by) {
        case By::station: rows[member + "/" + t.station_id] += f; break;
        case By::content: rows[t.content_id] += f; break;
        case By::zone: rows[member] += f; break;
      }
    }
    for (auto& [key, f] : rows) out.push_back({period.label, key, f});
  }
  return out;
}

std::vector<UptimeRow> Statistics::uptime(const std::vector<Period>& periods, const fleet::Scope& scope,
                                          std::int64_t now_ms) {
  if (periods.empty()) return {};
  std::map<std::string, std::int64_t> created;  // approved stations the asker sees
  for (const auto& s : stations_.list_stations()) {
    if (s.enrollment == store::Enrollment::approved && scope.sees_station(s.id)) created[s.id] = s.created_ms;
  }
  std::map<std::string, std::vector<store::LinkInterval>> links;
  for (auto& l : stations_.list_links(periods.front().from_ms, periods.back().until_ms)) {
    if (created.count(l.station_id)) links[l.station_id].push_back(std::move(l));
  }
  std::vector<UptimeRow> out;
  for (const auto& period : periods) {
    for (const auto& [station, created_ms] : created) {
      const auto from = std::max(period.from_ms, created_ms);
      const auto until = std::min(period.until_ms, now_ms);
      if (until <= from) continue;
      UptimeRow row{period.label, station, 0, until - from, {}};
      auto down_since = from;  // where the current stretch of silence began
      for (const auto& l : links[station]) {
        const auto up = std::max(l.up_ms, from);
        const auto down = std::min(l.down_ms.value_or(now_ms), until);
        if (down <= up) continue;
        row.up_ms += down - up;
        if (up > down_since) row.disconnects.emplace_back(down_since, up);
        down_since = std::max(down_since, down);
      }
      if (until > down_since) row.disconnects.emplace_back(down_since, until);
      out.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace loa::stats
