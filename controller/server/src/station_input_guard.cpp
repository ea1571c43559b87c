#include "station_input_guard.hpp"

#include <algorithm>

namespace loa::server {
namespace {

namespace v1 = ::loa::v1;

constexpr std::size_t kMaxId = 128;
constexpr std::size_t kMaxText = 4096;
constexpr int kMaxChecks = 64;

std::string too_long(const char* field, const std::string& value, std::size_t limit) {
  return value.size() > limit ? std::string(field) + " longer than " + std::to_string(limit) : std::string();
}

}  // namespace

std::string StationInputGuard::oversize(const v1::Envelope& env) {
  std::string why;
  auto check = [&](const char* field, const std::string& value, std::size_t limit) {
    if (why.empty()) why = too_long(field, value, limit);
  };
  switch (env.body_case()) {
    case v1::Envelope::kTelemetry:
      check("telemetry.device_id", env.telemetry().device_id(), kMaxId);
      check("telemetry.config_hash", env.telemetry().config_hash(), kMaxId);
      break;
    case v1::Envelope::kAlarm:
      check("alarm.alarm_id", env.alarm().alarm_id(), kMaxId);
      check("alarm.device_id", env.alarm().device_id(), kMaxId);
      check("alarm.message", env.alarm().message(), kMaxText);
      check("alarm.message_vi", env.alarm().message_vi(), kMaxText);
      break;
    case v1::Envelope::kPlaybackReport:
      check("playback.broadcast_id", env.playback_report().broadcast_id(), kMaxId);
      check("playback.content_id", env.playback_report().content_id(), kMaxId);
      check("playback.detail", env.playback_report().detail(), kMaxText);
      break;
    case v1::Envelope::kCommandResult: {
      const auto& r = env.command_result();
      check("command_result.command_id", r.command_id(), kMaxId);
      check("command_result.detail", r.detail(), kMaxText);
      if (why.empty() && r.checks_size() > kMaxChecks) why = "command_result.checks more than 64";
      for (const auto& c : r.checks()) {
        check("command_result.checks.name", c.name(), kMaxId);
        check("command_result.checks.detail", c.detail(), kMaxText);
      }
      break;
    }
    default: break;
  }
  return why;
}

bool StationInputGuard::admit(const std::string& station, std::chrono::steady_clock::time_point now) {
  return buckets_[station].take(kBurst, kPerSecond, now);
}

std::uint64_t StationInputGuard::report_seq(const loa::v1::Envelope& env) {
  if (env.has_telemetry()) return env.telemetry().report_seq();
  if (env.has_alarm()) return env.alarm().report_seq();
  if (env.has_playback_report()) return env.playback_report().report_seq();
  if (env.has_command_result()) return env.command_result().report_seq();
  if (env.has_member_report()) return env.member_report().report_seq();
  return 0;
}

}  // namespace loa::server
