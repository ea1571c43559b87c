#include "loa/agent/command_applier.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "loa/digest/sha256.hpp"
#include "loa/hwconfig/station_hardware.hpp"
#include "loa/log/log.hpp"

namespace loa::agent {
namespace {

const log::Logger kLog("commands");
namespace v1 = ::loa::v1;

hwconfig::Licence licence_of(const v1::SetLicence& l) {
  hwconfig::Licence licence;
  licence.assigned_khz = l.assigned_khz();
  licence.tolerance_khz = l.tolerance_khz();
  licence.max_power_w = l.max_power_w();
  licence.expires = l.expires();
  licence.type_approval = l.type_approval();
  licence.temporary = l.temporary();
  return licence;
}

// Why a licence cannot be checked against, or empty. The controller validates it too;
// this is the last line before it decides whether the transmitter may stay on air.
std::string invalid(const v1::SetLicence& l) {
  if (!(l.assigned_khz() > 0)) return "assigned_khz must be above 0";
  if (!(l.tolerance_khz() > 0)) return "tolerance_khz must be above 0";
  if (!(l.max_power_w() > 0)) return "max_power_w must be above 0";
  if (!hwconfig::parse_date(l.expires())) return "expires must be a date YYYY-MM-DD, not '" + l.expires() + "'";
  return {};
}

std::string describe(const v1::SetLicence& l) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "licence %.1f kHz +/- %.1f kHz, %.0f W, expires %s%s", l.assigned_khz(),
                l.tolerance_khz(), l.max_power_w(), l.expires().c_str(), l.temporary() ? " (temporary)" : "");
  return buf;
}

// Broadcast and stream ids name WAV files and end up in pipeline descriptions: letters,
// digits and . _ : - only.
bool safe_id(const std::string& id, bool may_be_empty) {
  if (id.empty()) return may_be_empty;
  return id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '-';
         });
}

}  // namespace

std::string CommandApplier::invalid_field(const v1::Command& c) {
  constexpr std::uint64_t kMaxClipBytes = 1ULL << 32;  // 4 GiB: no clip is ever that long
  if (c.id().empty() || c.id().size() > 128) return "command id must be 1-128 characters";
  switch (c.action_case()) {
    case v1::Command::kCacheClip:
      if (!digest::is_sha256_hex(c.cache_clip().clip_sha256())) return "clip id must be 64 lower-case hex digits";
      if (c.cache_clip().total_bytes() == 0 || c.cache_clip().total_bytes() > kMaxClipBytes) {
        return "clip size must be 1 byte to 4 GiB";
      }
      return {};
    case v1::Command::kPlay: {
      const auto& p = c.play();
      if (p.stream_id().empty() ? !digest::is_sha256_hex(p.clip_sha256()) : !safe_id(p.stream_id(), false)) {
        return "a play names a clip (64 hex digits) or a stream id (letters, digits, . _ : -)";
      }
      if (!safe_id(p.broadcast_id(), true)) return "broadcast id must be letters, digits, . _ : - (at most 128)";
      if (!(p.volume() >= 0 && p.volume() <= 1)) return "volume must be 0.0-1.0";
      return {};
    }
    case v1::Command::kStop:
      return safe_id(c.stop().broadcast_id(), true) ? "" : "broadcast id must be letters, digits, . _ : - (at most 128)";
    case v1::Command::kSetVolume:
      if (!safe_id(c.set_volume().broadcast_id(), true)) return "broadcast id must be letters, digits, . _ : - (at most 128)";
      return c.set_volume().volume() >= 0 && c.set_volume().volume() <= 1 ? "" : "volume must be 0.0-1.0";
    case v1::Command::kSetAmplifier:
      return c.set_amplifier().device_id().size() <= 64 ? "" : "device id too long";
    case v1::Command::kSetMute:
      return c.set_mute().device_id().size() <= 64 ? "" : "device id too long";
    case v1::Command::kApplyConfig: {
      constexpr std::size_t kMaxFiles = 64, kMaxBytes = 512 * 1024;
      const auto& a = c.apply_config();
      if (a.version() == 0) return "a configuration needs a version above 0";
      if (a.files_size() == 0 || static_cast<std::size_t>(a.files_size()) > kMaxFiles) return "a configuration has 1-64 files";
      std::size_t bytes = 0;
      for (const auto& f : a.files()) bytes += f.path().size() + f.text().size();
      return bytes <= kMaxBytes ? "" : "a configuration is at most 512 KiB";
    }
    case v1::Command::kUpdateAgent: {
      const auto& u = c.update_agent();
      if (!ReleaseKeeper::valid_version(u.version())) return "a release version is 1-64 letters, digits, . + ~ -";
      if (!digest::is_sha256_hex(u.package_sha256())) return "package id must be 64 lower-case hex digits";
      if (u.package_bytes() == 0 || u.package_bytes() > kMaxClipBytes) return "package size must be 1 byte to 4 GiB";
      return u.signature().size() <= 256 ? "" : "signature too long";
    }
    case v1::Command::kRevertAgent:
      return c.revert_agent().reason().size() <= 256 ? "" : "reason too long";
    default:
      return {};
  }
}

