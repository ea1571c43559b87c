#pragma once

#include <chrono>
#include <utility>

#include "loa/agent/agent_state.hpp"
#include "loa/agent/clip_cache.hpp"
#include "loa/agent/config_keeper.hpp"
#include "loa/agent/release_keeper.hpp"
#include "loa/hardware/hardware_monitor.hpp"
#include "loa/playout/player.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/command.pb.h"

namespace loa::agent {

// Applies commands exactly once per id: a command seen before is answered with the
// result it got then (marked duplicate), never applied again. The result of every
// command goes into the outbox, so it reaches the controller even across restarts.
class CommandApplier {
 public:
  // `hardware` may be null (a station with no devices to drive): amplifier and silent
  // test commands then fail with that reason.
  CommandApplier(AgentState& state, const time::IClock& clock, hardware::HardwareMonitor* hardware = nullptr,
                 ClipCache* clips = nullptr, playout::Player* player = nullptr);

  // Returns the result to report (its report_seq set to its outbox position). A command
  // with a field out of bounds (see invalid_field) is rejected, never applied.
  loa::v1::CommandResult apply(const loa::v1::Command& command);
  // What is wrong with a command's fields, or "" when nothing is: ids and clip ids that
  // become file names or pipeline text are checked here, before anything uses them,
  // whoever sent them.
  [[nodiscard]] static std::string invalid_field(const loa::v1::Command& command);
  // Records a command that could not be carried out (e.g. a clip that never arrived whole).
  loa::v1::CommandResult fail(const loa::v1::Command& command, const std::string& reason);
  // Records the outcome of a command carried out elsewhere (an agent update, answered
  // once the new release has proved itself or was rolled back).
  loa::v1::CommandResult record(const loa::v1::Command& command, const std::string& kind,
                                loa::v1::CommandResult::Outcome outcome, const std::string& detail);
  // Amplifiers that need this long after power-on before they sound right: an
  // immediate play on a station whose amplifier is off switches it on at once and
  // starts its audio (attention tone included) that much later. 0 = leave power alone.
  void set_amplifier_warm_up(std::chrono::milliseconds warm_up) { warm_up_ = warm_up; }
  // Puts the licence the controller sent last (kept in the state) back in force, over
  // the station file's. Called once at start, before the hardware is polled.
  void restore_licence();
  // Where pushed hardware configurations are kept (null: they are refused).
  void set_config_keeper(ConfigKeeper* keeper) { config_ = keeper; }
  // True once after a pushed configuration was kept to come into force: the agent
  // switches to it and restarts once nothing is on air.
  [[nodiscard]] bool take_config_switch() { return std::exchange(config_switched_, false); }

 private:
  void apply_config(const loa::v1::ApplyConfig& config, loa::v1::CommandResult& result);
  void apply_hardware(const loa::v1::Command& command, loa::v1::CommandResult& result);
  [[nodiscard]] std::string warm_up_for(loa::v1::Play& play);
  void apply_licence(const loa::v1::SetLicence& licence, loa::v1::CommandResult& result);

  AgentState& state_;
  const time::IClock& clock_;
  hardware::HardwareMonitor* hardware_;
  ClipCache* clips_;
  playout::Player* player_;
  std::chrono::milliseconds warm_up_{0};
  ConfigKeeper* config_ = nullptr;
  bool config_switched_ = false;
};

}  // namespace loa::agent
