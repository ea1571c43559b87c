#include "control_sockets.hpp"

#include "loa/link/socket_setup.hpp"
#include "loa/server/zap_handler.hpp"

namespace loa::server {
namespace {

// The controller's sockets use no ZMTP heartbeats. Each PING arms a timeout timer that
// the peer's answer cancels, and libzmq cancels a timer with a linear search over every
// timer of its I/O thread (poller_base_t::cancel_timer): at 5,000 stations that was 70 %
// of the controller's CPU at rest (31 % of a core). Liveness is the link's own
// heartbeats (a silent station is offline after missed_heartbeats intervals, and the
// agent starts a fresh connection); TCP keepalive reaps connections whose peer vanished.
void without_zmtp_heartbeats(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::heartbeat_ivl, 0);
  socket.set(zmq::sockopt::tcp_keepalive, 1);
  socket.set(zmq::sockopt::tcp_keepalive_idle, 30);
  socket.set(zmq::sockopt::tcp_keepalive_intvl, 5);
  socket.set(zmq::sockopt::tcp_keepalive_cnt, 3);
}

}  // namespace

std::unique_ptr<zmq::socket_t> make_control_socket(zmq::context_t& context, const ControlServerSettings& settings) {
  auto router = std::make_unique<zmq::socket_t>(context, zmq::socket_type::router);
  link::apply_link_options(*router, settings.link);
  without_zmtp_heartbeats(*router);
  router->set(zmq::sockopt::curve_server, true);
  router->set(zmq::sockopt::curve_secretkey, settings.secret_key_z85);
  router->set(zmq::sockopt::zap_domain, ZapHandler::kControlDomain);
  router->set(zmq::sockopt::router_mandatory, true);
  // After a controller restart a whole province reconnects at once; libzmq's default
  // accept backlog (100) drops SYNs, and each retry waits 1, 3, 7 s ... (the kernel
  // caps this at net.core.somaxconn).
  router->set(zmq::sockopt::backlog, 4096);
  return router;
}

std::unique_ptr<zmq::socket_t> make_enroll_socket(zmq::context_t& context, const ControlServerSettings& settings) {
  // The enrollment socket carries one small hello per attempt: a tight size bound.
  auto enroll_link = settings.link;
  enroll_link.max_message_bytes = 4096;
  auto enroll = std::make_unique<zmq::socket_t>(context, zmq::socket_type::router);
  link::apply_link_options(*enroll, enroll_link);
  without_zmtp_heartbeats(*enroll);
  enroll->set(zmq::sockopt::curve_server, true);
  enroll->set(zmq::sockopt::curve_secretkey, settings.secret_key_z85);
  enroll->set(zmq::sockopt::zap_domain, ZapHandler::kEnrollDomain);
  enroll->set(zmq::sockopt::backlog, 1024);
  return enroll;
}

std::unique_ptr<zmq::socket_t> make_audio_socket(zmq::context_t& context, const ControlServerSettings& settings) {
  // Live audio: a PUB socket behind the same ZAP domain as the control socket (only
  // approved stations subscribe). Its own socket, so a command never queues behind
  // audio; its queue per station is about one playout latency, and the kernel's send
  // buffer is kept small for the same reason (stale audio is worthless).
  // XPUB, verbose: every subscription comes up tagged with its station and
  // descriptor, so revoking a station can cut its audio connection (AudioSubscribers).
  auto audio = std::make_unique<zmq::socket_t>(context, zmq::socket_type::xpub);
  audio->set(zmq::sockopt::xpub_verbose, 1);
  audio->set(zmq::sockopt::linger, 0);
  audio->set(zmq::sockopt::sndhwm, settings.audio_high_water_mark);
  audio->set(zmq::sockopt::sndbuf, 32 * 1024);
  // Stations send nothing but subscriptions (and the CURVE handshake, a few hundred bytes).
  audio->set(zmq::sockopt::maxmsgsize, std::int64_t{4096});
  // A dead station costs only its own bounded queue; TCP keepalive reaps its
  // connection, and an agent opens a fresh audio connection each time its control
  // link comes back.
  without_zmtp_heartbeats(*audio);
  audio->set(zmq::sockopt::handshake_ivl, static_cast<int>(settings.link.handshake_timeout.count()));
  audio->set(zmq::sockopt::curve_server, true);
  audio->set(zmq::sockopt::curve_secretkey, settings.secret_key_z85);
  audio->set(zmq::sockopt::zap_domain, ZapHandler::kControlDomain);
  audio->set(zmq::sockopt::backlog, 4096);
  return audio;
}

}  // namespace loa::server
