#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "loa/server/control_server.hpp"
#include "loa/store/asrun_store.hpp"
#include "loa/store/health_store.hpp"
#include "loa/time/clock.hpp"

namespace loa::reports {

// What a station is sounding now, as its last playback reports say.
struct NowPlaying {
  std::string broadcast_id;   // the broadcast, alert or stream
  std::string content_id;     // clip SHA-256 or stream id
  std::int64_t since_ms = 0;  // first sample out
};

// Keeps what stations report, handed over by the control server: telemetry and alarms
// into the store, each finished playout into the as-run log, and what each station is
// sounding now (from its "sound began" report until the one of how it ended).
class ReportKeeper final : public server::IStationReports {
 public:
  ReportKeeper(store::IHealthStore& health, store::IAsRunStore& asrun, const time::IClock& clock);

  // Telemetry in one transaction, finished playouts in one, alarms each on its own.
  void keep(std::span<const server::StationReport> reports) override;
  // Telemetry older than a day keeps one report per device per five minutes.
  void tidy() override;

  // Thread-safe: every station sounding something now.
  [[nodiscard]] std::map<std::string, NowPlaying> now_playing() const;

 private:
  void on_alarm(const std::string& station_id, const loa::v1::Alarm& report);
  // The as-run row of a finished playout, or nothing for progress ("sound began").
  std::optional<store::AsRunRecord> follow_playback(const std::string& station_id, const loa::v1::PlaybackReport& p);

  store::IHealthStore& health_;
  store::IAsRunStore& asrun_;
  const time::IClock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, NowPlaying> now_playing_;  // by station
};

}  // namespace loa::reports
