#include "loa/server/control_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <unordered_map>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "loa/link/socket_setup.hpp"
#include "loa/log/log.hpp"
#include "loa/log/rate_limiter.hpp"
#include "loa/server/connection_monitor.hpp"
#include "loa/server/zap_handler.hpp"
#include "loa/version.hpp"
#include "loa/wire/codec.hpp"

namespace loa::server {
namespace {

const log::Logger kLog("control");
namespace v1 = ::loa::v1;

std::string peer_ip(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, host, sizeof host);
  } else if (addr.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, host, sizeof host);
  }
  return host;
}

// An eventfd other threads write to wake the loop out of zmq_poll.
class WakeFd {
 public:
  WakeFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;
  ~WakeFd() { ::close(fd_); }
  void signal() const {
    std::uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
  }
  void drain() const {
    std::uint64_t value = 0;
    (void)!::read(fd_, &value, sizeof value);
  }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

struct ControlServer::Impl {
  ControlServerSettings settings;
  registry::StationRegistry& registry;
  CommandDispatcher& commands;
  LinkCounters& counters;
  const time::IClock& clock;

  zmq::context_t context;
  std::unique_ptr<ZapHandler> zap;
  std::unique_ptr<zmq::socket_t> router;
  std::unique_ptr<ConnectionMonitor> monitor;
  WakeFd wake_fd;
  std::thread thread;
  std::atomic<bool> stopping{false};

  std::mutex requests_mutex;
  std::vector<std::string> disconnect_requests;

  // Loop-thread state: each connected station's socket descriptor and heartbeat.
  struct Peer {
    int fd = -1;
    std::chrono::steady_clock::time_point last_heartbeat_sent{};
    std::uint64_t heartbeat_seq = 0;
  };
  std::unordered_map<std::string, Peer> peers;
  log::RateLimiter bad_frame_log{std::chrono::seconds(60)};
  std::chrono::steady_clock::time_point last_flush{};

  Impl(ControlServerSettings s, registry::StationRegistry& r, CommandDispatcher& c, LinkCounters& n,
       const time::IClock& k)
      : settings(std::move(s)), registry(r), commands(c), counters(n), clock(k), context(1) {
  }

  std::string bind() {
    // ZAP first: with no handler bound, libzmq would admit every CURVE key.
    zap = std::make_unique<ZapHandler>(context, registry, counters);
    router = std::make_unique<zmq::socket_t>(context, zmq::socket_type::router);
    auto& s = *router;
    link::apply_link_options(s, settings.link);
    s.set(zmq::sockopt::curve_server, true);
    s.set(zmq::sockopt::curve_secretkey, settings.secret_key_z85);
    s.set(zmq::sockopt::zap_domain, "loa");
    s.set(zmq::sockopt::router_mandatory, true);
    // A reconnecting agent's new connection replaces its old, possibly half-dead one.
    s.set(zmq::sockopt::router_handover, true);
    monitor = std::make_unique<ConnectionMonitor>(context, s, counters);
    s.bind(settings.bind_endpoint);
    return s.get(zmq::sockopt::last_endpoint);
  }

  void send(const std::string& station, const v1::Envelope& env) {
    if (!link::send_envelope(*router, station, env)) ++counters.send_failures;
  }

  void send_due_commands(const std::string& station, bool link_restarted) {
    for (auto& due : commands.take_due(station, link_restarted)) {
      v1::Envelope env;
      if (!env.mutable_command()->ParseFromString(due.payload)) continue;
      send(station, env);
      ++counters.commands_sent;
      if (due.resend) ++counters.command_resends;
    }
  }

  void cut(const std::string& station) {
    auto it = peers.find(station);
    if (it == peers.end()) return;
    v1::Envelope bye;
    bye.mutable_goodbye()->set_reason("not admitted");
    send(station, bye);
    if (it->second.fd >= 0) {
      // libzmq offers no way to close one peer of a ROUTER; shutting the descriptor
      // down makes libzmq see the peer hang up and tear the connection down itself.
      ::shutdown(it->second.fd, SHUT_RDWR);
      monitor->forget(it->second.fd);
    }
    ++counters.connections_cut;
    kLog.info("cut: station={}", station);
    peers.erase(it);
    registry.on_goodbye(station);
  }

