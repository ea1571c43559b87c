// Alert benchmark.
//
//   alert_bench --agents 4 [--rounds 20]
//     Real agents, each playing a programme; an alert (pre-cached siren, then a message)
//     is pushed, then cancelled, round after round. Prints push -> first audio sample of
//     the alert on each station, and push -> the programme stopped (p50/p99/max).
//
//   alert_bench --stress [--cycles 100]
//     See alert_stress.cpp: alerts under API load and agent restarts.
//
//   alert_bench --stations N
//     N protocol-level simulated stations (CurveZMQ connections from this process that
//     answer commands and report sound starting at once). Prints push -> every station
//     acknowledged and playing, as the controller's alert status shows it.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
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
using nlohmann::json;
namespace v1 = loa::v1;


double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void print(const char* what, const std::vector<double>& v) {
  std::printf("%s n=%zu p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", what, v.size(), percentile(v, 0.5), percentile(v, 0.99),
              percentile(v, 1.0));
}

std::string add_clip(loa::test::Fleet& fleet, const std::string& name, int seconds) {
  const auto path = fleet.dir() + "/" + name + ".flac";
  (void)loa::test::run_command("gst-launch-1.0 -q audiotestsrc num-buffers=" + std::to_string(seconds * 43) +
                               " volume=0.3 ! audioconvert ! flacenc ! filesink location=" + path);
  auto added = fleet.loactl("--json clips add " + path + " --name " + name);
  return json::parse(added.out)[0]["id"];
}

