#include "command_routes.hpp"

#include <algorithm>
#include <cctype>
#include <variant>

#include "http_helpers.hpp"
#include "json_views.hpp"
#include "loa/log/log.hpp"
#include "loa/orders/station_orders.hpp"
#include "loa/schedule/planner.hpp"
#include "loa/time/clock.hpp"
#include "schedule_routes.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

struct Refusal {
  int status;
  std::string code;
  std::string message;
};

// What plays is the operators' work; the hardware is the technicians'.
bool plays(const std::string& type) {
  return type == "play" || type == "stop" || type == "set_volume" || type == "cache_clip";
}

// Broadcast ids name files on the stations, which refuse anything else.
bool is_broadcast_id(const std::string& id) {
  return id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '-';
         });
}

// A command from its JSON form, as the console and loactl send it.
std::variant<loa::v1::Command, Refusal> command_of(ApiContext& ctx, const json& body) {
  loa::v1::Command command;
  const auto type = string_field(body, "type");
  if (!is_broadcast_id(string_field(body, "broadcast_id"))) {
    return Refusal{422, "invalid", "broadcast_id: letters, digits, . _ : - only, at most 128"};
  }
  if (type == "ping") {
    command.mutable_ping()->set_text(string_field(body, "text"));
  } else if (type == "set_amplifier") {
    if (!body.contains("on") || !body["on"].is_boolean()) {
      return Refusal{422, "invalid", "set_amplifier needs \"on\": true or false"};
    }
    command.mutable_set_amplifier()->set_on(body["on"].get<bool>());
    command.mutable_set_amplifier()->set_device_id(string_field(body, "device_id"));
  } else if (type == "set_mute") {
    if (!body.contains("muted") || !body["muted"].is_boolean()) {
      return Refusal{422, "invalid", "set_mute needs \"muted\": true or false"};
    }
    command.mutable_set_mute()->set_muted(body["muted"].get<bool>());
    command.mutable_set_mute()->set_device_id(string_field(body, "device_id"));
  } else if (type == "cache_clip") {
    auto clip = ctx.store.find_clip(string_field(body, "clip_id"));
    if (!clip) return Refusal{422, "invalid", "no clip " + string_field(body, "clip_id")};
    command.MergeFrom(orders::cache(clip->sha256, clip->bytes, body.value("pin", false)));
  } else if (type == "play") {
    auto clip = ctx.store.find_clip(string_field(body, "clip_id"));
    if (!clip) return Refusal{422, "invalid", "no clip " + string_field(body, "clip_id")};
    const auto priority = orders::parse_priority(body.value("priority", std::string("normal")));
    if (!priority) return Refusal{422, "invalid", "priority must be " + std::string(orders::priority_names())};
    orders::PlayOrder order;
    order.sound = orders::Sound::clip(clip->sha256);
    order.priority = *priority;
    order.volume = body.value("volume", 0.0);
    order.start_at_ms = body.value("start_at_ms", std::int64_t{0});
    order.broadcast_id = body.value("broadcast_id", std::string());
    order.on_preempt = body.value("resume", false) ? orders::OnPreempt::resume : orders::OnPreempt::drop;
    command.MergeFrom(orders::play(order));
  } else if (type == "stop") {
    command.MergeFrom(orders::stop(string_field(body, "broadcast_id")));
  } else if (type == "set_volume") {
    const double volume = body.value("volume", -1.0);
    if (volume < 0 || volume > 1) return Refusal{422, "invalid", "set_volume needs \"volume\": 0.0-1.0"};
    command.MergeFrom(orders::set_volume(string_field(body, "broadcast_id"), volume));
  } else if (type == "silent_test") {
    command.mutable_silent_test()->set_max_vswr(body.value("max_vswr", 0.0));
  } else if (type == "set_log_level") {
    auto level = string_field(body, "level");
    if (!log::parse_level(level)) return Refusal{422, "invalid", "unknown log level " + level};
    command.mutable_set_log_level()->set_level(level);
  } else {
    return Refusal{422, "invalid",
                   "unknown command type '" + type +
                       "' (ping, set_log_level, set_amplifier, set_mute, silent_test, cache_clip, play, stop, set_volume)"};
  }
  if (body.contains("expires_in_s") && body["expires_in_s"].is_number_integer()) {
    command.set_expires_at_ms(time::wall_ms() + body["expires_in_s"].get<std::int64_t>() * 1000);
  }
  command.set_issued_at_ms(time::wall_ms());
  return command;
}

void refuse(ApiContext& ctx, const users::Caller& who, const httplib::Request& req, httplib::Response& res,
            const Refusal& r, const std::string& why) {
  ctx.store.add_audit(store::audit_entry(time::wall_ms(), who.name, "denied", req.method + " " + req.path, why,
                                         req.remote_addr, r.status));
  send_error(res, r.status, r.code, r.message);
}

