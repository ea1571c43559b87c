#include "loa/server/connection_monitor.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "loa/log/log.hpp"
#include "loa/net/peer_address.hpp"

namespace loa::server {
namespace {

const log::Logger kLog("link");


const char* failure_name(int event) {
  switch (event) {
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "protocol";
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return "no_detail";
    default: return "other";
  }
}

}  // namespace

ConnectionMonitor::ConnectionMonitor(zmq::context_t& context, zmq::socket_ref monitored, const std::string& name,
                                     LinkCounters& counters)
    : monitored_(monitored), socket_(context, zmq::socket_type::pair), name_(name), counters_(counters), log_limit_(std::chrono::seconds(60)) {
  const std::string endpoint = "inproc://loa-monitor-" + name;
  const int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
  if (zmq_socket_monitor(monitored.handle(), endpoint.c_str(), events) != 0) {
    throw zmq::error_t();
  }
  socket_.set(zmq::sockopt::linger, 0);
  socket_.connect(endpoint);
}

ConnectionMonitor::~ConnectionMonitor() { (void)zmq_socket_monitor(monitored_.handle(), nullptr, 0); }

std::string ConnectionMonitor::address_of(int fd) const {
  auto it = peers_.find(fd);
  return it == peers_.end() ? std::string() : it->second;
}

void ConnectionMonitor::handle_one() {
  std::vector<zmq::message_t> parts;
  if (!zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
  if (parts.empty() || parts[0].size() < 6) return;
  std::uint16_t event = 0;
  std::uint32_t value = 0;
  std::memcpy(&event, parts[0].data(), sizeof event);
  std::memcpy(&value, static_cast<const char*>(parts[0].data()) + 2, sizeof value);

  kLog.debug("event: socket={} event={} value={}", name_, event, value);
  switch (event) {
    case ZMQ_EVENT_ACCEPTED:
      peers_[static_cast<int>(value)] = net::peer_address(static_cast<int>(value));
      break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
      // The value is the ZMTP error, not the descriptor; the DISCONNECTED event of
      // the same connection follows and names it.
      last_failed_reason_ = event;
      if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
        ++counters_.handshake_failed_protocol;
      } else {
        ++counters_.handshake_failed_other;
      }
      break;
    case ZMQ_EVENT_DISCONNECTED: {
      const int fd = static_cast<int>(value);
      auto address = address_of(fd);
      if (last_failed_reason_ != 0) {
        std::uint64_t suppressed = 0;
        auto host = address.substr(0, address.rfind(':'));
        if (log_limit_.allow(host, std::chrono::steady_clock::now(), suppressed)) {
          kLog.warn("refused: socket={} reason=handshake_{} address={} key=none suppressed={}", name_,
                    failure_name(last_failed_reason_), address.empty() ? "unknown" : address, suppressed);
        }
        last_failed_reason_ = 0;
      }
      peers_.erase(fd);
      break;
    }
    default: break;
  }
}

}  // namespace loa::server