bool wait_idle(loa::test::Fleet& fleet, std::chrono::seconds timeout) {
  const auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    auto stats = fleet.api("GET", "/api/v1/link/stats").body;
    if (stats.is_object() && stats["pending_commands"] == 0) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

int real_agents(int agents, int rounds) {
  loa::test::FleetOptions options;
  options.controller_log_level = "warn";
  options.standard_clips = true;
  loa::test::Fleet fleet(options);
  fleet.start_controller();
  std::vector<std::string> ids;
  for (int i = 0; i < agents; ++i) {
    ids.push_back("st-" + std::to_string(i + 1));
    fleet.set_agent_audio_dir(ids.back(), fleet.dir() + "/audio-" + ids.back());
    fleet.start_agent(ids.back());
  }
  fleet.enroll(ids);
  for (const auto& id : ids) fleet.wait_for_state(id, "online", 10000);
  const auto programme = add_clip(fleet, "programme", 60);
  const auto message = add_clip(fleet, "message", 2);
  for (const auto& id : ids) {
    (void)fleet.loactl("clips push " + programme + " --to " + id);
    (void)fleet.loactl("clips push " + message + " --to " + id);
  }
  std::this_thread::sleep_for(8s);  // the desk pins its tones on the new stations
  if (!wait_idle(fleet, 60s)) std::cerr << "commands still pending before the first round\n";
  std::vector<double> first_sound, programme_stopped;
  for (int round = 0; round < rounds; ++round) {
    const std::string prog = "prog-" + std::to_string(round);
    for (const auto& id : ids) {
      (void)fleet.api("POST", "/api/v1/stations/" + id + "/commands",
                      {{"type", "play"}, {"clip_id", programme}, {"broadcast_id", prog}});
    }
    std::this_thread::sleep_for(1500ms);
    const auto pushed = loa::test::now_ms();
    auto a = fleet.api("POST", "/api/v1/alerts",
                       {{"severity", "moderate"}, {"status", "actual"}, {"clip_id", message}, {"to", {"all"}}, {"tone", "siren"},
                        {"confirm", {{"target_count", agents}}}});
    if (a.status != 201) {
      std::cerr << "push failed: " << a.body.dump() << "\n";
      return 1;
    }
    const std::string id = a.body["id"];
    std::this_thread::sleep_for(1500ms);
    (void)fleet.api("POST", "/api/v1/alerts/" + id + "/cancel", {{"reason", "benchmark"}});
    std::this_thread::sleep_for(1000ms);
    auto rows = fleet.api("GET", "/api/v1/asrun?broadcast=" + id).body["items"];
    for (const auto& r : rows) {
      if (r["actual_start_ns"].get<std::int64_t>() > 0) {
        first_sound.push_back(static_cast<double>(r["actual_start_ns"].get<std::int64_t>()) / 1e6 -
                              static_cast<double>(pushed));
      }
    }
    auto cut = fleet.api("GET", "/api/v1/asrun?broadcast=" + prog).body["items"];
    for (const auto& r : cut) {
      if (r["outcome"] == "preempted") programme_stopped.push_back(static_cast<double>(r["end_ms"].get<std::int64_t>() - pushed));
    }
    (void)fleet.api("POST", "/api/v1/stations/st-1/commands", {{"type", "ping"}});
  }
  std::printf("agents=%d rounds=%d (pre-cached siren, real agents on one host)\n", agents, rounds);
  print("push_to_first_alert_sample", first_sound);
  print("push_to_programme_stopped", programme_stopped);
  return first_sound.size() == static_cast<std::size_t>(agents * rounds) ? 0 : 1;
}

struct SimStation {
  std::string id;
  loa::curve::KeyPair keys;
  std::unique_ptr<zmq::socket_t> socket;
  bool online = false;
  std::uint64_t seq = 0;
};

int simulated(int stations) {
  loa::test::raise_open_file_limit();
  loa::test::FleetOptions options;
  options.heartbeat_ms = 5000;
  options.controller_log_level = "warn";
  options.standard_clips = true;
  loa::test::Fleet fleet(options);
  fleet.start_controller();
  std::vector<SimStation> sims(static_cast<std::size_t>(stations));
  for (int i = 0; i < stations; ++i) {
    auto& s = sims[static_cast<std::size_t>(i)];
    s.id = "sim-" + std::to_string(i);
    s.keys = loa::curve::generate();
    if (fleet.api("POST", "/api/v1/stations", {{"id", s.id}, {"public_key", s.keys.public_z85}}).status != 201) return 1;
  }
  zmq::context_t ctx(1);
  ctx.set(zmq::ctxopt::max_sockets, stations + 64);
  const auto key = fleet.controller_public_key();
  for (auto& s : sims) {
    s.socket = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::dealer);
    loa::link::LinkSettings link;
    link.heartbeat_interval = 5000ms;
    loa::link::apply_link_options(*s.socket, link);
    s.socket->set(zmq::sockopt::curve_serverkey, key);
    s.socket->set(zmq::sockopt::curve_publickey, s.keys.public_z85);
    s.socket->set(zmq::sockopt::curve_secretkey, s.keys.secret_z85);
    s.socket->connect("tcp://127.0.0.1:" + std::to_string(fleet.control_port()));
    v1::Envelope hello;
    hello.mutable_hello()->set_station_id(s.id);
    hello.mutable_hello()->set_software_version("sim");
    (void)s.socket->send(zmq::buffer(loa::wire::encode(hello)), zmq::send_flags::dontwait);
  }
  std::vector<zmq::pollitem_t> items;
  for (auto& s : sims) items.push_back({s.socket->handle(), 0, ZMQ_POLLIN, 0});
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> last_playing_sent{0};
  std::atomic<int> playing_sent{0};
  // The stations: answer every command at once; a play also reports sound beginning.
  std::thread loop([&] {
    auto last_heartbeat = Clock::now();
    while (!stop) {
      zmq::poll(items.data(), items.size(), 20ms);
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!(items[i].revents & ZMQ_POLLIN)) continue;
        auto& s = sims[i];
        zmq::message_t msg;
        while (s.socket->recv(msg, zmq::recv_flags::dontwait)) {
          auto d = loa::wire::decode(msg.to_string_view(), 1 << 20);
          if (!d.ok()) continue;
          if (d.envelope().has_welcome()) s.online = true;
          if (!d.envelope().has_command()) continue;
          const auto& c = d.envelope().command();
          v1::Envelope result;
          result.mutable_command_result()->set_command_id(c.id());
          result.mutable_command_result()->set_outcome(v1::CommandResult::OUTCOME_APPLIED);
          result.mutable_command_result()->set_report_seq(++s.seq);
          (void)s.socket->send(zmq::buffer(loa::wire::encode(result)), zmq::send_flags::dontwait);
          if (c.has_play() && c.play().start_at_ms() == 0) {
            v1::Envelope report;
            auto* p = report.mutable_playback_report();
            p->set_report_seq(++s.seq);
            p->set_broadcast_id(c.play().broadcast_id());
            p->set_content_id(c.play().clip_sha256());
            p->set_actual_start_ms(loa::test::now_ms());
            p->set_outcome(v1::PlaybackReport::OUTCOME_PLAYING);
            (void)s.socket->send(zmq::buffer(loa::wire::encode(report)), zmq::send_flags::dontwait);
            ++playing_sent;
            last_playing_sent = loa::test::now_ms();
          }
        }
      }
      if (Clock::now() - last_heartbeat > 5s) {
        last_heartbeat = Clock::now();
        v1::Envelope hb;
        hb.mutable_heartbeat()->set_sequence(1);
        const auto bytes = loa::wire::encode(hb);
        for (auto& s : sims) (void)s.socket->send(zmq::buffer(bytes), zmq::send_flags::dontwait);
      }
    }
  });
  const auto online_by = Clock::now() + 120s;
  while (Clock::now() < online_by &&
         fleet.api("GET", "/api/v1/link/stats").body["stations"].value("online", 0) < stations) {
    std::this_thread::sleep_for(200ms);
  }
  const auto message = add_clip(fleet, "message", 2);
  std::this_thread::sleep_for(6s);  // the desk pins its standard clips on every station
  if (!wait_idle(fleet, 120s)) std::cerr << "commands still pending before the push\n";
  std::vector<double> all_playing;
  for (int round = 0; round < 5; ++round) {
    playing_sent = 0;
    const auto pushed = loa::test::now_ms();
    auto a = fleet.api("POST", "/api/v1/alerts",
                       {{"severity", "moderate"}, {"status", "actual"}, {"clip_id", message}, {"to", {"all"}}, {"confirm", {{"target_count", stations}}}});
    const auto answered = loa::test::now_ms();
    if (a.status != 201) {
      std::cerr << "push failed: " << a.body.dump() << "\n";
      break;
    }
    const std::string id = a.body["id"];
    std::int64_t done_at = 0;
    const auto until = Clock::now() + 60s;
    while (Clock::now() < until) {
      auto v = fleet.api("GET", "/api/v1/alerts/" + id + "?stations=0").body;
      if (v.is_object() && v["summary"]["playing"].get<int>() == stations) {
        done_at = loa::test::now_ms();
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    std::printf("round=%d push_answered_ms=%lld all_playing_ms=%lld stations_sent_playing_by_ms=%lld\n", round,
                static_cast<long long>(answered - pushed), static_cast<long long>(done_at ? done_at - pushed : -1),
                static_cast<long long>(last_playing_sent - pushed));
    if (done_at) all_playing.push_back(static_cast<double>(done_at - pushed));
    (void)fleet.api("POST", "/api/v1/alerts/" + id + "/cancel", {{"reason", "benchmark"}});
    (void)wait_idle(fleet, 60s);
  }
  stop = true;
  loop.join();
  std::printf("stations=%d (protocol-level, one host)\n", stations);
  print("push_to_all_acknowledged_playing", all_playing);
  items.clear();
  sims.clear();
  return all_playing.size() == 5 ? 0 : 1;
}

}  // namespace

int alert_stress(int cycles);  // alert_stress.cpp

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--stress") {
      int cycles = 100;
      for (int j = 1; j + 1 < argc; ++j) {
        if (std::string(argv[j]) == "--cycles") cycles = std::atoi(argv[j + 1]);
      }
      return alert_stress(cycles);
    }
  }
  int agents = 0;
  int rounds = 20;
  int stations = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--agents") agents = std::atoi(argv[i + 1]);
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (a == "--stations") stations = std::atoi(argv[i + 1]);
  }
  if (agents > 0) return real_agents(agents, rounds);
  if (stations > 0) return simulated(stations);
  std::cerr << "usage: alert_bench --agents N [--rounds R] | --stations N | --stress [--cycles N]\n";
  return 2;
}
