#include "loa/agent/command_applier.hpp"

#include "loa/log/log.hpp"

namespace loa::agent {
namespace {

const log::Logger kLog("commands");
namespace v1 = ::loa::v1;

}  // namespace

CommandApplier::CommandApplier(AgentState& state, const time::IClock& clock) : state_(state), clock_(clock) {}

v1::CommandResult CommandApplier::apply(const v1::Command& command) {
  if (auto earlier = state_.applied_result(command.id())) {
    // Re-sent because our answer was lost: answer again, do nothing again.
    earlier->set_duplicate(true);
    v1::Envelope env;
    *env.mutable_command_result() = *earlier;
    earlier->set_report_seq(state_.enqueue(env));
    kLog.info("duplicate: command={} answered_again=true", command.id());
    return *earlier;
  }

  v1::CommandResult result;
  result.set_command_id(command.id());
  result.set_applied_at_ms(clock_.wall_ms());
  std::string kind = "none";
  if (command.expires_at_ms() != 0 && command.expires_at_ms() < clock_.wall_ms()) {
    result.set_outcome(v1::CommandResult::OUTCOME_REJECTED);
    result.set_detail("expired");
  } else {
    switch (command.action_case()) {
      case v1::Command::kPing:
        kind = "ping";
        result.set_outcome(v1::CommandResult::OUTCOME_APPLIED);
        result.set_detail(command.ping().text());
        break;
      case v1::Command::kSetLogLevel: {
        kind = "set_log_level";
        auto level = log::parse_level(command.set_log_level().level());
        if (level) {
          log::set_level(*level);
          result.set_outcome(v1::CommandResult::OUTCOME_APPLIED);
          result.set_detail("log level " + command.set_log_level().level());
        } else {
          result.set_outcome(v1::CommandResult::OUTCOME_REJECTED);
          result.set_detail("unknown log level '" + command.set_log_level().level() + "'");
        }
        break;
      }
      case v1::Command::ACTION_NOT_SET:
        // A newer controller's command this agent does not know: say so, do not guess.
        result.set_outcome(v1::CommandResult::OUTCOME_REJECTED);
        result.set_detail("command not supported by this agent version");
        break;
    }
  }
  auto recorded = state_.record_applied(command, kind, result);
  kLog.info("applied: command={} kind={} outcome={} detail={}", command.id(), kind,
            v1::CommandResult::Outcome_Name(recorded.outcome()), recorded.detail());
  return recorded;
}

}  // namespace loa::agent
