#pragma once

#include "loa/agent/agent_state.hpp"
#include "loa/agent/clip_cache.hpp"
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

  // Returns the result to report (its report_seq set to its outbox position).
  loa::v1::CommandResult apply(const loa::v1::Command& command);
  // Records a command that could not be carried out (e.g. a clip that never arrived whole).
  loa::v1::CommandResult fail(const loa::v1::Command& command, const std::string& reason);

 private:
  void apply_hardware(const loa::v1::Command& command, loa::v1::CommandResult& result);

  AgentState& state_;
  const time::IClock& clock_;
  hardware::HardwareMonitor* hardware_;
  ClipCache* clips_;
  playout::Player* player_;
};

}  // namespace loa::agent
