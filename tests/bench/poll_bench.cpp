// Station polling benchmark against loa-devsim processes: the agent's own cost per Modbus
// RTU transaction (over a pty pair, which has no baud timing) and the real-wire cycle it
// implies at 9,600 and 19,200 baud; Modbus TCP read latency on loopback; the cost of a
// dead device; and the CPU the hardware watch takes while polling every second.
//
//   poll_bench [--cycles N]
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <thread>

#include "loa/hardware/hardware_monitor.hpp"
#include "loa/modbus/modbus_context.hpp"
#include "support/fleet.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
const std::string kFirmware = std::string(LOA_SOURCE_DIR) + "/firmware-config";

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int devsim_port(const loa::test::ChildProcess& p) {
  std::smatch m;
  loa::test::eventually([&] { return p.log().find("devsim: ") != std::string::npos; }, 5s);
  auto log = p.log();
  return std::regex_search(log, m, std::regex("devsim: tcp://[^:]+:(\\d+)")) ? std::stoi(m[1]) : 0;
}

loa::hwconfig::DeviceConfig device(const std::string& profile, const std::string& id) {
  loa::hwconfig::DeviceConfig d;
  d.id = id;
  d.profile = loa::hwconfig::load_device_profile(kFirmware + "/profiles/" + profile);
  d.rtu = d.profile.rtu;
  d.unit_id = d.profile.unit_id;
  d.timeout = 200ms;
  d.retries = 0;
  return d;
}

// Bytes on the wire for one read of `count` registers (or bits) in RTU framing.
int response_bytes(const loa::hwconfig::Point& first, int count) {
  const bool bits = first.table == loa::hwconfig::Table::coil || first.table == loa::hwconfig::Table::discrete;
  return 5 + (bits ? (count + 7) / 8 : 2 * count);
}

}  // namespace

class NullSink final : public loa::hardware::IHealthSink {
 public:
  void on_telemetry(const loa::v1::Telemetry&) override {}
  void on_alarm(const loa::v1::Alarm&) override {}
  void on_compliance_mute(const std::string&, bool) override {}
};

