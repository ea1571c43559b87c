#include "loa/reports/report_keeper.hpp"

#include <algorithm>
#include <cctype>

#include "loa/log/log.hpp"

namespace loa::reports {
namespace {

const log::Logger kLog("reports");
namespace v1 = ::loa::v1;

// "OUTCOME_PLAYED" -> "played", as the as-run log writes it.
std::string outcome_name(v1::PlaybackReport::Outcome outcome) {
  std::string name = v1::PlaybackReport::Outcome_Name(outcome);
  name = name.substr(name.find('_') + 1);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

const char* severity_name(v1::Alarm::Severity severity) {
  if (severity == v1::Alarm::SEVERITY_CRITICAL) return "critical";
  if (severity == v1::Alarm::SEVERITY_INFO) return "info";
  return "warning";
}

}  // namespace

ReportKeeper::ReportKeeper(store::IHealthStore& health, store::IAsRunStore& asrun, const time::IClock& clock)
    : health_(health), asrun_(asrun), clock_(clock) {}

void ReportKeeper::keep(std::span<const server::StationReport> reports) {
  std::vector<store::TelemetryRecord> telemetry;
  std::vector<store::AsRunRecord> asrun;
  for (const auto& r : reports) {
    if (r.envelope.has_telemetry()) {
      // The sequence number is the link's business, not part of the reading.
      auto reading = r.envelope.telemetry();
      reading.clear_report_seq();
      telemetry.push_back({r.station_id, reading.device_id(),
                           reading.measured_at_ms() ? reading.measured_at_ms() : clock_.wall_ms(),
                           reading.SerializeAsString()});
    } else if (r.envelope.has_alarm()) {
      on_alarm(r.station_id, r.envelope.alarm());
    } else if (r.envelope.has_playback_report()) {
      if (auto row = follow_playback(r.station_id, r.envelope.playback_report())) asrun.push_back(std::move(*row));
    }
  }
  health_.add_telemetry_many(telemetry);
  asrun_.add_asrun_many(asrun);
  for (const auto& row : asrun) {
    kLog.info("as-run: station={} broadcast={} outcome={} detail={}", row.station_id, row.broadcast_id, row.outcome,
              row.detail);
  }
}

void ReportKeeper::on_alarm(const std::string& station_id, const v1::Alarm& a) {
  health_.record_alarm(station_id, a.alarm_id(), a.device_id(), a.active(), severity_name(a.severity()), a.message(),
                       a.message_vi(), a.changed_at_ms() ? a.changed_at_ms() : clock_.wall_ms());
  kLog.info("alarm {}: station={} alarm={} message={}", a.active() ? "raised" : "cleared", station_id, a.alarm_id(),
            a.message());
}

std::optional<store::AsRunRecord> ReportKeeper::follow_playback(const std::string& station_id,
                                                                const v1::PlaybackReport& p) {
  std::lock_guard lock(mutex_);
  if (p.outcome() == v1::PlaybackReport::OUTCOME_PLAYING) {
    // Progress only: not an as-run entry.
    now_playing_[station_id] = {p.broadcast_id(), p.content_id(), p.actual_start_ms()};
    return std::nullopt;
  }
  store::AsRunRecord row{station_id, p.broadcast_id(), p.content_id(), p.planned_start_ms(), p.actual_start_ms(),
                         p.end_ms(), outcome_name(p.outcome()), p.detail(), static_cast<std::int64_t>(p.actual_start_ns()),
                         static_cast<std::int64_t>(p.frames_played()), static_cast<std::int64_t>(p.frames_concealed()),
                         p.longest_gap_ms()};
  if (p.has_loudness_dbfs()) row.loudness_dbfs = p.loudness_dbfs();
  if (p.has_peak_dbfs()) row.peak_dbfs = p.peak_dbfs();
  row.longest_silence_ms = p.longest_silence_ms();
  row.dead_air = p.dead_air();
  if (p.has_clock_locked()) row.clock_locked = p.clock_locked();
  auto it = now_playing_.find(station_id);
  if (it != now_playing_.end() && it->second.broadcast_id == p.broadcast_id() &&
      it->second.content_id == p.content_id()) {
    now_playing_.erase(it);
  }
  return row;
}

void ReportKeeper::tidy() {
  constexpr std::int64_t kFullDetailMs = 24 * 3600 * 1000;
  constexpr std::int64_t kBucketMs = 5 * 60 * 1000;
  if (const auto removed = health_.downsample_telemetry(clock_.wall_ms() - kFullDetailMs, kBucketMs)) {
    kLog.info("telemetry downsampled: removed={}", removed);
  }
}

std::map<std::string, NowPlaying> ReportKeeper::now_playing() const {
  std::lock_guard lock(mutex_);
  return now_playing_;
}

}  // namespace loa::reports
