#include "support/simulated_stations.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <stdexcept>

#include "loa/curve/key_pair.hpp"
#include "loa/link/socket_setup.hpp"
#include "loa/wire/codec.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

namespace v1 = loa::v1;

void send(zmq::socket_t& socket, const v1::Envelope& envelope) {
  // A full queue drops the message, as a real agent's link does; the controller's
  // resend and the reports' acknowledgements make up for it.
  (void)socket.send(zmq::buffer(loa::wire::encode(envelope)), zmq::send_flags::dontwait);
}

}  // namespace

struct SimulatedStations::Station {
  std::string id;
  curve::KeyPair keys;
  std::unique_ptr<zmq::socket_t> socket;
  bool online = false;
  bool dropped = false;  // written under the owner's mutex
  std::uint64_t seq = 0;
  std::int64_t next_telemetry_ms = 0;
  // Reports to send when their time comes (sound beginning, sound ending).
  std::vector<std::pair<std::int64_t, v1::PlaybackReport>> due;
  bool to_read = false;  // queued in ready_ (stations' thread only)
};

SimulatedStations::SimulatedStations(const Fleet& fleet, SimulatedStationsOptions options)
    : options_(std::move(options)), server_key_(fleet.controller_public_key()),
      endpoint_("tcp://127.0.0.1:" + std::to_string(fleet.control_port())), context_(1),
      epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) throw std::runtime_error("epoll_create1 failed");
  context_.set(zmq::ctxopt::max_sockets, options_.stations + 64);
  for (int i = 0; i < options_.stations; ++i) {
    auto s = std::make_unique<Station>();
    s->id = options_.id_prefix + std::to_string(i);
    s->keys = curve::generate();
    auto r = fleet.api("POST", "/api/v1/stations", {{"id", s->id}, {"public_key", s->keys.public_z85}});
    if (r.status != 201) throw std::runtime_error("provisioning " + s->id + " failed: " + r.body.dump());
    stations_.push_back(std::move(s));
  }
}

SimulatedStations::~SimulatedStations() {
  stop();
  ::close(epoll_fd_);
}

std::size_t SimulatedStations::size() const { return stations_.size(); }
const std::string& SimulatedStations::id(std::size_t i) const { return stations_.at(i)->id; }

SimulatedCounts SimulatedStations::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

void SimulatedStations::drop(std::size_t i) {
  std::lock_guard lock(mutex_);
  stations_.at(i)->dropped = true;
  requests_.emplace_back(i, false);
}

void SimulatedStations::restore(std::size_t i) {
  std::lock_guard lock(mutex_);
  stations_.at(i)->dropped = false;
  requests_.emplace_back(i, true);
}

bool SimulatedStations::dropped(std::size_t i) const {
  std::lock_guard lock(mutex_);
  return stations_.at(i)->dropped;
}

void SimulatedStations::start() {
  const auto now = now_ms();
  const auto every = options_.telemetry_every.count();
  for (std::size_t i = 0; i < stations_.size(); ++i) {
    connect(*stations_[i]);
    if (every > 0) {
      stations_[i]->next_telemetry_ms = now + every * static_cast<std::int64_t>(i) /
                                                  static_cast<std::int64_t>(stations_.size());
    }
  }
  thread_ = std::thread([this] { run(); });
}

void SimulatedStations::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  for (auto& s : stations_) s->socket.reset();  // sockets before their context
}

void SimulatedStations::connect(Station& s) {
  s.socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  link::LinkSettings settings;  // the socket options of a real agent (ZMTP heartbeats too)
  settings.heartbeat_interval = options_.heartbeat;
  link::apply_link_options(*s.socket, settings);
  s.socket->set(zmq::sockopt::linger, 0);
  s.socket->set(zmq::sockopt::curve_serverkey, server_key_);
  s.socket->set(zmq::sockopt::curve_publickey, s.keys.public_z85);
  s.socket->set(zmq::sockopt::curve_secretkey, s.keys.secret_z85);
  s.socket->connect(endpoint_);
  v1::Envelope hello;  // queued until the handshake is done
  hello.mutable_hello()->set_station_id(s.id);
  hello.mutable_hello()->set_software_version("simulated");
  hello.mutable_hello()->set_heartbeat_interval_ms(static_cast<std::uint32_t>(options_.heartbeat.count()));
  send(*s.socket, hello);
  watch(s);
  std::lock_guard lock(mutex_);
  ++counts_.connections;
}

