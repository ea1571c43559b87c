#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "loa/server/command_dispatcher.hpp"
#include "loa/server/control_server.hpp"
#include "loa/server/link_counters.hpp"

namespace loa::server {

// What one drain of the control socket brought that must be kept before its sender may
// forget it: command results, and health reports (telemetry, alarms, playback). After
// the drain each kind is stored in one transaction, and only then is each sender told
// it may forget what it sent. After an alert every station reports at once, so this is
// thousands of rows a second, not thousands of transactions.
//
// An acknowledgement releases every report up to its sequence number, so each station
// is acknowledged once per drain, up to the last report of its that was kept and that
// follows none that was not. A store failure acknowledges nothing after it: flush()
// says, per station, the first sequence number not kept, and the caller refuses what
// comes after it until the agent sends it again. Control loop thread only.
class DrainedReports {
 public:
  using Acknowledge = std::function<void(const std::string& station_id, std::uint64_t report_seq)>;
  // Per station, the first report sequence number that was not kept.
  using NotKept = std::map<std::string, std::uint64_t>;

  DrainedReports(CommandDispatcher& commands, IStationReports& reports, LinkCounters& counters, Acknowledge ack);

  void add_result(const std::string& station_id, const loa::v1::CommandResult& result);
  void add_report(const std::string& station_id, const loa::v1::Envelope& envelope);
  // Stores and acknowledges what was added, results first; `events` (may be null) hears
  // of each new result and playback report once it is kept.
  NotKept flush(IStationEvents* events);
  // Messages added since the last flush.
  [[nodiscard]] std::size_t size() const { return results_.size() + reports_batch_.size(); }

 private:
  // Each returns whether its batch was kept, noting the sequence numbers in `seen`.
  bool flush_results(IStationEvents* events);
  bool flush_reports(IStationEvents* events);
  void note(const std::string& station_id, std::uint64_t seq, bool kept);

  CommandDispatcher& commands_;
  IStationReports& reports_;
  LinkCounters& counters_;
  Acknowledge ack_;
  std::vector<CommandDispatcher::Result> results_;
  std::vector<StationReport> reports_batch_;
  // Per station in this flush: the sequence numbers kept, and the lowest not kept.
  struct Seen {
    std::vector<std::uint64_t> kept;
    std::uint64_t not_kept = 0;
  };
  std::map<std::string, Seen> seen_;
};

}  // namespace loa::server
