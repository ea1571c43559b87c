#include "loa/link/socket_setup.hpp"

#include "loa/log/log.hpp"

namespace loa::link {

namespace {
// ZMQ_ZERO_COPY_RECV, which zmq.h names only when built with the draft API; the
// number is libzmq's (4.3), and a libzmq without it refuses it with EINVAL.
constexpr int kZeroCopyRecv = 10;
}  // namespace

bool copy_received_messages(zmq::context_t& context) {
  const bool copies = zmq_ctx_set(context.handle(), kZeroCopyRecv, 0) == 0 &&
                      zmq_ctx_get(context.handle(), kZeroCopyRecv) == 0;
  if (!copies) log::Logger("link").warn("libzmq keeps messages in its read buffers");
  return copies;
}

void apply_link_options(zmq::socket_ref socket, const LinkSettings& settings) {
  const int heartbeat_ms = static_cast<int>(settings.heartbeat_interval.count());
  socket.set(zmq::sockopt::maxmsgsize, settings.max_message_bytes);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::heartbeat_ivl, heartbeat_ms);
  socket.set(zmq::sockopt::heartbeat_timeout, static_cast<int>(settings.dead_after().count()));
  socket.set(zmq::sockopt::heartbeat_ttl, static_cast<int>(settings.dead_after().count()));
  socket.set(zmq::sockopt::handshake_ivl, static_cast<int>(settings.handshake_timeout.count()));
  socket.set(zmq::sockopt::sndhwm, settings.send_high_water_mark);
  socket.set(zmq::sockopt::rcvhwm, settings.send_high_water_mark);
}

bool send_envelope(zmq::socket_ref socket, const wire::v1::Envelope& envelope) {
  std::string bytes = wire::encode(envelope);
  try {
    return socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    return false;
  }
}

bool send_envelope(zmq::socket_ref socket, std::string_view routing_id,
                   const wire::v1::Envelope& envelope) {
  std::string bytes = wire::encode(envelope);
  try {
    // ROUTER_MANDATORY makes an unknown peer an error (EHOSTUNREACH) instead of a
    // silent drop, so the caller learns the station is gone.
    if (!socket.send(zmq::buffer(routing_id), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return false;
    }
    return socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    return false;
  }
}

}  // namespace loa::link
