#include "json_views.hpp"

#include <cmath>
#include <cstdio>

#include "loa/v1/command.pb.h"

namespace loa::api {
namespace {

nlohmann::json optional_int(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// A location written "lat,lon" in degrees (WGS 84), as the map places it; anything else
// (words, a village's name) has no position.
nlohmann::json position_of(const std::string& location) {
  double lat = 0, lon = 0;
  char tail = 0;
  if (std::sscanf(location.c_str(), " %lf , %lf %c", &lat, &lon, &tail) != 2) return nullptr;
  if (!std::isfinite(lat) || !std::isfinite(lon) || std::fabs(lat) > 90 || std::fabs(lon) > 180) return nullptr;
  return {{"lat", lat}, {"lon", lon}};
}

}  // namespace

nlohmann::json to_json(const registry::StationView& s) {
  nlohmann::json out{
      {"id", s.record.id},
      {"name", s.record.name},
      {"commune", s.record.commune},
      {"location", s.record.location},
      {"position", position_of(s.record.location)},
      {"state", registry::to_string(s.state)},
      {"enrollment", store::to_string(s.record.enrollment)},
      {"public_key", s.record.public_key},
      {"key_fingerprint", s.key_fingerprint},
      {"last_seen_ms", optional_int(s.record.last_seen_ms)},
      {"online_since_ms", optional_int(s.online_since_ms)},
      {"last_address", s.record.last_address},
      {"software_version", s.record.software_version},
      {"created_ms", s.record.created_ms},
  };
  if (s.key_conflict) {
    out["key_conflict"] = {{"fingerprint", s.key_conflict->fingerprint}, {"address", s.key_conflict->address},
                           {"at_ms", s.key_conflict->at_ms}, {"attempts", s.key_conflict->attempts}};
  }
  return out;
}

nlohmann::json to_json(const store::ZoneRecord& z) {
  return {
      {"id", z.id},
      {"name", z.name},
      {"kind", z.kind},
      {"parent_id", z.parent_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(z.parent_id)},
      {"stations", z.station_ids},
      {"quiet_hours", z.quiet_hours.empty() ? nlohmann::json(nullptr) : nlohmann::json(z.quiet_hours)},
      {"cap_areas", z.cap_areas},
      {"needs_approval", z.needs_approval},
  };
}

nlohmann::json to_json(const store::BroadcastApproval& a) {
  return {{"state", store::to_string(a.state)},
          {"zones", a.zones},
          {"submitted_by", a.submitted_by},
          {"submitted_ms", a.submitted_ms},
          {"decided_by", a.decided_by},
          {"decided_ms", a.decided_ms ? nlohmann::json(a.decided_ms) : nlohmann::json(nullptr)},
          {"note", a.note}};
}

nlohmann::json to_json(const store::CommandRecord& c) {
  nlohmann::json out{
      {"id", c.id},
      {"station_id", c.station_id},
      {"kind", c.kind},
      {"state", store::to_string(c.state)},
      {"created_ms", c.created_ms},
      {"attempts", c.attempts},
      {"last_sent_ms", optional_int(c.last_sent_ms)},
      {"completed_ms", optional_int(c.completed_ms)},
      {"result_detail", c.result_detail},
      {"duplicate_results", c.duplicate_results},
  };
  loa::v1::Command command;
  if (command.ParseFromString(c.payload)) {
    if (command.has_ping()) out["args"] = {{"text", command.ping().text()}};
    if (command.has_set_log_level()) out["args"] = {{"level", command.set_log_level().level()}};
    if (command.has_set_amplifier()) {
      out["args"] = {{"on", command.set_amplifier().on()}, {"device_id", command.set_amplifier().device_id()}};
    }
    if (command.has_set_mute()) {
      out["args"] = {{"muted", command.set_mute().muted()}, {"device_id", command.set_mute().device_id()}};
    }
  }
  loa::v1::CommandResult result;
  if (!c.result.empty() && result.ParseFromString(c.result) && result.checks_size() > 0) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& check : result.checks()) {
      nlohmann::json one{{"name", check.name()}, {"passed", check.passed()}, {"detail", check.detail()}};
      if (check.unchecked()) one["unchecked"] = true;
      checks.push_back(std::move(one));
    }
    out["checks"] = checks;
  }
  return out;
}

nlohmann::json to_json(const store::AlarmRecord& a) {
  using json = nlohmann::json;
  return {{"station_id", a.station_id},
          {"alarm_id", a.alarm_id},
          {"device_id", a.device_id},
          {"severity", a.severity},
          {"message", a.message},
          {"raised_ms", a.raised_ms},
          {"cleared_ms", a.cleared_ms ? json(*a.cleared_ms) : json(nullptr)},
          {"clear_message", a.clear_message},
          {"message_vi", a.message_vi},
          {"clear_message_vi", a.clear_message_vi},
          {"active", !a.cleared_ms.has_value()},
          {"acknowledged_by", a.acknowledged_by},
          {"acknowledged_ms", a.acknowledged_ms ? json(*a.acknowledged_ms) : json(nullptr)}};
}

std::string loudness_text(const std::optional<double>& dbfs) {
  if (!dbfs) return {};
  char text[16];
  std::snprintf(text, sizeof text, "%.1f", *dbfs);
  return text;
}

void add_playout_fields(nlohmann::json& row, const store::AsRunRecord& r) {
  row["actual_start_ns"] = r.actual_start_ns ? nlohmann::json(r.actual_start_ns) : nlohmann::json(nullptr);
  if (r.frames_played || r.frames_concealed) {
    row["frames_played"] = r.frames_played;
    row["frames_concealed"] = r.frames_concealed;
    row["longest_gap_ms"] = r.longest_gap_ms;
  }
  const auto one_decimal = [](double v) { return nlohmann::json(std::round(v * 10.0) / 10.0); };
  row["loudness_dbfs"] = r.loudness_dbfs ? one_decimal(*r.loudness_dbfs) : nlohmann::json(nullptr);
  row["peak_dbfs"] = r.peak_dbfs ? one_decimal(*r.peak_dbfs) : nlohmann::json(nullptr);
  row["longest_silence_ms"] = r.longest_silence_ms;
  row["dead_air"] = r.dead_air;
  row["clock_locked"] = r.clock_locked ? nlohmann::json(*r.clock_locked) : nlohmann::json(nullptr);
}

}  // namespace loa::api
