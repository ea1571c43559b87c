#include "loa/link/client_link.hpp"

#include <zmq_addon.hpp>

#include <cstring>
#include <stdexcept>

#include "loa/link/socket_setup.hpp"
#include "loa/log/log.hpp"
#include "loa/wire/codec.hpp"

namespace loa::link {
namespace {

const log::Logger kLog("link");
namespace v1 = ::loa::v1;

}  // namespace

ClientLink::ClientLink(ClientLinkSettings settings, IClientLinkListener& listener, const time::IClock& clock)
    : settings_(std::move(settings)),
      listener_(listener),
      clock_(clock),
      context_(1),
      backoff_(settings_.reconnect_min),
      boot_ms_(clock.wall_ms()) {
  if (settings_.endpoints.empty() || settings_.enroll_endpoints.size() != settings_.endpoints.size()) {
    throw std::invalid_argument("client link: one enrollment endpoint for each control endpoint, at least one");
  }
  (void)copy_received_messages(context_);
}

ClientLink::~ClientLink() { close("shutdown"); }

void ClientLink::open() { open_socket(Mode::control); }

void ClientLink::open_socket(Mode mode) {
  drop_socket();
  mode_ = mode;
  const std::string& endpoint =
      mode == Mode::control ? settings_.endpoints[current_] : settings_.enroll_endpoints[current_];
  socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  auto& s = *socket_;
  apply_link_options(s, settings_.link);
  s.set(zmq::sockopt::curve_serverkey, settings_.controller_public_key);
  s.set(zmq::sockopt::curve_publickey, settings_.public_key);
  s.set(zmq::sockopt::curve_secretkey, settings_.secret_key);
  // Queue only on a finished connection: while offline, sends fail at once instead
  // of piling up stale heartbeats.
  s.set(zmq::sockopt::immediate, true);
  // libzmq retries a refused or dropped TCP connection by itself, backing off.
  s.set(zmq::sockopt::reconnect_ivl, static_cast<int>(settings_.reconnect_min.count()));
  s.set(zmq::sockopt::reconnect_ivl_max, static_cast<int>(settings_.reconnect_max.count()));
  s.set(zmq::sockopt::connect_timeout, static_cast<int>(settings_.link.dead_after().count()));

  const std::string monitor_endpoint = "inproc://loa-link-monitor-" + std::to_string(++monitor_generation_);
  const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                     ZMQ_EVENT_CONNECT_RETRIED;
  if (zmq_socket_monitor(s.handle(), monitor_endpoint.c_str(), events) != 0) throw zmq::error_t();
  monitor_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::pair);
  monitor_->set(zmq::sockopt::linger, 0);
  monitor_->connect(monitor_endpoint);

  s.connect(endpoint);
  opened_at_ = clock_.steady();
  last_heard_ = opened_at_;
  handshake_done_ = false;
  kLog.info("connecting: endpoint={} socket={} station={}", endpoint, mode == Mode::control ? "control" : "enroll",
            settings_.station_id);
}

void ClientLink::drop_socket() {
  go_offline();
  // Monitoring stops before either socket closes. libzmq's I/O thread sends each event
  // with a blocking send; a socket closed with its monitor's reader gone first left
  // that thread waiting forever (libzmq issue 3575), and with it every later
  // connection of this link: handshakes that never finish, "never became pending".
  if (socket_) (void)zmq_socket_monitor(socket_->handle(), nullptr, 0);
  socket_.reset();
  monitor_.reset();
}

void ClientLink::close(const std::string& reason) {
  if (!socket_) return;
  if (online_) {
    v1::Envelope bye;
    bye.mutable_goodbye()->set_reason(reason);
    (void)send_envelope(*socket_, bye);
  }
  drop_socket();
  mode_ = Mode::waiting;
}

void ClientLink::go_offline() {
  handshake_done_ = false;
  if (!online_) return;
  online_ = false;
  listener_.on_offline();
}

// After a failure, the next controller of the pair: the one that was active may have
// died, and the standby taken over.
void ClientLink::next_controller() {
  if (settings_.endpoints.size() < 2) return;
  current_ = (current_ + 1) % settings_.endpoints.size();
  kLog.info("trying the next controller: endpoint={}", settings_.endpoints[current_]);
}

