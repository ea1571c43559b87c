#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// /api/v1/users, /api/v1/tokens and /api/v1/audit: who may do what, and what they did.
void install_user_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller);

}  // namespace loa::api
