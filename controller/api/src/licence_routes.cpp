#include "licence_routes.hpp"

#include <cmath>

#include "http_helpers.hpp"
#include "loa/hwconfig/station_hardware.hpp"
#include "loa/log/log.hpp"
#include "loa/time/clock.hpp"

namespace loa::api {
namespace {

const log::Logger kLog("api");

constexpr std::int64_t kDayMs = 86'400'000;

json licence_json(ApiContext& ctx, const store::LicenceRecord& l) {
  json out{{"station_id", l.station_id},       {"assigned_khz", l.assigned_khz}, {"tolerance_khz", l.tolerance_khz},
           {"max_power_w", l.max_power_w},     {"expires", l.expires},           {"type_approval", l.type_approval},
           {"temporary", l.temporary},         {"updated_ms", l.updated_ms},     {"updated_by", l.updated_by},
           {"command_id", l.command_id}};
  if (auto expires = hwconfig::parse_date(l.expires)) {
    out["days_left"] = *expires - time::wall_ms() / kDayMs;
  }
  // Whether the station checks against this version yet: the state of the command that
  // carries it (pending until the station answers).
  if (auto command = ctx.store.find_command(l.command_id)) {
    out["delivery"] = store::to_string(command->state);
    if (!command->result_detail.empty()) out["delivery_detail"] = command->result_detail;
  }
  return out;
}

// A number field that must be present and above zero; the message names it otherwise.
std::optional<double> positive(const json& body, const char* key, std::string& error) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() <= 0) {
    if (error.empty()) error = std::string(key) + " must be a number above 0";
    return std::nullopt;
  }
  return it->get<double>();
}

void put_licence(ApiContext& ctx, const users::Caller& who, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  auto station = ctx.registry.find(id);
  if (!station) return send_error(res, 404, "not_found", "no station " + id);
  if (fleet::Fleet::out_of_scope(ctx.store, who.zones, {"station:" + id})) {
    return send_error(res, 403, "out_of_scope", "station " + id + " is outside " + who.name + "'s zones");
  }
  auto body = parse_body(req, res);
  if (!body) return;
  for (const auto& [key, value] : body->items()) {
    static const char* const known[] = {"assigned_khz", "tolerance_khz", "max_power_w", "expires", "type_approval",
                                        "temporary"};
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      return send_error(res, 422, "invalid",
                        "unknown field '" + key + "' (assigned_khz, tolerance_khz, max_power_w, expires, type_approval, temporary)");
    }
  }
  std::string error;
  const auto assigned = positive(*body, "assigned_khz", error);
  const auto tolerance = positive(*body, "tolerance_khz", error);
  const auto power = positive(*body, "max_power_w", error);
  const auto expires = string_field(*body, "expires");
  if (error.empty() && !hwconfig::parse_date(expires)) error = "expires must be a date YYYY-MM-DD";
  if (error.empty() && body->contains("temporary") && !(*body)["temporary"].is_boolean()) {
    error = "temporary must be true or false";
  }
  if (!error.empty()) return send_error(res, 422, "invalid", error);

  store::LicenceRecord licence;
  licence.station_id = id;
  licence.assigned_khz = *assigned;
  licence.tolerance_khz = *tolerance;
  licence.max_power_w = *power;
  licence.expires = expires;
  licence.type_approval = utf8_prefix(string_field(*body, "type_approval"), 200);
  licence.temporary = body->value("temporary", false);
  licence.updated_ms = time::wall_ms();
  licence.updated_by = who.name;

  std::vector<server::CommandDispatcher::Outgoing> out(1);
  out[0].station_id = id;
  auto* set = out[0].command.mutable_set_licence();
  set->set_assigned_khz(licence.assigned_khz);
  set->set_tolerance_khz(licence.tolerance_khz);
  set->set_max_power_w(licence.max_power_w);
  set->set_expires(licence.expires);
  set->set_type_approval(licence.type_approval);
  set->set_temporary(licence.temporary);
  set->set_revision(licence.updated_ms);
  auto records = ctx.commands.prepare(out);
  licence.command_id = records.front().id;
  ctx.store.put_licence(licence, records.front());  // the licence and its command, together
  ctx.commands.queue(records);
  kLog.info("licence set: station={} assigned_khz={} tolerance_khz={} max_power_w={} expires={} by={} command={}", id,
            licence.assigned_khz, licence.tolerance_khz, licence.max_power_w, licence.expires, who.name,
            licence.command_id);
  send_json(res, licence_json(ctx, licence), 200);
}

}  // namespace

void install_licence_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of) {
  routes.get("/api/v1/licences", Access::viewer, Reads::filtered, "Every station's licence, with days left and delivery",
             [&ctx, scope_of](const httplib::Request& req, httplib::Response& res) {
               const auto page = page_of(req, res, 10000, 100000);
               if (!page) return;
               const auto scope = scope_of(req);
               json items = json::array();
               for (const auto& l : ctx.store.list_licences()) {
                 if (scope.sees_station(l.station_id)) items.push_back(licence_json(ctx, l));
               }
               send_page(res, items, *page);
             });
  routes.get(R"(/api/v1/stations/([^/]+)/licence)", Access::viewer, Reads::station_in_path,
             "A station's licence, with days left and whether the station has it yet",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               const std::string id = req.matches[1];
               if (!ctx.registry.find(id)) return send_error(res, 404, "not_found", "no station " + id);
               auto licence = ctx.store.find_licence(id);
               if (!licence) return send_error(res, 404, "not_found", "station " + id + " has no licence on the controller");
               send_json(res, licence_json(ctx, *licence));
             });
  routes.put(R"(/api/v1/stations/([^/]+)/licence)", Access::technician,
             "Set a station's licence (assigned frequency, tolerance, power, expiry); sent to the station",
             [&ctx, caller](const httplib::Request& req, httplib::Response& res) { put_licence(ctx, caller(req), req, res); });
}

}  // namespace loa::api