void ClientLink::reset(const std::string& reason) {
  kLog.warn("reconnecting: reason={}", reason);
  next_controller();
  open_socket(Mode::control);
}

// Closes the socket and tries the control socket again after the current back-off,
// which doubles each time up to reconnect_max (and starts over once welcomed).
void ClientLink::retry_later(const std::string& reason) {
  drop_socket();
  next_controller();
  mode_ = Mode::waiting;
  retry_at_ = clock_.steady() + backoff_;
  kLog.info("retrying later: reason={} in_ms={}", reason, backoff_.count());
  backoff_ = std::min(backoff_ * 2, settings_.reconnect_max);
}

void ClientLink::add_poll_items(std::vector<zmq::pollitem_t>& items) {
  if (!socket_) return;
  items.push_back({socket_->handle(), 0, ZMQ_POLLIN, 0});
  items.push_back({monitor_->handle(), 0, ZMQ_POLLIN, 0});
}

void ClientLink::handle(const zmq::pollitem_t* items) {
  if (!socket_) return;
  if (items[1].revents & ZMQ_POLLIN) handle_monitor();
  if (socket_ && (items[0].revents & ZMQ_POLLIN)) handle_socket();
}

void ClientLink::send_hello() {
  v1::Envelope env;
  auto* hello = env.mutable_hello();
  hello->set_station_id(settings_.station_id);
  hello->set_software_version(settings_.software_version);
  for (const auto& c : settings_.capabilities) hello->add_capabilities(c);
  hello->set_config_hash(settings_.config_hash);
  for (const auto& limit : settings_.alarm_limits) *hello->add_alarm_limits() = limit;
  hello->set_boot_id_ms(boot_ms_);
  hello->set_heartbeat_interval_ms(static_cast<std::uint32_t>(settings_.link.heartbeat_interval.count()));
  if (send_envelope(*socket_, env)) last_sent_ = clock_.steady();
}

bool ClientLink::send(const v1::Envelope& envelope) {
  if (!online_ || !socket_) return false;
  if (!send_envelope(*socket_, envelope)) return false;
  last_sent_ = clock_.steady();
  return true;
}

void ClientLink::handle_enroll_reply(const v1::EnrollReply& reply) {
  const auto state = v1::EnrollReply::State_Name(reply.state());
  if (reply.state() == v1::EnrollReply::STATE_APPROVED) {
    kLog.info("enrollment: state={} key={}", state, reply.key_fingerprint());
    backoff_ = settings_.reconnect_min;
    open_socket(Mode::control);
    return;
  }
  kLog.warn("enrollment: state={} detail={} key={} station={}", state, reply.detail(), reply.key_fingerprint(),
            settings_.station_id);
  retry_later("enrollment " + state);
}

void ClientLink::handle_socket() {
  for (int i = 0; i < 256 && socket_; ++i) {
    zmq::message_t msg;
    if (!socket_->recv(msg, zmq::recv_flags::dontwait)) return;
    last_heard_ = clock_.steady();
    auto decoded = wire::decode(msg.to_string_view(), static_cast<std::size_t>(settings_.link.max_message_bytes));
    if (!decoded.ok()) {
      kLog.warn("rejected frame: reason={} bytes={}", wire::describe(decoded.error()), msg.size());
      continue;
    }
    const auto& env = decoded.envelope();
    // Epochs are carried on the control socket (the enrollment socket's replies carry none).
    if (mode_ == Mode::control && env.controller_epoch() > highest_epoch_) {
      if (highest_epoch_ > 0) {
        kLog.info("controller epoch {} (was {}): a new controller acts", env.controller_epoch(), highest_epoch_);
      }
      highest_epoch_ = env.controller_epoch();
    } else if (mode_ == Mode::control && env.controller_epoch() < highest_epoch_) {
      // A controller that lost its lease (and should have stopped): nothing it says is acted on.
      if (env.has_command()) listener_.on_stale_command(env.command(), env.controller_epoch(), highest_epoch_);
      if (env.has_welcome() || online_) {
        reset("controller epoch " + std::to_string(env.controller_epoch()) + " is below " +
              std::to_string(highest_epoch_) + ": it lost its lease");
        return;
      }
      continue;
    }
    switch (env.body_case()) {
      case v1::Envelope::kWelcome:
        if (!online_ && mode_ == Mode::control) {
          online_ = true;
          backoff_ = settings_.reconnect_min;
          kLog.info("online: controller_version={} heartbeat_ms={}", env.welcome().controller_version(),
                    env.welcome().heartbeat_interval_ms());
          listener_.on_online(env.welcome());
        }
        break;
      case v1::Envelope::kHeartbeat: break;
      case v1::Envelope::kEnrollReply:
        if (mode_ == Mode::enroll) handle_enroll_reply(env.enroll_reply());
        return;
      case v1::Envelope::kGoodbye:
        kLog.warn("controller said goodbye: reason={}", env.goodbye().reason());
        retry_later("goodbye: " + env.goodbye().reason());
        return;
      default:
        if (online_) listener_.on_message(env);
        break;
    }
  }
}