// libzmq signals on the socket's descriptor that its state may have changed, once; the
// socket is then read until it has nothing, and looked at again after each send (a send
// may take in the signal). So only the stations with something to read are visited,
// not all of them on every turn: the stations' thread is the load, not the measure.
void SimulatedStations::watch(Station& s) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &s;
  const int fd = s.socket->get(zmq::sockopt::fd);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0 && errno == EEXIST) {
    (void)epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
  }
  to_read(s);
}

void SimulatedStations::to_read(Station& s) {
  if (s.to_read) return;
  s.to_read = true;
  ready_.push_back(&s);
}

void SimulatedStations::send_to(Station& s, const v1::Envelope& envelope) {
  send(*s.socket, envelope);
  to_read(s);
}

void SimulatedStations::apply_requests() {
  std::vector<std::pair<std::size_t, bool>> requests;
  {
    std::lock_guard lock(mutex_);
    requests.swap(requests_);
  }
  for (const auto& [i, restore] : requests) {
    auto& s = *stations_[i];
    if (s.online) --online_;
    s.online = false;
    if (s.socket) (void)epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s.socket->get(zmq::sockopt::fd), nullptr);
    s.socket.reset();  // linger 0: gone at once, no goodbye
    if (restore) connect(s);
  }
}

void SimulatedStations::handle(Station& s, std::string_view bytes) {
  auto decoded = wire::decode(bytes, 1 << 20);
  if (!decoded.ok()) return;
  const auto& envelope = decoded.envelope();
  if (envelope.has_welcome() && !s.online) {
    s.online = true;
    ++online_;
  }
  if (!envelope.has_command()) return;
  const auto& c = envelope.command();
  v1::Envelope result;
  result.mutable_command_result()->set_command_id(c.id());
  result.mutable_command_result()->set_outcome(v1::CommandResult::OUTCOME_APPLIED);
  result.mutable_command_result()->set_report_seq(++s.seq);
  send_to(s, result);
  const auto now = now_ms();
  if (c.has_play()) {
    v1::PlaybackReport report;
    report.set_broadcast_id(c.play().broadcast_id());
    report.set_content_id(c.play().clip_sha256().empty() ? c.play().stream_id() : c.play().clip_sha256());
    report.set_planned_start_ms(c.play().start_at_ms());
    const auto start = std::max(now, c.play().start_at_ms());
    report.set_actual_start_ms(start);
    report.set_actual_start_ns(static_cast<std::uint64_t>(start) * 1'000'000);
    report.set_outcome(v1::PlaybackReport::OUTCOME_PLAYING);
    s.due.emplace_back(start, report);
    with_due_.insert(&s);
    report.set_end_ms(start + options_.play_length.count());
    report.set_outcome(v1::PlaybackReport::OUTCOME_PLAYED);
    report.set_loudness_dbfs(-18.0F);
    report.set_peak_dbfs(-3.0F);
    s.due.emplace_back(report.end_ms(), report);
  }
  if (c.has_stop()) {
    for (auto& [when, report] : s.due) {
      if (!c.stop().broadcast_id().empty() && report.broadcast_id() != c.stop().broadcast_id()) continue;
      if (report.outcome() != v1::PlaybackReport::OUTCOME_PLAYED) continue;
      when = now;
      report.set_end_ms(now);
      report.set_outcome(v1::PlaybackReport::OUTCOME_STOPPED);
    }
  }
  std::lock_guard lock(mutex_);
  ++counts_.commands_answered;
}

