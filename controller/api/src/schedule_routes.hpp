#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Broadcasts (create with conflict and quiet-hours checks, list, show with upcoming
// occurrences, cancel), the schedule as iCalendar (export and import), and the as-run
// log (JSON or CSV). `caller` names who is asking, for the record.
// A target as an operator names it ("all", a zone id or a station id; a zone wins when
// both exist) in the planner's form ("all", "zone:ID", "station:ID"); nullopt if unknown.
[[nodiscard]] std::optional<std::string> target_of(ApiContext& ctx, const std::string& name);

// The stations a request's "to" (a name, or a list of names) reaches now, for one
// caller: every name known, every station inside the caller's zones, at least one
// station. Otherwise the reply is sent (422 invalid / no_stations, 403 out_of_scope)
// and nullopt returned.
[[nodiscard]] std::optional<std::vector<std::string>> stations_to(ApiContext& ctx, const users::Caller& caller,
                                                                  const nlohmann::json& body, httplib::Response& res);

void install_schedule_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of);

}  // namespace loa::api