  void log_bad_frame(const std::string& station, std::string_view what) {
    std::uint64_t suppressed = 0;
    if (bad_frame_log.allow(station + "/" + std::string(what), std::chrono::steady_clock::now(), suppressed)) {
      kLog.warn("rejected frame: station={} reason={} suppressed={}", station, what, suppressed);
    }
  }

  void handle_router() {
    std::vector<zmq::message_t> parts;
    auto got = zmq::recv_multipart(*router, std::back_inserter(parts), zmq::recv_flags::dontwait);
    if (!got) return;
    ++counters.frames_received;
    if (parts.size() != 2) {
      ++counters.frames_rejected_bad_shape;
      log_bad_frame(parts.empty() ? "?" : parts[0].to_string(), "bad_shape");
      return;
    }
    const std::string station = parts[0].to_string();
    const int fd = parts[1].get(ZMQ_SRCFD);
    if (!registry.is_admitted(station)) {
      ++counters.frames_rejected_not_admitted;
      log_bad_frame(station, "not_admitted");
      peers.try_emplace(station).first->second.fd = fd;
      cut(station);
      return;
    }
    auto decoded = wire::decode(parts[1].to_string_view(), static_cast<std::size_t>(settings.link.max_message_bytes));
    if (!decoded.ok()) {
      switch (decoded.error()) {
        case wire::DecodeError::empty: ++counters.frames_rejected_empty; break;
        case wire::DecodeError::too_large: ++counters.frames_rejected_too_large; break;
        case wire::DecodeError::malformed: ++counters.frames_rejected_malformed; break;
        case wire::DecodeError::unknown_type: ++counters.frames_rejected_unknown_type; break;
      }
      log_bad_frame(station, wire::describe(decoded.error()));
      return;
    }
    auto& peer = peers[station];
    peer.fd = fd;
    const auto& env = decoded.envelope();
    switch (env.body_case()) {
      case v1::Envelope::kHello: handle_hello(station, env.hello(), fd); break;
      case v1::Envelope::kHeartbeat: registry.on_traffic(station); break;
      case v1::Envelope::kCommandResult: handle_result(station, env.command_result()); break;
      case v1::Envelope::kGoodbye:
        registry.on_goodbye(station);
        peers.erase(station);
        break;
      case v1::Envelope::kTelemetry:
      case v1::Envelope::kAlarm:
      case v1::Envelope::kPlaybackReport:
        // Stored by the station-health and as-run features once they exist; acknowledged
        // so the agent's outbox does not grow meanwhile.
        registry.on_traffic(station);
        ack_report(station, env.has_telemetry() ? env.telemetry().report_seq()
                            : env.has_alarm()   ? env.alarm().report_seq()
                                                : env.playback_report().report_seq());
        break;
      default:
        ++counters.frames_rejected_unknown_type;
        log_bad_frame(station, std::string("unexpected_") + std::string(wire::body_name(env)));
        break;
    }
  }

  void handle_hello(const std::string& station, const v1::Hello& hello, int fd) {
    registry.on_hello(station, hello.software_version(), peer_ip(fd));
    v1::Envelope welcome;
    auto* w = welcome.mutable_welcome();
    w->set_controller_version(kVersion);
    w->set_heartbeat_interval_ms(static_cast<std::uint32_t>(settings.link.heartbeat_interval.count()));
    w->set_controller_time_ms(clock.wall_ms());
    send(station, welcome);
    kLog.info("hello: station={} version={} config_hash={}", station, hello.software_version(),
              hello.config_hash().substr(0, 12));
    send_due_commands(station, true);
  }

  void ack_report(const std::string& station, std::uint64_t seq) {
    if (seq == 0) return;
    v1::Envelope ack;
    ack.mutable_report_ack()->set_report_seq(seq);
    send(station, ack);
  }

  void handle_result(const std::string& station, const v1::CommandResult& result) {
    registry.on_traffic(station);
    ++counters.command_results;
    try {
      if (!commands.complete(station, result)) ++counters.command_duplicate_results;
    } catch (const store::StoreError& e) {
      // Not acknowledged: the agent keeps the result and sends it again.
      kLog.error("store failed: command={} error={}", result.command_id(), e.what());
      return;
    }
    ack_report(station, result.report_seq());
  }

