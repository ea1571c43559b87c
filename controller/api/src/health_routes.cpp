#include "health_routes.hpp"

#include <google/protobuf/util/json_util.h>

#include "http_helpers.hpp"
#include "json_views.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/telemetry.pb.h"

namespace loa::api {
namespace {

// A telemetry report as JSON, with the proto's own field names (units in the names);
// readings the device does not have are absent, not zero.
json telemetry_json(const store::TelemetryRecord& r) {
  loa::v1::Telemetry t;
  json out = json::object();
  if (t.ParseFromString(r.reading)) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    std::string text;
    if (google::protobuf::util::MessageToJsonString(t, &text, options).ok()) out = json::parse(text, nullptr, false);
  }
  out["device_id"] = r.device_id;
  out["measured_at_ms"] = r.measured_ms;
  // Protobuf's JSON writes 64-bit integers as strings; the carrier is a plain number here.
  if (out.contains("carrier_khz") && out["carrier_khz"].is_string()) {
    out["carrier_khz"] = std::stoll(out["carrier_khz"].get<std::string>());
  }
  return out;
}

std::int64_t query_int(const httplib::Request& req, const char* key, std::int64_t fallback) {
  if (!req.has_param(key)) return fallback;
  try {
    return std::stoll(req.get_param_value(key));
  } catch (...) {
    return fallback;
  }
}

// Why a station's compliance is unknown, from its latest readings: a reader must know
// whether to wait, to look at the transmitter, or to set a licence.
json unknown_because(bool any_reading, bool transmitter, bool transmitter_reachable) {
  if (!any_reading) return {{"code", "no_reading"}, {"message", "no reading from the station yet"}};
  if (!transmitter) {
    return {{"code", "no_transmitter"}, {"message", "no transmitter on this station (no device reports a carrier)"}};
  }
  if (!transmitter_reachable) {
    return {{"code", "transmitter_unreachable"}, {"message", "the transmitter does not answer its polls"}};
  }
  return {{"code", "no_licence"}, {"message", "the station has no licence and band plan to check the carrier against"}};
}

json compliance_json(ApiContext& ctx, const std::string& station) {
  json devices = json::array();
  bool known = false;
  bool compliant = true;
  bool any_reading = false, transmitter = false, transmitter_reachable = false;
  for (const auto& r : ctx.store.latest_telemetry(station)) {
    if (r.device_id == "clock") continue;  // the station's clock, not equipment
    auto t = telemetry_json(r);
    any_reading = true;
    if (t.contains("carrier_khz")) {
      transmitter = true;
      transmitter_reachable = transmitter_reachable || t.value("reachable", true);
    }
    if (!t.contains("band_compliant")) continue;
    known = true;
    compliant = compliant && t["band_compliant"].get<bool>();
    devices.push_back({{"device_id", r.device_id},
                       {"band_compliant", t["band_compliant"]},
                       {"carrier_khz", t.value("carrier_khz", json(nullptr))},
                       {"forward_power_w", t.value("forward_power_w", json(nullptr))},
                       {"measured_at_ms", r.measured_ms}});
  }
  json violations = json::array();
  for (const auto& a : ctx.store.list_alarms(station, false, 200)) {
    if (a.alarm_id.ends_with(".band_compliance")) violations.push_back(to_json(a));
  }
  json out{{"station_id", station},
           {"status", !known ? "unknown" : (compliant ? "compliant" : "violation")},
           {"devices", devices},
           {"violations", violations}};
  if (!known) out["reason"] = unknown_because(any_reading, transmitter, transmitter_reachable);
  return out;
}

bool known_station(ApiContext& ctx, const std::string& id, httplib::Response& res) {
  if (ctx.registry.find(id)) return true;
  send_error(res, 404, "not_found", "no station " + id);
  return false;
}

}  // namespace