int main(int argc, char** argv) {
  int cycles = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--cycles") cycles = std::atoi(argv[i + 1]);
  }
  loa::test::ScratchDir dir;

  // 1. RTU over a pty pair: the agent's own cost per transaction.
  const std::string a = dir.path() + "/ttyA";
  const std::string b = dir.path() + "/ttyB";
  loa::test::ChildProcess socat({"socat", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b},
                                dir.path() + "/socat.log");
  loa::test::eventually([&] { return std::filesystem::exists(a) && std::filesystem::exists(b); }, 3s);
  double rtu_ms_per_txn = 0;
  double rtu_cpu_ms_per_txn = 0;
  std::size_t rtu_requests = 0;
  std::vector<std::pair<int, int>> frames;  // (request bytes, response bytes) per request of one cycle
  {
    loa::test::ChildProcess sim({loa::test::bin("loa-devsim"), "--profile",
                                 kFirmware + "/profiles/fm-exciter-generic.yaml", "--rtu", a},
                                dir.path() + "/devsim-rtu.log");
    loa::test::eventually([&] { return sim.log().find("devsim: rtu://") != std::string::npos; }, 5s);
    auto cfg = device("fm-exciter-generic.yaml", "exciter");
    cfg.rtu_device = b;
    loa::hardware::DevicePoller poller(cfg);
    (void)poller.poll();  // open the port
    rtu_requests = poller.request_count();
    const auto started = Clock::now();
    const double cpu0 = cpu_seconds();
    int ok = 0;
    for (int i = 0; i < cycles; ++i) ok += poller.poll().reachable;
    const double wall = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    const double cpu = (cpu_seconds() - cpu0) * 1000;
    rtu_ms_per_txn = wall / static_cast<double>(cycles * rtu_requests);
    rtu_cpu_ms_per_txn = cpu / static_cast<double>(cycles * rtu_requests);
    std::printf("rtu_pty profile=fm-exciter requests_per_cycle=%zu cycles=%d ok=%d wall_ms_per_txn=%.3f "
                "agent_cpu_ms_per_txn=%.3f\n",
                rtu_requests, cycles, ok, rtu_ms_per_txn, rtu_cpu_ms_per_txn);
  }
  // Wire time of one exciter + amplifier cycle: 11 bits a character, 3.5 characters of
  // silence before every frame.
  for (const char* profile : {"fm-exciter-generic.yaml", "fm-amplifier-generic.yaml"}) {
    auto cfg = device(profile, "x");
    std::map<loa::hwconfig::Table, std::pair<int, int>> spans;  // table -> [first, end)
    for (const auto& p : cfg.profile.points) {
      auto& s = spans.try_emplace(p.table, p.address, p.address + p.width()).first->second;
      s.first = std::min(s.first, static_cast<int>(p.address));
      s.second = std::max(s.second, p.address + p.width());
    }
    for (const auto& [table, span] : spans) {
      const auto* first = &*std::find_if(cfg.profile.points.begin(), cfg.profile.points.end(),
                                         [&](const auto& p) { return p.table == table; });
      frames.emplace_back(8, response_bytes(*first, span.second - span.first));
    }
  }
  int txns = static_cast<int>(frames.size());
  for (int baud : {9600, 19200}) {
    double wire_ms = 0;
    for (const auto& [req, resp] : frames) wire_ms += (req + resp + 2 * 3.5) * 11.0 * 1000.0 / baud;
    std::printf("rtu_wire baud=%d transactions=%d wire_ms=%.1f cycle_ms=%.1f (wire + agent cost)\n", baud, txns,
                wire_ms, wire_ms + txns * rtu_cpu_ms_per_txn);
  }

  // 2. Modbus TCP on loopback: latency of single reads.
  loa::test::ChildProcess tcp_sim({loa::test::bin("loa-devsim"), "--profile",
                                   kFirmware + "/profiles/fm-amplifier-generic.yaml", "--tcp", "127.0.0.1:0"},
                                  dir.path() + "/devsim-tcp.log");
  const int port = devsim_port(tcp_sim);
  {
    auto client = loa::modbus::ModbusContext::tcp({"127.0.0.1", port});
    client.set_response_timeout(200ms);
    if (!client.connect()) {
      std::fprintf(stderr, "cannot connect to devsim\n");
      return 1;
    }
    std::vector<double> us;
    for (int i = 0; i < cycles * 4; ++i) {
      const auto t0 = Clock::now();
      auto r = client.read_input(0, 6);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (!r) return 1;
    }
    std::printf("tcp_loopback reads=%zu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", us.size(), percentile(us, 0.5) / 1000,
                percentile(us, 0.99) / 1000, percentile(us, 1.0) / 1000);
  }

  // 3. A dead device costs its timeout per cycle, no more.
  {
    loa::test::write_file(dir.path() + "/dead.faults", "no_answer\n");
    loa::test::ChildProcess dead({loa::test::bin("loa-devsim"), "--profile",
                                  kFirmware + "/profiles/fm-amplifier-generic.yaml", "--tcp", "127.0.0.1:0",
                                  "--fault-file", dir.path() + "/dead.faults"},
                                 dir.path() + "/devsim-dead.log");
    auto cfg = device("fm-amplifier-generic.yaml", "amp");
    cfg.tcp_host = "127.0.0.1";
    cfg.tcp_port = devsim_port(dead);
    loa::hardware::DevicePoller poller(cfg);
    std::vector<double> ms;
    for (int i = 0; i < 10; ++i) ms.push_back(static_cast<double>(poller.poll().duration.count()) / 1000.0);
    std::printf("dead_device timeout_ms=200 retries=0 cycle_p50_ms=%.1f cycle_max_ms=%.1f\n", percentile(ms, 0.5),
                percentile(ms, 1.0));
  }

  // 4. CPU of the hardware watch polling two devices every second.
  {
    loa::test::ChildProcess pair({loa::test::bin("loa-devsim"), "--profile",
                                  kFirmware + "/profiles/fm-exciter-generic.yaml@1", "--profile",
                                  kFirmware + "/profiles/fm-amplifier-generic.yaml@2", "--tcp", "127.0.0.1:0"},
                                 dir.path() + "/devsim-pair.log");
    const int pair_port = devsim_port(pair);
    loa::hwconfig::StationHardware station;
    station.kind = "ip_cluster";
    auto amp = device("fm-amplifier-generic.yaml", "amp");
    amp.tcp_host = "127.0.0.1";
    amp.tcp_port = pair_port;
    amp.unit_id = 2;
    amp.poll_interval = 1000ms;
    auto exciter = device("fm-exciter-generic.yaml", "exciter");
    exciter.tcp_host = "127.0.0.1";
    exciter.tcp_port = pair_port;
    exciter.unit_id = 1;
    exciter.poll_interval = 1000ms;
    station.devices = {amp, exciter};
    NullSink sink;
    loa::time::SystemClock clock;
    loa::hardware::HardwareMonitor monitor(station, sink, clock);
    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    monitor.start();
    std::this_thread::sleep_for(10s);
    monitor.stop();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("watch_cpu devices=2 interval_ms=1000 seconds=%.0f cpu_percent_of_one_core=%.3f\n", wall,
                100.0 * (cpu_seconds() - cpu0) / wall);
  }
  return 0;
}
