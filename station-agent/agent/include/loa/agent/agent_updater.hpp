#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "loa/agent/clip_cache.hpp"
#include "loa/agent/command_applier.hpp"
#include "loa/agent/release_keeper.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/command.pb.h"
#include "loa/v1/telemetry.pb.h"
#include "loa/v1/link.pb.h"

namespace loa::agent {

// Carries out UpdateAgent and RevertAgent for the agent's loop: fetches the package as
// clips are fetched, has the release keeper verify and stage it, switches to it when
// the air is idle, and answers the command once the outcome is known: the new release
// proved itself (controller reached, every device answering), or it was refused, or it
// was rolled back (and the station alarm agent.update_rolled_back is raised).
class AgentUpdater {
 public:
  struct Settings {
    std::vector<std::string> release_keys;  // trusted; none: updates are refused
    std::uint64_t max_package_bytes = 256ULL << 20;
  };
  AgentUpdater(ReleaseKeeper& releases, CommandApplier& applier, const time::IClock& clock, Settings settings,
               std::function<void(const loa::v1::Alarm&)> raise_alarm);

  // At start: reports a rollback made before it (alarm, and the update command's answer).
  void report_rollback();
  // An update or revert command not answered yet. Returns the package request to send.
  [[nodiscard]] std::optional<loa::v1::ClipRequest> on_command(const loa::v1::Command& command);
  // A chunk of a package (false: not one this updater fetches). `next` is set to the
  // request that continues it.
  bool on_chunk(const loa::v1::ClipChunk& chunk, std::optional<loa::v1::ClipRequest>& next);
  [[nodiscard]] std::vector<loa::v1::ClipRequest> resume_requests() const { return packages_.resume_requests(); }
  [[nodiscard]] std::vector<loa::v1::ClipRequest> stalled_requests(std::chrono::steady_clock::time_point now,
                                                                   std::chrono::milliseconds quiet) {
    return packages_.stalled_requests(now, quiet);
  }
  // From the loop: switches to a staged release once the air is idle, and judges the
  // release on probation. True when the agent must restart (into program_to_run()).
  [[nodiscard]] bool watch(bool air_idle, bool online, const std::vector<std::string>& silent_devices);
  [[nodiscard]] bool enabled() const { return !settings_.release_keys.empty(); }

 private:
  [[nodiscard]] std::optional<loa::v1::ClipRequest> take_command(const loa::v1::Command& command);
  [[nodiscard]] bool judge(bool air_idle, bool online, const std::vector<std::string>& silent_devices);
  void answer(const loa::v1::Command& command, loa::v1::CommandResult::Outcome outcome, const std::string& detail);
  void alarm(bool active, const std::string& message);

  ReleaseKeeper& releases_;
  CommandApplier& applier_;
  const time::IClock& clock_;
  Settings settings_;
  std::function<void(const loa::v1::Alarm&)> raise_alarm_;
  ClipCache packages_;
};

}  // namespace loa::agent
