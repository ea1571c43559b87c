#pragma once

#include "loa/agent/agent_state.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/command.pb.h"

namespace loa::agent {

// Applies commands exactly once per id: a command seen before is answered with the
// result it got then (marked duplicate), never applied again. The result of every
// command goes into the outbox, so it reaches the controller even across restarts.
class CommandApplier {
 public:
  CommandApplier(AgentState& state, const time::IClock& clock);

  // Returns the result to report (its report_seq set to its outbox position).
  loa::v1::CommandResult apply(const loa::v1::Command& command);

 private:
  AgentState& state_;
  const time::IClock& clock_;
};

}  // namespace loa::agent
