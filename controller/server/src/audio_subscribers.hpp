#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

namespace loa::server {

// Who holds a connection to the live-audio socket, learnt from the subscriptions each
// connection sends (an XPUB socket, verbose): libzmq tags them with the station id ZAP
// gave the connection and its descriptor. Revoking a station then cuts its audio too,
// not only its control link. Used from the control loop only.
class AudioSubscribers {
 public:
  // Reads every subscription message waiting on `xpub` (the caller holds the socket's
  // lock). Returns how many it read.
  std::size_t drain(zmq::socket_t& xpub);
  // Shuts down each audio connection of `station` that is still the one it subscribed
  // on (same descriptor, same peer address and port: a reused descriptor is left
  // alone). Returns how many were cut.
  std::size_t cut(const std::string& station);

 private:
  struct Connection {
    int fd = -1;
    std::string peer;  // "address:port" when it subscribed
  };
  std::unordered_map<std::string, std::vector<Connection>> by_station_;
};

}  // namespace loa::server
