#pragma once

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// The web console: its page shell and modules (compiled in), the web libraries it loads
// from the system (Debian's libjs-leaflet and libjs-chart.js), and the settings the page
// needs before it draws anything (/api/v1/console: the time zone, the map's tiles).
void install_console_routes(RouteTable& routes, const ConsoleSettings& console, const std::string& time_zone);

}  // namespace loa::api
