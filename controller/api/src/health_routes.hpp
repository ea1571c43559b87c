#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Station health: telemetry history, alarms, band compliance, and the summary loactl
// shows (/api/v1/stations/{id}/telemetry, /alarms, /compliance, /health).
void install_health_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller);

}  // namespace loa::api
