// The station's hardware watch against loa-devsim, a separate process speaking Modbus
// over real TCP and over a pty pair (socat): faults raise the right alarms and clear,
// a non-compliant transmitter is muted, dead devices are reported and recovered from,
// and refused writes never reach the bus.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "loa/hardware/hardware_monitor.hpp"
#include "loa/modbus/modbus_context.hpp"
#include "support/fleet.hpp"

namespace loa::hardware {
namespace {

using namespace std::chrono_literals;
using test::eventually;

const std::string kFirmware = std::string(LOA_SOURCE_DIR) + "/firmware-config";

// What the monitor reports, kept for the test to look at.
class CollectingSink final : public IHealthSink {
 public:
  void on_telemetry(const loa::v1::Telemetry& t) override {
    std::lock_guard lock(mutex_);
    telemetry_[t.device_id()] = t;
  }
  void on_alarm(const loa::v1::Alarm& a) override {
    std::lock_guard lock(mutex_);
    alarms_.push_back(a);
  }
  void on_compliance_mute(const std::string&, bool) override {}
  // Has `alarm_id` most recently been raised (true) or cleared (false)?
  std::optional<bool> state(const std::string& alarm_id) const {
    std::lock_guard lock(mutex_);
    for (auto it = alarms_.rbegin(); it != alarms_.rend(); ++it) {
      if (it->alarm_id() == alarm_id) return it->active();
    }
    return std::nullopt;
  }
  std::optional<loa::v1::Alarm> last(const std::string& alarm_id) const {
    std::lock_guard lock(mutex_);
    for (auto it = alarms_.rbegin(); it != alarms_.rend(); ++it) {
      if (it->alarm_id() == alarm_id) return *it;
    }
    return std::nullopt;
  }
  int changes(const std::string& alarm_id) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(alarms_.begin(), alarms_.end(),
                                          [&](const auto& a) { return a.alarm_id() == alarm_id; }));
  }
  std::optional<loa::v1::Telemetry> telemetry(const std::string& device) const {
    std::lock_guard lock(mutex_);
    auto it = telemetry_.find(device);
    return it == telemetry_.end() ? std::nullopt : std::optional(it->second);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<loa::v1::Alarm> alarms_;
  std::map<std::string, loa::v1::Telemetry> telemetry_;
};

// loa-devsim in its own process; `endpoint` is what it printed.
struct Devsim {
  Devsim(const std::string& dir, const std::string& name, const std::string& profile,
         const std::vector<std::string>& where)
      : fault_file(dir + "/" + name + ".faults"), log_path(dir + "/" + name + ".log") {
    test::write_file(fault_file, "");
    std::vector<std::string> argv{test::bin("loa-devsim"), "--profile", kFirmware + "/profiles/" + profile,
                                  "--fault-file", fault_file};
    argv.insert(argv.end(), where.begin(), where.end());
    process = test::ChildProcess(argv, log_path);
    eventually([&] { return process.log().find("devsim: ") != std::string::npos; }, 5s);
    std::smatch m;
    auto log = process.log();
    if (std::regex_search(log, m, std::regex("devsim: tcp://[^:]+:(\\d+)"))) port = std::stoi(m[1]);
  }
  void faults(const std::string& text) const { test::write_file(fault_file, text); }
  std::string fault_file;
  std::string log_path;
  test::ChildProcess process;
  int port = 0;
};

std::string station_yaml(const std::string& policy, const std::string& exciter_where, const std::string& amp_where) {
  return "kind: fm\n"
         "band_plan: " + kFirmware + "/bandplans/vn-commune-fm.yaml\n"
         "licence: {assigned_khz: 64500, tolerance_khz: 10, max_power_w: 30, expires: 2099-12-31}\n"
         "compliance: {policy: " + policy + "}\n"
         "devices:\n"
         "  - {id: exciter, profile: " + kFirmware + "/profiles/fm-exciter-generic.yaml, " + exciter_where +
         ", poll_interval_ms: 100, timeout_ms: 200, retries: 0}\n"
         "  - {id: amp, profile: " + kFirmware + "/profiles/fm-amplifier-generic.yaml, " + amp_where +
         ", poll_interval_ms: 100, timeout_ms: 200, retries: 0}\n";
}

class HardwareMonitorTest : public ::testing::Test {
 protected:
  hwconfig::StationHardware load(const std::string& yaml) {
    test::write_file(dir.path() + "/station.yaml", yaml);
    return hwconfig::load_station_hardware(dir.path() + "/station.yaml");
  }
  test::ScratchDir dir;
  time::SystemClock clock;
  CollectingSink sink;
};

TEST_F(HardwareMonitorTest, EachFaultRaisesItsAlarmAndClearsWhenRemoved) {
  Devsim exciter(dir.path(), "exciter", "fm-exciter-generic.yaml", {"--tcp", "127.0.0.1:0"});
  Devsim amp(dir.path(), "amp", "fm-amplifier-generic.yaml", {"--tcp", "127.0.0.1:0"});
  ASSERT_GT(exciter.port, 0) << exciter.process.log();
  HardwareMonitor monitor(load(station_yaml("alarm_only", "tcp: \"127.0.0.1:" + std::to_string(exciter.port) + "\"",
                                            "tcp: \"127.0.0.1:" + std::to_string(amp.port) + "\", unit_id: 2")),
                          sink, clock, {2000ms, 2, 2});
  monitor.start();
  ASSERT_TRUE(eventually([&] { return sink.telemetry("exciter") && sink.telemetry("amp"); }, 3s));
  auto t = *sink.telemetry("exciter");
  EXPECT_TRUE(t.reachable());
  EXPECT_EQ(t.carrier_khz(), 64500u);
  EXPECT_NEAR(t.forward_power_w(), 25.0, 0.2);
  EXPECT_TRUE(t.pll_locked());
  EXPECT_TRUE(t.band_compliant());
  EXPECT_NEAR(sink.telemetry("amp")->mains_voltage_v(), 226.0, 0.5);

  struct Case {
    const Devsim* sim;
    const char* fault;
    const char* alarm;
  };
  const std::vector<Case> cases{
      {&exciter, "over_temperature", "exciter.over_temperature"},
      {&exciter, "pll_unlock", "exciter.pll_unlocked"},
      {&exciter, "high_vswr", "exciter.high_vswr"},
      {&exciter, "out_of_band", "exciter.band_compliance"},
      {&exciter, "over_power", "exciter.band_compliance"},
      {&amp, "mains_loss", "amp.mains_loss"},
      {&amp, "high_vswr", "amp.high_vswr"},
      {&exciter, "no_answer", "exciter.unreachable"},
      {&exciter, "slow_answer", "exciter.unreachable"},
      {&exciter, "garbage", "exciter.unreachable"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fault);
    const int before = sink.changes(c.alarm);
    c.sim->faults(std::string(c.fault) + "\n");
    EXPECT_TRUE(eventually([&] { return sink.state(c.alarm) == true; }, 4s)) << "not raised: " << c.alarm;
    c.sim->faults("");
    EXPECT_TRUE(eventually([&] { return sink.state(c.alarm) == false; }, 4s)) << "not cleared: " << c.alarm;
    // One raise, one clear: no flapping on the way.
    EXPECT_EQ(sink.changes(c.alarm) - before, 2);
  }
  auto unreachable = sink.last("exciter.unreachable");
  ASSERT_TRUE(unreachable);
  EXPECT_EQ(unreachable->severity(), loa::v1::Alarm::SEVERITY_CRITICAL);
}

TEST_F(HardwareMonitorTest, OutOfBandCarrierMutesTheTransmitterWhenThePolicySaysSo) {
  Devsim exciter(dir.path(), "exciter", "fm-exciter-generic.yaml", {"--tcp", "127.0.0.1:0"});
  Devsim amp(dir.path(), "amp", "fm-amplifier-generic.yaml", {"--tcp", "127.0.0.1:0"});
  HardwareMonitor monitor(load(station_yaml("mute", "tcp: \"127.0.0.1:" + std::to_string(exciter.port) + "\"",
                                            "tcp: \"127.0.0.1:" + std::to_string(amp.port) + "\", unit_id: 2")),
                          sink, clock, {2000ms, 2, 2});
  monitor.start();
  ASSERT_TRUE(eventually([&] { return sink.telemetry("exciter").has_value(); }, 3s));
  exciter.faults("out_of_band\n");
  ASSERT_TRUE(eventually([&] { return sink.state("exciter.band_compliance") == true; }, 4s));
  EXPECT_NE(sink.last("exciter.band_compliance")->message().find("carrier 75000 kHz is outside every band"),
            std::string::npos);
  auto record = monitor.last_compliance();
  EXPECT_FALSE(record.compliant);
  // Read back from the simulator, as any Modbus tool would: the mute coil is set.
  auto client = modbus::ModbusContext::tcp({"127.0.0.1", exciter.port});
  ASSERT_TRUE(client.connect());
  EXPECT_TRUE(eventually([&] {
    auto coils = client.read_coils(0, 1);
    return coils && (*coils)[0] == 1;
  }, 2s));
  EXPECT_TRUE(eventually([&] { return sink.telemetry("exciter")->muted(); }, 3s));
}

TEST_F(HardwareMonitorTest, RefusedWritesNeverReachTheBus) {
  Devsim exciter(dir.path(), "exciter", "fm-exciter-generic.yaml", {"--tcp", "127.0.0.1:0"});
  Devsim amp(dir.path(), "amp", "fm-amplifier-generic.yaml", {"--tcp", "127.0.0.1:0"});
  HardwareMonitor monitor(load(station_yaml("alarm_only", "tcp: \"127.0.0.1:" + std::to_string(exciter.port) + "\"",
                                            "tcp: \"127.0.0.1:" + std::to_string(amp.port) + "\", unit_id: 2")),
                          sink, clock);
  monitor.start();
  auto not_writable = monitor.write("exciter", "forward_power", 5).get();
  EXPECT_FALSE(not_writable.ok);
  EXPECT_EQ(not_writable.reason, "point 'forward_power' is not writable");
  auto not_allowed = monitor.write("exciter", "output_level", 150).get();
  EXPECT_FALSE(not_allowed.ok);
  EXPECT_EQ(not_allowed.reason, "value 150.000000 is outside the allowed range of 'output_level'");
  EXPECT_FALSE(monitor.write("exciter", "carrier", 99000).get().ok);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(exciter.process.log().find("write:"), std::string::npos) << exciter.process.log();

  auto off = monitor.write("amp", "power", 0).get();
  EXPECT_TRUE(off.ok) << off.reason;
  EXPECT_TRUE(eventually([&] { return amp.process.log().find("function=5 address=0") != std::string::npos; }, 2s));
  EXPECT_TRUE(eventually([&] { return sink.telemetry("amp") && !sink.telemetry("amp")->powered_on(); }, 4s));
}

TEST_F(HardwareMonitorTest, RtuOverAPtyPairIncludingThePortDisappearingAndComingBack) {
  if (test::run_command("command -v socat").exit_code != 0) GTEST_SKIP() << "needs socat (deploy/install-deps)";
  const std::string a = dir.path() + "/ttyA";
  const std::string b = dir.path() + "/ttyB";
  auto start_pair = [&] {
    auto p = test::ChildProcess({"socat", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b},
                                dir.path() + "/socat.log");
    eventually([&] { return std::filesystem::exists(a) && std::filesystem::exists(b); }, 3s);
    return p;
  };
  auto pair = start_pair();
  auto amp = std::make_unique<Devsim>(dir.path(), "amp", "fm-amplifier-generic.yaml",
                                      std::vector<std::string>{"--rtu", a});
  Devsim exciter(dir.path(), "exciter", "fm-exciter-generic.yaml", {"--tcp", "127.0.0.1:0"});
  HardwareMonitor monitor(load(station_yaml("alarm_only", "tcp: \"127.0.0.1:" + std::to_string(exciter.port) + "\"",
                                            "rtu: " + b + ", unit_id: 2")),
                          sink, clock, {500ms, 2, 2});
  monitor.start();
  ASSERT_TRUE(eventually([&] { return sink.telemetry("amp") && sink.telemetry("amp")->reachable(); }, 5s))
      << amp->process.log();
  EXPECT_NEAR(sink.telemetry("amp")->mains_voltage_v(), 226.0, 0.5);

  // Garbage on the line: CRC errors, reported as unreachable, then recovered.
  amp->faults("garbage\n");
  EXPECT_TRUE(eventually([&] { return sink.state("amp.unreachable") == true; }, 4s));
  amp->faults("");
  EXPECT_TRUE(eventually([&] { return sink.state("amp.unreachable") == false; }, 4s));

  // The serial port disappears (a USB adapter pulled out) ...
  amp.reset();
  pair.stop(SIGTERM);
  EXPECT_TRUE(eventually([&] { return sink.state("amp.unreachable") == true; }, 4s));
  EXPECT_TRUE(eventually([&] { return !sink.telemetry("amp")->reachable(); }, 4s));
  // ... and comes back: the poller reopens it by itself.
  pair = start_pair();
  amp = std::make_unique<Devsim>(dir.path(), "amp2", "fm-amplifier-generic.yaml", std::vector<std::string>{"--rtu", a});
  EXPECT_TRUE(eventually([&] { return sink.state("amp.unreachable") == false; }, 8s)) << amp->process.log();
  EXPECT_TRUE(sink.telemetry("exciter")->reachable());  // the other device never noticed
}

// Two devices on one RS-485 bus (one loa-devsim serving units 1 and 2 on one pty): the
// monitor polls them in turn over one open of the port, so no frame of one ever meets
// the other's. A minute of polling every 100 ms each, and not one transaction fails.
TEST_F(HardwareMonitorTest, TwoDevicesOnOneSerialPortArePolledInTurnWithNoErrors) {
  if (test::run_command("command -v socat").exit_code != 0) GTEST_SKIP() << "needs socat (deploy/install-deps)";
  const std::string a = dir.path() + "/ttyA";
  const std::string b = dir.path() + "/ttyB";
  auto pair = test::ChildProcess({"socat", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b},
                                 dir.path() + "/socat.log");
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(a) && std::filesystem::exists(b); }, 3s));
  auto bus = test::ChildProcess({test::bin("loa-devsim"), "--profile", kFirmware + "/profiles/fm-exciter-generic.yaml@1",
                                 "--profile", kFirmware + "/profiles/fm-amplifier-generic.yaml@2", "--rtu", a},
                                dir.path() + "/bus.log");
  ASSERT_TRUE(eventually([&] { return bus.log().find("devsim: rtu://") != std::string::npos; }, 5s)) << bus.log();
  HardwareMonitor monitor(load(station_yaml("alarm_only", "rtu: " + b + ", unit_id: 1", "rtu: " + b + ", unit_id: 2")),
                          sink, clock, {1000ms, 2, 2});
  monitor.start();
  ASSERT_TRUE(eventually([&] {
    return sink.telemetry("exciter") && sink.telemetry("exciter")->reachable() && sink.telemetry("amp") &&
           sink.telemetry("amp")->reachable();
  }, 5s)) << bus.log();
  // Each answered as itself: the exciter's carrier, the amplifier's mains.
  EXPECT_EQ(sink.telemetry("exciter")->carrier_khz(), 64500u);
  EXPECT_NEAR(sink.telemetry("amp")->mains_voltage_v(), 226.0, 0.5);
  std::this_thread::sleep_for(60s);
  const auto counts = monitor.line_counts();
  for (const char* id : {"exciter", "amp"}) {
    const auto& c = counts.at(id);
    std::cout << id << ": transactions=" << c.transactions << " failed=" << c.failed << "\n";
    EXPECT_EQ(c.failed, 0u) << id;
    EXPECT_GT(c.transactions, 300u) << id;  // polled all along (600 cycles at most)
  }
  EXPECT_FALSE(sink.state("exciter.unreachable").value_or(false));
  EXPECT_FALSE(sink.state("amp.unreachable").value_or(false));
}

}  // namespace
}  // namespace loa::hardware
