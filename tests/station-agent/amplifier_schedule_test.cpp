// When the agent powers amplifiers around scheduled plays.
#include "loa/agent/amplifier_schedule.hpp"

#include <gtest/gtest.h>

namespace loa::agent {
namespace {

using Action = AmplifierSchedule::Action;
using std::chrono::milliseconds;

AmplifierSchedule warm_up_3s() {
  return AmplifierSchedule({milliseconds(3000), milliseconds(1000), milliseconds(5000)});
}

TEST(AmplifierSchedule, LeavesPowerAloneWithoutAWarmUp) {
  AmplifierSchedule off({milliseconds(0), milliseconds(1000), milliseconds(5000)});
  EXPECT_FALSE(off.enabled());
  EXPECT_EQ(off.decide(0, 100, false), Action::none);
  EXPECT_EQ(off.decide(0, std::nullopt, true), Action::none);
}

TEST(AmplifierSchedule, OnAtLeastTheWarmUpBeforeAirAndOffAfterIdleAir) {
  auto amp = warm_up_3s();
  const std::int64_t air = 100'000;
  EXPECT_EQ(amp.decide(air - 5000, air, false), Action::none);  // too early
  const auto on = amp.decide(air - 3200, air, false);
  ASSERT_EQ(on, Action::switch_on);  // inside warm-up plus the margin
  amp.switched(air - 3200, on, true);
  EXPECT_EQ(amp.decide(air - 1000, air, false), Action::none);  // already on
  EXPECT_EQ(amp.decide(air + 500, std::nullopt, true), Action::none);  // playing
  EXPECT_EQ(amp.decide(air + 1000, std::nullopt, false), Action::none);  // idle starts
  EXPECT_EQ(amp.decide(air + 1500, std::nullopt, false), Action::none);
  const auto off = amp.decide(air + 2000, std::nullopt, false);
  ASSERT_EQ(off, Action::switch_off);
  amp.switched(air + 2000, off, true);
  EXPECT_EQ(amp.decide(air + 3000, std::nullopt, false), Action::none);
}

TEST(AmplifierSchedule, AnotherPlaySoonKeepsItOn) {
  auto amp = warm_up_3s();
  amp.switched(0, amp.decide(0, 1000, false), true);
  EXPECT_EQ(amp.decide(2000, std::nullopt, false), Action::none);  // idle 0 ms
  EXPECT_EQ(amp.decide(2900, 4000, false), Action::none);           // next air within warm-up: idle resets
  EXPECT_EQ(amp.decide(3500, std::nullopt, true), Action::none);
  EXPECT_EQ(amp.decide(5000, std::nullopt, false), Action::none);
  EXPECT_EQ(amp.decide(6000, std::nullopt, false), Action::switch_off);
}

TEST(AmplifierSchedule, AFailedSwitchIsRetriedLater) {
  auto amp = warm_up_3s();
  ASSERT_EQ(amp.decide(0, 1000, false), Action::switch_on);
  amp.switched(0, Action::switch_on, false);  // the bus did not answer
  EXPECT_EQ(amp.decide(1000, 1000, true), Action::none);  // not hammered
  EXPECT_EQ(amp.decide(5000, std::nullopt, true), Action::switch_on);
}

}  // namespace
}  // namespace loa::agent
