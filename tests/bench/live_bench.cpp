// Live audio benchmark: one controller streams a test signal to N real agents on this
// host, each writing what it plays to a WAV file. Prints
//  - inter-station skew: once per second of stream time each agent logs how far its
//    render instant was from the host clock; the spread of those offsets across agents
//    for the same instant is their skew (p50/p99/max over the stream);
//  - each agent's CPU (% of one core) and peak RSS while playing;
//  - frames played and concealed (lost or late) per agent, and the longest gap.
//  - with an impaired link, how much of each station's output is the stream: its WAV
//    compared 20 ms by 20 ms with a reference station's on a clean link (a concealed
//    frame does not match), beside the frames the station itself counts as concealed.
// With --loss/--rtt-ms/--jitter-ms/--rate-kbit the agents run in a network namespace
// whose link to the controller is impaired (needs root): netem where the kernel has it,
// otherwise nftables random drop, tbf and a userspace delay line (support/netns_link.hpp).
// A reference agent then plays on a clean link beside them.
//
// --local-clock 1 keeps the agents on the host clock instead of the controller's network
// clock: on one host that separates the network clock's error from render wake-ups.
//
//   live_bench [--agents 4] [--seconds 60] [--latency-ms 1000] [--source test:noise] [--local-clock 1]
//              [--loss PERCENT] [--rtt-ms 150] [--jitter-ms 10] [--rate-kbit 384] [--datagrams 0]
//
// --datagrams 0 leaves live audio on TCP alone (the agents never say hello over UDP),
// to compare the two transports over the same link.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "snapcast_beside.hpp"
#include "support/fleet.hpp"
#include "support/netns_link.hpp"
#include "support/wav.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Usage {
  double cpu_s = 0;
  long rss_kib = 0;
  long rss_anon_kib = 0;  // of it, the process's own memory (the rest is mapped files: code, libraries)
};

Usage usage_of(pid_t pid) {
  Usage u;
  u.cpu_s = loa::test::cpu_seconds(pid);
  u.rss_kib = std::max(0L, loa::test::proc_status(pid, "VmRSS"));
  u.rss_anon_kib = std::max(0L, loa::test::proc_status(pid, "RssAnon"));
  return u;
}