void CommandApplier::restore_licence() {
  if (!hardware_) return;
  if (auto held = state_.licence(); held && invalid(*held).empty()) {
    hardware_->set_licence(licence_of(*held));
    kLog.info("licence restored: {} revision={}", describe(*held), held->revision());
  }
}

void CommandApplier::apply_licence(const v1::SetLicence& licence, v1::CommandResult& result) {
  if (!hardware_) {
    result.set_outcome(v1::CommandResult::OUTCOME_FAILED);
    result.set_detail("this station has no hardware configured");
    return;
  }
  if (auto why = invalid(licence); !why.empty()) {
    result.set_outcome(v1::CommandResult::OUTCOME_REJECTED);
    result.set_detail(why);
    return;
  }
  if (auto held = state_.licence(); held && held->revision() > licence.revision()) {
    result.set_outcome(v1::CommandResult::OUTCOME_APPLIED);
    result.set_detail("superseded: the station holds a newer licence (revision " + std::to_string(held->revision()) +
                      ")");
    return;
  }
  state_.keep_licence(licence);
  hardware_->set_licence(licence_of(licence));
  result.set_outcome(v1::CommandResult::OUTCOME_APPLIED);
  result.set_detail(describe(licence));
}

void CommandApplier::apply_config(const v1::ApplyConfig& config, v1::CommandResult& result) {
  if (!config_) {
    result.set_outcome(v1::CommandResult::OUTCOME_FAILED);
    result.set_detail("this agent keeps no pushed configuration");
    return;
  }
  try {
    const auto outcome = config_->apply(config);
    result.set_outcome(outcome.applied ? v1::CommandResult::OUTCOME_APPLIED : v1::CommandResult::OUTCOME_REJECTED);
    result.set_detail(outcome.detail);
    config_switched_ = config_switched_ || outcome.applied;
  } catch (const std::exception& e) {
    // A full disk, a folder it may not write: the configuration in force stays.
    result.set_outcome(v1::CommandResult::OUTCOME_FAILED);
    result.set_detail(std::string("cannot keep the configuration: ") + e.what());
  }
}

CommandApplier::CommandApplier(AgentState& state, const time::IClock& clock, hardware::HardwareMonitor* hardware,
                               ClipCache* clips, playout::Player* player)
    : state_(state), clock_(clock), hardware_(hardware), clips_(clips), player_(player) {}

v1::CommandResult CommandApplier::fail(const v1::Command& command, const std::string& reason) {
  return record(command, "cache_clip", v1::CommandResult::OUTCOME_FAILED, reason);
}

