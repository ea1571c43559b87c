// What one station may send: fields the controller stores are bounded, and a station
// is held to its report rate after a burst (an outbox emptied after an outage).
#include <gtest/gtest.h>

#include "station_input_guard.hpp"

namespace loa::server {
namespace {

using namespace std::chrono_literals;
namespace v1 = ::loa::v1;

TEST(StationInputGuard, FieldsTheControllerStoresAreBounded) {
  v1::Envelope alarm;
  alarm.mutable_alarm()->set_alarm_id("amp.temperature");
  alarm.mutable_alarm()->set_message("hot");
  EXPECT_EQ(StationInputGuard::oversize(alarm), "");
  alarm.mutable_alarm()->set_alarm_id(std::string(129, 'a'));
  EXPECT_NE(StationInputGuard::oversize(alarm).find("alarm.alarm_id"), std::string::npos);
  v1::Envelope result;
  result.mutable_command_result()->set_command_id("c1");
  result.mutable_command_result()->set_detail(std::string(5000, 'x'));
  EXPECT_NE(StationInputGuard::oversize(result).find("detail"), std::string::npos);
  v1::Envelope telemetry;
  telemetry.mutable_telemetry()->set_device_id(std::string(200, 'd'));
  EXPECT_NE(StationInputGuard::oversize(telemetry), "");
  v1::Envelope heartbeat;
  heartbeat.mutable_heartbeat()->set_sequence(1);
  EXPECT_EQ(StationInputGuard::oversize(heartbeat), "");
}

TEST(StationInputGuard, AStationIsHeldToItsRateAfterABurstAndOthersAreNot) {
  StationInputGuard guard;
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += guard.admit("noisy", t0);
  EXPECT_EQ(admitted, static_cast<int>(StationInputGuard::kBurst));
  EXPECT_TRUE(guard.admit("quiet", t0));
  EXPECT_FALSE(guard.admit("noisy", t0 + 5ms));
  EXPECT_TRUE(guard.admit("noisy", t0 + 20ms));  // 100 a second: one more after 10 ms
}

}  // namespace
}  // namespace loa::server
