// Failover of a standby controller pair on replicated PostgreSQL (pg_auto_failover),
// N times over: each round kills the active controller and the primary database with
// SIGKILL, as a power cut takes a machine, and times
//   serving   the standby answering as active (its lease taken on the promoted database)
//   command   the first command it sends applied by a station (what an operator waits for)
//   alert     an alert issued a moment before the kill played on every station
// then brings the dead controller and database node back (as standby and secondary) for
// the next round. Prints each round, then p50 and max beside the target (10 s) and beside
// the failure detection a default pg_auto_failover (or Patroni's 30 s TTL) would add.
//
//   failover_bench [--rounds 10] [--stations 3]
// Runs as root (the database servers run as the postgres user); exit 77 when it cannot.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>
#include <thread>
#include <string>
#include <vector>

#include "loa/postgres/connection.hpp"
#include "support/fleet.hpp"
#include "support/pair.hpp"
#include "support/pg_formation.hpp"

namespace {

using namespace std::chrono_literals;
using namespace loa::test;
using nlohmann::json;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

bool applied(const Fleet& f, const std::string& command) {
  const auto body = f.api("GET", "/api/v1/commands/" + command).body;
  return body.is_object() && body.value("state", "") == "applied";
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 10, stations = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (a == "--stations") stations = std::atoi(argv[i + 1]);
  }
  if (const auto why = PgFormation::unavailable()) {
    std::cerr << "failover_bench: " << *why << "\n";
    return 77;
  }
  std::printf("forming the database (pg_auto_failover: monitor, primary, synchronous standby)...\n");
  PgFormation formation;
  const std::string database = "loa_failover_bench_" + std::to_string(::getpid());
  loa::postgres::connect(formation.primary_uri("postgres"), {})->exec("CREATE DATABASE " + database);

  const auto options = [&](const std::string& node) {
    FleetOptions o;
    o.standard_clips = true;
    o.controller_alerts = "  two_person_severities: [extreme]\n";
    o.controller_extra = pair_config(formation.uri(database), node);
    return o;
  };
  Fleet b(options("b"));
  Fleet a(options("a"));
  if (start_pair(a, b) != std::pair<std::string, std::string>{"active", "standby"}) {
    std::cerr << "the pair did not start as active and standby\n";
    return 1;
  }
  std::vector<std::string> ids;
  for (int i = 1; i <= stations; ++i) ids.push_back("st-" + std::to_string(i));
  for (const auto& id : ids) a.start_agent(id);
  a.enroll(ids);
  for (const auto& id : ids) {
    if (!a.wait_for_state(id, "online", 20000)) {
      std::cerr << "station " << id << " did not come online\n";
      return 1;
    }
  }

  const auto message = a.add_tone_clip("thong-bao", 3);
  std::vector<double> serving, command, alert;
  Fleet* active = &a;
  Fleet* standby = &b;
  std::printf("\nround  serving_ms  first_command_ms  alert_played_ms\n");
  for (int round = 1; round <= rounds; ++round) {
    // An alert a moment before the power cut: part of it is delivered by each controller.
    auto pushed = active->api("POST", "/api/v1/alerts",
                              {{"severity", "moderate"}, {"status", "actual"}, {"clip_id", message}, {"to", {"all"}},
                               {"confirm", {{"target_count", stations}}}});
    if (pushed.status != 201) {
      std::cerr << "alert refused: " << pushed.body.dump() << "\n";
      return 1;
    }
    const std::string alert_id = pushed.body["id"];
    const auto issued = now_ms();
    std::this_thread::sleep_for(200ms);
    const auto killed = now_ms();
    active->stop_controller(SIGKILL);
    const int old_primary = formation.primary();
    formation.kill_node(old_primary);

    if (!eventually([&] { return role_of(*standby) == "active"; }, 60s, 20ms)) {
      std::cerr << "round " << round << ": no takeover\n" << formation.state() << standby->controller_log();
      return 1;
    }
    const auto served = now_ms();
    const auto ping = standby->api("POST", "/api/v1/stations/st-1/commands", {{"type", "ping"}});
    const std::string ping_id = ping.body.is_object() ? ping.body.value("id", "") : "";
    if (ping_id.empty() || !eventually([&] { return applied(*standby, ping_id); }, 60s, 20ms)) {
      std::cerr << "round " << round << ": the first command was not applied\n";
      return 1;
    }
    const auto delivered = now_ms();
    const bool played = eventually([&] {
      auto s = standby->api("GET", "/api/v1/alerts/" + alert_id + "?stations=0").body;
      return s.is_object() && s["summary"].value("played", 0) == stations;
    }, 60s, 50ms);
    const auto alert_done = now_ms();
    serving.push_back(static_cast<double>(served - killed));
    command.push_back(static_cast<double>(delivered - killed));
    if (played) alert.push_back(static_cast<double>(alert_done - issued));
    std::printf("%5d %11lld %17lld %16s\n", round, static_cast<long long>(served - killed),
                static_cast<long long>(delivered - killed),
                played ? std::to_string(alert_done - issued).c_str() : "not played");
    std::fflush(stdout);

    // The dead machine comes back: its controller as the standby, its database as the
    // secondary, before the next power cut.
    active->start_controller();
    formation.restart_node(old_primary);
    if (!eventually([&] { return formation.healthy(); }, 120s, 200ms)) {
      std::cerr << "round " << round << ": the database did not heal\n" << formation.state();
      return 1;
    }
    std::swap(active, standby);
  }

  std::printf("\nmeasure                     p50 ms   max ms   target\n");
  std::printf("kill -> serving           %8.0f %8.0f\n", percentile(serving, 0.5), percentile(serving, 1));
  std::printf("kill -> first command     %8.0f %8.0f   <= 10000\n", percentile(command, 0.5), percentile(command, 1));
  std::printf("issue -> alert everywhere %8.0f %8.0f   (%zu of %d rounds played everywhere)\n", percentile(alert, 0.5),
              percentile(alert, 1), alert.size(), rounds);
  std::printf("\nFor comparison, failure detection alone with pg_auto_failover's defaults (health check 5 s,\n"
              "unhealthy after 20 s, demote timeout 30 s) is about 50 s; Patroni's default TTL is 30 s.\n");
  return percentile(command, 1) <= 10000 && alert.size() == static_cast<std::size_t>(rounds) ? 0 : 1;
}
