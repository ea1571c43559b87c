#include "loa/agent/agent_updater.hpp"

#include "loa/log/log.hpp"

namespace loa::agent {
namespace {

const log::Logger kLog("updates");
namespace v1 = ::loa::v1;
// The station alarm of a release that did not prove itself and was undone.
constexpr const char* kRolledBackAlarm = "agent.update_rolled_back";
// Packages being fetched never need more room than one package; the limit is per file.
constexpr int kPackagesKept = 2;

}  // namespace

AgentUpdater::AgentUpdater(ReleaseKeeper& releases, CommandApplier& applier, const time::IClock& clock,
                           Settings settings, std::function<void(const v1::Alarm&)> raise_alarm)
    : releases_(releases),
      applier_(applier),
      clock_(clock),
      settings_(std::move(settings)),
      raise_alarm_(std::move(raise_alarm)),
      packages_(releases.packages_dir(), settings_.max_package_bytes * kPackagesKept, ".deb") {}

void AgentUpdater::answer(const v1::Command& command, v1::CommandResult::Outcome outcome, const std::string& detail) {
  (void)applier_.record(command, command.has_update_agent() ? "update_agent" : "revert_agent", outcome, detail);
}

void AgentUpdater::alarm(bool active, const std::string& message) {
  v1::Alarm a;
  a.set_alarm_id(kRolledBackAlarm);
  a.set_active(active);
  a.set_severity(v1::Alarm::SEVERITY_WARNING);
  a.set_message(message);
  a.set_message_vi(active ? "Bản cập nhật phần mềm trạm đã bị hoàn lại: " + message
                          : "Phần mềm trạm phiên bản " + releases_.running_version() + " đã hoạt động");
  a.set_changed_at_ms(clock_.wall_ms());
  raise_alarm_(a);
}

void AgentUpdater::report_rollback() {
  auto reason = releases_.take_rollback_reason();
  if (!reason) return;
  alarm(true, *reason);
  if (auto command = releases_.pending_command()) {
    answer(*command, v1::CommandResult::OUTCOME_FAILED, *reason);
    releases_.forget_command();
  }
}

// The state folder can fail under any of these (a full disk, a card gone read-only):
// the command is answered with why, and the agent goes on with the release it runs.
std::optional<v1::ClipRequest> AgentUpdater::on_command(const v1::Command& command) {
  try {
    return take_command(command);
  } catch (const std::exception& e) {
    kLog.error("update not kept: command={} error={}", command.id(), e.what());
    answer(command, v1::CommandResult::OUTCOME_FAILED, std::string("cannot keep the update (disk full?): ") + e.what());
    releases_.forget_command();
    return std::nullopt;
  }
}

std::optional<v1::ClipRequest> AgentUpdater::take_command(const v1::Command& command) {
  if (command.has_revert_agent()) {
    const auto back_to = releases_.revert();
    if (!back_to) {
      answer(command, v1::CommandResult::OUTCOME_REJECTED, "this station runs its installed program: nothing to go back to");
    } else {
      answer(command, v1::CommandResult::OUTCOME_APPLIED, "going back to " + *back_to + " once nothing is on air");
    }
    return std::nullopt;
  }
  const auto& update = command.update_agent();
  if (auto pending = releases_.pending_command(); pending && pending->id() == command.id()) {
    // Sent again while it is being carried out: carry on; a fetch cut by a restart resumes.
    if (releases_.staged().empty() && !releases_.probation()) {
      return packages_.want(update.package_sha256(), update.package_bytes(), command);
    }
    return std::nullopt;
  }
  if (!enabled()) {
    answer(command, v1::CommandResult::OUTCOME_REJECTED,
           "this station trusts no release key (updates.release_keys): it takes no remote update");
    return std::nullopt;
  }
  if (update.package_bytes() > settings_.max_package_bytes) {
    answer(command, v1::CommandResult::OUTCOME_REJECTED, "the package is larger than updates.max_package_mib");
    return std::nullopt;
  }
  if (update.version() == releases_.running_version() && !releases_.probation()) {
    answer(command, v1::CommandResult::OUTCOME_APPLIED, "already running " + update.version());
    return std::nullopt;
  }
  if (releases_.probation()) {
    answer(command, v1::CommandResult::OUTCOME_FAILED, "another release is on probation; send it again later");
    return std::nullopt;
  }
  if (auto pending = releases_.pending_command()) {
    packages_.forget(pending->update_agent().package_sha256());
    answer(*pending, v1::CommandResult::OUTCOME_FAILED, "superseded by command " + command.id());
  }
  releases_.keep_command(command);
  kLog.info("update: command={} version={} package={} bytes={} rollout={}", command.id(), update.version(),
            update.package_sha256().substr(0, 12), update.package_bytes(), update.rollout_id());
  return packages_.want(update.package_sha256(), update.package_bytes(), command);
}

bool AgentUpdater::on_chunk(const v1::ClipChunk& chunk, std::optional<v1::ClipRequest>& next) {
  auto outcome = packages_.on_chunk(chunk);
  if (outcome.kind == ClipCache::ChunkOutcome::ignored) return false;
  next = outcome.next;
  for (const auto& command : outcome.commands) {
    const auto pending = releases_.pending_command();
    if (!pending || pending->id() != command.id()) continue;  // superseded meanwhile
    if (outcome.kind == ClipCache::ChunkOutcome::failed) {
      answer(command, v1::CommandResult::OUTCOME_FAILED, outcome.reason);
      releases_.forget_command();
      continue;
    }
    ReleaseKeeper::Installed installed;
    try {
      installed = releases_.install(packages_.path_of(command.update_agent().package_sha256()), command.update_agent(),
                                    settings_.release_keys);
    } catch (const std::exception& e) {
      installed.refused = false;
      installed.detail = std::string("not installed: cannot unpack it here (disk full?): ") + e.what();
    }
    if (!installed.ok) {
      kLog.warn("update not installed: command={} reason={}", command.id(), installed.detail);
      answer(command, installed.refused ? v1::CommandResult::OUTCOME_REJECTED : v1::CommandResult::OUTCOME_FAILED,
             installed.detail);
      releases_.forget_command();
    }
  }
  return true;
}

bool AgentUpdater::watch(bool air_idle, bool online, const std::vector<std::string>& silent_devices) {
  try {
    return judge(air_idle, online, silent_devices);
  } catch (const std::exception& e) {
    kLog.error("cannot switch or judge the release: error={}", e.what());
    return false;
  }
}

bool AgentUpdater::judge(bool air_idle, bool online, const std::vector<std::string>& silent_devices) {
  // A new release never cuts what is on air (an alert, a relay): it waits for the air to
  // be idle, then the agent restarts into it.
  if (!releases_.staged().empty() && air_idle) {
    releases_.switch_to_staged(clock_.wall_ms());
    kLog.info("restarting into release {}: nothing on air", releases_.probation() ? releases_.probation()->version : "");
    return true;
  }
  const auto probation = releases_.probation();
  if (!probation || probation->version != releases_.running_version()) return false;
  if (online && silent_devices.empty()) {
    releases_.confirm();
    alarm(false, "release " + releases_.running_version() + " in force");
    if (auto command = releases_.pending_command()) {
      answer(*command, v1::CommandResult::OUTCOME_APPLIED,
             "release " + releases_.running_version() + " in force: controller reached, every device answering");
      releases_.forget_command();
    }
    return false;
  }
  if (clock_.wall_ms() < probation->deadline_ms) return false;
  std::string reason;
  if (!online) reason = "controller not reached";
  for (const auto& id : silent_devices) reason += (reason.empty() ? "device not answering: " : ", ") + id;
  releases_.roll_back(reason);
  return true;
}

}  // namespace loa::agent
