#pragma once

#include <cstdint>
#include <string>

#include "loa/api/api_server.hpp"
#include "loa/http/http_front.hpp"

namespace loa::api {

// What the API's gate and front counted, for /metrics.
struct RefusalCounts {
  std::uint64_t strangers = 0;  // requests without a valid credential
  std::uint64_t known = 0;      // signed-in callers lacking the role
  http::FrontStats front;
};

// The Prometheus text of /metrics: HTTP front, gate, control link, stations, devices,
// alerts, loops, commands.
[[nodiscard]] std::string metrics_text(ApiContext& ctx, const RefusalCounts& refusals);

}  // namespace loa::api
