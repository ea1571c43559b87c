#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"

namespace loa::api {

// Station health: telemetry history, alarms, band compliance, and the summary loactl
// shows (/api/v1/stations/{id}/telemetry, /alarms, /compliance, /health).
void install_health_routes(httplib::Server& http, ApiContext& ctx);

}  // namespace loa::api
