#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Approval before air: the broadcasts waiting for an approver (and those decided), and
// the approver's decision, approve or send back with a reason. Every step goes to the
// audit log; a broadcast sent back is cancelled with it and never airs.
void install_approval_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of);

}  // namespace loa::api
