#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "loa/api/api_server.hpp"
#include "loa/fleet/scope.hpp"
#include "loa/stats/statistics.hpp"

namespace loa::api {

// What became of one issued alert: how soon it sounded, where it did, where not and why.
struct AlertReport {
  std::string id, status, severity, headline;
  std::string issued;  // local time, with its offset
  std::int64_t targets = 0;
  std::int64_t reached = 0;  // stations where it sounded
  std::vector<std::pair<std::string, std::string>> unreached;  // station, why
  std::int64_t first_sound_min_ms = 0, first_sound_median_ms = 0, first_sound_max_ms = 0;
};

// Alerts issued in [from_ms, until_ms) that reach the scope, oldest first, each with
// the scope's stations only.
[[nodiscard]] std::vector<AlertReport> alert_reports(ApiContext& ctx, const fleet::Scope& scope, std::int64_t from_ms,
                                                     std::int64_t until_ms);
// The names of what the statistics are keyed by: stations, zones, or clips.
[[nodiscard]] std::map<std::string, std::string> report_names(ApiContext& ctx, stats::By by);
// "99.7": the share of the reckoned time a station was up.
[[nodiscard]] std::string uptime_percent(const stats::UptimeRow& row);

// The monthly report as a page to print (A4, Vietnamese): per commune and other zone,
// per station and per content item, plays and time on air, missed and failed plays,
// uptime and disconnects, and the month's alerts.
[[nodiscard]] std::string monthly_report_html(ApiContext& ctx, const fleet::Scope& scope, const stats::Period& month);

}  // namespace loa::api
