// Live fan-out benchmark: one controller streams a live test signal to N protocol-level
// subscribers (CURVE SUB sockets of enrolled stations, all in this process), then a bare
// libzmq PUB (CURVE, in a child process, no Loa code) sends frames of the same size at
// the same rate to the same number of subscribers: the floor. Prints the sender's CPU
// (% of one core) and the frames each subscriber missed, for both.
//
//   live_fanout_bench [--subscribers N] [--seconds S]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <thread>

#include <zmq.hpp>

#include "loa/curve/key_pair.hpp"
#include "loa/v1/audio.pb.h"
#include "loa/wire/audio_topic.hpp"
#include "support/fleet.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

pid_t controller_pid(const std::string& dir) {
  auto out = loa::test::run_command("pgrep -f 'loa-controller --config " + dir + "/controller.yaml'").out;
  return static_cast<pid_t>(std::atol(out.c_str()));
}

struct Subscriber {
  std::unique_ptr<zmq::socket_t> socket;
  std::uint64_t received = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
};

struct Tally {
  std::uint64_t messages = 0;
  std::uint64_t frames = 0;
  std::uint64_t missed = 0;
  std::uint64_t bytes = 0;
  std::uint64_t min_received = ~0ull;
};

// Receives for `how_long`; the sequence number comes from `seq_of` (a frame's own).
template <typename SeqOf>
Tally receive(std::vector<Subscriber>& subs, std::chrono::milliseconds how_long, bool counting, SeqOf seq_of) {
  std::vector<zmq::pollitem_t> items;
  for (auto& s : subs) items.push_back({s.socket->handle(), 0, ZMQ_POLLIN, 0});
  Tally t;
  const auto until = Clock::now() + how_long;
  while (Clock::now() < until) {
    zmq::poll(items.data(), items.size(), 10ms);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!(items[i].revents & ZMQ_POLLIN)) continue;
      auto& s = subs[i];
      for (;;) {
        zmq::message_t message;
        if (!s.socket->recv(message, zmq::recv_flags::dontwait)) break;
        const auto [seq, count] = seq_of(message);
        if (!counting || count == 0) continue;
        if (s.received == 0) s.first_seq = seq;
        s.last_seq = std::max(s.last_seq, seq + count - 1);
        s.received += count;
        ++t.messages;
        t.bytes += message.size();
      }
    }
  }
  for (auto& s : subs) {
    t.frames += s.received;
    t.min_received = std::min(t.min_received, s.received);
    if (s.received) t.missed += (s.last_seq - s.first_seq + 1) - s.received;
  }
  return t;
}

std::vector<Subscriber> connect_all(zmq::context_t& ctx, int n, const std::string& endpoint,
                                    const std::string& server_key, const std::vector<loa::curve::KeyPair>& keys) {
  std::vector<Subscriber> subs(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& s = subs[static_cast<std::size_t>(i)];
    s.socket = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::sub);
    s.socket->set(zmq::sockopt::linger, 0);
    s.socket->set(zmq::sockopt::rcvhwm, 10000);
    s.socket->set(zmq::sockopt::maxmsgsize, std::int64_t{65536});
    s.socket->set(zmq::sockopt::curve_serverkey, server_key);
    s.socket->set(zmq::sockopt::curve_publickey, keys[static_cast<std::size_t>(i)].public_z85);
    s.socket->set(zmq::sockopt::curve_secretkey, keys[static_cast<std::size_t>(i)].secret_z85);
    s.socket->set(zmq::sockopt::subscribe, std::string("stream/"));
    s.socket->connect(endpoint);
  }
  return subs;
}

