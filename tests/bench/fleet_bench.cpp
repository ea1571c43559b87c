// Fleet benchmark: N real CurveZMQ agent connections from this one process against a
// real loa-controller (no audio). Prints the time until all N are online, the command
// round trip (controller stores a command -> agent's result stored), and the
// controller's resident memory per connected station.
//
//   fleet_bench [--stations N] [--commands M] [--heartbeat-ms H]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "loa/curve/key_pair.hpp"
#include "loa/link/socket_setup.hpp"
#include "loa/wire/codec.hpp"
#include "support/fleet.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace v1 = loa::v1;

long rss_kib(pid_t pid) { return loa::test::proc_status(pid, "VmRSS"); }

pid_t controller_pid(const std::string& dir) {
  auto out = loa::test::run_command("pgrep -f 'loa-controller --config " + dir + "/controller.yaml'").out;
  return static_cast<pid_t>(std::atol(out.c_str()));
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

struct FakeAgent {
  std::string id;
  loa::curve::KeyPair keys;
  std::unique_ptr<zmq::socket_t> socket;
  bool online = false;
};

}  // namespace

int main(int argc, char** argv) {
  int stations = 100;
  int commands = 1000;
  int heartbeat_ms = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--stations") stations = std::atoi(argv[i + 1]);
    if (a == "--commands") commands = std::atoi(argv[i + 1]);
    if (a == "--heartbeat-ms") heartbeat_ms = std::atoi(argv[i + 1]);
  }
  loa::test::raise_open_file_limit();

  loa::test::FleetOptions options;
  options.heartbeat_ms = heartbeat_ms;
  options.controller_log_level = "warn";
  loa::test::Fleet fleet(options);
  // Quieter logs: a line per station at info level is not what is measured here.
  fleet.start_controller();
  const pid_t pid = controller_pid(fleet.dir());
  const std::string server_key = fleet.controller_public_key();

  std::vector<FakeAgent> agents(static_cast<std::size_t>(stations));
  for (int i = 0; i < stations; ++i) {
    auto& a = agents[static_cast<std::size_t>(i)];
    a.id = "bench-" + std::to_string(i);
    a.keys = loa::curve::generate();
    auto r = fleet.api("POST", "/api/v1/stations", {{"id", a.id}, {"public_key", a.keys.public_z85}});
    if (r.status != 201) {
      std::cerr << "provisioning " << a.id << " failed: " << r.body.dump() << "\n";
      return 1;
    }
  }
  const long rss_before = rss_kib(pid);

  zmq::context_t ctx(1);
  ctx.set(zmq::ctxopt::max_sockets, stations + 64);
  const auto started = Clock::now();
  for (auto& a : agents) {
    a.socket = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::dealer);
    // The socket options of a real agent (ZMTP heartbeats included).
    loa::link::LinkSettings link;
    link.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
    loa::link::apply_link_options(*a.socket, link);
    a.socket->set(zmq::sockopt::curve_serverkey, server_key);
    a.socket->set(zmq::sockopt::curve_publickey, a.keys.public_z85);
    a.socket->set(zmq::sockopt::curve_secretkey, a.keys.secret_z85);
    a.socket->connect("tcp://127.0.0.1:" + std::to_string(fleet.control_port()));
    v1::Envelope hello;  // queued until the handshake is done
    hello.mutable_hello()->set_station_id(a.id);
    hello.mutable_hello()->set_software_version("bench");
    (void)a.socket->send(zmq::buffer(loa::wire::encode(hello)), zmq::send_flags::dontwait);
  }

  std::vector<zmq::pollitem_t> items;
  for (auto& a : agents) items.push_back({a.socket->handle(), 0, ZMQ_POLLIN, 0});
  int online = 0;
  double online_s = -1;
  std::atomic<bool> stop{false};
  std::atomic<int> posted{0};
  std::vector<std::string> command_ids;
  std::thread poster;
  auto last_heartbeat = Clock::now();
  const auto deadline = Clock::now() + 300s;

  while (!stop && Clock::now() < deadline) {
    zmq::poll(items.data(), items.size(), 50ms);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!(items[i].revents & ZMQ_POLLIN)) continue;
      auto& a = agents[i];
      zmq::message_t msg;
      while (a.socket->recv(msg, zmq::recv_flags::dontwait)) {
        auto d = loa::wire::decode(msg.to_string_view(), 1 << 20);
        if (!d.ok()) continue;
        if (d.envelope().has_welcome() && !a.online) {
          a.online = true;
          if (++online == stations) {
            online_s = std::chrono::duration<double>(Clock::now() - started).count();
            // Everyone is online: issue commands from another thread at a steady pace.
            poster = std::thread([&] {
              for (int c = 0; c < commands; ++c) {
                const auto& target = agents[static_cast<std::size_t>(c % stations)].id;
                auto r = fleet.api("POST", "/api/v1/stations/" + target + "/commands", {{"type", "ping"}});
                if (r.status == 202) command_ids.push_back(r.body["id"]);
                ++posted;
                std::this_thread::sleep_for(2ms);
              }
              stop = true;
            });
          }
        }
        if (d.envelope().has_command()) {
          v1::Envelope result;
          auto* r = result.mutable_command_result();
          r->set_command_id(d.envelope().command().id());
          r->set_outcome(v1::CommandResult::OUTCOME_APPLIED);
          (void)a.socket->send(zmq::buffer(loa::wire::encode(result)), zmq::send_flags::dontwait);
        }
      }
    }
    if (Clock::now() - last_heartbeat > std::chrono::milliseconds(heartbeat_ms)) {
      last_heartbeat = Clock::now();
      v1::Envelope hb;
      hb.mutable_heartbeat()->set_sequence(1);
      const auto bytes = loa::wire::encode(hb);
      for (auto& a : agents) (void)a.socket->send(zmq::buffer(bytes), zmq::send_flags::dontwait);
    }
  }
  // Keep answering while the last results settle.
  const auto settle = Clock::now() + 1s;
  while (Clock::now() < settle) {
    zmq::poll(items.data(), items.size(), 20ms);
    for (std::size_t i = 0; i < items.size(); ++i) {
      zmq::message_t msg;
      while (agents[i].socket->recv(msg, zmq::recv_flags::dontwait)) {
        auto d = loa::wire::decode(msg.to_string_view(), 1 << 20);
        if (d.ok() && d.envelope().has_command()) {
          v1::Envelope result;
          result.mutable_command_result()->set_command_id(d.envelope().command().id());
          result.mutable_command_result()->set_outcome(v1::CommandResult::OUTCOME_APPLIED);
          (void)agents[i].socket->send(zmq::buffer(loa::wire::encode(result)), zmq::send_flags::dontwait);
        }
      }
    }
  }
  if (poster.joinable()) poster.join();
  const long rss_after = rss_kib(pid);
  // The controller at rest with every station connected: heartbeats only.
  const double cpu_before = loa::test::cpu_seconds(pid);
  const auto rest_until = Clock::now() + 10s;
  while (Clock::now() < rest_until) {
    zmq::poll(items.data(), items.size(), 50ms);
    for (std::size_t i = 0; i < items.size(); ++i) {
      zmq::message_t msg;
      while (agents[i].socket->recv(msg, zmq::recv_flags::dontwait)) {
      }
    }
    if (Clock::now() - last_heartbeat > std::chrono::milliseconds(heartbeat_ms)) {
      last_heartbeat = Clock::now();
      v1::Envelope hb;
      hb.mutable_heartbeat()->set_sequence(2);
      const auto bytes = loa::wire::encode(hb);
      for (auto& a : agents) (void)a.socket->send(zmq::buffer(bytes), zmq::send_flags::dontwait);
    }
  }
  const double rest_cpu_pct = (loa::test::cpu_seconds(pid) - cpu_before) / 10.0 * 100.0;

  std::vector<double> rtt;
  int unanswered = 0;
  for (const auto& id : command_ids) {
    auto c = fleet.api("GET", "/api/v1/commands/" + id).body;
    if (c.value("state", "") != "applied" || !c["completed_ms"].is_number()) {
      ++unanswered;
      continue;
    }
    rtt.push_back(static_cast<double>(c["completed_ms"].get<std::int64_t>() - c["created_ms"].get<std::int64_t>()));
  }
  const auto stats = fleet.api("GET", "/api/v1/link/stats").body;
  const auto online_stations = stats["stations"].value("online", 0);

  std::printf("stations=%d online=%d controller_says_online=%d online_s=%.2f\n", stations, online,
              online_stations, online_s);
  std::printf("commands=%zu unanswered=%d rtt_p50_ms=%.1f rtt_p99_ms=%.1f rtt_max_ms=%.1f\n", command_ids.size(),
              unanswered, percentile(rtt, 0.50), percentile(rtt, 0.99), percentile(rtt, 1.0));
  std::printf("handshakes admitted=%d failed_timeout_or_hangup=%d failed_protocol=%d\n",
              stats["counters"].value("admitted", 0), stats["counters"].value("handshake_failed_other", 0),
              stats["counters"].value("handshake_failed_protocol", 0));
  std::printf("controller_rss_kib before=%ld after=%ld per_station_kib=%.1f\n", rss_before, rss_after,
              static_cast<double>(rss_after - rss_before) / stations);
  std::printf("controller_cpu_at_rest_pct=%.1f (all stations connected, heartbeats every %d ms)\n", rest_cpu_pct,
              heartbeat_ms);
  // Whether callers queue for the store's one connection (see loa_store_* in /metrics).
  const auto metrics = fleet.metrics();
  const auto metric = [&](const std::string& name) {
    const auto at = metrics.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + name.size() + 2));
  };
  const double calls = metric("loa_store_calls_total");
  std::printf("store calls=%.0f busy_s=%.3f waited_s=%.3f wait_per_call_us=%.1f longest_wait_ms=%.1f\n", calls,
              metric("loa_store_busy_seconds_total"), metric("loa_store_wait_seconds_total"),
              calls > 0 ? metric("loa_store_wait_seconds_total") / calls * 1e6 : 0.0,
              metric("loa_store_longest_wait_seconds") * 1e3);
  std::fflush(stdout);
  items.clear();
  agents.clear();  // sockets before their context
  return online == stations && unanswered == 0 ? 0 : 1;
}
