// Federation benchmark.
//
//   federation_bench --members 10 --stations 1000 [--rounds 5]
//     A controller above M member controllers, each a real process with N
//     protocol-level simulated stations (CurveZMQ connections that answer commands and
//     report sound beginning at once). An alert is pushed at the top to all, round after
//     round; printed: push -> every station of every member acknowledged and playing, as
//     the top's relay view shows it (members report a relay's progress every 200 ms,
//     their stations and as-run every second, as configured by default). Each member's
//     stations run in a process of their own. Beside it,
//     the baseline in the same run: the same alert pushed at one member to its own N
//     stations, as that member's alert status shows it.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/fleet.hpp"
#include "support/simulated_stations.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using loa::test::Fleet;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void print(const char* what, const std::vector<double>& v) {
  std::printf("%s n=%zu p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", what, v.size(), percentile(v, 0.5),
              percentile(v, 0.99), percentile(v, 1.0));
}

// One member's simulated stations, in a child process of their own: 10 x 1,000 stations
// hold two descriptors each, more than one process may open here, and a province's
// stations do not share one process either. The child runs until its pipe closes.
class StationsProcess {
 public:
  StationsProcess(const Fleet& member, int stations, const std::string& prefix) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::close(fds[1]);
      // The write ends of earlier children's pipes were copied into this one (close on
      // exec keeps them from the controllers, not from a fork): closed, so that each
      // child sees its own pipe close.
      for (const int fd : open_stop_fds()) ::close(fd);
      loa::test::raise_open_file_limit();
      {
        loa::test::SimulatedStations sims(member, {.stations = stations, .id_prefix = prefix});
        sims.start();
        char byte;
        while (::read(fds[0], &byte, 1) > 0) {
        }
        sims.stop();
      }
      ::_exit(0);  // the parent's objects (its controllers) are the parent's to end
    }
    ::close(fds[0]);
    stop_fd_ = fds[1];
    open_stop_fds().push_back(stop_fd_);
  }
  ~StationsProcess() {
    std::erase(open_stop_fds(), stop_fd_);
    ::close(stop_fd_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  StationsProcess(const StationsProcess&) = delete;
  StationsProcess& operator=(const StationsProcess&) = delete;

 private:
  static std::vector<int>& open_stop_fds() {
    static std::vector<int> fds;
    return fds;
  }
  pid_t pid_ = -1;
  int stop_fd_ = -1;
};

// Polls `done` every 10 ms for up to `limit`; the time it took from `from`, or -1.
template <typename F>
double time_until(F done, std::int64_t from, std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (done()) return static_cast<double>(loa::test::now_ms() - from);
    std::this_thread::sleep_for(10ms);
  }
  return -1;
}

