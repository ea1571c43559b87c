#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "loa/curve/key_pair.hpp"
#include "loa/wire/codec.hpp"

namespace loa::test {

// A CURVE client of the test's own, with keys it chooses, speaking raw frames or
// envelopes to the controller's control or enrollment socket. `endpoint` may name a
// source address ("tcp://127.0.0.9:0;127.0.0.1:PORT"): strangers on another address.
struct RawClient {
  zmq::context_t ctx{1};
  zmq::socket_t socket{ctx, zmq::socket_type::dealer};

  RawClient(const std::string& endpoint, const curve::KeyPair* keys, const std::string& server_key) {
    socket.set(zmq::sockopt::linger, 0);
    if (keys) {
      socket.set(zmq::sockopt::curve_serverkey, server_key);
      socket.set(zmq::sockopt::curve_publickey, keys->public_z85);
      socket.set(zmq::sockopt::curve_secretkey, keys->secret_z85);
    }
    socket.connect(endpoint);
  }
  void send_raw(const std::string& bytes) { (void)socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait); }
  void send(const wire::v1::Envelope& envelope) { send_raw(wire::encode(envelope)); }
  bool receive_any(std::chrono::milliseconds timeout) { return receive(timeout).has_value(); }
  std::optional<wire::v1::Envelope> receive(std::chrono::milliseconds timeout) {
    socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout.count()));
    zmq::message_t msg;
    if (!socket.recv(msg)) return std::nullopt;
    auto decoded = wire::decode(msg.to_string_view(), 1 << 20);
    if (!decoded.ok()) return wire::v1::Envelope{};
    return decoded.envelope();
  }
};

}  // namespace loa::test
