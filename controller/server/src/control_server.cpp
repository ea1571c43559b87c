#include "loa/server/control_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <unordered_map>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "loa/curve/key_pair.hpp"
#include "loa/link/link_settings.hpp"
#include "loa/link/socket_setup.hpp"
#include "loa/log/log.hpp"
#include "loa/log/rate_limiter.hpp"
#include "loa/server/connection_monitor.hpp"
#include "loa/server/zap_handler.hpp"
#include "loa/version.hpp"
#include "loa/wire/codec.hpp"
#include "audio_datagrams.hpp"
#include "audio_subscribers.hpp"
#include "clip_chunks.hpp"
#include "control_sockets.hpp"
#include "drained_reports.hpp"
#include "wake_fd.hpp"
#include "loa/net/peer_address.hpp"
#include "station_input_guard.hpp"

namespace loa::server {
namespace {
const log::Logger kLog("control");
namespace v1 = ::loa::v1;
// Alarm thresholds kept of one station's hello: a few per device is the rule.
constexpr std::size_t kMaxAlarmLimits = 64;
}  // namespace

struct ControlServer::Impl {
  ControlServerSettings settings;
  registry::StationRegistry& registry;
  CommandDispatcher& commands;
  IStationReports& reports;
  LinkCounters& counters;
  IStationEvents* events = nullptr;
  DrainedReports drained;  // results and reports, kept and acknowledged after each drain
  const time::IClock& clock;

  zmq::context_t context;
  std::unique_ptr<ZapHandler> zap;
  std::unique_ptr<zmq::socket_t> router;  // control socket
  std::unique_ptr<ConnectionMonitor> monitor;
  std::unique_ptr<zmq::socket_t> enroll;  // enrollment socket
  std::unique_ptr<ConnectionMonitor> enroll_monitor;
  std::string enroll_endpoint;
  // The live audio socket. Only publish_audio() touches it, under its mutex, from the
  // stream threads; the loop thread never does.
  std::unique_ptr<zmq::socket_t> audio;
  std::mutex audio_mutex;
  AudioSubscribers audio_subscribers;  // loop thread only; drained under audio_mutex
  std::unique_ptr<AudioDatagrams> audio_datagrams;  // the same port over UDP (none when it cannot be had)
  StationInputGuard input_guard;       // loop thread only
  // Station -> the first report refused for its rate: later ones wait for its resend.
  std::unordered_map<std::string, std::uint64_t> report_gaps;
  std::string audio_endpoint;
  std::uint32_t audio_port = 0;
  WakeFd wake_fd;
  std::thread thread;
  std::atomic<bool> stopping{false};
  daemon::LoopBeat beat{"control", std::chrono::seconds(2)};

  std::mutex requests_mutex;
  std::vector<std::string> disconnect_requests;

  // Loop-thread state: each connected station's current connection and heartbeat.
  // Routing ids are made by the ROUTER, never chosen by the peer, so no client can take
  // over another station's route; the station is known from the ZAP user id.
  struct Peer {
    std::string routing_id;
    int fd = -1;
    // Where `fd` led when it was taken ("address:port"): a descriptor is shut down only
    // while it still leads there, never once its number has gone to someone else (the
    // HTTP front accepts on the same numbers once libzmq closes a dead peer's).
    std::string endpoint;
    std::chrono::steady_clock::time_point last_heartbeat_sent{};
    std::uint64_t heartbeat_seq = 0;
  };
  std::unordered_map<std::string, Peer> peers;
  std::vector<std::string> online;  // tick's list of online stations, kept between ticks
  log::RateLimiter bad_frame_log{std::chrono::seconds(60)};
  std::chrono::steady_clock::time_point last_flush{};
  std::chrono::steady_clock::time_point last_downsample{};

  Impl(ControlServerSettings s, registry::StationRegistry& r, CommandDispatcher& c,
       IStationReports& rp, LinkCounters& n, const time::IClock& k)
      : settings(std::move(s)), registry(r), commands(c), reports(rp), counters(n),
        drained(c, rp, n, [this](const std::string& station, std::uint64_t seq) { ack_report(station, seq); }),
        clock(k), context(1) {
    (void)link::copy_received_messages(context);
  }

