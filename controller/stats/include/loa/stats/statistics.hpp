#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "loa/fleet/scope.hpp"
#include "loa/schedule/recurrence.hpp"
#include "loa/store/asrun_store.hpp"
#include "loa/store/federation_store.hpp"
#include "loa/store/station_store.hpp"

namespace loa::stats {

// One local day or month, as the instants it runs between.
struct Period {
  std::string label;  // "2026-12-01" or "2026-12"
  std::int64_t from_ms = 0;
  std::int64_t until_ms = 0;
};

enum class Grain { day, month };

// The days or months from `first` to `last` (local dates "YYYY-MM-DD", both included) in
// `zone`; a month takes in the whole month of each date. Throws std::invalid_argument
// for a malformed date, a range backwards, or one of more than 400 periods.
[[nodiscard]] std::vector<Period> periods(const schedule::TimeZone& zone, const std::string& first,
                                          const std::string& last, Grain grain);

// What played in one period, for one station, zone or content item: the as-run rows of
// occurrences planned in it, added up.
struct PlayFigures {
  std::int64_t plays = 0;       // occurrences whose sound began (played, cut short or stopped)
  std::int64_t completed = 0;   // played to the end
  std::int64_t missed = 0;      // air time passed without them
  std::int64_t failed = 0;      // could not play
  std::int64_t sounded_ms = 0;  // time on air

  PlayFigures& operator+=(const PlayFigures& other);
};

enum class By { station, zone, content };

struct PlayRow {
  std::string period;  // its label
  std::string key;     // the station, zone or content id
  PlayFigures figures;
};

// A station's link in one period: how long it was up, of the time reckoned (the period,
// from the station's creation, up to now), and each stretch it was down.
struct UptimeRow {
  std::string period;
  std::string station_id;
  std::int64_t up_ms = 0;
  std::int64_t reckoned_ms = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> disconnects;  // [from, until)
};

// Statistics for judging how well the system serves: plays and time on air per station,
// zone (with every zone below it) and content item; uptime and disconnect stretches per
// station. Made from the as-run log (added up in the database) and the link history,
// cut to what the asker may see.
class Statistics {
 public:
  Statistics(store::IAsRunStore& asrun, store::IStationStore& stations);

  [[nodiscard]] std::vector<PlayRow> plays(const std::vector<Period>& periods, By by, const fleet::Scope& scope);
  // The same added up several ways at once (the monthly report's three tables), from
  // one tally of the as-run rows per period: one list of rows for each of `bys`.
  [[nodiscard]] std::vector<std::vector<PlayRow>> plays(const std::vector<Period>& periods, const std::vector<By>& bys,
                                                        const fleet::Scope& scope);
  // The members' plays (controllers federated below this one), from the as-run they
  // reported: by station the key is "member/station", by zone it is the member (each
  // member is a part of the tree here), by content the content item.
  [[nodiscard]] static std::vector<PlayRow> member_plays(const std::vector<Period>& periods, By by,
                                                         store::IFederationStore& federation);
  [[nodiscard]] std::vector<UptimeRow> uptime(const std::vector<Period>& periods, const fleet::Scope& scope,
                                              std::int64_t now_ms);

 private:
  store::IAsRunStore& asrun_;
  store::IStationStore& stations_;
};

}  // namespace loa::stats