void one_station(ApiContext& ctx, const users::Caller& who, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  auto station = ctx.registry.find(id);
  if (!station) return send_error(res, 404, "not_found", "no station " + id);
  if (station->record.enrollment != store::Enrollment::approved) {
    return send_error(res, 409, "wrong_state", "station " + id + " is not approved");
  }
  auto body = parse_body(req, res);
  if (!body) return;
  const auto type = string_field(*body, "type");
  if (auto out = fleet::Fleet::out_of_scope(ctx.store, who.zones, {"station:" + id})) {
    return refuse(ctx, who, req, res, {403, "out_of_scope", "station " + id + " is outside " + who.name + "'s zones"},
                  "station outside the user's zones");
  }
  const char* role = plays(type) ? "operator" : "technician";
  if (!who.has_role(role)) {
    return refuse(ctx, who, req, res,
                  {403, "forbidden", "a " + type + " command needs the " + std::string(role) + " role"},
                  "command " + type + " needs " + role);
  }
  auto made = command_of(ctx, *body);
  if (auto* r = std::get_if<Refusal>(&made)) return send_error(res, r->status, r->code, r->message);
  auto record = ctx.commands.enqueue(id, std::move(std::get<loa::v1::Command>(made)));
  send_json(res, to_json(record), 202);
}

// play, stop or set_volume to every station of the targets. A play also puts the clip
// in each station's cache first (a station that has it answers at once).
void many_stations(ApiContext& ctx, const users::Caller& who, const httplib::Request& req, httplib::Response& res) {
  auto body = parse_body(req, res);
  if (!body) return;
  const auto type = string_field(*body, "type");
  if (type != "play" && type != "stop" && type != "set_volume") {
    return send_error(res, 422, "invalid", "type: one of play, stop, set_volume (other commands go to one station)");
  }
  const auto targets = stations_to(ctx, who, *body, res);
  if (!targets) return;
  const auto& stations = *targets;

  auto command_body = *body;
  if (type == "play" && string_field(command_body, "broadcast_id").empty()) {
    command_body["broadcast_id"] = "play-" + server::random_hex(10);
  }
  auto made = command_of(ctx, command_body);
  if (auto* r = std::get_if<Refusal>(&made)) return send_error(res, r->status, r->code, r->message);
  const auto& command = std::get<loa::v1::Command>(made);
  loa::v1::Command cache;
  if (type == "play") {
    auto cache_body = json{{"type", "cache_clip"}, {"clip_id", command_body["clip_id"]}};
    cache = std::get<loa::v1::Command>(command_of(ctx, cache_body));
  }
  std::vector<server::CommandDispatcher::Outgoing> out;
  for (const auto& station : stations) {
    if (type == "play") out.push_back({station, cache});
    out.push_back({station, command});
  }
  ctx.commands.enqueue_many(std::move(out));
  const auto broadcast = string_field(command_body, "broadcast_id");
  kLog.info("commands queued: type={} broadcast={} stations={} by={}", type, broadcast, stations.size(), who.name);
  send_json(res, {{"type", type}, {"broadcast_id", broadcast}, {"stations", stations}}, 202);
}

}  // namespace

void install_command_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of) {
  routes.post(R"(/api/v1/stations/([^/]+)/commands)", Access::viewer,
              "Queue a command (playing ones need operator, hardware ones technician)",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res) { one_station(ctx, caller(req), req, res); });
  routes.post("/api/v1/commands", Access::operator_,
              "Play, stop or change the volume on every station of some targets (all, zones, stations)",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
                many_stations(ctx, caller(req), req, res);
              });
  routes.get("/api/v1/commands", Access::viewer, Reads::filtered, "Commands and their results",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
    store::CommandFilter f;
    f.station_id = req.get_param_value("station");
    if (req.has_param("state")) {
      f.state = store::parse_command_state(req.get_param_value("state"));
      if (!f.state) return send_error(res, 422, "invalid", "state must be pending, applied, failed or rejected");
    }
    const auto page = page_of(req, res, 100, 1000);
    if (!page) return;
    const auto scope = scope_of(req);
    f.limit = page->fetch(!scope.whole());
    json items = json::array();
    for (const auto& c : ctx.store.list_commands(f)) {
      if (scope.sees_station(c.station_id)) items.push_back(to_json(c));
    }
    send_page(res, items, *page, false);
  });
  routes.get(R"(/api/v1/commands/([^/]+))", Access::viewer, Reads::filtered, "One command",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
    auto c = ctx.store.find_command(req.matches[1]);
    // Outside the caller's zones it is as if there were none.
    if (!c || !scope_of(req).sees_station(c->station_id)) {
      return send_error(res, 404, "not_found", "no command " + std::string(req.matches[1]));
    }
    send_json(res, to_json(*c));
  });
}

}  // namespace loa::api
