#pragma once

#include <zmq.hpp>
#include <atomic>
#include <thread>
#include <zmq_addon.hpp>

#include "loa/log/rate_limiter.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/server/link_counters.hpp"

namespace loa::server {

// Answers libzmq's ZAP requests (RFC 27) for both CURVE sockets of the controller, told
// apart by ZAP domain:
//  - kControlDomain: only keys of approved stations get in; the ZAP user id is the
//    station id, so every message on that connection is known to come from it.
//  - kEnrollDomain: any key that is not revoked or rejected may connect to say hello
//    and be recorded as pending; the ZAP user id is the key itself (Z85), since libzmq
//    does not otherwise tell the socket which key a peer used.
// libzmq admits every CURVE client when nobody serves ZAP, so this handler is bound
// before either socket and the server refuses to start without it.
class ZapHandler {
 public:
  static constexpr const char* kControlDomain = "loa";
  static constexpr const char* kEnrollDomain = "loa-enroll";

  // Binds inproc://zeromq.zap.01 in `context`; throws if that fails (another handler
  // already bound in this context would make this one's answers meaningless).
  ZapHandler(zmq::context_t& context, registry::StationRegistry& registry, LinkCounters& counters);

  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  // Answers requests on a thread of its own, from the registry's memory only: a control
  // loop held up by a slow store write (an fsync behind a busy disk) must not leave new
  // connections unanswered until libzmq gives up on their handshake.
  void start();
  void stop();
  // Reads one request and answers it. Never throws on a malformed request.
  void handle_one();

 private:
  void log_refusal(const std::string& reason, const std::string& station, const std::string& key,
                   const std::string& address);

  void run();

  zmq::socket_t socket_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  registry::StationRegistry& registry_;
  LinkCounters& counters_;
  log::RateLimiter log_limit_;
};

}  // namespace loa::server
