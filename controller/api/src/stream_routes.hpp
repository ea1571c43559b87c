#pragma once

#include <functional>
#include <string>

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Live streams: start one (a relay URL, the sound card, an RTP ingest, a test signal)
// and have target stations play it, list them with their state, stop one.
void install_stream_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of);

}  // namespace loa::api