v1::CommandResult CommandApplier::record(const v1::Command& command, const std::string& kind,
                                         v1::CommandResult::Outcome outcome, const std::string& detail) {
  if (auto earlier = state_.applied_result(command.id())) return apply(command);
  v1::CommandResult result;
  result.set_command_id(command.id());
  result.set_applied_at_ms(clock_.wall_ms());
  result.set_outcome(outcome);
  result.set_detail(detail);
  kLog.info("answered: command={} kind={} outcome={} detail={}", command.id(), kind,
            v1::CommandResult::Outcome_Name(outcome), detail);
  return state_.record_applied(command, kind, result);
}

// An immediate play (or one due within the warm-up) on a station whose amplifier is
// off: power on now, and the first sample after the warm-up. A scheduled play is
// warmed up ahead by the amplifier schedule instead.
std::string CommandApplier::warm_up_for(v1::Play& play) {
  if (!hardware_ || warm_up_.count() <= 0 || !play.stream_id().empty()) return "queued";
  const auto now = clock_.wall_ms();
  const auto ready_at = now + warm_up_.count();
  if (play.start_at_ms() >= ready_at) return "queued";
  const auto powered = hardware_->amplifiers_on();
  if (!powered || *powered) return "queued";
  std::string detail;
  for (const auto& [device, w] : hardware_->set_amplifier("", true)) {
    detail += (detail.empty() ? "" : "; ") + device + (w.ok ? " on" : ": " + w.reason);
  }
  // The warm-up counts from when the amplifier took the write, not from before it: the
  // bus may have been busy with a poll.
  play.set_start_at_ms(clock_.wall_ms() + warm_up_.count());
  kLog.info("warm-up: broadcast={} amplifier={} sound_in_ms={}", play.broadcast_id(), detail, warm_up_.count());
  return "queued; amplifier switched on (" + detail + "), sound in " + std::to_string(warm_up_.count()) +
         " ms after its warm-up";
}

