#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loa/hardware/compliance_checker.hpp"
#include "loa/hardware/device_poller.hpp"
#include "loa/hwconfig/station_hardware.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/link.pb.h"
#include "loa/v1/telemetry.pb.h"

namespace loa::hardware {

// Where the monitor hands what it finds. Called from the pollers' threads: must be
// thread-safe. The agent queues these in its outbox for the controller.
class IHealthSink {
 public:
  virtual ~IHealthSink() = default;
  virtual void on_telemetry(const loa::v1::Telemetry& telemetry) = 0;
  virtual void on_alarm(const loa::v1::Alarm& alarm) = 0;
  // The monitor muted `device_id` for a violation (true), or that mute is over (false).
  // Kept across restarts so that a station that lost power while muted still lifts the
  // mute once it is back in band (see HardwareMonitor::restore_compliance_mutes).
  virtual void on_compliance_mute(const std::string& device_id, bool muted) = 0;
};

struct MonitorSettings {
  std::chrono::milliseconds telemetry_interval{10000};  // also sent at once on any alarm change
  int unreachable_cycles = 2;  // failed cycles before the "unreachable" alarm
  int compliance_cycles = 2;   // cycles a violation must persist before its alarm (and mute)
  // A mute the monitor set for a violation is lifted once the carrier has been back in
  // band and licence this long.
  std::chrono::milliseconds unmute_hold{10000};
};

// The station's hardware watch: one poller thread per bus (the devices of one serial
// port in turn, over one open of it; each TCP device alone), each device at its own interval,
// alarms evaluated with hysteresis, band compliance on every transmitter cycle (muting
// the transmitter where the station's policy says so), telemetry periodically and on
// change. Writes go through the device's bus thread, so the bus sees one client.
class HardwareMonitor {
 public:
  HardwareMonitor(hwconfig::StationHardware station, IHealthSink& sink, const time::IClock& clock,
                  MonitorSettings settings = {});
  HardwareMonitor(const HardwareMonitor&) = delete;
  HardwareMonitor& operator=(const HardwareMonitor&) = delete;
  ~HardwareMonitor();

  // Devices the monitor had muted for a violation before a restart: their mutes are
  // its own, lifted as any other. Called before start().
  void restore_compliance_mutes(const std::vector<std::string>& device_ids);
  void start();
  void stop();

  // Queues a write on the device's thread. Refused at once (no bus access) if the
  // profile does not allow it.
  [[nodiscard]] std::future<WriteResult> write(const std::string& device_id, const std::string& point,
                                               double value);
  // Switches the power point of `device_id` (empty: every device that has one).
  [[nodiscard]] std::vector<std::pair<std::string, WriteResult>> set_amplifier(const std::string& device_id, bool on);
  // A technician's mute or unmute of the transmitters (or `device_id`). Unmuting is
  // refused while the carrier is out of its band or licence; a technician's mute is
  // never lifted by the monitor.
  [[nodiscard]] std::vector<std::pair<std::string, WriteResult>> set_mute(const std::string& device_id, bool muted);
  // Whether every amplifier (device with a power point) read as powered on at its last
  // poll; nullopt when none has been read yet.
  [[nodiscard]] std::optional<bool> amplifiers_on() const;
  // Whether a transmitter is muted now, and why ("muted: out of band"), for plays.
  [[nodiscard]] std::optional<std::string> muted_reason() const;

  struct Check {
    std::string name;  // "amp.power_on"
    bool passed = false;
    std::string detail;
    bool unchecked = false;  // a link this station cannot check: neither passed nor failed
  };
  // Polls every device afresh and checks the chain without sound: reachable, power on,
  // PLL locked, VSWR at most `max_vswr`, no fault code. The links of the chain it has no
  // means to check are listed as unchecked, so nobody reads a pass as more than it is.
  [[nodiscard]] std::vector<Check> silent_test(double max_vswr);

  [[nodiscard]] ComplianceChecker::Result last_compliance() const;
  // Checks compliance against `licence` from the next cycle on, in place of the station
  // file's (the controller keeps the licence and sends it).
  void set_licence(const hwconfig::Licence& licence);
  // Each device's Modbus transactions since start and how many of them failed.
  struct LineCounts {
    std::uint64_t transactions = 0;
    std::uint64_t failed = 0;
  };
  [[nodiscard]] std::map<std::string, LineCounts> line_counts() const;
  // The thresholds of the devices' alarm rules on readings (not on states such as a
  // PLL's lock), each named by the Telemetry field it watches.
  [[nodiscard]] std::vector<v1::AlarmLimit> alarm_limits() const;
  // Devices that have not answered a poll since start(): a new configuration that names
  // a device the station cannot reach is rolled back on this.
  [[nodiscard]] std::vector<std::string> never_answered() const;

 private:
  struct Device;
  struct Bus;
  void run(Bus& bus);
  void cycle(Device& device);
  // Runs `job` on the device's own thread (the bus sees one client) and returns its result.
  template <typename T>
  std::future<T> run_on(Device& device, std::function<T(DevicePoller&)> job);

  hwconfig::StationHardware station_;
  IHealthSink& sink_;
  const time::IClock& clock_;
  MonitorSettings settings_;
  ComplianceChecker compliance_;  // guarded by mutex_ (replaced by set_licence)
  std::vector<std::unique_ptr<Device>> devices_;
  std::vector<std::unique_ptr<Bus>> buses_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  ComplianceChecker::Result last_compliance_;
  std::optional<std::string> muted_reason_;  // guarded by mutex_
};

}  // namespace loa::hardware