void ClientLink::handle_monitor() {
  for (int i = 0; i < 64 && monitor_; ++i) {
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(*monitor_, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
    if (parts.empty() || parts[0].size() < 6) continue;
    std::uint16_t event = 0;
    std::uint32_t value = 0;
    std::memcpy(&event, parts[0].data(), sizeof event);
    std::memcpy(&value, static_cast<const char*>(parts[0].data()) + 2, sizeof value);
    switch (event) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        handshake_done_ = true;
        last_heard_ = clock_.steady();
        send_hello();
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        // libzmq does not retry a connection that failed authentication: we decide.
        if (mode_ == Mode::control) {
          kLog.warn("not admitted: status={} station={} (unknown or unapproved key); asking to be enrolled", value,
                    settings_.station_id);
          open_socket(Mode::enroll);
        } else {
          retry_later("enrollment refused (station rejected or key revoked)");
        }
        return;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        retry_later("handshake failed (wrong controller key, or not a Loa controller)");
        return;
      case ZMQ_EVENT_CONNECT_RETRIED:
        // Nothing listens there: with a standby pair, it is not the active one (or it
        // died); try the other after the back-off. Alone, libzmq keeps retrying.
        if (settings_.endpoints.size() > 1 && !online_) {
          retry_later("nothing listens at " + settings_.endpoints[current_]);
          return;
        }
        break;
      case ZMQ_EVENT_DISCONNECTED:
        if (online_) kLog.warn("disconnected: endpoint={}", settings_.endpoints[current_]);
        go_offline();
        break;
      default: break;
    }
  }
}

void ClientLink::tick() {
  const auto now = clock_.steady();
  if (mode_ == Mode::waiting) {
    if (now >= retry_at_) open_socket(Mode::control);
    return;
  }
  if (!socket_) return;
  if (online_) {
    if (now - last_heard_ > settings_.link.dead_after()) {
      reset("controller silent for " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - last_heard_).count()) + "ms");
      return;
    }
    if (now - last_sent_ >= settings_.link.heartbeat_interval) {
      v1::Envelope hb;
      hb.mutable_heartbeat()->set_sequence(++heartbeat_seq_);
      if (send_envelope(*socket_, hb)) last_sent_ = now;
    }
  } else if (!handshake_done_ &&
             now - opened_at_ > settings_.link.handshake_timeout + settings_.link.heartbeat_interval) {
    // The socket never finished its handshake, and no failure was reported either
    // (libzmq would keep retrying quietly, e.g. after a busy controller dropped the
    // connection mid-handshake): start over from the control socket, with back-off.
    retry_later(mode_ == Mode::enroll ? "no handshake on the enrollment socket" : "no handshake on the control socket");
  } else if (handshake_done_) {
    // Authenticated but not answered: the hello may have been lost on the way.
    if (now - last_sent_ >= settings_.link.heartbeat_interval) send_hello();
    if (now - last_heard_ > settings_.link.dead_after()) {
      if (mode_ == Mode::enroll) {
        retry_later("no enrollment reply");
      } else {
        reset("no welcome from controller");
      }
    }
  }
}

}  // namespace loa::link
