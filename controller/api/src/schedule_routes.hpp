#pragma once

#include <functional>
#include <string>

#include <httplib.h>

#include "loa/api/api_server.hpp"

namespace loa::api {

// Broadcasts (create with conflict and quiet-hours checks, list, show with upcoming
// occurrences, cancel), the schedule as iCalendar (export and import), and the as-run
// log (JSON or CSV). `caller` names who is asking, for the record.
void install_schedule_routes(httplib::Server& http, ApiContext& ctx,
                             std::function<std::string(const httplib::Request&)> caller);

}  // namespace loa::api
