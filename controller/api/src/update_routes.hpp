#pragma once

#include <httplib.h>

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Agent releases and their staged rollouts (UpdateDesk): a signed loa-agent package
// uploaded (POST /api/v1/releases?signature=, the raw .deb as body), the releases kept
// (GET /api/v1/releases), a rollout started with its canaries
// (POST /api/v1/updates), its state station by station (GET /api/v1/updates/{id}, or
// latest), and a halt or a way back (POST /api/v1/updates/{id}/halt|rollback).
void install_update_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller);

}  // namespace loa::api