void SimulatedStations::send_due_reports(Station& s, std::int64_t now) {
  if (s.due.empty()) return;
  // Reports come out in time order; a report that fell due while the link was down
  // goes out when the station is back, as a real agent's outbox does.
  std::stable_sort(s.due.begin(), s.due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t sent = 0;
  std::uint64_t playing = 0;
  std::uint64_t played = 0;
  for (; sent < s.due.size() && s.due[sent].first <= now; ++sent) {
    v1::Envelope envelope;
    *envelope.mutable_playback_report() = s.due[sent].second;
    envelope.mutable_playback_report()->set_report_seq(++s.seq);
    send_to(s, envelope);
    (s.due[sent].second.outcome() == v1::PlaybackReport::OUTCOME_PLAYING ? playing : played) += 1;
  }
  if (sent == 0) return;
  s.due.erase(s.due.begin(), s.due.begin() + static_cast<std::ptrdiff_t>(sent));
  std::lock_guard lock(mutex_);
  counts_.playing_reports += playing;
  counts_.played_reports += played;
  if (playing > 0) counts_.last_playing_ms = now;
}

void SimulatedStations::read(Station& s) {
  s.to_read = false;
  if (!s.socket) return;
  zmq::message_t message;
  while (s.socket && (s.socket->get(zmq::sockopt::events) & ZMQ_POLLIN)) {
    if (!s.socket->recv(message, zmq::recv_flags::dontwait)) break;
    handle(s, message.to_string_view());
  }
}

void SimulatedStations::run() {
  auto last_heartbeat = std::chrono::steady_clock::now();
  std::int64_t next_telemetry_sweep = 0;
  std::uint64_t heartbeat_seq = 0;
  std::array<epoll_event, 256> events{};
  while (!stop_) {
    apply_requests();
    const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), ready_.empty() ? 20 : 0);
    for (int i = 0; i < n; ++i) to_read(*static_cast<Station*>(events[static_cast<std::size_t>(i)].data.ptr));
    // Reading may queue more (a send after an answer): until nothing is left.
    while (!ready_.empty()) {
      std::vector<Station*> batch;
      batch.swap(ready_);
      for (auto* s : batch) read(*s);
    }
    const auto now = now_ms();
    for (auto it = with_due_.begin(); it != with_due_.end();) {
      auto* s = *it;
      if (s->socket && s->online) send_due_reports(*s, now);
      it = s->due.empty() ? with_due_.erase(it) : std::next(it);
    }
    if (std::chrono::steady_clock::now() - last_heartbeat > options_.heartbeat) {
      last_heartbeat = std::chrono::steady_clock::now();
      v1::Envelope heartbeat;
      heartbeat.mutable_heartbeat()->set_sequence(++heartbeat_seq);
      for (auto& s : stations_) {
        if (s->socket) send_to(*s, heartbeat);
      }
    }
    if (options_.telemetry_every.count() > 0 && now >= next_telemetry_sweep) {
      next_telemetry_sweep = now + 50;
      send_telemetry(now);
    }
  }
}

void SimulatedStations::send_telemetry(std::int64_t now) {
  std::uint64_t telemetry = 0;
  for (auto& s : stations_) {
    if (!s->socket || !s->online || now < s->next_telemetry_ms) continue;
    s->next_telemetry_ms = now + options_.telemetry_every.count();
    v1::Envelope envelope;
    auto* t = envelope.mutable_telemetry();
    t->set_report_seq(++s->seq);
    t->set_measured_at_ms(now);
    t->set_device_id("amp1");
    t->set_reachable(true);
    t->set_powered_on(true);
    t->set_temperature_c(38.0 + static_cast<double>(now / 1000 % 7));
    t->set_forward_power_w(120.0);
    t->set_mains_voltage_v(226.0);
    send_to(*s, envelope);
    ++telemetry;
  }
  if (telemetry > 0) {
    std::lock_guard lock(mutex_);
    counts_.telemetry_sent += telemetry;
  }
}

}  // namespace loa::test
