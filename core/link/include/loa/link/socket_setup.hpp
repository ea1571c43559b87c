#pragma once

#include <string_view>

#include <zmq.hpp>

#include "loa/link/link_settings.hpp"
#include "loa/wire/codec.hpp"

namespace loa::link {

// Makes `context` copy each received message into a block of its own size. libzmq's
// default instead reads into 8 KB buffers (18 KB with their bookkeeping) that each
// message cut from them keeps alive, so one message still queued holds a whole read
// buffer: the soak's controller (1,000 stations) was 8 MB larger on average for it.
// Returns false, and says so in the log, when this libzmq does not know the option (it
// is a draft one); the context then reads as it did.
[[nodiscard]] bool copy_received_messages(zmq::context_t& context);

// Options every control-link socket gets, at either end: message size bound, no linger
// on close, ZMTP-level heartbeats (so libzmq itself drops a TCP connection that went
// silent; the controller turns them off again on its sockets, see control_server.cpp),
// handshake timeout, bounded queues.
void apply_link_options(zmq::socket_ref socket, const LinkSettings& settings);

// Sends one envelope without blocking. On a ROUTER, `routing_id` names the peer.
// Returns false when the peer's queue is full or the peer is gone (the caller decides
// whether to retry); never throws for those.
[[nodiscard]] bool send_envelope(zmq::socket_ref socket, const wire::v1::Envelope& envelope);
[[nodiscard]] bool send_envelope(zmq::socket_ref socket, std::string_view routing_id,
                                 const wire::v1::Envelope& envelope);

}  // namespace loa::link
