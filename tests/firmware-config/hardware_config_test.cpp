// Device profiles, band plans and station hardware files: what ships must load, and
// broken files must say exactly where and what is wrong.
#include <gtest/gtest.h>

#include <filesystem>

#include "loa/hwconfig/check_config.hpp"
#include "loa/hwconfig/config_bundle.hpp"
#include "loa/hwconfig/station_hardware.hpp"
#include "support/process.hpp"

namespace loa::hwconfig {
namespace {

const std::string kSource = LOA_SOURCE_DIR;

class HardwareConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    auto path = dir.path() + "/" + name;
    test::write_file(path, text);
    return path;
  }
  std::string only_error(const std::string& path) {
    auto errors = check_config_files({path});
    return errors.size() == 1 ? errors[0] : "errors: " + std::to_string(errors.size());
  }
  test::ScratchDir dir;
};

TEST_F(HardwareConfigTest, EveryShippedFileChecksClean) {
  auto errors = check_config_files({
      kSource + "/firmware-config/profiles/fm-exciter-generic.yaml",
      kSource + "/firmware-config/profiles/fm-amplifier-generic.yaml",
      kSource + "/firmware-config/profiles/ip-speaker-amp-generic.yaml",
      kSource + "/firmware-config/profiles/epever-tracer-an.yaml",
      kSource + "/firmware-config/bandplans/vn-commune-fm.yaml",
      kSource + "/firmware-config/templates/fm-station.yaml",
      kSource + "/firmware-config/templates/ip-cluster-station.yaml",
  });
  EXPECT_TRUE(errors.empty()) << errors[0];
}

TEST_F(HardwareConfigTest, StationTemplateResolvesItsProfilesAndLicence) {
  auto hw = load_station_hardware(kSource + "/firmware-config/templates/fm-station.yaml");
  ASSERT_EQ(hw.devices.size(), 2u);
  EXPECT_EQ(hw.devices[0].tcp_host, "127.0.0.1");
  EXPECT_EQ(hw.devices[0].tcp_port, 1502);
  EXPECT_EQ(hw.devices[1].rtu_device, "/dev/ttyUSB0");
  EXPECT_EQ(hw.devices[1].unit_id, 2);
  EXPECT_EQ(hw.policy, CompliancePolicy::mute);
  ASSERT_TRUE(hw.licence);
  EXPECT_EQ(hw.licence->assigned_khz, 64500);
  const auto* carrier = hw.devices[0].profile.find_role(Role::carrier_khz);
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(carrier->scale, 10);
  EXPECT_EQ(hw.band_plan->band_of(64500)->name, "commune-fm");
  EXPECT_EQ(hw.band_plan->band_of(100000)->needs_temporary_licence, true);
  EXPECT_EQ(hw.band_plan->band_of(75000), nullptr);
}

const char* kProfileHead =
    "model: test\n"
    "kind: transmitter\n"
    "points:\n";

TEST_F(HardwareConfigTest, UnknownRegisterTypeIsNamed) {
  auto path = write("p.yaml", std::string(kProfileHead) +
                                  "  - {name: carrier, role: carrier_khz, table: holding, address: 0, type: u24}\n");
  EXPECT_EQ(only_error(path), path + ":4: points[0].type: unknown register type 'u24' (bool, u16, s16, u32, s32, float32)");
}

TEST_F(HardwareConfigTest, OverlappingAddressesNameBothPoints) {
  auto path = write("p.yaml", std::string(kProfileHead) +
                                  "  - {name: carrier, table: holding, address: 10, type: u32}\n"
                                  "  - {name: level, table: holding, address: 11, type: u16}\n");
  EXPECT_EQ(only_error(path), path + ":5: points[1].address: holding address 11 overlaps point 'carrier' (line 4)");
}

TEST_F(HardwareConfigTest, SameAddressInAnotherTableIsFine) {
  auto path = write("p.yaml", std::string(kProfileHead) +
                                  "  - {name: a, table: holding, address: 0}\n"
                                  "  - {name: b, table: input, address: 0}\n"
                                  "  - {name: c, table: coil, address: 0}\n");
  EXPECT_TRUE(check_config_files({path}).empty());
}

TEST_F(HardwareConfigTest, WritablePointsNeedAllowedValuesAndAWritableTable) {
  auto read_only = write("a.yaml", std::string(kProfileHead) + "  - {name: t, table: input, address: 0, writable: true}\n");
  EXPECT_EQ(only_error(read_only), read_only + ":4: points[0].writable: input registers cannot be written");
  auto open = write("b.yaml", std::string(kProfileHead) + "  - {name: t, table: holding, address: 0, writable: true}\n");
  EXPECT_EQ(only_error(open), open + ":4: points[0].writable: a writable point needs its allowed values (allowed, or min and max)");
}

TEST_F(HardwareConfigTest, AlarmOnAnUnknownPointIsNamed) {
  auto path = write("p.yaml", std::string(kProfileHead) +
                                  "  - {name: t, role: temperature_c, table: input, address: 0}\n"
                                  "alarms:\n"
                                  "  - {id: hot, point: temp, above: 70}\n");
  EXPECT_EQ(only_error(path), path + ":6: alarms[0].point: no point named 'temp'");
}

