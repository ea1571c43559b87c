#include <gtest/gtest.h>

#include "loa/hardware/alarm_evaluator.hpp"

namespace loa::hardware {
namespace {

hwconfig::AlarmRule hot() {
  hwconfig::AlarmRule r;
  r.id = "over_temperature";
  r.point = "temperature";
  r.above = 70;
  r.hysteresis = 5;
  r.raise_cycles = 3;
  r.clear_cycles = 3;
  return r;
}

// Feeds a series of readings; returns the cycle numbers (1-based) where the alarm changed.
std::vector<int> changes_for(AlarmEvaluator& e, const std::vector<double>& series) {
  std::vector<int> at;
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (!e.evaluate({{"temperature", series[i]}}).empty()) at.push_back(static_cast<int>(i) + 1);
  }
  return at;
}

TEST(AlarmEvaluator, RaisesAfterTheConfiguredCyclesAndClearsPastTheHysteresis) {
  AlarmEvaluator e({hot()});
  EXPECT_EQ(changes_for(e, {60, 75, 75, 75, 75, 68, 66, 64, 64, 64}), (std::vector<int>{4, 10}));
  EXPECT_TRUE(e.active_ids().empty());
}

TEST(AlarmEvaluator, AValueHoveringAtTheThresholdDoesNotFlap) {
  AlarmEvaluator e({hot()});
  // Crosses 70 every other cycle: never three in a row.
  EXPECT_TRUE(changes_for(e, {69.9, 70.1, 69.9, 70.1, 70.1, 69.9, 70.1, 69.8, 70.2}).empty());
  // Once raised, hovering at the threshold (inside the hysteresis band) keeps it raised.
  AlarmEvaluator raised({hot()});
  EXPECT_EQ(changes_for(raised, {71, 71, 71, 69.9, 70.1, 66, 69, 65.5, 70.5, 66}), (std::vector<int>{3}));
  EXPECT_EQ(raised.active_ids(), std::vector<std::string>{"over_temperature"});
}

TEST(AlarmEvaluator, BelowAndEqualsRules) {
  hwconfig::AlarmRule low;
  low.id = "mains_low";
  low.point = "mains";
  low.below = 180;
  low.hysteresis = 10;
  hwconfig::AlarmRule unlock;
  unlock.id = "pll_unlocked";
  unlock.point = "pll";
  unlock.equals = 0;
  unlock.raise_cycles = 2;
  AlarmEvaluator e({low, unlock});
  EXPECT_EQ(e.evaluate({{"mains", 170}, {"pll", 0}}).size(), 1u);  // mains at once, pll needs 2
  EXPECT_EQ(e.evaluate({{"mains", 185}, {"pll", 0}}).size(), 1u);  // pll raised; mains 185 < 190 holds
  auto cleared = e.evaluate({{"mains", 195}, {"pll", 1}});
  ASSERT_EQ(cleared.size(), 2u);
  EXPECT_FALSE(cleared[0].active);
}

TEST(AlarmEvaluator, AMissingReadingKeepsTheState) {
  AlarmEvaluator e({hot()});
  (void)changes_for(e, {80, 80, 80});
  EXPECT_TRUE(e.evaluate({}).empty());  // device unreachable this cycle: no guess
  EXPECT_EQ(e.active_ids().size(), 1u);
}

TEST(Debounce, NeedsConsecutiveCyclesBothWays) {
  Debounce d(2, 3);
  EXPECT_FALSE(d.feed(true));
  EXPECT_FALSE(d.feed(false));
  EXPECT_FALSE(d.feed(true));
  EXPECT_TRUE(d.feed(true));
  EXPECT_TRUE(d.active());
  EXPECT_FALSE(d.feed(false));
  EXPECT_FALSE(d.feed(false));
  EXPECT_TRUE(d.feed(false));
  EXPECT_FALSE(d.active());
}

}  // namespace
}  // namespace loa::hardware
