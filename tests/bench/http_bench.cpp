// HTTP front benchmark: requests per second that well-behaved clients get from a real
// controller, first alone, then while 1,000 slowloris connections (20 addresses, 50 each,
// one byte a second, reconnecting when cut) hold the front. One run, both figures.
//
//   http_bench [--clients 4] [--seconds 10] [--slow 1000]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "support/fleet.hpp"
#include "support/process.hpp"
#include "support/tcp_client.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Phase {
  double rps = 0;
  double p99_ms = 0;
  double max_ms = 0;
  long failed = 0;
};

// `clients` threads, each on its own keep-alive connection, asking for the station list.
Phase measure(const loa::test::Fleet& fleet, int clients, int seconds) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::atomic<long> failed{0};
  const auto until = Clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client client("127.0.0.1", fleet.http_port());
      client.set_keep_alive(true);
      client.set_read_timeout(10, 0);
      const httplib::Headers auth{{"Authorization", "Bearer " + fleet.token()}};
      auto& mine = latencies[static_cast<std::size_t>(i)];
      while (Clock::now() < until) {
        const auto start = Clock::now();
        auto res = client.Get("/api/v1/stations", auth);
        if (!res || res->status != 200) {
          ++failed;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Phase p;
  p.rps = static_cast<double>(all.size()) / seconds;
  p.p99_ms = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  p.max_ms = all.empty() ? 0 : all.back();
  p.failed = failed;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 4, seconds = 10, slow = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--clients")) clients = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--slow")) slow = std::atoi(argv[i + 1]);
  }
  loa::test::raise_open_file_limit();
  loa::test::FleetOptions options;
  options.controller_log_level = "warn";
  loa::test::Fleet fleet(options);
  fleet.start_controller();
  // A district's worth of stations in the list each request reads.
  for (int i = 0; i < 100; ++i) {
    (void)fleet.api("POST", "/api/v1/stations",
                    {{"id", "st-" + std::to_string(i)}, {"public_key", std::string(40, 'A' + static_cast<char>(i % 26))}});
  }

  const auto alone = measure(fleet, clients, seconds);

  std::atomic<bool> attacking{true};
  std::atomic<long> reconnects{0};
  std::atomic<int> held{0};
  std::thread attacker([&] {
    const std::string start = "GET /api/v1/stations HTTP/1.1\r\nHost: loa\r\nX-Slow: ";
    std::vector<loa::test::TcpClient> conns;
    auto open = [&](int i) {
      loa::test::TcpClient c("127.0.0." + std::to_string(10 + i % 20), fleet.http_port());
      c.send(start);
      return c;
    };
    for (int i = 0; i < slow; ++i) conns.push_back(open(i));
    held = static_cast<int>(conns.size());
    while (attacking) {
      for (std::size_t i = 0; i < conns.size() && attacking; ++i) {
        if (!conns[i].send_now("a")) {
          conns[i] = open(static_cast<int>(i));
          ++reconnects;
        }
      }
      std::this_thread::sleep_for(1s);
    }
  });
  while (held < slow) std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(1s);
  const auto metrics = fleet.metrics();
  const auto under_attack = measure(fleet, clients, seconds);
  attacking = false;
  attacker.join();

  long open_connections = -1;
  if (auto at = metrics.find("\nloa_http_connections_open "); at != std::string::npos) {
    open_connections = std::stol(metrics.substr(at + 27));
  }
  std::printf("clients=%d seconds=%d slow_connections=%d held_open_by_controller=%ld attacker_reconnects=%ld\n", clients,
              seconds, slow, open_connections, reconnects.load());
  std::printf("%-22s %10s %10s %10s %8s\n", "phase", "req/s", "p99_ms", "max_ms", "failed");
  std::printf("%-22s %10.0f %10.1f %10.1f %8ld\n", "alone", alone.rps, alone.p99_ms, alone.max_ms, alone.failed);
  std::printf("%-22s %10.0f %10.1f %10.1f %8ld\n", "with_slowloris", under_attack.rps, under_attack.p99_ms,
              under_attack.max_ms, under_attack.failed);
  const double ratio = alone.rps > 0 ? under_attack.rps / alone.rps : 0;
  std::printf("ratio=%.2f (target >= 0.80)\n", ratio);
  return ratio >= 0.8 && under_attack.failed == 0 ? 0 : 1;
}
