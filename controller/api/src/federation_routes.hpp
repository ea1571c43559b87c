#pragma once

#include "loa/api/api_server.hpp"
#include "route_table.hpp"

namespace loa::api {

// Controllers federated upward. Above: the members (their link, their stations and
// as-run rolled up) and the alerts and bulletins sent down to them (relays). Below: the
// link up, and the inbox of normal bulletins from above (accepting one is a broadcast:
// see install_schedule_routes).
// An inbox entry as the API shows it ("expired" once its validity passed unanswered).
[[nodiscard]] nlohmann::json inbox_json(const store::InboxRecord& entry);

// Its zones as targets ("zone:ID", or "all"): what a commune's user is shown it by.
[[nodiscard]] std::vector<std::string> inbox_targets(const store::InboxRecord& entry);

void install_federation_routes(RouteTable& routes, ApiContext& ctx, CallerOf caller, ScopeOf scope_of);

}  // namespace loa::api
