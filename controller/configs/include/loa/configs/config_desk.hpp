#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loa/daemon/periodic_task.hpp"
#include "loa/hwconfig/config_bundle.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/store/health_store.hpp"
#include "loa/store/station_store.hpp"
#include "loa/time/clock.hpp"

namespace loa::configs {

// Station hardware configurations kept on the controller: checked as `loa-agent
// check-config` checks them, stored with versions and history, sent to stations as
// ApplyConfig, and compared with what each station says it runs (drift, raised as the
// station alarm `config.drift`).
class ConfigDesk {
 public:
  struct Push {
    std::vector<std::string> targets;  // "all", "zone:ID", "station:ID"
    hwconfig::ConfigBundle bundle;
    std::string note;
    std::string by;
    std::uint32_t confirm_within_ms = 0;  // 0 = the agent's default
    bool dry_run = false;
  };
  struct Pushed {
    std::vector<std::string> errors;  // PATH:LINE: field: problem; nothing was sent
    std::string digest;
    std::vector<std::string> stations;
    std::map<std::string, std::uint32_t> versions;  // station -> its new version (not on a dry run)
  };
  // A station's version as the controller holds it, with how its sending went.
  struct Version {
    store::StationConfigRecord record;
    std::string delivery;         // the command's state: pending, applied, rejected, failed, ...
    std::string delivery_detail;  // the station's words (its check's errors, what it did)
    bool running = false;         // the station says it runs exactly these files
  };
  struct Drift {
    std::string station_id;
    std::uint32_t version = 0;  // held
    std::string held_digest;
    std::string running_digest;
  };

  ConfigDesk(store::IStationStore& stations, store::IHealthStore& health, store::ICommandStore& commands_store,
             registry::StationRegistry& registry, server::CommandDispatcher& commands, const time::IClock& clock,
             std::string scratch_dir);
  ~ConfigDesk();
  ConfigDesk(const ConfigDesk&) = delete;
  ConfigDesk& operator=(const ConfigDesk&) = delete;

  // Checks the bundle (errors: nothing stored, nothing sent), resolves the targets and,
  // unless a dry run, stores a new version for each station with its command.
  [[nodiscard]] Pushed push(const Push& push);
  // Sends again the files of one of the station's earlier versions, as a new version.
  [[nodiscard]] std::optional<Pushed> roll_back(const std::string& station_id, std::uint32_t version,
                                                const std::string& by);
  [[nodiscard]] std::vector<Version> history(const std::string& station_id, std::size_t limit) const;
  [[nodiscard]] std::optional<hwconfig::ConfigBundle> files(const std::string& station_id, std::uint32_t version) const;
  // Stations that say they run something other than the newest version held for them
  // (stations not heard from since the controller started are not judged).
  [[nodiscard]] std::vector<Drift> drift() const;

  // Raises and clears the drift alarms every `every` on a thread of its own.
  void start(std::chrono::milliseconds every = std::chrono::milliseconds(2000));
  void stop();
  // One pass of the above (tests, and the thread).
  void sweep();

 private:
  store::IStationStore& stations_;
  store::IHealthStore& health_;
  store::ICommandStore& commands_store_;
  registry::StationRegistry& registry_;
  server::CommandDispatcher& commands_;
  const time::IClock& clock_;
  std::string scratch_dir_;
  std::mutex check_mutex_;  // one check at a time uses the scratch folder
  std::set<std::string> drifting_;  // stations whose drift alarm is open (sweep only)
  daemon::PeriodicTask task_;       // last: stopped before the rest goes
};

}  // namespace loa::configs
