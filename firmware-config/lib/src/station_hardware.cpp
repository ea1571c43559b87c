#include "loa/hwconfig/station_hardware.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "loa/config/config_section.hpp"

namespace loa::hwconfig {
namespace {

std::string relative_to(const std::string& file, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(file).parent_path() / path).lexically_normal().string();
}

// host:port
bool split_host_port(const std::string& text, std::string& host, int& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (...) {
    return false;
  }
  return port > 0 && port < 65536;
}

}  // namespace

std::optional<long> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

StationHardware load_station_hardware(const std::string& path) {
  auto root = config::ConfigSection::load_file(path);
  StationHardware hw;
  hw.file = path;
  root.read("kind", hw.kind);
  if (hw.kind != "fm" && hw.kind != "ip_cluster") root.fail("kind", "must be fm or ip_cluster");

  std::string plan_path;
  root.read("band_plan", plan_path);
  if (!plan_path.empty()) hw.band_plan = load_band_plan(relative_to(path, plan_path));

  if (root.has("licence")) {
    auto s = root.section("licence");
    Licence l;
    s.read("assigned_khz", l.assigned_khz);
    s.read("tolerance_khz", l.tolerance_khz);
    s.read("max_power_w", l.max_power_w);
    s.read("expires", l.expires);
    s.read("type_approval", l.type_approval);
    s.read("temporary", l.temporary);
    if (!(l.assigned_khz > 0)) s.fail("assigned_khz", "the licence needs its assigned carrier frequency");
    if (!(l.max_power_w > 0)) s.fail("max_power_w", "the licence needs its maximum power");
    if (!(l.tolerance_khz >= 0)) s.fail("tolerance_khz", "must not be negative");
    if (!parse_date(l.expires)) s.fail("expires", "needs the expiry date as YYYY-MM-DD");
    if (hw.band_plan) {
      const Band* band = hw.band_plan->band_of(l.assigned_khz);
      if (!band) s.fail("assigned_khz", "outside every band of plan '" + hw.band_plan->name + "'");
      if (band->needs_temporary_licence && !l.temporary) {
        s.fail("temporary", "band '" + band->name + "' needs a temporary licence (temporary: true)");
      }
      if (l.max_power_w > band->max_power_w) {
        s.fail("max_power_w", "above the " + std::to_string(static_cast<int>(band->max_power_w)) +
                                  " W ceiling of band '" + band->name + "'");
      }
    }
    s.finish();
    hw.licence = l;
  } else if (hw.kind == "fm") {
    root.fail("licence", "an FM station needs its licence (assigned_khz, max_power_w, expires)");
  }
  if (hw.kind == "fm" && !hw.band_plan) root.fail("band_plan", "an FM station needs a band plan");

  auto compliance = root.section("compliance");
  std::string policy = "alarm_only";
  compliance.read("policy", policy);
  if (policy != "alarm_only" && policy != "mute") compliance.fail("policy", "must be alarm_only or mute");
  hw.policy = policy == "mute" ? CompliancePolicy::mute : CompliancePolicy::alarm_only;
  compliance.finish();

  for (auto& s : root.sections("devices")) {
    DeviceConfig d;
    d.line = s.line();
    s.read("id", d.id);
    if (d.id.empty()) s.fail("id", "every device needs an id");
    for (const auto& other : hw.devices) {
      if (other.id == d.id) s.fail("id", "device '" + d.id + "' is defined twice");
    }
    std::string profile_path;
    s.read("profile", profile_path);
    if (profile_path.empty()) s.fail("profile", "every device needs a profile");
    d.profile = load_device_profile(relative_to(path, profile_path));
    d.rtu = d.profile.rtu;
    d.unit_id = d.profile.unit_id;
    std::string tcp;
    s.read("tcp", tcp);
    s.read("rtu", d.rtu_device);
    if (tcp.empty() == d.rtu_device.empty()) s.fail("tcp", "give exactly one of tcp (host:port) or rtu (device)");
    if (!tcp.empty() && !split_host_port(tcp, d.tcp_host, d.tcp_port)) s.fail("tcp", "expected host:port");
    std::int64_t v = d.unit_id;
    s.read("unit_id", v, 0, 247);
    d.unit_id = static_cast<int>(v);
    v = d.rtu.baud;
    s.read("baud", v, 1200, 921600);
    d.rtu.baud = static_cast<int>(v);
    s.read("poll_interval_ms", d.poll_interval, std::chrono::milliseconds(50), std::chrono::milliseconds(3'600'000));
    s.read("timeout_ms", d.timeout, std::chrono::milliseconds(10), std::chrono::milliseconds(60'000));
    v = d.retries;
    s.read("retries", v, 0, 10);
    d.retries = static_cast<int>(v);
    // This station's own thresholds for its profile's alarms, by alarm id: hours of
    // battery left that are too few here, a temperature this site runs at.
    auto thresholds = s.section("alarm_thresholds");
    for (auto& alarm : d.profile.alarms) {
      if (!thresholds.has(alarm.id)) continue;
      double value = 0;
      thresholds.read(alarm.id, value);
      if (alarm.above) alarm.above = value;
      if (alarm.below) alarm.below = value;
      if (alarm.equals) alarm.equals = value;
    }
    thresholds.finish();
    s.finish();
    hw.devices.push_back(std::move(d));
  }
  root.finish();
  return hw;
}

}  // namespace loa::hwconfig