void CommandApplier::apply_hardware(const v1::Command& command, v1::CommandResult& result) {
  if (!hardware_) {
    result.set_outcome(v1::CommandResult::OUTCOME_FAILED);
    result.set_detail("this station has no hardware configured");
    return;
  }
  // One write per device: applied only if every device took it, each named in the detail.
  auto report_writes = [&](const std::vector<std::pair<std::string, hardware::WriteResult>>& writes, const char* done) {
    bool all_ok = true;
    std::string detail;
    for (const auto& [device, w] : writes) {
      all_ok = all_ok && w.ok;
      detail += (detail.empty() ? "" : "; ") + device + (w.ok ? std::string(" ") + done : ": " + w.reason);
    }
    result.set_outcome(all_ok ? v1::CommandResult::OUTCOME_APPLIED : v1::CommandResult::OUTCOME_FAILED);
    result.set_detail(detail);
  };
  if (command.has_set_amplifier()) {
    const auto& a = command.set_amplifier();
    return report_writes(hardware_->set_amplifier(a.device_id(), a.on()), a.on() ? "on" : "off");
  }
  if (command.has_set_mute()) {
    const auto& m = command.set_mute();
    return report_writes(hardware_->set_mute(m.device_id(), m.muted()), m.muted() ? "muted" : "unmuted");
  }
  const double limit = command.silent_test().max_vswr() > 0 ? command.silent_test().max_vswr() : 2.0;
  int failed = 0, unchecked = 0;
  auto checks = hardware_->silent_test(limit);
  for (const auto& c : checks) {
    auto* r = result.add_checks();
    r->set_name(c.name);
    r->set_passed(c.passed);
    r->set_detail(c.detail);
    r->set_unchecked(c.unchecked);
    unchecked += c.unchecked ? 1 : 0;
    failed += c.passed || c.unchecked ? 0 : 1;
  }
  // The test itself ran: a failed check is a finding, reported as such, not a failure to apply.
  const auto checked = checks.size() - static_cast<std::size_t>(unchecked);
  result.set_outcome(v1::CommandResult::OUTCOME_APPLIED);
  result.set_detail((failed == 0 ? "pass: " + std::to_string(checked) + " checks"
                                 : "fail: " + std::to_string(failed) + " of " + std::to_string(checked) + " checks") +
                    (unchecked ? ", " + std::to_string(unchecked) + " links unchecked" : ""));
}

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
  if (const auto why = invalid_field(command); !why.empty()) {
    result.set_outcome(v1::CommandResult::OUTCOME_REJECTED);
    result.set_detail(why);
    kLog.warn("rejected: command={} reason={}", command.id().substr(0, 128), why);
  } else if (command.expires_at_ms() != 0 && command.expires_at_ms() < clock_.wall_ms()) {
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
      case v1::Command::kSetAmplifier:
        kind = "set_amplifier";
        apply_hardware(command, result);
        break;
      case v1::Command::kSetMute:
        kind = "set_mute";
        apply_hardware(command, result);
        break;
      case v1::Command::kSetLicence:
        kind = "set_licence";
        apply_licence(command.set_licence(), result);
        break;
      case v1::Command::kApplyConfig:
        kind = "apply_config";
        apply_config(command.apply_config(), result);
        break;
      case v1::Command::kSilentTest:
        kind = "silent_test";
        apply_hardware(command, result);
        break;
      case v1::Command::kCacheClip: {
        kind = "cache_clip";
        const auto& sha = command.cache_clip().clip_sha256();
        const bool here = clips_ && clips_->has(sha);
        result.set_outcome(here ? v1::CommandResult::OUTCOME_APPLIED : v1::CommandResult::OUTCOME_FAILED);
        result.set_detail(here ? "cached " + sha : "clip " + sha + " is not in the cache");
        break;
      }
      case v1::Command::kPlay: {
        kind = "play";
        auto play = command.play();
        std::string detail = "queued";
        std::string refused = player_ ? std::string() : "this station has no audio output";
        // A transmitter muted for a violation sends nothing out: say so, rather than
        // "played" into silence.
        if (auto muted = hardware_ ? hardware_->muted_reason() : std::nullopt; refused.empty() && muted) refused = *muted;
        if (refused.empty()) detail = warm_up_for(play);
        if (refused.empty()) refused = player_->enqueue(play);
        result.set_outcome(refused.empty() ? v1::CommandResult::OUTCOME_APPLIED : v1::CommandResult::OUTCOME_FAILED);
        result.set_detail(refused.empty() ? detail : refused);
        break;
      }
      case v1::Command::kSetVolume: {
        kind = "set_volume";
        const auto& v = command.set_volume();
        const bool applied = player_ && player_->set_volume(v.broadcast_id(), v.volume());
        result.set_outcome(applied ? v1::CommandResult::OUTCOME_APPLIED : v1::CommandResult::OUTCOME_FAILED);
        result.set_detail(!player_  ? "this station has no audio output"
                          : applied ? "volume " + std::to_string(v.volume())
                                    : "nothing of broadcast '" + v.broadcast_id() + "' is playing or waiting");
        break;
      }
      case v1::Command::kStop:
        kind = "stop";
        if (player_) player_->stop(command.stop().broadcast_id());
        result.set_outcome(player_ ? v1::CommandResult::OUTCOME_APPLIED : v1::CommandResult::OUTCOME_FAILED);
        result.set_detail(player_ ? "stopped" : "this station has no audio output");
        break;
      case v1::Command::kRelay:
        // Meant for a member controller, not a station.
        kind = "relay";
        result.set_outcome(v1::CommandResult::OUTCOME_REJECTED);
        result.set_detail("a station does not take relays: only a member controller does");
        break;
      case v1::Command::kUpdateAgent:
      case v1::Command::kRevertAgent:
        // Carried out by the agent's updater, which answers through record().
        kind = command.has_update_agent() ? "update_agent" : "revert_agent";
        result.set_outcome(v1::CommandResult::OUTCOME_REJECTED);
        result.set_detail("this agent takes no remote update");
        break;
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
