#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "loa/daemon/periodic_task.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/store/command_store.hpp"
#include "loa/store/station_store.hpp"
#include "loa/store/update_store.hpp"
#include "loa/time/clock.hpp"

namespace loa::updates {

// Agent releases sent from the desk: signed loa-agent packages kept on the controller
// (files under `releases_dir`, bytes in the store), and staged rollouts of them. A
// rollout sends UpdateAgent to its canaries first, and to the rest only once every
// canary has answered that the new release proved itself there (the agent answers
// only once it runs the release, reached the controller and heard every device). A
// canary that fails halts the rollout by itself; the agent rolls itself back.
class UpdateDesk {
 public:
  struct Settings {
    std::string releases_dir;               // <sha256>.deb, served to stations in chunks
    std::vector<std::string> release_keys;  // when set, uploads must verify against one
    // How long a station has to fetch and unpack a package, beside its probation.
    std::chrono::milliseconds fetch_allowance{std::chrono::minutes(10)};
  };

  UpdateDesk(store::IUpdateStore& updates, store::IStationStore& stations, store::ICommandStore& commands_store,
             registry::StationRegistry& registry, server::CommandDispatcher& commands, const time::IClock& clock,
             Settings settings);
  ~UpdateDesk();
  UpdateDesk(const UpdateDesk&) = delete;
  UpdateDesk& operator=(const UpdateDesk&) = delete;

  struct Added {
    std::optional<store::AgentReleaseRecord> release;
    std::string error_code;  // not_a_package, bad_signature, storage_failed
    std::string error;
  };
  // Checks an uploaded package (a loa-agent .deb; its signature, when the controller is
  // given release keys) and keeps it.
  [[nodiscard]] Added add_release(const std::string& package_file, const std::string& signature,
                                  const std::string& by);
  // Writes the package files missing on disk from the store (a standby that took over).
  std::size_t restore_missing();

  struct Start {
    std::string release_sha256;
    std::vector<std::string> targets;  // "all", "zone:ID", "station:ID"
    std::string canary = "5%";         // "N%" of the targets (at least one), or station ids "a,b"
    std::uint32_t confirm_within_ms = 0;  // 0: the agents' default (120 s)
    std::string by;
  };
  struct Status {
    store::RolloutRecord rollout;
    std::vector<store::RolloutStationRecord> stations;
  };
  // Starts a rollout; on error nothing is stored and `error` says why.
  [[nodiscard]] Status start_rollout(const Start& start, std::string& error);
  // A rollout's state ("" the newest).
  [[nodiscard]] std::optional<Status> status(const std::string& id);
  [[nodiscard]] std::vector<store::RolloutRecord> rollouts(std::size_t limit);
  // Sends to no more stations. False when there is no such rollout still going.
  bool halt(const std::string& id, const std::string& reason);
  // Sends RevertAgent to every station the rollout reached. nullopt: no such rollout.
  [[nodiscard]] std::optional<Status> roll_back(const std::string& id, const std::string& by);

  // Drives the rollouts on a thread of its own, every `every`.
  void start(std::chrono::milliseconds every = std::chrono::milliseconds(1000));
  void stop();
  // One pass (tests, and the thread): sends what is due, reads the answers, moves a
  // rollout on or halts it.
  void sweep();

 private:
  void drive(const store::RolloutRecord& rollout);
  [[nodiscard]] std::string package_path(const std::string& sha256) const;

  store::IUpdateStore& updates_;
  store::IStationStore& stations_;
  store::ICommandStore& commands_store_;
  registry::StationRegistry& registry_;
  server::CommandDispatcher& commands_;
  const time::IClock& clock_;
  Settings settings_;
  std::mutex mutex_;  // one of sweep, start_rollout, halt, roll_back at a time
  daemon::PeriodicTask task_;  // last: stopped before the rest goes
};

}  // namespace loa::updates
