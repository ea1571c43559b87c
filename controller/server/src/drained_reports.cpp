#include "drained_reports.hpp"

#include <algorithm>

#include "loa/log/log.hpp"
#include "loa/store/store_error.hpp"

namespace loa::server {
namespace {

const log::Logger kLog("control");
namespace v1 = ::loa::v1;

std::uint64_t report_seq(const v1::Envelope& envelope) {
  if (envelope.has_telemetry()) return envelope.telemetry().report_seq();
  if (envelope.has_playback_report()) return envelope.playback_report().report_seq();
  if (envelope.has_member_report()) return envelope.member_report().report_seq();
  return envelope.alarm().report_seq();
}

}  // namespace

DrainedReports::DrainedReports(CommandDispatcher& commands, IStationReports& reports, LinkCounters& counters,
                               Acknowledge ack)
    : commands_(commands), reports_(reports), counters_(counters), ack_(std::move(ack)) {}

void DrainedReports::add_result(const std::string& station_id, const v1::CommandResult& result) {
  ++counters_.command_results;
  results_.push_back({station_id, result});
}

void DrainedReports::add_report(const std::string& station_id, const v1::Envelope& envelope) {
  reports_batch_.push_back({station_id, envelope});
}

void DrainedReports::note(const std::string& station_id, std::uint64_t seq, bool kept) {
  if (seq == 0) return;  // not in the agent's outbox: nothing to release
  auto& s = seen_[station_id];
  if (kept) {
    s.kept.push_back(seq);
  } else if (s.not_kept == 0 || seq < s.not_kept) {
    s.not_kept = seq;
  }
}

DrainedReports::NotKept DrainedReports::flush(IStationEvents* events) {
  seen_.clear();
  flush_results(events);
  flush_reports(events);
  NotKept not_kept;
  for (const auto& [station, s] : seen_) {
    if (s.not_kept != 0) not_kept[station] = s.not_kept;
    // Up to the last report kept before the first one lost: those after it come again
    // with it (a duplicate result is recognised as one).
    std::uint64_t upto = 0;
    for (const auto seq : s.kept) {
      if (s.not_kept == 0 || seq < s.not_kept) upto = std::max(upto, seq);
    }
    if (upto > 0) ack_(station, upto);
  }
  seen_.clear();
  return not_kept;
}

bool DrainedReports::flush_results(IStationEvents* events) {
  if (results_.empty()) return true;
  std::vector<CommandDispatcher::Result> batch;
  batch.swap(results_);
  std::vector<bool> fresh;
  try {
    fresh = commands_.complete_many(batch);
  } catch (const store::StoreError& e) {
    kLog.error("store failed: results={} error={}", batch.size(), e.what());
    for (const auto& r : batch) note(r.station_id, r.result.report_seq(), false);
    return false;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!fresh[i]) {
      ++counters_.command_duplicate_results;
    } else if (events) {
      events->on_command_result(batch[i].station_id, batch[i].result);
    }
    note(batch[i].station_id, batch[i].result.report_seq(), true);
  }
  return true;
}

bool DrainedReports::flush_reports(IStationEvents* events) {
  if (reports_batch_.empty()) return true;
  std::vector<StationReport> batch;
  batch.swap(reports_batch_);
  try {
    reports_.keep(batch);
  } catch (const store::StoreError& e) {
    kLog.error("store failed: reports={} error={}", batch.size(), e.what());
    for (const auto& r : batch) note(r.station_id, report_seq(r.envelope), false);
    return false;
  }
  for (const auto& r : batch) {
    if (r.envelope.has_telemetry()) ++counters_.telemetry_reports;
    if (r.envelope.has_alarm()) ++counters_.alarm_reports;
    if (events && r.envelope.has_playback_report()) events->on_playback(r.station_id, r.envelope.playback_report());
    note(r.station_id, report_seq(r.envelope), true);
  }
  return true;
}

}  // namespace loa::server
