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
//   alert_bench --stations N [--rounds 5]
//     N protocol-level simulated stations (CurveZMQ connections from this process that
//     answer commands and report sound starting at once). Prints push -> every station
//     acknowledged and playing, as the controller's alert status shows it. The stations
//     sit in 100 communes under one province, and the alert goes to the province; the
//     controller's CPU and memory at rest are printed first.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "support/fleet.hpp"
#include "support/process.hpp"
#include "support/simulated_stations.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;


double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void print(const char* what, const std::vector<double>& v) {
  std::printf("%s n=%zu p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", what, v.size(), percentile(v, 0.5), percentile(v, 0.99),
              percentile(v, 1.0));
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
  const auto programme = fleet.add_tone_clip("programme", 60);
  const auto message = fleet.add_tone_clip("message", 2);
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

int simulated(int stations, int rounds) {
  loa::test::raise_open_file_limit();
  loa::test::FleetOptions options;
  options.heartbeat_ms = 5000;
  options.controller_log_level = "warn";
  options.standard_clips = true;
  loa::test::Fleet fleet(options);
  fleet.start_controller();
  // Stations that answer every command at once; a play also reports sound beginning.
  loa::test::SimulatedStations sims(fleet, {.stations = stations});
  sims.start();
  const auto online_by = Clock::now() + 120s;
  while (Clock::now() < online_by &&
         fleet.api("GET", "/api/v1/link/stats").body["stations"].value("online", 0) < stations) {
    std::this_thread::sleep_for(200ms);
  }
  // A merged province: its stations in 100 communes under it, the alert sent to it.
  constexpr int kCommunes = 100;
  (void)fleet.api("PUT", "/api/v1/zones/tinh", {{"name", "Tỉnh"}});
  for (int c = 0; c < kCommunes; ++c) {
    json members = json::array();
    for (int i = c; i < stations; i += kCommunes) members.push_back(sims.id(static_cast<std::size_t>(i)));
    const auto r = fleet.api("PUT", "/api/v1/zones/xa-" + std::to_string(c + 1),
                             {{"kind", "commune"}, {"parent_id", "tinh"}, {"stations", members}});
    if (r.status != 200) std::cerr << "commune " << c + 1 << ": " << r.text << "\n";
  }
  const auto message = fleet.add_tone_clip("message", 2);
  std::this_thread::sleep_for(6s);  // the desk pins its standard clips on every station
  if (!wait_idle(fleet, 120s)) std::cerr << "commands still pending before the push\n";
  // At rest: every station connected and heartbeating, nothing to send.
  const auto pid = fleet.controller_pid();
  const double cpu_before = loa::test::cpu_seconds(pid);
  std::this_thread::sleep_for(20s);
  std::printf("at_rest controller_cpu_percent=%.1f rss_mib=%.1f stations=%d communes=%d heartbeat_s=5\n",
              (loa::test::cpu_seconds(pid) - cpu_before) * 100.0 / 20.0,
              static_cast<double>(loa::test::proc_status(pid, "VmRSS")) / 1024.0, stations, kCommunes);
  std::vector<double> all_playing;
  for (int round = 0; round < rounds; ++round) {
    const auto pushed = loa::test::now_ms();
    auto a = fleet.api("POST", "/api/v1/alerts",
                       {{"severity", "moderate"}, {"status", "actual"}, {"clip_id", message}, {"to", {"tinh"}}, {"confirm", {{"target_count", stations}}}});
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
                static_cast<long long>(sims.counts().last_playing_ms - pushed));
    if (done_at) all_playing.push_back(static_cast<double>(done_at - pushed));
    (void)fleet.api("POST", "/api/v1/alerts/" + id + "/cancel", {{"reason", "benchmark"}});
    (void)wait_idle(fleet, 60s);
  }
  sims.stop();
  std::printf("stations=%d (protocol-level, one host)\n", stations);
  print("push_to_all_acknowledged_playing", all_playing);
  return static_cast<int>(all_playing.size()) == rounds ? 0 : 1;
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
  int rounds = 0;
  int stations = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--agents") agents = std::atoi(argv[i + 1]);
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (a == "--stations") stations = std::atoi(argv[i + 1]);
  }
  if (agents > 0) return real_agents(agents, rounds > 0 ? rounds : 20);
  if (stations > 0) return simulated(stations, rounds > 0 ? rounds : 5);
  std::cerr << "usage: alert_bench --agents N [--rounds R] | --stations N [--rounds R] | --stress [--cycles N]\n";
  return 2;
}
