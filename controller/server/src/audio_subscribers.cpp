#include "audio_subscribers.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

#include "loa/log/log.hpp"
#include "loa/net/peer_address.hpp"

namespace loa::server {
namespace {

const log::Logger kLog("audio");

// A live stream is a thin stream: a few small segments a second, so a lost one is
// never followed by the three duplicate ACKs of a fast retransmit, and only the
// retransmission timer recovers it. Left alone, that timer doubles with each loss in a
// row (0.35, 0.7, 1.4 s at a 150 ms round trip), and on a lossy 3G link the stream
// falls a whole latency behind. Linear timeouts keep the first retransmissions one
// round-trip timeout apart (Linux, TCP_THIN_LINEAR_TIMEOUTS).
void retransmit_as_thin_stream(int fd) {
  const int on = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_THIN_LINEAR_TIMEOUTS, &on, sizeof on) != 0) {
    kLog.debug("thin-stream timeouts not set: fd={}", fd);
  }
}

}  // namespace

std::size_t AudioSubscribers::drain(zmq::socket_t& xpub) {
  std::size_t read = 0;
  zmq::message_t msg;
  while (xpub.recv(msg, zmq::recv_flags::dontwait)) {
    ++read;
    // First byte 1: subscribe; 0: unsubscribe (the connection stays known until cut or
    // until its descriptor no longer leads to the same peer).
    if (msg.size() == 0 || msg.data<char>()[0] != 1) continue;
    const char* station = nullptr;
    try {
      station = msg.gets("User-Id");
    } catch (const zmq::error_t&) {
      continue;
    }
    const int fd = msg.get(ZMQ_SRCFD);
    const auto peer = net::peer_address(fd);
    if (!station || !*station || peer.empty()) continue;
    auto& list = by_station_[station];
    // Forget connections whose descriptor now leads elsewhere (closed, reused).
    std::erase_if(list, [](const Connection& c) { return net::peer_address(c.fd) != c.peer; });
    if (std::none_of(list.begin(), list.end(), [&](const Connection& c) { return c.fd == fd; })) {
      list.push_back({fd, peer});
      retransmit_as_thin_stream(fd);
    }
  }
  return read;
}

std::size_t AudioSubscribers::cut(const std::string& station) {
  auto it = by_station_.find(station);
  if (it == by_station_.end()) return 0;
  std::size_t cut = 0;
  for (const auto& c : it->second) {
    if (net::peer_address(c.fd) != c.peer) continue;  // gone already, or the number now means another connection
    ::shutdown(c.fd, SHUT_RDWR);
    ++cut;
    kLog.info("audio cut: station={} peer={}", station, c.peer);
  }
  by_station_.erase(it);
  return cut;
}

}  // namespace loa::server