// CPU (% of one core) and peak memory of a set of processes over the measured seconds.
struct Footprint {
  std::map<pid_t, Usage> first, last, peak;
  void sample(pid_t pid, bool at_start) {
    const auto u = usage_of(pid);
    if (at_start) first[pid] = u;
    last[pid] = u;
    peak[pid].rss_kib = std::max(peak[pid].rss_kib, u.rss_kib);
    peak[pid].rss_anon_kib = std::max(peak[pid].rss_anon_kib, u.rss_anon_kib);
  }
  [[nodiscard]] double cpu_pct(pid_t pid, int seconds) const {
    return (last.at(pid).cpu_s - first.at(pid).cpu_s) / seconds * 100.0;
  }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  int agents = 4;
  int seconds = 60;
  int latency_ms = 1000;
  loa::test::Impairment impairment;
  std::string source = "test:noise";
  bool local_clock = false;  // agents on their own clock (here: the same host clock)
  bool datagrams = true;
  int snapclients = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--agents") agents = std::atoi(argv[i + 1]);
    if (a == "--seconds") seconds = std::atoi(argv[i + 1]);
    if (a == "--latency-ms") latency_ms = std::atoi(argv[i + 1]);
    if (a == "--loss") impairment.loss_percent = std::atoi(argv[i + 1]);
    if (a == "--rtt-ms") impairment.delay_ms = std::atoi(argv[i + 1]) / 2;
    if (a == "--jitter-ms") impairment.jitter_ms = std::atoi(argv[i + 1]);
    if (a == "--rate-kbit") impairment.rate_kbit = std::atoi(argv[i + 1]);
    if (a == "--source") source = argv[i + 1];
    if (a == "--local-clock") local_clock = std::string(argv[i + 1]) == "1";
    if (a == "--datagrams") datagrams = std::string(argv[i + 1]) != "0";
    if (a == "--snapclients") snapclients = std::atoi(argv[i + 1]);
  }
  std::unique_ptr<loa::test::NetnsLink> net;
  loa::test::FleetOptions options;
  options.controller_live = "  latency_ms: " + std::to_string(latency_ms) + "\n";
  if (local_clock) options.agent_audio += "  follow_controller_clock: false\n";
  if (!datagrams) options.agent_audio += "  live_datagrams: false\n";
  const bool impaired = impairment.loss_percent || impairment.delay_ms || impairment.jitter_ms || impairment.rate_kbit;
  if (impaired) {
    if (!loa::test::NetnsLink::possible()) {
      std::cerr << "an impaired link needs root and iproute2\n";
      return 77;
    }
    net = std::make_unique<loa::test::NetnsLink>(9, loa::test::NetnsLink::Wire::delay_line);
    if (!net->ok() || !net->impair(impairment)) {
      std::cerr << "cannot impair a link on this machine: " << net->error() << "\n";
      return 77;
    }
    options.bind_host = net->host_ip();
    options.connect_host = net->host_ip();
    options.heartbeat_ms = 5000;  // the field's (the tests' 200 ms would call a lossy link dead)
  }
  loa::test::Fleet fleet(options);
  fleet.start_controller();
  std::vector<std::string> ids;
  for (int i = 1; i <= agents; ++i) {
    ids.push_back("bench-" + std::to_string(i));
    fleet.set_agent_audio_dir(ids.back(), fleet.dir() + "/audio-" + ids.back());
    fleet.start_agent(ids.back(), net ? net->exec_prefix() : std::vector<std::string>{});
  }
  const std::string reference = "reference";  // on a clean link, to judge the others' output by
  if (impaired) {
    fleet.set_agent_audio_dir(reference, fleet.dir() + "/audio-" + reference);
    fleet.start_agent(reference);
  }
  auto everyone = ids;
  if (impaired) everyone.push_back(reference);
  fleet.enroll(everyone);
  for (const auto& id : everyone) {
    if (!fleet.wait_for_state(id, "online", 20000)) {
      std::cerr << id << " never came online\n";
      return 1;
    }
  }
  std::this_thread::sleep_for(3s);  // the agents' network clocks converge

  // The baseline, on the same signal, measured over the same seconds.
  std::unique_ptr<loa::bench::SnapcastBeside> snapcast;
  if (snapclients > 0) {
    snapcast = std::make_unique<loa::bench::SnapcastBeside>(fleet.dir(), "audiotestsrc is-live=true wave=pink-noise volume=0.3",
                                                            snapclients);
    std::this_thread::sleep_for(2s);
    if (!snapcast->ok()) std::cerr << "snapcast did not start (apt-get install snapserver snapclient)\n";
  }
  auto started = fleet.api("POST", "/api/v1/streams", {{"source", source}, {"to", "all"}, {"broadcast_id", "bench"}});
  if (started.status != 201) {
    std::cerr << "stream refused: " << started.body.dump() << "\n";
    return 1;
  }
  const std::string stream = started.body["id"];
  // Measured from when the agents play (one latency after the first frame).
  std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms) + 500ms);
  Footprint footprint;
  std::vector<pid_t> measured;
  for (const auto& id : ids) measured.push_back(fleet.agent_pid(id));
  if (snapcast) {
    for (const auto pid : snapcast->client_pids()) measured.push_back(pid);
  }
  for (const auto pid : measured) footprint.sample(pid, true);
  for (int s = 0; s < seconds; ++s) {
    std::this_thread::sleep_for(1s);
    for (const auto pid : measured) footprint.sample(pid, false);
  }
  const bool snapcast_ran = snapcast && snapcast->ok();
  snapcast.reset();
  (void)fleet.api("DELETE", "/api/v1/streams/" + stream);

  json rows = json::array();
  for (int i = 0; i < 100 && rows.size() < everyone.size(); ++i) {
    std::this_thread::sleep_for(100ms);
    rows = fleet.api("GET", "/api/v1/asrun?broadcast=bench").body["items"];
  }

  // Render offsets per instant, per agent, from the agents' logs.
  const std::regex line(R"(render: due_ns=(\d+) host_offset_us=(-?[0-9.]+))");
  std::map<std::string, std::map<std::string, double>> offsets;  // due -> agent -> offset us
  std::vector<double> all_offsets;
  for (const auto& id : ids) {
    const auto log = fleet.agent_log(id);
    for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it) {
      offsets[(*it)[1]][id] = std::stod((*it)[2]);
    }
  }
  std::vector<double> spread;
  for (const auto& [due, by_agent] : offsets) {
    if (by_agent.size() != ids.size()) continue;
    double lo = 1e18, hi = -1e18;
    for (const auto& [id, us] : by_agent) {
      lo = std::min(lo, us);
      hi = std::max(hi, us);
      all_offsets.push_back(std::abs(us));
    }
    spread.push_back(hi - lo);
  }
  std::printf("machine: %u cores; agents=%d seconds=%d latency_ms=%d transport=%s link=\"%s\" (%s) source=%s clock=%s\n",
              std::thread::hardware_concurrency(), agents, seconds, latency_ms, datagrams ? "udp+tcp" : "tcp",
              impaired ? impairment.describe().c_str() : "loopback",
              !net ? "-" : net->uses_netem() ? "netem" : "nftables+tbf+delay line", source.c_str(),
              local_clock ? "local" : "controller");
  std::printf("skew instants=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f\n", spread.size(), percentile(spread, 0.5),
              percentile(spread, 0.99), percentile(spread, 1.0));
  std::printf("render_offset_vs_host_clock p50_us=%.1f p99_us=%.1f max_us=%.1f\n", percentile(all_offsets, 0.5),
              percentile(all_offsets, 0.99), percentile(all_offsets, 1.0));
  std::uint64_t played = 0, concealed = 0;
  for (const auto& id : ids) {
    json row;
    for (const auto& r : rows) {
      if (r["station_id"] == id) row = r;
    }
    const pid_t pid = fleet.agent_pid(id);
    const double cpu_pct = footprint.cpu_pct(pid, seconds);
    const auto p = row.value("frames_played", std::uint64_t{0});
    const auto c = row.value("frames_concealed", std::uint64_t{0});
    played += p;
    concealed += c;
    const auto log = fleet.agent_log(id);
    const auto clock_at = log.rfind("clock: quality:");
    if (clock_at != std::string::npos) {
      std::printf("agent %s %s\n", id.c_str(), log.substr(clock_at, log.find('\n', clock_at) - clock_at).c_str());
    }
    std::printf("agent %s cpu_pct=%.2f rss_peak_kib=%ld rss_anon_peak_kib=%ld frames_played=%llu frames_concealed=%llu "
                "longest_gap_ms=%d outcome=%s\n",
                id.c_str(), cpu_pct, footprint.peak[pid].rss_kib, footprint.peak[pid].rss_anon_kib, static_cast<unsigned long long>(p), static_cast<unsigned long long>(c),
                row.value("longest_gap_ms", 0), row.value("outcome", std::string("none")).c_str());
  }
  if (snapcast_ran) {
    // Side by side: the agents' mean against the snapclients' mean, over the same seconds.
    double agent_cpu = 0, agent_rss = 0, snap_cpu = 0, snap_rss = 0;
    for (const auto& id : ids) {
      agent_cpu += footprint.cpu_pct(fleet.agent_pid(id), seconds) / double(ids.size());
      agent_rss += double(footprint.peak[fleet.agent_pid(id)].rss_kib) / double(ids.size());
    }
    const auto clients = measured.size() - ids.size();
    for (std::size_t i = ids.size(); i < measured.size(); ++i) {
      const pid_t pid = measured[i];
      std::printf("snapclient %zu cpu_pct=%.2f rss_peak_kib=%ld rss_anon_peak_kib=%ld\n", i - ids.size() + 1,
                  footprint.cpu_pct(pid, seconds), footprint.peak[pid].rss_kib, footprint.peak[pid].rss_anon_kib);
      snap_cpu += footprint.cpu_pct(pid, seconds) / double(clients);
      snap_rss += double(footprint.peak[pid].rss_kib) / double(clients);
    }
    std::printf("footprint loa-agent cpu_pct=%.2f rss_kib=%.0f | snapclient cpu_pct=%.2f rss_kib=%.0f | ratio cpu=%.2f "
                "rss=%.2f (targets <= 1.2, <= 1.5)\n",
                agent_cpu, agent_rss, snap_cpu, snap_rss, snap_cpu > 0 ? agent_cpu / snap_cpu : 0.0,
                snap_rss > 0 ? agent_rss / snap_rss : 0.0);
  }
  if (!impaired && ids.size() > 1) {
    // Skew from what came out: each station's recording against the first one's.
    std::map<std::string, std::int64_t> start_ns;
    for (const auto& r : rows) start_ns[r["station_id"]] = r.value("actual_start_ns", std::int64_t{0});
    const auto first_audio = loa::test::read_wav(loa::test::only_wav(fleet.dir() + "/audio-" + ids[0]));
    std::vector<double> skews;
    for (std::size_t i = 1; i < ids.size(); ++i) {
      if (!start_ns[ids[0]] || !start_ns[ids[i]]) continue;
      const auto audio = loa::test::read_wav(loa::test::only_wav(fleet.dir() + "/audio-" + ids[i]));
      for (const double ms : loa::test::skews_ms(first_audio, start_ns[ids[0]], audio, start_ns[ids[i]], 48000)) {
        skews.push_back(std::abs(ms) * 1000.0);
      }
    }
    std::printf("skew_from_output windows=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f (each station's WAV against %s's)\n",
                skews.size(), percentile(skews, 0.5), percentile(skews, 0.99), percentile(skews, 1.0), ids[0].c_str());
  }
  std::printf("frames played=%llu concealed=%llu concealed_pct=%.3f\n", static_cast<unsigned long long>(played),
              static_cast<unsigned long long>(concealed),
              played + concealed ? 100.0 * static_cast<double>(concealed) / static_cast<double>(played + concealed) : 0);
  if (impaired) {
    const auto row_of = [&](const std::string& id) {
      for (const auto& r : rows) {
        if (r["station_id"] == id) return r;
      }
      return json::object();
    };
    const auto ref_row = row_of(reference);
    const auto ref_audio = loa::test::read_wav(loa::test::only_wav(fleet.dir() + "/audio-" + reference));
    long frames = 0, broken = 0;
    for (const auto& id : ids) {
      const auto row = row_of(id);
      if (!row.contains("actual_start_ns") || !ref_row.contains("actual_start_ns")) continue;
      const long expected_lag = std::lround(
          double(ref_row["actual_start_ns"].get<std::int64_t>() - row["actual_start_ns"].get<std::int64_t>()) * 48e-6);
      const auto c = loa::test::continuity(ref_audio, loa::test::read_wav(loa::test::only_wav(fleet.dir() + "/audio-" + id)),
                                           expected_lag);
      frames += c.frames;
      broken += c.broken;
      std::printf("output %s frames=%ld broken=%ld broken_pct=%.3f longest_broken_run=%ld alignment_match=%.3f\n",
                  id.c_str(), c.frames, c.broken, c.broken_percent(), c.longest_run, c.match_at_alignment);
    }
    std::printf("output frames=%ld broken=%ld broken_pct=%.3f (against the reference on a clean link)\n", frames,
                broken, frames ? 100.0 * double(broken) / double(frames) : 100.0);
  }
  std::fflush(stdout);
  return spread.empty() || rows.size() != everyone.size() ? 1 : 0;
}
