#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Commands to stations: one station's (POST /api/v1/stations/{id}/commands), or the
// same play, stop or volume change to every station of some targets in one request
// (POST /api/v1/commands, resolved here as broadcasts and alerts resolve theirs), and
// the list of commands with their results (a scoped person's stations' only).
void install_command_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of);

}  // namespace loa::api
