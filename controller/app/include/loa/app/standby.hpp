#pragma once

#include <memory>

#include "loa/app/controller_config.hpp"
#include "loa/daemon/signal_fd.hpp"
#include "loa/ha/lease.hpp"

namespace loa::app {

// One of a standby pair before it acts: brings the database's schema up to date, then
// tries for the lease; while another controller holds it, serves the standby's answers
// on the API's address and tries again twice per renewal interval. Returns the lease
// once held (already being renewed; `on_lost` is called when it is lost), or null when
// a stop signal came first.
[[nodiscard]] std::unique_ptr<ha::Lease> wait_for_lease(const ControllerConfig& config, daemon::SignalFd& signals,
                                                        std::function<void(const std::string&)> on_lost);

}  // namespace loa::app
