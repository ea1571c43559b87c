#pragma once

#include <string>
#include <unordered_map>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "loa/log/rate_limiter.hpp"
#include "loa/server/link_counters.hpp"

namespace loa::server {

// Watches the control socket's connection events (libzmq's socket monitor) to count and
// log what never reaches the ZAP handler: plain ZMTP clients, garbage bytes, handshakes
// that stall. libzmq's monitor names the listening address, not the peer, so the peer
// address is taken from the accepted socket and tied to the failure that follows on
// the same connection.
class ConnectionMonitor {
 public:
  // `name` tells the monitors of different sockets apart (inproc endpoint, logs).
  ConnectionMonitor(zmq::context_t& context, zmq::socket_ref monitored, const std::string& name,
                    LinkCounters& counters);
  // Stops the monitoring before closing the socket that reads it: libzmq's I/O thread
  // sends each event with a blocking send, and with no reader left it would wait
  // forever (libzmq issue 3575). The monitored socket must still be open.
  ~ConnectionMonitor();
  ConnectionMonitor(const ConnectionMonitor&) = delete;
  ConnectionMonitor& operator=(const ConnectionMonitor&) = delete;

  [[nodiscard]] zmq::socket_ref socket() { return socket_; }
  void handle_one();
  // Peer address of a live connection's file descriptor, or "" when unknown.
  [[nodiscard]] std::string address_of(int fd) const;
  // Forgets a descriptor (the server shut it down itself).
  void forget(int fd) { peers_.erase(fd); }

 private:
  zmq::socket_ref monitored_;
  zmq::socket_t socket_;
  std::string name_;
  LinkCounters& counters_;
  std::unordered_map<int, std::string> peers_;  // accepted fd -> "ip:port"
  int last_failed_reason_ = 0;                  // set by a handshake failure, used by the disconnect after it
  log::RateLimiter log_limit_;
};

}  // namespace loa::server