  std::string bind() {
    // ZAP first: with no handler bound, libzmq would admit every CURVE key.
    zap = std::make_unique<ZapHandler>(context, registry, counters);

    router = make_control_socket(context, settings);
    monitor = std::make_unique<ConnectionMonitor>(context, *router, "control", counters);
    router->bind(settings.bind_endpoint);

    enroll = make_enroll_socket(context, settings);
    enroll_monitor = std::make_unique<ConnectionMonitor>(context, *enroll, "enroll", counters);
    enroll->bind(settings.enroll_endpoint);
    enroll_endpoint = enroll->get(zmq::sockopt::last_endpoint);

    audio = make_audio_socket(context, settings);
    audio->bind(settings.audio_endpoint);
    audio_endpoint = audio->get(zmq::sockopt::last_endpoint);
    audio_port = static_cast<std::uint32_t>(std::stoul(audio_endpoint.substr(audio_endpoint.rfind(':') + 1)));
    if (settings.audio_datagrams.redundancy > 0) {
      audio_datagrams = AudioDatagrams::beside(audio_endpoint, settings.audio_datagrams, settings.secret_key_z85,
                                               registry, clock, counters);
    }
    return router->get(zmq::sockopt::last_endpoint);
  }

  // A standby pair's fence: nothing goes to a station once the lease is lost.
  bool fenced() {
    if (!settings.may_send || settings.may_send()) return false;
    ++counters.fenced_sends;
    return true;
  }