void install_health_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller) {
  routes.get(R"(/api/v1/stations/([^/]+)/telemetry)", Access::viewer, Reads::station_in_path, "Telemetry history", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    if (!known_station(ctx, id, res)) return;
    store::TelemetryFilter f;
    f.station_id = id;
    f.device_id = req.get_param_value("device");
    f.since_ms = query_int(req, "since_ms", time::wall_ms() - 24 * 3600 * 1000);
    f.until_ms = query_int(req, "until_ms", INT64_MAX);
    const auto page = page_of(req, res, 1000, 10000);
    if (!page) return;
    f.limit = page->fetch();
    json items = json::array();
    for (const auto& r : ctx.store.list_telemetry(f)) items.push_back(telemetry_json(r));
    send_page(res, items, *page, false, {{"since_ms", f.since_ms}});
  });
  routes.get(R"(/api/v1/stations/([^/]+)/alarms)", Access::viewer, Reads::station_in_path, "Alarm occurrences (?active=1)", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    if (!known_station(ctx, id, res)) return;
    const bool open_only = req.get_param_value("active") == "1" || req.get_param_value("active") == "true";
    const auto page = page_of(req, res, 500, 10000);
    if (!page) return;
    json items = json::array();
    for (const auto& a : ctx.store.list_alarms(id, open_only, page->fetch())) items.push_back(to_json(a));
    send_page(res, items, *page, false);
  });
  routes.post(R"(/api/v1/stations/([^/]+)/alarms/([^/]+)/ack)", Access::technician, "Acknowledge an open alarm", [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    if (!known_station(ctx, id, res)) return;
    const std::string by = caller(req).name;  // the person (or the token's name), as the audit log has it
    if (!ctx.store.acknowledge_alarm(id, req.matches[2], by, time::wall_ms())) {
      return send_error(res, 404, "not_found", "no open alarm " + std::string(req.matches[2]));
    }
    send_json(res, {{"acknowledged", std::string(req.matches[2])}});
  });
  routes.get(R"(/api/v1/stations/([^/]+)/compliance)", Access::viewer, Reads::station_in_path, "Band compliance", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    if (!known_station(ctx, id, res)) return;
    send_json(res, compliance_json(ctx, id));
  });
  routes.get(R"(/api/v1/stations/([^/]+)/asrun)", Access::viewer, Reads::station_in_path, "What played on a station", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    if (!known_station(ctx, id, res)) return;
    const auto page = page_of(req, res, 1000, 10000);
    if (!page) return;
    json items = json::array();
    for (const auto& r : ctx.store.list_asrun(id, query_int(req, "since_ms", 0), page->fetch())) {
      items.push_back({{"station_id", r.station_id},
                       {"broadcast_id", r.broadcast_id},
                       {"content_id", r.content_id},
                       {"planned_start_ms", r.planned_start_ms},
                       {"actual_start_ms", r.actual_start_ms ? json(r.actual_start_ms) : json(nullptr)},
                       {"end_ms", r.end_ms ? json(r.end_ms) : json(nullptr)},
                       {"outcome", r.outcome},
                       {"detail", r.detail}});
      add_playout_fields(items.back(), r);
    }
    send_page(res, items, *page, false);
  });
  routes.get(R"(/api/v1/stations/([^/]+)/health)", Access::viewer, Reads::station_in_path, "Latest readings, open alarms, compliance", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    auto station = ctx.registry.find(id);
    if (!station) return send_error(res, 404, "not_found", "no station " + id);
    // The station's clock against the controller's comes as telemetry of a "clock"
    // device; it is not equipment, so it has a place of its own.
    json devices = json::array();
    json clock = nullptr;
    for (const auto& r : ctx.store.latest_telemetry(id)) {
      if (r.device_id == "clock") {
        clock = telemetry_json(r);
      } else {
        devices.push_back(telemetry_json(r));
      }
    }
    json alarms = json::array();
    for (const auto& a : ctx.store.list_alarms(id, true, 200)) alarms.push_back(to_json(a));
    // The thresholds its alarm rules watch, as the station told them: drawn on its charts.
    json limits = json::array();
    for (const auto& l : ctx.registry.alarm_limits(id)) {
      limits.push_back({{"device_id", l.device_id}, {"quantity", l.quantity},
                        {"above", l.above ? json(*l.above) : json(nullptr)},
                        {"below", l.below ? json(*l.below) : json(nullptr)},
                        {"alarm_id", l.alarm_id}, {"severity", l.severity}});
    }
    send_json(res, {{"station", to_json(*station)},
                    {"devices", devices},
                    {"clock", clock},
                    {"alarms", alarms},
                    {"limits", limits},
                    {"compliance", compliance_json(ctx, id)}});
  });
}

}  // namespace loa::api
