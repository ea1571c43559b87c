#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Statistics and reports, for judging how well the system serves and for sharing
// upward: plays and time on air per station, zone or content item; uptime and
// disconnects per station; alert delivery; by day or month, as JSON or CSV; and the
// printable monthly report (A4, Vietnamese). Each is cut to what the asker may see.
void install_report_routes(RouteTable& routes, ApiContext& ctx, ScopeOf scope_of);

}  // namespace loa::api