TEST_F(HardwareConfigTest, FmStationWithoutLicenceIsRefused) {
  write("plan.yaml", "name: p\nbands:\n  - {name: b, min_khz: 54000, max_khz: 68000, max_power_w: 30}\n");
  auto path = write("station.yaml", "kind: fm\nband_plan: plan.yaml\ndevices: []\n");
  EXPECT_EQ(only_error(path),
            path + ":1: licence: an FM station needs its licence (assigned_khz, max_power_w, expires)");
}

TEST_F(HardwareConfigTest, LicenceOutsideThePlanOrAboveTheCeilingIsRefused) {
  write("plan.yaml", "name: p\nbands:\n  - {name: commune, min_khz: 54000, max_khz: 68000, max_power_w: 30}\n"
                     "  - {name: broadcast, min_khz: 87000, max_khz: 108000, max_power_w: 30, needs_temporary_licence: true}\n");
  auto outside = write("a.yaml", "kind: fm\nband_plan: plan.yaml\nlicence:\n  assigned_khz: 75000\n  max_power_w: 30\n  expires: 2030-01-01\n");
  EXPECT_EQ(only_error(outside), outside + ":4: licence.assigned_khz: outside every band of plan 'p'");
  auto strong = write("b.yaml", "kind: fm\nband_plan: plan.yaml\nlicence:\n  assigned_khz: 60000\n  max_power_w: 50\n  expires: 2030-01-01\n");
  EXPECT_EQ(only_error(strong), strong + ":5: licence.max_power_w: above the 30 W ceiling of band 'commune'");
  auto broadcast = write("c.yaml", "kind: fm\nband_plan: plan.yaml\nlicence:\n  assigned_khz: 99000\n  max_power_w: 30\n  expires: 2030-01-01\n");
  EXPECT_EQ(only_error(broadcast),
            broadcast + ":4: licence.temporary: band 'broadcast' needs a temporary licence (temporary: true)");
  auto bad_date = write("d.yaml", "kind: fm\nband_plan: plan.yaml\nlicence:\n  assigned_khz: 60000\n  max_power_w: 30\n  expires: 2030-02-30\n");
  EXPECT_EQ(only_error(bad_date), bad_date + ":6: licence.expires: needs the expiry date as YYYY-MM-DD");
}

TEST_F(HardwareConfigTest, DeviceNeedsExactlyOneTransportAndAValidProfile) {
  auto both = write("s.yaml", "kind: ip_cluster\ndevices:\n  - {id: amp, profile: " + kSource +
                                  "/firmware-config/profiles/ip-speaker-amp-generic.yaml, tcp: \"h:1\", rtu: /dev/x}\n");
  EXPECT_EQ(only_error(both), both + ":3: devices[0].tcp: give exactly one of tcp (host:port) or rtu (device)");
  auto profile = write("bad-profile.yaml", std::string(kProfileHead) + "  - {name: x, table: registers, address: 0}\n");
  auto station = write("t.yaml", "kind: ip_cluster\ndevices:\n  - {id: amp, profile: bad-profile.yaml, tcp: \"h:1\"}\n");
  // The error points into the profile, where the problem is.
  EXPECT_EQ(only_error(station), profile + ":4: points[0].table: unknown table 'registers' (holding, input, coil, discrete)");
}

// The EPEver map as its vendor publishes it (hexadecimal addresses), and the battery's
// time left worked out from its charge, capacity and currents.
TEST_F(HardwareConfigTest, TheSolarChargeControllersMapAndItsBatteryTimeLeft) {
  const auto profile = load_device_profile(kSource + "/firmware-config/profiles/epever-tracer-an.yaml");
  EXPECT_EQ(profile.kind, "power");
  ASSERT_NE(profile.find_role(Role::battery_soc_pct), nullptr);
  EXPECT_EQ(profile.find_role(Role::battery_soc_pct)->address, 0x311A);
  EXPECT_EQ(profile.find_role(Role::battery_capacity_ah)->table, Table::holding);
  EXPECT_EQ(profile.find_role(Role::battery_capacity_ah)->address, 0x9001);
  EXPECT_EQ(profile.find_point("pv_power")->word_order, WordOrder::little);
  ASSERT_TRUE(derivable(profile, kDerivedBatteryHoursLeft));
  EXPECT_FALSE(derivable(profile, kDerivedVswr));

  // 50 % of 200 Ah with the load taking 12 A and the panels giving 2: 10 hours.
  std::map<std::string, double> values{{"battery_soc", 50}, {"battery_capacity", 200}, {"load_current", 12},
                                       {"charging_current", 2}};
  add_derived(profile, values);
  EXPECT_DOUBLE_EQ(values[kDerivedBatteryHoursLeft], 10.0);
  // Charging faster than the load takes: not draining.
  values = {{"battery_soc", 50}, {"battery_capacity", 200}, {"load_current", 5}, {"charging_current", 8}};
  add_derived(profile, values);
  EXPECT_DOUBLE_EQ(values[kDerivedBatteryHoursLeft], kMaxHoursLeft);
  // A reading missing this cycle: no guess.
  values = {{"battery_soc", 50}, {"load_current", 5}};
  add_derived(profile, values);
  EXPECT_FALSE(values.contains(kDerivedBatteryHoursLeft));
}