  void tick() {
    const auto now = clock.steady();
    for (const auto& station : registry.sweep(settings.link.dead_after())) {
      ++counters.stations_went_offline;
      peers.erase(station);
    }
    for (const auto& station : registry.online_ids()) {
      auto& peer = peers[station];
      if (now - peer.last_heartbeat_sent >= settings.link.heartbeat_interval) {
        v1::Envelope hb;
        hb.mutable_heartbeat()->set_sequence(++peer.heartbeat_seq);
        send(station, hb);
        peer.last_heartbeat_sent = now;
      }
    }
    send_commands();
    if (now - last_flush >= settings.seen_flush_interval) {
      last_flush = now;
      try {
        registry.flush_seen();
      } catch (const store::StoreError& e) {
        kLog.error("flush last-seen failed: error={}", e.what());
      }
    }
  }

  void send_commands() {
    for (const auto& station : commands.stations_with_pending()) {
      if (registry.is_online(station)) send_due_commands(station, false);
    }
  }

  void handle_wake() {
    wake_fd.drain();
    std::vector<std::string> cuts;
    {
      std::lock_guard lock(requests_mutex);
      cuts.swap(disconnect_requests);
    }
    for (const auto& station : cuts) cut(station);
    send_commands();
  }

  void run() {
    const auto tick_every = std::max(std::chrono::milliseconds(20), settings.link.heartbeat_interval / 4);
    auto next_tick = clock.steady();
    while (!stopping.load()) {
      std::array<zmq::pollitem_t, 4> items{{
          {router->handle(), 0, ZMQ_POLLIN, 0},
          {zap->socket().handle(), 0, ZMQ_POLLIN, 0},
          {monitor->socket().handle(), 0, ZMQ_POLLIN, 0},
          {nullptr, wake_fd.fd(), ZMQ_POLLIN, 0},
      }};
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - clock.steady());
      try {
        zmq::poll(items.data(), items.size(), std::max(std::chrono::milliseconds(0), wait));
        // Bounded batches so one busy socket cannot starve the others or the tick.
        if (items[1].revents & ZMQ_POLLIN) {
          for (int i = 0; i < 64; ++i) zap->handle_one();
        }
        if (items[2].revents & ZMQ_POLLIN) {
          for (int i = 0; i < 64; ++i) monitor->handle_one();
        }
        if (items[0].revents & ZMQ_POLLIN) {
          for (int i = 0; i < 256; ++i) {
            if (!(router->get(zmq::sockopt::events) & ZMQ_POLLIN)) break;
            handle_router();
          }
        }
        if (items[3].revents & ZMQ_POLLIN) handle_wake();
        if (clock.steady() >= next_tick) {
          tick();
          next_tick = clock.steady() + tick_every;
        }
      } catch (const zmq::error_t& e) {
        if (e.num() == ETERM) break;
        kLog.error("loop error: error={}", e.what());
      } catch (const store::StoreError& e) {
        kLog.error("store error: error={}", e.what());
      }
    }
    try {
      registry.flush_seen();
    } catch (const store::StoreError& e) {
      kLog.error("flush last-seen failed: error={}", e.what());
    }
  }
};

ControlServer::ControlServer(ControlServerSettings settings, registry::StationRegistry& registry,
                             CommandDispatcher& commands, LinkCounters& counters, const time::IClock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), registry, commands, counters, clock)) {}

ControlServer::~ControlServer() { stop(); }

std::string ControlServer::start() {
  auto endpoint = impl_->bind();
  impl_->thread = std::thread([this] { impl_->run(); });
  kLog.info("listening: endpoint={}", endpoint);
  return endpoint;
}

void ControlServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  impl_->wake_fd.signal();
  impl_->thread.join();
}

void ControlServer::wake() { impl_->wake_fd.signal(); }

void ControlServer::disconnect(const std::string& station_id) {
  {
    std::lock_guard lock(impl_->requests_mutex);
    impl_->disconnect_requests.push_back(station_id);
  }
  impl_->wake_fd.signal();
}

}  // namespace loa::server
