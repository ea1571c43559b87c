#include "metrics_text.hpp"


#include <cmath>
#include <map>

#include <fmt/format.h>

#include "loa/daemon/heap.hpp"
#include "loa/v1/telemetry.pb.h"

namespace loa::api {
namespace {

// The latest reading of every device of every approved station, as gauges.
void device_metrics(ApiContext& ctx, std::string& out) {
  struct Gauge {
    const char* name;
    const char* help;
    std::string body;
  };
  std::vector<Gauge> gauges{
      {"loa_device_reachable", "1 when the device answered its last poll.", {}},
      {"loa_device_powered_on", "1 when the amplifier or transmitter output is on.", {}},
      {"loa_device_temperature_c", "Heat-sink temperature, degrees Celsius.", {}},
      {"loa_device_forward_power_w", "Forward power, watts.", {}},
      {"loa_device_reflected_power_w", "Reflected power, watts.", {}},
      {"loa_device_vswr", "Voltage standing wave ratio.", {}},
      {"loa_device_carrier_khz", "Transmitter carrier frequency, kHz.", {}},
      {"loa_device_mains_voltage_v", "Mains supply, volts.", {}},
      {"loa_device_band_compliant", "1 when carrier and power are within the licence and band plan.", {}},
      {"loa_clock_offset_ms", "The controller's clock minus the station's own, ms (device \"clock\").", {}},
      {"loa_clock_rtt_ms", "Round trip to the controller's clock, ms.", {}},
      {"loa_clock_jitter_ms", "How much that round trip varies, ms.", {}},
      {"loa_clock_locked", "1 when the station is locked to the controller's clock.", {}},
      {"loa_device_battery_voltage_v", "Battery voltage, volts.", {}},
      {"loa_device_battery_soc_pct", "Battery state of charge, percent.", {}},
      {"loa_device_battery_hours_left", "Hours the battery lasts at the present draw (1000 while not draining).", {}},
      {"loa_device_charging_current_a", "Current into the battery from the panels or the charger, amperes.", {}},
      {"loa_device_load_current_a", "Current the station's equipment takes, amperes.", {}},
      {"loa_device_pv_voltage_v", "Solar panel input, volts.", {}},
  };
  for (const auto& s : ctx.registry.list()) {
    if (s.record.enrollment != store::Enrollment::approved) continue;
    for (const auto& r : ctx.store.latest_telemetry(s.record.id)) {
      loa::v1::Telemetry t;
      if (!t.ParseFromString(r.reading)) continue;
      const std::string labels = "{station=\"" + s.record.id + "\",device=\"" + r.device_id + "\"} ";
      auto put = [&](std::size_t i, bool has, double v) {
        if (has) gauges[i].body += gauges[i].name + labels + fmt::format("{}", v) + "\n";
      };
      put(0, t.has_reachable(), t.reachable());
      put(1, t.has_powered_on(), t.powered_on());
      put(2, t.has_temperature_c(), t.temperature_c());
      put(3, t.has_forward_power_w(), t.forward_power_w());
      put(4, t.has_reflected_power_w(), t.reflected_power_w());
      put(5, t.has_vswr(), t.vswr());
      put(6, t.has_carrier_khz(), static_cast<double>(t.carrier_khz()));
      put(7, t.has_mains_voltage_v(), t.mains_voltage_v());
      put(8, t.has_band_compliant(), t.band_compliant());
      put(9, t.has_clock_offset_ms(), t.clock_offset_ms());
      put(10, t.has_clock_rtt_ms(), t.clock_rtt_ms());
      put(11, t.has_clock_jitter_ms(), t.clock_jitter_ms());
      put(12, t.has_clock_locked(), t.clock_locked());
      put(13, t.has_battery_voltage_v(), t.battery_voltage_v());
      put(14, t.has_battery_soc_pct(), t.battery_soc_pct());
      put(15, t.has_battery_hours_left(), t.battery_hours_left());
      put(16, t.has_charging_current_a(), t.charging_current_a());
      put(17, t.has_load_current_a(), t.load_current_a());
      put(18, t.has_pv_voltage_v(), t.pv_voltage_v());
    }
  }
  for (const auto& g : gauges) {
    out += std::string("# HELP ") + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n" + g.body;
  }
}

void front_metrics(const http::FrontStats& f, std::string& out) {
  auto series = [&out](const char* name, const char* type, const char* help, std::uint64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
  };
  series("loa_http_connections_open", "gauge", "HTTP connections open now.", f.connections_open);
  series("loa_http_streams_open", "gauge", "Event streams open now.", f.streams_open);
  series("loa_http_connections_refused_total", "counter", "Connections refused at accept: over the per-address limit.",
         f.connections_refused);
  series("loa_http_connections_timed_out_total", "counter",
         "Connections closed because a request did not arrive whole within its time.", f.connections_timed_out);
  series("loa_http_requests_total", "counter", "Requests whose headers arrived.", f.requests);
  out += "# HELP loa_http_requests_refused_total Requests refused by the front: too many headers (431), a body "
         "over its limit (413), every worker busy (503).\n# TYPE loa_http_requests_refused_total counter\n";
  for (const auto& [reason, n] : {std::pair{"headers", f.refused_headers}, std::pair{"body", f.refused_body},
                                  std::pair{"busy", f.refused_busy}}) {
    out += fmt::format("loa_http_requests_refused_total{{reason=\"{}\"}} {}\n", reason, n);
  }
}

// Which agent release the fleet runs, and how the newest rollout stands.
void release_metrics(ApiContext& ctx, std::string& out) {
  std::map<std::string, int> by_version;
  for (const auto& s : ctx.registry.list()) {
    if (s.record.enrollment != store::Enrollment::approved || s.record.member || s.record.software_version.empty()) continue;
    ++by_version[s.record.software_version];
  }
  out += "# HELP loa_station_agent_release Stations by the agent release they ran at their last hello.\n"
         "# TYPE loa_station_agent_release gauge\n";
  for (const auto& [version, n] : by_version) {
    out += "loa_station_agent_release{version=\"" + version + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP loa_agent_rollout_stations The newest agent rollout's stations by their state in it.\n"
         "# TYPE loa_agent_rollout_stations gauge\n";
  if (!ctx.updates) return;
  const auto newest = ctx.updates->status("");
  if (!newest) return;
  std::map<std::string, int> by_state;
  for (const auto& s : newest->stations) ++by_state[s.state];
  for (const auto& [state, n] : by_state) {
    out += fmt::format("loa_agent_rollout_stations{{rollout=\"{}\",version=\"{}\",rollout_state=\"{}\",state=\"{}\"}} {}\n",
                       newest->rollout.id, newest->rollout.version, newest->rollout.state, state, n);
  }
}

}  // namespace

std::string metrics_text(ApiContext& ctx, const RefusalCounts& refusals) {
  std::string out;
  front_metrics(refusals.front, out);
  out += "# HELP loa_http_refused_total Requests refused at the API's gate, by who asked: strangers (no valid "
         "credential) or known callers lacking the role.\n# TYPE loa_http_refused_total counter\n";
  out += "loa_http_refused_total{caller=\"stranger\"} " + std::to_string(refusals.strangers) + "\n";
  out += "loa_http_refused_total{caller=\"known\"} " + std::to_string(refusals.known) + "\n";
  out += "# HELP loa_link_events_total Control-link events by kind.\n# TYPE loa_link_events_total counter\n";
  for (const auto& [name, value] : ctx.counters.snapshot()) {
    out += "loa_link_events_total{kind=\"" + name + "\"} " + std::to_string(value) + "\n";
  }
  out += "# HELP loa_station_online 1 when the station's control link is up.\n# TYPE loa_station_online gauge\n";
  for (const auto& s : ctx.registry.list()) {
    if (s.record.enrollment != store::Enrollment::approved) continue;
    out += "loa_station_online{station=\"" + s.record.id + "\"} " +
           (s.state == registry::StationState::online ? "1" : "0") + "\n";
  }
  release_metrics(ctx, out);
  device_metrics(ctx, out);
  out += "# HELP loa_alert_events_total Alerts issued, updated, cancelled, expired; CAP messages by outcome.\n"
         "# TYPE loa_alert_events_total counter\n";
  for (const auto& [name, value] : ctx.alerts.counters()) {
    out += "loa_alert_events_total{kind=\"" + name + "\"} " + std::to_string(value) + "\n";
  }
  const auto held = ctx.alerts.held();
  out += fmt::format("# HELP loa_alert_desk_held What the alert desk holds in memory: alerts in progress or recently "
                     "ended, commands awaiting an answer.\n# TYPE loa_alert_desk_held gauge\n"
                     "loa_alert_desk_held{{kind=\"alerts\"}} {}\nloa_alert_desk_held{{kind=\"commands\"}} {}\n",
                     held.alerts, held.commands);
  const auto latency = ctx.alerts.first_sound_latency();
  out += "# HELP loa_alert_first_sound_ms From issuing an alert to a station's first sound of it.\n"
         "# TYPE loa_alert_first_sound_ms histogram\n";
  for (const auto& [le, n] : latency.buckets) {
    out += "loa_alert_first_sound_ms_bucket{le=\"" + (std::isinf(le) ? std::string("+Inf") : fmt::format("{}", le)) +
           "\"} " + std::to_string(n) + "\n";
  }
  out += fmt::format("loa_alert_first_sound_ms_sum {}\nloa_alert_first_sound_ms_count {}\n", latency.sum_ms,
                     latency.count);
  out += "# HELP loa_alert_stations Stations of each alert on air, by delivery state.\n# TYPE loa_alert_stations gauge\n";
  for (const auto& [alert, states] : ctx.alerts.station_states()) {
    for (const auto& [state, n] : states) {
      out += "loa_alert_stations{alert=\"" + alert + "\",state=\"" + state + "\"} " + std::to_string(n) + "\n";
    }
  }
  out += "# HELP loa_loop_longest_turn_ms The longest a loop took to go round once since start (its worst stall).\n"
         "# TYPE loa_loop_longest_turn_ms gauge\n";
  for (const auto* beat : {&ctx.control.liveness(), &ctx.alerts.liveness()}) {
    out += "loa_loop_longest_turn_ms{loop=\"" + beat->name() + "\"} " + std::to_string(beat->longest_turn().count()) + "\n";
  }
  out += "# HELP loa_commands_pending Commands waiting for a station's result.\n# TYPE loa_commands_pending gauge\n";
  out += "loa_commands_pending " + std::to_string(ctx.commands.pending_count()) + "\n";
  const auto use = ctx.store.use();
  const auto seconds = [](std::chrono::nanoseconds ns) { return std::to_string(static_cast<double>(ns.count()) / 1e9); };
  out += "# HELP loa_store_calls_total Calls on the store's connection.\n# TYPE loa_store_calls_total counter\n";
  out += "loa_store_calls_total " + std::to_string(use.calls) + "\n";
  out += "# HELP loa_store_wait_seconds_total Time callers waited for the store's connection while another call held it.\n"
         "# TYPE loa_store_wait_seconds_total counter\n";
  out += "loa_store_wait_seconds_total " + seconds(use.waited) + "\n";
  out += "# HELP loa_store_busy_seconds_total Time the store's connection was held.\n"
         "# TYPE loa_store_busy_seconds_total counter\n";
  out += "loa_store_busy_seconds_total " + seconds(use.held) + "\n";
  out += "# HELP loa_store_longest_wait_seconds The longest any call waited for the store's connection.\n"
         "# TYPE loa_store_longest_wait_seconds gauge\n";
  out += "loa_store_longest_wait_seconds " + seconds(use.longest_wait) + "\n";
  if (use.library_memory_bytes >= 0) {
    out += "# HELP loa_store_memory_bytes Memory the embedded database (SQLite) holds in the controller.\n"
           "# TYPE loa_store_memory_bytes gauge\n"
           "loa_store_memory_bytes " + std::to_string(use.library_memory_bytes) + "\n";
  }
  // The allocator's own account: what the controller's objects hold, and what it keeps
  // freed but not yet given back. A resident size that grows while the first stays flat
  // is memory held by the allocator, not by Loa.
  const auto heap = daemon::heap_use();
  out += "# HELP loa_heap_in_use_bytes Bytes the controller's live allocations hold.\n"
         "# TYPE loa_heap_in_use_bytes gauge\n"
         "loa_heap_in_use_bytes " + std::to_string(heap.in_use_bytes) + "\n";
  out += "# HELP loa_heap_free_bytes Bytes the allocator holds freed, not yet returned to the system.\n"
         "# TYPE loa_heap_free_bytes gauge\n"
         "loa_heap_free_bytes " + std::to_string(heap.free_bytes) + "\n";
  return out;
}

}  // namespace loa::api