TEST_F(HardwareConfigTest, AStationSetsItsOwnAlarmThresholdsAndAMisspeltOneIsNamed) {
  const auto tracer = kSource + "/firmware-config/profiles/epever-tracer-an.yaml";
  auto good = write("s.yaml", "kind: ip_cluster\ndevices:\n  - {id: power, profile: " + tracer +
                                  ", tcp: \"h:1\", alarm_thresholds: {battery_time_left: 12, low_battery: 30}}\n");
  const auto hw = load_station_hardware(good);
  for (const auto& rule : hw.devices.at(0).profile.alarms) {
    if (rule.id == "battery_time_left") {
      EXPECT_EQ(rule.below, 12.0);
    } else if (rule.id == "low_battery") {
      EXPECT_EQ(rule.below, 30.0);
    }
  }
  auto misspelt = write("t.yaml", "kind: ip_cluster\ndevices:\n  - {id: power, profile: " + tracer +
                                      ", tcp: \"h:1\",\n     alarm_thresholds: {battery_hours: 12}}\n");
  EXPECT_EQ(only_error(misspelt), misspelt + ":4: devices[0].alarm_thresholds.battery_hours: unknown option");
}

// A configuration as the controller keeps it: the station file and what it names, by
// paths relative to their common folder, so they name each other as before.
TEST_F(HardwareConfigTest, AConfigurationTravelsWholeAndIsCheckedUnderTheNamesItWasSentWith) {
  const auto tracer = kSource + "/firmware-config/profiles/epever-tracer-an.yaml";
  std::filesystem::create_directories(dir.path() + "/site/profiles");
  std::filesystem::create_directories(dir.path() + "/site/stations");
  std::filesystem::copy_file(tracer, dir.path() + "/site/profiles/tracer.yaml");
  auto station = write("site/stations/pole.yaml", "kind: ip_cluster\ndevices:\n  - {id: power, profile: ../profiles/tracer.yaml, "
                                                  "tcp: \"h:1\"}\n");
  const auto bundle = read_bundle(station);
  EXPECT_EQ(bundle.main, "stations/pole.yaml");
  ASSERT_EQ(bundle.files.size(), 2u);
  EXPECT_TRUE(bundle.files.contains("profiles/tracer.yaml"));
  EXPECT_EQ(bundle_digest(bundle).size(), 64u);
  EXPECT_TRUE(check_bundle(bundle, dir.path() + "/scratch").empty());
  // Written out elsewhere, it reads back the same, digest and all.
  write_bundle(bundle, dir.path() + "/copy");
  EXPECT_EQ(bundle_digest(read_bundle(dir.path() + "/copy/stations/pole.yaml")), bundle_digest(bundle));

  // One changed byte is another configuration.
  auto edited = bundle;
  edited.files["stations/pole.yaml"] += "\n";
  EXPECT_NE(bundle_digest(edited), bundle_digest(bundle));
  // An error is named by the path it was sent under, not where it was checked.
  auto broken = bundle;
  broken.files["stations/pole.yaml"] = "kind: ip_cluster\ndevices:\n  - {id: power, profile: ../profiles/tracer.yaml}\n";
  const auto errors = check_bundle(broken, dir.path() + "/scratch");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "stations/pole.yaml:3: devices[0].tcp: give exactly one of tcp (host:port) or rtu (device)");
  // A file named where it lies on the controller would not travel with it.
  auto pinned = bundle;
  pinned.files["stations/pole.yaml"] = "kind: ip_cluster\ndevices:\n  - {id: power, profile: " + tracer + ", tcp: \"h:1\"}\n";
  const auto pinned_errors = check_bundle(pinned, dir.path() + "/scratch");
  ASSERT_EQ(pinned_errors.size(), 1u);
  EXPECT_EQ(pinned_errors[0], "stations/pole.yaml:3: devices[0].profile: a configuration sent to stations names its "
                              "files by relative path ('" + tracer + "')");
  // Paths that would reach outside the folder it is written to are refused.
  auto escaping = bundle;
  escaping.files["../../etc/cron.d/x"] = "boom";
  EXPECT_NE(unsafe_paths(escaping).find("'..'"), std::string::npos);
  EXPECT_EQ(check_bundle(escaping, dir.path() + "/scratch").size(), 1u);
  auto absolute = bundle;
  absolute.files["/etc/passwd"] = "boom";
  EXPECT_NE(unsafe_paths(absolute).find("relative"), std::string::npos);
  auto headless = bundle;
  headless.main = "elsewhere.yaml";
  EXPECT_FALSE(unsafe_paths(headless).empty());
}

TEST_F(HardwareConfigTest, AFileOfNoKnownKindIsSaidToBeSo) {
  auto path = write("x.yaml", "hello: world\n");
  EXPECT_EQ(only_error(path), path + ":1: not a Loa hardware file (expected model:, bands: or devices: at the top)");
}

}  // namespace
}  // namespace loa::hwconfig
