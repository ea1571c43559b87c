// The device simulator behind the hardware tests: a generic FM amplifier's profile,
// served over Modbus TCP on loopback. What a client reads is what the physics and the
// faults say, and what it writes takes effect.
#include <gtest/gtest.h>

#include "loa/devsim/simulated_device.hpp"
#include "support/modbus_server.hpp"

namespace loa::devsim {
namespace {

using namespace std::chrono_literals;
const std::string kProfiles = LOA_SOURCE_DIR "/firmware-config/profiles/";

class SimulatedAmplifier : public ::testing::Test {
 protected:
  // The amplifier's input registers (temperature x0.1 C signed, forward and reflected
  // power x0.1 W, mains x0.1 V, battery x0.01 V, fault code), as a client reads them.
  std::vector<std::uint16_t> inputs() {
    auto read = client.read_input(0, 6);
    EXPECT_TRUE(read) << client.last_error_text();
    return read.value_or(std::vector<std::uint16_t>(6));
  }
  double temperature() { return static_cast<std::int16_t>(inputs()[0]) * 0.1; }

  SimulatedDevice device{hwconfig::load_device_profile(kProfiles + "fm-amplifier-generic.yaml"), SimulationSettings{}};
  test::ModbusServer server{[this](modbus::ModbusContext& c, const std::vector<std::uint8_t>& request) {
    (void)device.reply(c, request);
  }};
  modbus::ModbusContext client = server.client();
};

TEST_F(SimulatedAmplifier, WarmsWhileOnAndCoolsWhenSwitchedOffOverModbus) {
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.write_coil(0, true));  // power
  for (int i = 0; i < 12; ++i) device.step(10s);
  const double warm = temperature();
  EXPECT_GT(warm, 30 + 18 * 0.9);  // two minutes: near ambient + 18 C
  EXPECT_NEAR(inputs()[1] * 0.1, 25.0, 0.2);  // forward power
  EXPECT_NEAR(device.value_of("temperature"), warm, 0.1);

  ASSERT_TRUE(client.write_coil(0, false));
  EXPECT_EQ(device.value_of("power"), 0);
  for (int i = 0; i < 12; ++i) device.step(10s);
  EXPECT_LT(temperature(), 30 + 18 * 0.1);
  EXPECT_EQ(inputs()[1], 0);  // no output, no forward power
}

TEST_F(SimulatedAmplifier, FaultsBendTheReadingsAsTheAlarmsExpect) {
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.write_coil(0, true));
  device.set_faults({Fault::mains_loss, Fault::high_vswr, Fault::over_temperature});
  device.step(1s);
  const auto r = inputs();
  EXPECT_NEAR(static_cast<std::int16_t>(r[0]) * 0.1, 88.0, 0.1);  // over 75: the alarm's threshold
  EXPECT_NEAR(double(r[2]) / r[1], 0.36, 0.01);                    // reflected / forward: VSWR about 4
  EXPECT_EQ(r[3], 0);                                              // no mains
  EXPECT_EQ(client.read_discrete(0, 1)->at(0), 1);                 // on battery
  device.set_faults({});
  device.step(1s);
  EXPECT_EQ(client.read_discrete(0, 1)->at(0), 0);
  EXPECT_NEAR(inputs()[3] * 0.1, 226.0, 0.1);
}

TEST(Faults, EveryNameParsesAndPrintsBack) {
  for (const auto* name : {"out_of_band", "over_power", "over_temperature", "high_vswr", "pll_unlock", "mains_loss",
                           "no_answer", "slow_answer", "garbage"}) {
    const auto f = parse_fault(name);
    ASSERT_TRUE(f) << name;
    EXPECT_STREQ(to_string(*f), name);
  }
  EXPECT_FALSE(parse_fault("fire"));
}

}  // namespace
}  // namespace loa::devsim
