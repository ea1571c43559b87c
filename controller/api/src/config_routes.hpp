#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Station hardware configurations kept on the controller (ConfigDesk): pushed to
// stations, zones or all after the checks of `loa-agent check-config`
// (POST /api/v1/config/push, dry_run to see what would go where), each station's
// versions (GET /api/v1/stations/{id}/config), a way back to one
// (POST /api/v1/stations/{id}/config/rollback), and the stations whose running
// configuration differs from the one held (GET /api/v1/config/drift).
void install_config_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of);

}  // namespace loa::api
