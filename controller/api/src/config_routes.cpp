#include "config_routes.hpp"

#include "http_helpers.hpp"
#include "loa/configs/config_desk.hpp"
#include "loa/fleet/fleet.hpp"

namespace loa::api {
namespace {

constexpr std::size_t kMaxFiles = 64;

json pushed_json(const configs::ConfigDesk::Pushed& p, bool dry_run) {
  json versions = json::object();
  for (const auto& [station, version] : p.versions) versions[station] = version;
  return {{"dry_run", dry_run}, {"digest", p.digest}, {"stations", p.stations}, {"versions", versions}};
}

// A refused configuration: every FILE:LINE error, nothing stored or sent.
void send_refused(httplib::Response& res, const std::vector<std::string>& errors) {
  send_error(res, 422, "invalid_config", errors.front(), {{"errors", errors}});
}

void push(ApiContext& ctx, const users::Caller& who, const httplib::Request& req, httplib::Response& res) {
  auto body = parse_body(req, res);
  if (!body) return;
  configs::ConfigDesk::Push p;
  p.targets = strings_of(*body, "to");
  if (p.targets.empty()) return send_error(res, 422, "invalid", "to names the stations: all, zone:ID or station:ID");
  p.bundle.main = string_field(*body, "main");
  const auto files = body->find("files");
  if (files == body->end() || !files->is_object() || files->empty() || files->size() > kMaxFiles) {
    return send_error(res, 422, "invalid", "files must be an object of 1-64 relative paths and their texts");
  }
  for (const auto& [path, text] : files->items()) {
    if (!text.is_string()) return send_error(res, 422, "invalid", "files." + path + " must be the file's text");
    p.bundle.files[path] = text.get<std::string>();
  }
  p.note = utf8_prefix(string_field(*body, "note"), 200);
  p.by = who.name;
  p.dry_run = body->value("dry_run", false);
  const auto confirm = body->value("confirm_within_ms", std::int64_t{0});
  if (confirm < 0 || confirm > 3'600'000) return send_error(res, 422, "invalid", "confirm_within_ms must be 0-3600000");
  p.confirm_within_ms = static_cast<std::uint32_t>(confirm);
  if (auto outside = fleet::Fleet::out_of_scope(ctx.store, who.zones, p.targets)) {
    return send_error(res, 403, "out_of_scope", *outside + " is outside " + who.name + "'s zones");
  }
  const auto pushed = ctx.configs->push(p);
  if (!pushed.errors.empty()) return send_refused(res, pushed.errors);
  if (pushed.stations.empty()) return send_error(res, 422, "no_stations", "the targets name no station");
  send_json(res, pushed_json(pushed, p.dry_run), p.dry_run ? 200 : 201);
}

json version_json(const configs::ConfigDesk::Version& v) {
  json out{{"station_id", v.record.station_id}, {"version", v.record.version}, {"digest", v.record.digest},
           {"main", v.record.main},             {"note", v.record.note},       {"created_by", v.record.created_by},
           {"created_ms", v.record.created_ms}, {"command_id", v.record.command_id},
           {"delivery", v.delivery},            {"running", v.running}};
  if (!v.delivery_detail.empty()) out["delivery_detail"] = v.delivery_detail;
  return out;
}

}  // namespace

void install_config_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of) {
  if (!ctx.configs) return;
  routes.post("/api/v1/config/push", Access::technician,
              "Check a station hardware configuration and send it to stations, zones or all (dry_run: only check)",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res) { push(ctx, caller(req), req, res); });
  routes.get("/api/v1/config/drift", Access::viewer, Reads::filtered,
             "Stations running a configuration other than the newest one held for them",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
               const auto scope = scope_of(req);
               json items = json::array();
               for (const auto& d : ctx.configs->drift()) {
                 if (!scope.sees_station(d.station_id)) continue;
                 items.push_back({{"station_id", d.station_id}, {"version", d.version},
                                  {"held_digest", d.held_digest}, {"running_digest", d.running_digest}});
               }
               send_json(res, {{"items", items}});
             });
  routes.get(R"(/api/v1/stations/([^/]+)/config)", Access::viewer, Reads::station_in_path,
             "A station's hardware configuration versions, newest first, with delivery and which one it runs",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               const std::string id = req.matches[1];
               const auto station = ctx.registry.find(id);
               if (!station) return send_error(res, 404, "not_found", "no station " + id);
               json items = json::array();
               for (const auto& v : ctx.configs->history(id, 0)) items.push_back(version_json(v));
               send_json(res, {{"station_id", id}, {"running_digest", station->config_hash}, {"items", items}});
             });
  routes.get(R"(/api/v1/stations/([^/]+)/config/([^/]+))", Access::viewer, Reads::station_in_path,
             "The files of one version of a station's hardware configuration",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               const std::string id = req.matches[1];
               const std::string number = req.matches[2];
               if (number.empty() || number.size() > 9 || number.find_first_not_of("0123456789") != std::string::npos) {
                 return send_error(res, 404, "not_found", "a version is a number: v" + number + " is none");
               }
               const auto bundle = ctx.configs->files(id, static_cast<std::uint32_t>(std::stoul(number)));
               if (!bundle) return send_error(res, 404, "not_found", "station " + id + " has no such version");
               json files = json::object();
               for (const auto& [path, text] : bundle->files) files[path] = text;
               send_json(res, {{"main", bundle->main}, {"files", files}});
             });
  routes.post(R"(/api/v1/stations/([^/]+)/config/rollback)", Access::technician,
              "Send one of a station's earlier hardware configurations again, as its newest version",
              [&ctx, caller](const httplib::Request& req, httplib::Response& res) {
                const std::string id = req.matches[1];
                const auto who = caller(req);
                if (!ctx.registry.find(id)) return send_error(res, 404, "not_found", "no station " + id);
                if (auto outside = fleet::Fleet::out_of_scope(ctx.store, who.zones, {"station:" + id})) {
                  return send_error(res, 403, "out_of_scope", "station " + id + " is outside " + who.name + "'s zones");
                }
                auto body = parse_body(req, res);
                if (!body) return;
                const auto version = body->value("version", std::int64_t{0});
                if (version <= 0) return send_error(res, 422, "invalid", "version must be one of the station's versions");
                const auto pushed = ctx.configs->roll_back(id, static_cast<std::uint32_t>(version), who.name);
                if (!pushed) return send_error(res, 404, "not_found", "station " + id + " has no version " + std::to_string(version));
                if (!pushed->errors.empty()) return send_refused(res, pushed->errors);
                send_json(res, pushed_json(*pushed, false), 201);
              });
}

}  // namespace loa::api