// The floor: a bare libzmq PUB with CURVE sending messages of `message_bytes`, each
// standing for `frames` frames of 20 ms, at the same rate and with the same
// per-subscriber queue bound as the controller's audio socket.
[[noreturn]] void bare_publisher(const std::string& endpoint, const loa::curve::KeyPair& keys, std::size_t message_bytes,
                                 int frames, int high_water_mark) {
  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::pub);
  pub.set(zmq::sockopt::linger, 0);
  pub.set(zmq::sockopt::sndhwm, high_water_mark);
  pub.set(zmq::sockopt::sndbuf, 32 * 1024);
  pub.set(zmq::sockopt::curve_server, true);
  pub.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
  pub.set(zmq::sockopt::backlog, 4096);
  pub.bind(endpoint);
  std::string message = "stream/bare/";
  message.resize(std::max(message_bytes, message.size() + 8), 'x');
  auto next = Clock::now();
  for (std::uint64_t seq = 0;; seq += static_cast<std::uint64_t>(frames)) {
    std::memcpy(message.data() + 12, &seq, sizeof seq);
    (void)pub.send(zmq::buffer(message), zmq::send_flags::dontwait);
    next += std::chrono::milliseconds(20 * frames);
    std::this_thread::sleep_until(next);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int n = 1000;
  int seconds = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--subscribers") n = std::atoi(argv[i + 1]);
    if (a == "--seconds") seconds = std::atoi(argv[i + 1]);
  }
  loa::test::raise_open_file_limit();

  loa::test::FleetOptions options;
  options.heartbeat_ms = 5000;  // the default of a deployment
  options.controller_log_level = "warn";
  loa::test::Fleet fleet(options);
  fleet.start_controller();
  const pid_t pid = controller_pid(fleet.dir());
  std::vector<loa::curve::KeyPair> keys;
  for (int i = 0; i < n; ++i) {
    keys.push_back(loa::curve::generate());
    auto r = fleet.api("POST", "/api/v1/stations", {{"id", "sub-" + std::to_string(i)}, {"public_key", keys.back().public_z85}});
    if (r.status != 201) {
      std::cerr << "provisioning failed: " << r.body.dump() << "\n";
      return 1;
    }
  }
  std::cerr << "provisioned " << n << " stations\n";
  zmq::context_t ctx(2);
  ctx.set(zmq::ctxopt::max_sockets, 2 * n + 64);  // the first set may still be closing
  auto loa_seq = [](const zmq::message_t& message) -> std::pair<std::uint64_t, std::uint64_t> {
    auto parts = loa::wire::split_audio_message(message.to_string_view());
    loa::v1::AudioBatch batch;
    if (!parts || !batch.ParseFromArray(parts->batch.data(), static_cast<int>(parts->batch.size())) ||
        batch.frames_size() == 0) {
      return {0, 0};
    }
    return {batch.frames(0).sequence(), static_cast<std::uint64_t>(batch.frames_size())};
  };

  // Loa: the controller's audio socket.
  auto subs = connect_all(ctx, n, "tcp://127.0.0.1:" + std::to_string(fleet.audio_port()), fleet.controller_public_key(), keys);
  // Every subscriber admitted (the controller's ZAP counts control and audio handshakes).
  const auto admitted_by = Clock::now() + std::chrono::seconds(60 + n / 20);
  while (Clock::now() < admitted_by && fleet.counters().value("admitted", 0) < n) {
    (void)receive(subs, 500ms, false, [](const zmq::message_t&) { return std::pair<std::uint64_t, std::uint64_t>{0, 0}; });
  }
  std::cerr << "admitted " << fleet.counters().value("admitted", 0) << "\n";
  // What the controller spends with these stations and no stream, to tell apart.
  const double idle_cpu0 = loa::test::cpu_seconds(pid);
  (void)receive(subs, 5s, false, loa_seq);
  const double idle_cpu = (loa::test::cpu_seconds(pid) - idle_cpu0) / 5 * 100.0;
  auto started = fleet.api("POST", "/api/v1/streams", {{"source", "test:tone"}, {"to", "all"}});
  if (started.status != 201) {
    std::cerr << "stream refused: " << started.body.dump() << "\n";
    return 1;
  }
  std::cerr << "streaming\n";
  (void)receive(subs, 3s, false, loa_seq);  // warm-up
  const double loa_cpu0 = loa::test::cpu_seconds(pid);
  const auto loa = receive(subs, std::chrono::seconds(seconds), true, loa_seq);
  const double loa_cpu = (loa::test::cpu_seconds(pid) - loa_cpu0) / seconds * 100.0;
  (void)fleet.api("DELETE", "/api/v1/streams/" + started.body["id"].get<std::string>());
  subs.clear();
  const std::size_t message_bytes = loa.messages ? loa.bytes / loa.messages : 120;
  const int frames_per_message = loa.messages ? static_cast<int>((loa.frames + loa.messages / 2) / loa.messages) : 1;

  // The floor: bare libzmq in a child process, same frames, same number of subscribers.
  const auto server = loa::curve::generate();
  const std::string bare_endpoint = "tcp://127.0.0.1:" + std::to_string(loa::test::free_port());
  std::cerr << "bare libzmq\n";
  const pid_t child = fork();
  // The controller's audio queue bound: 50 frames, counted in messages.
  if (child == 0) bare_publisher(bare_endpoint, server, message_bytes, frames_per_message, std::max(2, 50 / frames_per_message));
  auto bare_subs = connect_all(ctx, n, bare_endpoint, server.public_z85, keys);
  auto bare_seq = [frames_per_message](const zmq::message_t& message) -> std::pair<std::uint64_t, std::uint64_t> {
    std::uint64_t seq = 0;
    if (message.size() < 20) return {0, 0};
    std::memcpy(&seq, static_cast<const char*>(message.data()) + 12, sizeof seq);
    return {seq, static_cast<std::uint64_t>(frames_per_message)};
  };
  (void)receive(bare_subs, std::chrono::milliseconds(3000 + n), false, bare_seq);
  const double bare_cpu0 = loa::test::cpu_seconds(child);
  const auto bare = receive(bare_subs, std::chrono::seconds(seconds), true, bare_seq);
  const double bare_cpu = (loa::test::cpu_seconds(child) - bare_cpu0) / seconds * 100.0;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  bare_subs.clear();

  std::printf("machine: %u cores; subscribers=%d seconds=%d message_bytes=%zu frames_per_message=%d (20 ms frames)\n",
              std::thread::hardware_concurrency(), n, seconds, message_bytes, frames_per_message);
  std::printf("loa controller idle (subscribers connected, no stream): cpu_pct=%.1f\n", idle_cpu);
  std::printf("loa controller: cpu_pct=%.1f frames=%llu missed=%llu min_per_subscriber=%llu\n", loa_cpu,
              static_cast<unsigned long long>(loa.frames), static_cast<unsigned long long>(loa.missed),
              static_cast<unsigned long long>(loa.min_received));
  std::printf("bare libzmq pub: cpu_pct=%.1f frames=%llu missed=%llu min_per_subscriber=%llu\n", bare_cpu,
              static_cast<unsigned long long>(bare.frames), static_cast<unsigned long long>(bare.missed),
              static_cast<unsigned long long>(bare.min_received));
  std::printf("cpu ratio loa/bare=%.2f\n", bare_cpu > 0 ? loa_cpu / bare_cpu : 0.0);
  std::fflush(stdout);
  return loa.frames > 0 ? 0 : 1;
}
