// A solar-powered station's power end to end: loa-devsim plays an EPEver Tracer charge
// controller from the shipped profile, a real agent polls it over Modbus TCP, and the
// controller shows the readings and alarms a technician acts on.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "loa/modbus/modbus_context.hpp"
#include "support/devsim.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kFirmware = std::string(LOA_SOURCE_DIR) + "/firmware-config";
const std::string kTracer = kFirmware + "/profiles/epever-tracer-an.yaml";

// The battery's state of charge as the charge controller itself gives it (input
// register 0x311A), or -1.
int soc_over_modbus(int port) {
  auto bus = modbus::ModbusContext::tcp({"127.0.0.1", port});
  bus.set_unit(1);
  if (!bus.connect()) return -1;
  auto regs = bus.read_input(0x311A, 1);
  return regs ? (*regs)[0] : -1;
}

// The battery (100 Ah, a load of 8 A, charged at 10 A) lives half an hour a second:
// draining, it loses 4 % a second (11 s from the 8 hours' warning at 64 % to the low
// battery at 20 %, room for a loaded machine), and charging it gains 1 %. The station wants a warning 8 hours
// before it is flat, not the profile's 6.
TEST(StationPower, ADrainingBatteryWarnsOfItsTimeLeftBeforeItRunsLowAndBothClearWhenChargingReturns) {
  Fleet fleet;
  Devsim tracer(fleet.dir(), "tracer", kTracer, {"--battery-soc", "90", "--battery-time-factor", "1800"});
  ASSERT_GT(tracer.port, 0) << tracer.process.log();
  const auto station_file = fleet.dir() + "/station-hw.yaml";
  write_file(station_file, "kind: ip_cluster\n"
                           "devices:\n"
                           "  - {id: power, profile: " + kTracer + ", tcp: \"127.0.0.1:" + std::to_string(tracer.port) +
                               "\", poll_interval_ms: 200, alarm_thresholds: {battery_time_left: 8}}\n");
  fleet.start_controller();
  fleet.set_agent_hardware("solar-1", station_file);
  fleet.start_agent("solar-1");
  fleet.enroll({"solar-1"});
  ASSERT_TRUE(fleet.wait_for_state("solar-1", "online", 10000)) << fleet.agent_log("solar-1");

  auto health = [&] { return fleet.api("GET", "/api/v1/stations/solar-1/health").body; };
  auto open_alarm = [&](const std::string& id) -> json {
    const auto h = health();
    for (const auto& a : h["alarms"]) {
      if (a["alarm_id"] == id) return a;
    }
    return nullptr;
  };
  auto power_reading = [&](const char* quantity) -> json {
    const auto h = health();
    for (const auto& d : h["devices"]) {
      if (d["device_id"] == "power" && d.contains(quantity)) return d[quantity];
    }
    return nullptr;
  };

  // Charging: the charge, the currents and the panels are shown, and nothing drains.
  ASSERT_TRUE(eventually([&] { return power_reading("battery_soc_pct").is_number(); }, 10s)) << health().dump();
  EXPECT_DOUBLE_EQ(power_reading("charging_current_a").get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(power_reading("load_current_a").get<double>(), 8.0);
  EXPECT_GT(power_reading("pv_voltage_v").get<double>(), 0.0);
  EXPECT_GE(power_reading("battery_hours_left").get<double>(), 1000.0);
  // The station's own threshold is what the console draws across the chart.
  bool limit_shown = false;
  const auto limits = health()["limits"];
  for (const auto& l : limits) {
    if (l["alarm_id"] == "battery_time_left") limit_shown = l["quantity"] == "battery_hours_left" && l["below"] == 8.0;
  }
  EXPECT_TRUE(limit_shown) << limits.dump();
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(open_alarm("power.battery_time_left").is_null());
  EXPECT_TRUE(open_alarm("power.low_battery").is_null());

  // Night falls on a cloudy day: the panels give nothing and the load drains the battery.
  tracer.faults("battery_drain\n");
  ASSERT_TRUE(eventually([&] { return !open_alarm("power.battery_time_left").is_null(); }, 30s, 50ms))
      << fleet.agent_log("solar-1");
  // Warned while the battery still holds charge, as the charge controller says.
  const int soc_at_warning = soc_over_modbus(tracer.port);
  EXPECT_GT(soc_at_warning, 20) << "the time left was warned of only once the battery was already low";
  EXPECT_TRUE(open_alarm("power.low_battery").is_null());
  EXPECT_EQ(open_alarm("power.battery_time_left")["severity"], "warning");

  ASSERT_TRUE(eventually([&] { return !open_alarm("power.low_battery").is_null(); }, 30s, 50ms))
      << fleet.agent_log("solar-1");
  const auto time_left = open_alarm("power.battery_time_left");
  const auto low = open_alarm("power.low_battery");
  ASSERT_FALSE(time_left.is_null());
  EXPECT_LT(time_left["raised_ms"].get<std::int64_t>(), low["raised_ms"].get<std::int64_t>());
  EXPECT_EQ(low["severity"], "critical");
  EXPECT_LT(soc_over_modbus(tracer.port), 20);
  // What a technician reads in the field, and what the province's monitoring scrapes.
  const auto table = fleet.loactl("station health solar-1");
  EXPECT_NE(table.out.find("BATTERY"), std::string::npos) << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(power\s+yes.*\d+\.\d V \d+(\.\d)? % \d+\.\d h)"))) << table.out;
  const auto metrics = fleet.metrics();
  EXPECT_NE(metrics.find("loa_device_battery_soc_pct{station=\"solar-1\",device=\"power\"}"), std::string::npos);
  EXPECT_NE(metrics.find("loa_device_battery_hours_left{station=\"solar-1\",device=\"power\"}"), std::string::npos);

  // The sun is back: charging, and both alarms clear.
  tracer.faults("");
  EXPECT_TRUE(eventually([&] { return open_alarm("power.battery_time_left").is_null(); }, 30s))
      << health()["alarms"].dump();
  EXPECT_TRUE(eventually([&] { return open_alarm("power.low_battery").is_null(); }, 30s)) << health()["alarms"].dump();
  const auto closed = fleet.api("GET", "/api/v1/stations/solar-1/alarms").body["items"];
  int raised = 0;
  for (const auto& a : closed) {
    if (a["alarm_id"] == "power.battery_time_left" || a["alarm_id"] == "power.low_battery") ++raised;
  }
  EXPECT_EQ(raised, 2) << closed.dump();
}

}  // namespace
}  // namespace loa::test
