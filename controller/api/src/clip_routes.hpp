#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// The clip library: upload (streamed, size-limited), list, show, download, remove.
void install_clip_routes(RouteTable& routes, ApiContext& ctx, std::size_t max_clip_bytes);

}  // namespace loa::api
