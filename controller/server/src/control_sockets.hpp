#pragma once

// The control server's three sockets, built with their options (CURVE, ZAP domain,
// limits, backlog, no ZMTP heartbeats) and not yet bound.

#include <memory>
#include <zmq.hpp>

#include "loa/server/control_server.hpp"

namespace loa::server {

// Control: the ROUTER every approved agent connects to.
[[nodiscard]] std::unique_ptr<zmq::socket_t> make_control_socket(zmq::context_t& context,
                                                                 const ControlServerSettings& settings);
// Enrollment: a ROUTER where unknown agents ask to be enrolled.
[[nodiscard]] std::unique_ptr<zmq::socket_t> make_enroll_socket(zmq::context_t& context,
                                                                const ControlServerSettings& settings);
// Live audio: an XPUB that approved stations subscribe to.
[[nodiscard]] std::unique_ptr<zmq::socket_t> make_audio_socket(zmq::context_t& context,
                                                               const ControlServerSettings& settings);

}  // namespace loa::server
