#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "loa/server/command_dispatcher.hpp"
#include "loa/server/control_server.hpp"
#include "loa/server/link_counters.hpp"

namespace loa::server {

// What one drain of the control socket brought that must be kept before its sender may
// forget it: command results, and health reports (telemetry, alarms, playback). After
// the drain each kind is stored in one transaction, and only then is each sender told
// it may forget what it sent. A store failure acknowledges nothing: the agents send it
// all again. After an alert every station reports at once, so this is thousands of rows
// a second, not thousands of transactions. Control loop thread only.
class DrainedReports {
 public:
  using Acknowledge = std::function<void(const std::string& station_id, std::uint64_t report_seq)>;

  DrainedReports(CommandDispatcher& commands, IStationReports& reports, LinkCounters& counters, Acknowledge ack);

  void add_result(const std::string& station_id, const loa::v1::CommandResult& result);
  void add_report(const std::string& station_id, const loa::v1::Envelope& envelope);
  // Stores and acknowledges what was added, results first; `events` (may be null) hears
  // of each new result and playback report once it is kept.
  void flush(IStationEvents* events);

 private:
  void flush_results(IStationEvents* events);
  void flush_reports(IStationEvents* events);

  CommandDispatcher& commands_;
  IStationReports& reports_;
  LinkCounters& counters_;
  Acknowledge ack_;
  std::vector<CommandDispatcher::Result> results_;
  std::vector<StationReport> reports_batch_;
};

}  // namespace loa::server