int run(int members, int stations, int rounds) {
  loa::test::raise_open_file_limit();
  loa::test::FleetOptions top_options;
  top_options.heartbeat_ms = 5000;
  top_options.controller_log_level = "warn";
  // Every member asks from this one host: more at once than a real province's would.
  top_options.controller_control = "  enrollment_rate: {per_address_burst: 100}\n";
  Fleet top(top_options);
  top.start_controller();
  std::vector<std::unique_ptr<Fleet>> fleets;
  std::vector<std::unique_ptr<StationsProcess>> sims;
  for (int k = 1; k <= members; ++k) {
    loa::test::FleetOptions o;
    o.heartbeat_ms = 5000;
    o.controller_log_level = "warn";
    o.standard_clips = true;
    o.controller_extra = "federation:\n"
                         "  member_id: member-" + std::to_string(k) + "\n"
                         "  above: tcp://127.0.0.1:" + std::to_string(top.control_port()) + "\n"
                         "  above_enroll: tcp://127.0.0.1:" + std::to_string(top.enroll_port()) + "\n"
                         "  above_public_key_file: " + top.dir() + "/controller/controller.pub\n"
                         "";
    fleets.push_back(std::make_unique<Fleet>(o));
    fleets.back()->start_controller();
    sims.push_back(std::make_unique<StationsProcess>(*fleets.back(), stations, "m" + std::to_string(k) + "-"));
  }
  for (int k = 1; k <= members; ++k) {
    const auto id = "member-" + std::to_string(k);
    if (!top.wait_for_state(id, "pending", 180000)) {
      const auto log = fleets[k - 1]->controller_log();
      std::cerr << id << " never asked to be enrolled (above: " << top.api("GET", "/api/v1/stations/" + id).text
                << "); its log ends:\n" << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
      return 1;
    }
    // Asked again while either controller is too busy to answer in time.
    if (time_until([&] {
          const auto uplink = fleets[k - 1]->api("GET", "/api/v1/uplink").body;
          if (!uplink.is_object()) return false;
          return top.api("POST", "/api/v1/stations/" + id + "/approve", {{"fingerprint", uplink.value("fingerprint", "")}})
                     .status == 200;
        }, loa::test::now_ms(), 120s) < 0) {
      std::cerr << id << " could not be approved\n";
      return 1;
    }
  }
  const int total = members * stations;
  auto online_above = [&] {
    int n = 0;
    const auto reply = top.api("GET", "/api/v1/members");
    if (!reply.body.is_object()) return -1;  // no answer in time: asked again
    for (const auto& m : reply.body["items"]) n += m.value("stations_online", 0);
    return n;
  };
  if (time_until([&] { return online_above() == total; }, loa::test::now_ms(), 300s) < 0) {
    std::cerr << "only " << online_above() << " of " << total << " stations online above\n";
  }
  std::this_thread::sleep_for(8s);  // each member pins its standard clips on its stations

  std::vector<double> federated, local, hop, seen_above;
  for (int round = 0; round < rounds; ++round) {
    // Through the federation: pushed at the top, to every member's every station.
    // A new text each round, as each real alert has: every member reads it aloud anew.
    const std::string text = "Diễn tập, lần " + std::to_string(round + 1) + ".";
    auto pushed = loa::test::now_ms();
    auto r = top.api("POST", "/api/v1/relays",
                     {{"kind", "alert"}, {"status", "exercise"}, {"severity", "minor"}, {"text", text},
                      {"language", "vi"}, {"to", {"all"}}});
    if (r.status != 201) {
      std::cerr << "relay failed: " << r.text << "\n";
      return 1;
    }
    const std::string relay = r.body["id"];
    const auto took = time_until([&] {
      const auto v = top.api("GET", "/api/v1/relays/" + relay).body;
      return v.is_object() && v.contains("summary") && v["summary"].value("sounding", 0) == total;
    }, pushed, 120s);
    std::printf("round=%d federated_all_playing_ms=%.0f\n", round, took);
    if (took >= 0) federated.push_back(took);
    // Where the time went, member by member: the hop down (push above -> the member's
    // own alert issued) and the member's own delivery seen above (its report with every
    // station sounding, as the controller above stored it).
    const auto view = top.api("GET", "/api/v1/relays/" + relay).body;
    if (view.is_object() && view.contains("members")) {
      for (const auto& m : view["members"]) {
        const auto member_id = m.value("member", std::string());
        const int k = std::atoi(member_id.substr(member_id.find('-') + 1).c_str());
        if (k < 1 || k > members) continue;
        const auto member_alert = fleets[k - 1]->api("GET", "/api/v1/alerts/" + m.value("local_id", std::string()) + "?stations=0").body;
        if (!member_alert.is_object()) continue;
        const auto issued = member_alert.value("issued_ms", std::int64_t{0});
        if (issued > 0) hop.push_back(static_cast<double>(issued - pushed));
        if (m.value("sounding", 0) == stations) seen_above.push_back(static_cast<double>(m.value("updated_ms", std::int64_t{0}) - pushed));
      }
    }
    // The baseline: one member, its own stations, pushed there.
    auto& member = *fleets[round % members];
    pushed = loa::test::now_ms();
    auto a = member.api("POST", "/api/v1/alerts",
                        {{"status", "exercise"}, {"severity", "minor"}, {"tts", text + " Tại chỗ."}, {"to", {"all"}},
                         {"confirm", {{"target_count", stations}}}});
    if (a.status != 201) {
      std::cerr << "local alert failed: " << a.text << "\n";
      return 1;
    }
    const std::string id = a.body["id"];
    const auto local_took = time_until([&] {
      const auto v = member.api("GET", "/api/v1/alerts/" + id + "?stations=0").body;
      return v.is_object() && v.contains("summary") &&
             v["summary"].value("playing", 0) + v["summary"].value("played", 0) == stations;
    }, pushed, 120s);
    std::printf("round=%d one_member_all_playing_ms=%.0f\n", round, local_took);
    if (local_took >= 0) local.push_back(local_took);
    std::this_thread::sleep_for(6s);  // the plays end before the next round
  }
  sims.clear();
  std::printf("members=%d stations_per_member=%d (each member a real controller process, protocol-level stations, one host)\n",
              members, stations);
  print("federated_push_to_all_playing", federated);
  print("baseline_one_member_push_to_its_stations_playing", local);
  print("per_member_push_above_to_member_alert_issued", hop);
  print("per_member_push_above_to_all_its_stations_sounding_stored_above", seen_above);
  return federated.size() == static_cast<std::size_t>(rounds) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each round's line as it comes, into a file too
  int members = 10, stations = 1000, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--members") members = std::atoi(argv[i + 1]);
    if (a == "--stations") stations = std::atoi(argv[i + 1]);
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
  }
  if (members < 1 || stations < 1 || rounds < 1) {
    std::cerr << "usage: federation_bench --members M --stations N [--rounds R]\n";
    return 2;
  }
  return run(members, stations, rounds);
}
