#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// The whole district at a glance: open alarms of every station, what each station is
// sounding now, and /api/v1/events, the live feed of both and of station states that
// the console's dashboard follows. Each shows a scoped person their part of the tree only.
void install_fleet_routes(RouteTable& routes, ApiContext& ctx, ScopeOf scope_of);

}  // namespace loa::api
