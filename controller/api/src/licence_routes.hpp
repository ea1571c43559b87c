#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Station licences, kept on the controller: read (GET /api/v1/licences, and
// /api/v1/stations/{id}/licence with whether the station has it yet) and changed by a
// technician (PUT /api/v1/stations/{id}/licence), each change sent to the station as a
// command that is delivered at least once.
void install_licence_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of);

}  // namespace loa::api