  void send(const std::string& station, v1::Envelope env) {
    if (fenced()) return;
    env.set_controller_epoch(settings.controller_epoch);
    auto it = peers.find(station);
    if (it == peers.end() || !link::send_envelope(*router, it->second.routing_id, env)) ++counters.send_failures;
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

  // A new connection starts with a Hello (and may reuse the old number); otherwise the
  // address is looked up only when the number changes.
  static void remember_descriptor(Peer& peer, int fd, bool new_connection) {
    if (peer.fd == fd && !new_connection && !peer.endpoint.empty()) return;
    peer.fd = fd;
    peer.endpoint = net::peer_address(fd);
  }

  void cut(const std::string& station) {
    drain_audio_subscriptions();
    if (const auto n = audio_subscribers.cut(station)) counters.connections_cut += n;
    if (audio_datagrams) audio_datagrams->forget(station);
    auto it = peers.find(station);
    if (it == peers.end()) return;
    v1::Envelope bye;
    bye.mutable_goodbye()->set_reason("not admitted");
    send(station, bye);
    if (it->second.fd >= 0 && !it->second.endpoint.empty() && net::peer_address(it->second.fd) == it->second.endpoint) {
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

  // Reads one [routing id, payload] message; false when there was none. Counts and
  // drops anything else. `user_id` is the ZAP user id of the connection.
  bool read_message(zmq::socket_t& socket, std::string& routing_id, zmq::message_t& payload, std::string& user_id) {
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) return false;
    ++counters.frames_received;
    if (parts.size() != 2) {
      ++counters.frames_rejected_bad_shape;
      log_bad_frame("?", "bad_shape");
      routing_id.clear();
      return true;
    }
    routing_id = parts[0].to_string();
    payload = std::move(parts[1]);
    const char* uid = payload.gets("User-Id");
    user_id = uid ? uid : "";
    return true;
  }

  std::optional<v1::Envelope> decode_counted(const zmq::message_t& payload, const std::string& who, std::size_t max) {
    auto decoded = wire::decode(payload.to_string_view(), max);
    if (decoded.ok()) return std::move(decoded.envelope());
    switch (decoded.error()) {
      case wire::DecodeError::empty: ++counters.frames_rejected_empty; break;
      case wire::DecodeError::too_large: ++counters.frames_rejected_too_large; break;
      case wire::DecodeError::malformed: ++counters.frames_rejected_malformed; break;
      case wire::DecodeError::unknown_type: ++counters.frames_rejected_unknown_type; break;
    }
    log_bad_frame(who, wire::describe(decoded.error()));
    return std::nullopt;
  }

  // A station's report with an oversize field is acknowledged and dropped (it would be
  // refused again). Health reports beyond the station's rate are left unacknowledged,
  // and so is everything after them (an acknowledgement releases every report up to
  // it), until the agent sends them again from the first unacknowledged one: nothing
  // is lost, only delayed.
  bool within_bounds(const std::string& station, const v1::Envelope& env) {
    const bool report = env.has_telemetry() || env.has_alarm() || env.has_playback_report() ||
                        env.has_command_result() || env.has_member_report();
    if (!report) return true;
    const auto seq = StationInputGuard::report_seq(env);
    if (auto gap = report_gaps.find(station); gap != report_gaps.end()) {
      if (seq > gap->second) {
        ++counters.frames_rejected_rate_limited;
        return false;
      }
      report_gaps.erase(gap);  // the agent went back to before the gap
    }
    if (const auto why = StationInputGuard::oversize(env); !why.empty()) {
      ++counters.frames_rejected_oversize;
      log_bad_frame(station, "oversize " + why);
      ack_report(station, seq);
      return false;
    }
    if (!env.has_command_result() && !input_guard.admit(station, clock.steady())) {
      ++counters.frames_rejected_rate_limited;
      log_bad_frame(station, "over its report rate");
      if (seq != 0) report_gaps[station] = seq;
      return false;
    }
    return true;
  }

  void handle_router() {
    std::string routing_id;
    std::string station;
    zmq::message_t payload;
    if (!read_message(*router, routing_id, payload, station) || routing_id.empty()) return;
    const int fd = payload.get(ZMQ_SRCFD);
    if (!registry.is_admitted(station)) {
      // Revoked (or removed) after its handshake: nothing it says is taken.
      ++counters.frames_rejected_not_admitted;
      log_bad_frame(station, "not_admitted");
      auto& p = peers[station];
      p.routing_id = routing_id;
      remember_descriptor(p, fd, false);
      cut(station);
      return;
    }
    auto env = decode_counted(payload, station, static_cast<std::size_t>(settings.link.max_message_bytes));
    if (!env) return;
    if (!within_bounds(station, *env)) return;
    auto& peer = peers[station];
    peer.routing_id = routing_id;
    remember_descriptor(peer, fd, env->has_hello());
    switch (env->body_case()) {
      case v1::Envelope::kHello: handle_hello(station, env->hello(), fd); break;
      case v1::Envelope::kHeartbeat: registry.on_traffic(station); break;
      case v1::Envelope::kCommandResult: handle_result(station, env->command_result()); break;
      case v1::Envelope::kGoodbye:
        registry.on_goodbye(station);
        peers.erase(station);
        break;
      case v1::Envelope::kTelemetry:
        if (env->telemetry().has_config_hash()) registry.on_config_hash(station, env->telemetry().config_hash());
        handle_health(station, *env);
        break;
      case v1::Envelope::kAlarm: handle_health(station, *env); break;
      case v1::Envelope::kClipRequest: handle_clip_request(station, env->clip_request()); break;
      case v1::Envelope::kPlaybackReport: handle_health(station, *env); break;
      case v1::Envelope::kMemberReport: handle_health(station, *env); break;
      default:
        ++counters.frames_rejected_unknown_type;
        log_bad_frame(station, std::string("unexpected_") + std::string(wire::body_name(*env)));
        break;
    }
  }

  // A hello on the enrollment socket: record the station as pending (or say where it
  // stands) and answer. The ZAP user id there is the peer's public key.
  void handle_enroll() {
    std::string routing_id;
    std::string key;
    zmq::message_t payload;
    if (!read_message(*enroll, routing_id, payload, key) || routing_id.empty()) return;
    ++counters.enroll_requests;
    const std::string address = net::peer_ip(payload.get(ZMQ_SRCFD));
    auto env = decode_counted(payload, "enroll:" + address, 4096);
    if (!env) return;
    if (!env->has_hello()) {
      ++counters.frames_rejected_unknown_type;
      log_bad_frame("enroll:" + address, "not_hello");
      return;
    }
    const auto& caps = env->hello().capabilities();
    const bool member = std::find(caps.begin(), caps.end(), std::string(link::kMemberCapability)) != caps.end();
    auto verdict = registry.enroll(env->hello().station_id(), key, address, member);
    v1::Envelope reply;
    auto* r = reply.mutable_enroll_reply();
    r->set_key_fingerprint(curve::fingerprint(key));
    r->set_detail(registry::to_string(verdict));
    using V = registry::AuthVerdict;
    switch (verdict) {
      case V::admitted: r->set_state(v1::EnrollReply::STATE_APPROVED); break;
      case V::pending_approval:
        ++counters.refused_pending;
        r->set_state(v1::EnrollReply::STATE_PENDING);
        break;
      case V::rejected: r->set_state(v1::EnrollReply::STATE_REJECTED); break;
      case V::revoked: r->set_state(v1::EnrollReply::STATE_REVOKED); break;
      default:
        if (verdict == V::key_mismatch) ++counters.refused_key_mismatch;
        if (verdict == V::no_station_id) ++counters.refused_no_station_id;
        if (verdict == V::too_many_pending) ++counters.refused_too_many_pending;
        if (verdict == V::rate_limited) ++counters.refused_rate_limited;
        if (verdict == V::key_conflict) ++counters.refused_key_conflict;
        r->set_state(v1::EnrollReply::STATE_REFUSED);
        log_bad_frame("enroll:" + address, std::string("refused_") + registry::to_string(verdict));
        break;
    }
    if (!link::send_envelope(*enroll, routing_id, reply)) ++counters.send_failures;
  }

  void handle_hello(const std::string& station, const v1::Hello& hello, int fd) {
    if (hello.station_id() != station) {
      // The key decides who a peer is; a hello naming another station is only logged.
      log_bad_frame(station, "hello_names_" + hello.station_id().substr(0, 64));
    }
    std::vector<registry::StationRegistry::AlarmLimit> limits;
    for (const auto& l : hello.alarm_limits()) {
      limits.push_back({l.device_id().substr(0, 64), l.quantity().substr(0, 64),
                        l.has_above() ? std::optional(l.above()) : std::nullopt,
                        l.has_below() ? std::optional(l.below()) : std::nullopt, l.alarm_id().substr(0, 64),
                        l.severity().substr(0, 16)});
      if (limits.size() == kMaxAlarmLimits) break;  // a hostile hello holds no more memory than this
    }
    registry.on_hello(station, hello.software_version(), net::peer_ip(fd), std::move(limits),
                      hello.config_hash().substr(0, 64));
    v1::Envelope welcome;
    auto* w = welcome.mutable_welcome();
    w->set_controller_version(kVersion);
    w->set_heartbeat_interval_ms(static_cast<std::uint32_t>(settings.link.heartbeat_interval.count()));
    w->set_controller_time_ms(clock.wall_ms());
    w->set_audio_port(audio_port);
    w->set_clock_port(settings.clock_port);
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

  // Telemetry, alarms and playback reports are kept a drain at a time (DrainedReports).
  void handle_health(const std::string& station, const v1::Envelope& env) {
    registry.on_traffic(station);
    drained.add_report(station, env);
  }

  // One piece of a clip per request: a slow station's link holds one chunk at a time.
  void handle_clip_request(const std::string& station, const v1::ClipRequest& request) {
    registry.on_traffic(station);
    const auto limit = static_cast<std::uint64_t>(settings.link.max_message_bytes) / 2;
    auto chunk = read_clip_chunk(settings.clips_dir, request, limit);
    if (!chunk && !settings.releases_dir.empty()) chunk = read_clip_chunk(settings.releases_dir, request, limit, ".deb");
    if (!chunk) {
      ++counters.clip_requests_unknown;
      log_bad_frame(station, "unknown_clip");
      return;
    }
    v1::Envelope env;
    *env.mutable_clip_chunk() = std::move(*chunk);
    send(station, env);
    ++counters.clip_chunks_sent;
  }

  // Results are kept a drain at a time, as reports are (DrainedReports).
  void handle_result(const std::string& station, const v1::CommandResult& result) {
    registry.on_traffic(station);
    drained.add_result(station, result);
  }

  void drain_audio_subscriptions() {
    std::lock_guard lock(audio_mutex);
    if (audio) (void)audio_subscribers.drain(*audio);
  }

  void tick() {
    drain_audio_subscriptions();
    const auto now = clock.steady();
    for (const auto& station : registry.sweep(settings.link.dead_after())) {
      ++counters.stations_went_offline;
      peers.erase(station);
    }
    registry.online_ids(online);
    for (const auto& station : online) {
      auto& peer = peers[station];
      if (now - peer.last_heartbeat_sent >= settings.link.heartbeat_interval) {
        v1::Envelope hb;
        hb.mutable_heartbeat()->set_sequence(++peer.heartbeat_seq);
        send(station, hb);
        peer.last_heartbeat_sent = now;
      }
    }
    send_commands();
    if (now - last_downsample >= std::chrono::hours(1)) {
      last_downsample = now;
      try {
        reports.tidy();
        (void)registry.expire_pending();
      } catch (const store::StoreError& e) {
        kLog.error("downsample or pending expiry failed: error={}", e.what());
      }
    }
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

  // Reads what the stations sent, then keeps and acknowledges it in one go. Under a
  // burst (every station answering an alert) one drain takes in thousands of messages,
  // so the store commits a few times a second rather than once per few hundred; it is
  // bounded in time so the heartbeats and the commands waiting still go out.
  void drain_router() {
    constexpr int kMaxMessages = 4096;
    constexpr auto kMaxTime = std::chrono::milliseconds(25);
    const auto until = clock.steady() + kMaxTime;
    for (int i = 0; i < kMaxMessages; ++i) {
      if (!(router->get(zmq::sockopt::events) & ZMQ_POLLIN)) break;
      handle_router();
      if ((i & 63) == 63 && clock.steady() >= until) break;
    }
    for (const auto& [station, seq] : drained.flush(events)) {
      // Refused from there on until the agent sends it again (see within_bounds).
      auto [gap, inserted] = report_gaps.try_emplace(station, seq);
      if (!inserted) gap->second = std::min(gap->second, seq);
    }
  }

  void run() {
    const auto tick_every = std::max(std::chrono::milliseconds(20), settings.link.heartbeat_interval / 4);
    auto next_tick = clock.steady();
    while (!stopping.load()) {
      beat.beat();
      // (ZAP is answered on its own thread: ZapHandler::start.)
      std::array<zmq::pollitem_t, 5> items{{
          {router->handle(), 0, ZMQ_POLLIN, 0},
          {monitor->socket().handle(), 0, ZMQ_POLLIN, 0},
          {nullptr, wake_fd.fd(), ZMQ_POLLIN, 0},
          {enroll->handle(), 0, ZMQ_POLLIN, 0},
          {enroll_monitor->socket().handle(), 0, ZMQ_POLLIN, 0},
      }};
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - clock.steady());
      try {
        zmq::poll(items.data(), items.size(), std::max(std::chrono::milliseconds(0), wait));
        // Bounded batches so one busy socket cannot starve the others or the tick.
        if (items[1].revents & ZMQ_POLLIN) {
          for (int i = 0; i < 64; ++i) monitor->handle_one();
        }
        if (items[0].revents & ZMQ_POLLIN) drain_router();
        if (items[2].revents & ZMQ_POLLIN) handle_wake();
        if (items[3].revents & ZMQ_POLLIN) {
          for (int i = 0; i < 64; ++i) {
            if (!(enroll->get(zmq::sockopt::events) & ZMQ_POLLIN)) break;
            handle_enroll();
          }
        }
        if (items[4].revents & ZMQ_POLLIN) {
          for (int i = 0; i < 64; ++i) enroll_monitor->handle_one();
        }
        if (clock.steady() >= next_tick) {
          tick();
          next_tick = clock.steady() + tick_every;
        }
        commands.flush_sent();
      } catch (const zmq::error_t& e) {
        if (e.num() == ETERM) break;
        kLog.error("loop error: error={}", e.what());
      } catch (const store::StoreError& e) {
        kLog.error("store error: error={}", e.what());
      } catch (const std::exception& e) {
        // A bug of ours on some input: log it and keep serving every other station.
        kLog.error("unexpected error: error={}", e.what());
      }
    }
    {
      std::lock_guard lock(audio_mutex);
      audio.reset();
    }
    try {
      registry.flush_seen();
    } catch (const store::StoreError& e) {
      kLog.error("flush last-seen failed: error={}", e.what());
    }
  }
};

ControlServer::ControlServer(ControlServerSettings settings, registry::StationRegistry& registry,
                             CommandDispatcher& commands, IStationReports& reports, LinkCounters& counters,
                             const time::IClock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), registry, commands, reports, counters, clock)) {
  commands.on_queued([impl = impl_.get()] { impl->wake_fd.signal(); });
}

ControlServer::~ControlServer() {
  impl_->commands.on_queued({});
  stop();
}

std::string ControlServer::start() {
  auto endpoint = impl_->bind();
  impl_->zap->start();
  if (impl_->audio_datagrams) impl_->audio_datagrams->start();
  impl_->thread = std::thread([this] { impl_->run(); });
  kLog.info("listening: endpoint={}", endpoint);
  return endpoint;
}

void ControlServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  impl_->wake_fd.signal();
  impl_->thread.join();
  if (impl_->audio_datagrams) impl_->audio_datagrams->stop();
  impl_->zap->stop();
}

std::string ControlServer::enroll_endpoint() const { return impl_->enroll_endpoint; }
std::string ControlServer::audio_endpoint() const { return impl_->audio_endpoint; }

void ControlServer::publish_audio(const std::string& message) {
  std::lock_guard lock(impl_->audio_mutex);
  if (!impl_->audio || impl_->fenced()) return;
  if (impl_->audio_datagrams) impl_->audio_datagrams->publish(message);
  bool sent = false;
  try {
    sent = impl_->audio->send(zmq::buffer(message), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
  }
  ++(sent ? impl_->counters.audio_frames_published : impl_->counters.audio_send_failures);
}

void ControlServer::set_events(IStationEvents* events) { impl_->events = events; }
const daemon::LoopBeat& ControlServer::liveness() const { return impl_->beat; }

void ControlServer::disconnect(const std::string& station_id) {
  {
    std::lock_guard lock(impl_->requests_mutex);
    impl_->disconnect_requests.push_back(station_id);
  }
  impl_->wake_fd.signal();
}

}  // namespace loa::server
