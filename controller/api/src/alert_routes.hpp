#pragma once

#include <httplib.h>

#include <functional>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"
#include "loa/users/user_directory.hpp"

namespace loa::api {

// /api/v1/alerts and /api/v1/cap.
void install_alert_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of);

}  // namespace loa::api
