#pragma once

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "loa/log/rate_limiter.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/server/link_counters.hpp"

namespace loa::server {

// Answers libzmq's ZAP requests (RFC 27) for the control socket: a CURVE client is let
// in only when its key is enrolled, approved and bound to the station id it presents as
// its routing id. libzmq admits every CURVE client when nobody serves ZAP, so this
// handler is bound before the control socket and the server refuses to start without it.
class ZapHandler {
 public:
  // Binds inproc://zeromq.zap.01 in `context`; throws if that fails (another handler
  // already bound in this context would make this one's answers meaningless).
  ZapHandler(zmq::context_t& context, registry::StationRegistry& registry, LinkCounters& counters);

  [[nodiscard]] zmq::socket_ref socket() { return socket_; }
  // Reads one request and answers it. Never throws on a malformed request.
  void handle_one();

 private:
  zmq::socket_t socket_;
  registry::StationRegistry& registry_;
  LinkCounters& counters_;
  log::RateLimiter log_limit_;
};

}  // namespace loa::server
