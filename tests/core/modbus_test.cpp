// ModbusContext and RegisterImage, a client against a server on loopback TCP, both
// real libmodbus: what a station's monitor reads and writes, and how each kind of
// failure comes back (a silent device, an exception reply, nobody listening).
#include <gtest/gtest.h>

#include "loa/modbus/modbus_context.hpp"
#include "support/modbus_server.hpp"
#include "support/process.hpp"

namespace loa::modbus {
namespace {

using namespace std::chrono_literals;

// A device on loopback answering from `image`, or, when `silent`, never answering.
test::ModbusServer device_of(RegisterImage& image, bool silent) {
  return test::ModbusServer([&image, silent](ModbusContext& server, const std::vector<std::uint8_t>& request) {
    if (!silent) (void)image.reply(server, request);
  });
}

TEST(Modbus, ReadsRegistersAndSwitchesACoilOnTheDevice) {
  RegisterImage image(8, 8, 16, 16);
  image.holding(3) = 9930;  // kHz x 10
  image.input(0) = 412;
  image.discrete(2) = 1;
  auto device = device_of(image, false);
  auto c = device.client();
  ASSERT_TRUE(c.connect()) << c.last_error_text();
  auto holding = c.read_holding(2, 3);
  ASSERT_TRUE(holding) << c.last_error_text();
  EXPECT_EQ(*holding, (std::vector<std::uint16_t>{0, 9930, 0}));
  EXPECT_EQ(c.read_input(0, 1)->at(0), 412);
  EXPECT_EQ(c.read_discrete(0, 4), (std::vector<std::uint8_t>{0, 0, 1, 0}));
  ASSERT_TRUE(c.write_coil(5, true)) << c.last_error_text();
  ASSERT_TRUE(c.write_register(7, 1234)) << c.last_error_text();
  EXPECT_EQ(c.read_coils(5, 1)->at(0), 1);
  c.close();
  // What the device holds now, read on its side.
  EXPECT_EQ(image.coil(5), 1);
  EXPECT_EQ(image.holding(7), 1234);
}

TEST(Modbus, AnAddressTheDeviceLacksIsAnExceptionOnTheLine) {
  RegisterImage image(8, 8, 16, 16);
  auto device = device_of(image, false);
  auto c = device.client();
  ASSERT_TRUE(c.connect());
  EXPECT_FALSE(c.read_holding(15, 4));  // 15..18, past the 16 registers
  EXPECT_NE(c.last_error_text().find("Illegal data address"), std::string::npos) << c.last_error_text();
  EXPECT_TRUE(c.last_error_is_on_the_line());
  EXPECT_TRUE(c.read_holding(0, 1));  // the connection is still good
}

TEST(Modbus, ASilentDeviceTimesOutWithinTheResponseTimeout) {
  RegisterImage image(8, 8, 16, 16);
  auto device = device_of(image, true);
  auto c = device.client();
  ASSERT_TRUE(c.connect());
  const auto began = std::chrono::steady_clock::now();
  EXPECT_FALSE(c.read_holding(0, 1));
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_TRUE(ModbusError(c.last_error(), "").timed_out()) << c.last_error_text();
  EXPECT_TRUE(c.last_error_is_on_the_line());
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);  // bounded by the timeout, not hung
  c.close();
}

TEST(Modbus, NobodyListeningIsAConnectionFailureNotALineFault) {
  auto c = ModbusContext::tcp({"127.0.0.1", test::free_port()});
  EXPECT_FALSE(c.connect());
  EXPECT_FALSE(c.connected());
  EXPECT_FALSE(c.last_error_is_on_the_line()) << c.last_error_text();
}

}  // namespace
}  // namespace loa::modbus
