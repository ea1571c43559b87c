// How a station tells whether it follows the controller's clock: ClockWatch from the
// network clock's exchanges, ClockReporter for telemetry and a play's as-run.
#include <gtest/gtest.h>

#include "loa/agent/clock_reporter.hpp"
#include "loa/playout/clock_quality.hpp"

namespace loa {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

playout::ClockWatch::Exchange exchange(double error_ms, std::int64_t rtt_ms) {
  return {static_cast<std::int64_t>(error_ms * 1e6), rtt_ms * 1'000'000, rtt_ms * 1'000'000, 1.00008};
}

TEST(ClockWatch, IsLockedWhileTheMedianErrorOfRecentAnswersIsWithinItsBound) {
  playout::ClockWatch watch(10s, 2000us);
  const auto t0 = Steady::now();
  EXPECT_FALSE(watch.quality(true, 0, t0).locked);  // no answer yet
  // Jitter puts single answers 9 ms either side, one is wild; the median is 0.5 ms.
  const double errors[] = {-9.0, 9.0, 0.5, 30.0, 0.2, -0.4, 0.5, 0.6};
  for (int i = 0; i < 8; ++i) watch.observe(exchange(errors[i], 150 + (i % 2) * 20), t0 + i * 100ms);
  auto q = watch.quality(true, 2'000'000'000, t0 + 1s);
  EXPECT_TRUE(q.locked);
  EXPECT_DOUBLE_EQ(q.offset_ms, 2000.0);
  EXPECT_DOUBLE_EQ(q.rtt_ms, 170.0);
  EXPECT_NEAR(q.rate_ppm, 80.0, 1e-6);
  EXPECT_GT(q.jitter_ms, 0.0);
  EXPECT_DOUBLE_EQ(q.error_ms, 0.5);
  EXPECT_EQ(q.exchanges, 8u);
  EXPECT_FALSE(watch.quality(false, 0, t0 + 1s).locked);  // the clock itself says it is not synced
  EXPECT_FALSE(watch.quality(true, 0, t0 + 12s).locked);  // nothing heard for 11 s
  for (int i = 0; i < 5; ++i) watch.observe(exchange(-3.0, 400), t0 + 2s + i * 100ms);
  EXPECT_FALSE(watch.quality(true, 0, t0 + 3s).locked);  // 5 of the last 8 are 3 ms off
}

TEST(ClockReporter, ReportsEveryIntervalAndSaysWhetherAPlayHadTheLockAllThrough) {
  agent::ClockReporter reporter(10s);
  const auto t0 = Steady::now();
  playout::ClockQuality q;
  EXPECT_FALSE(reporter.update(q, 1000, t0));  // not following: nothing to report
  EXPECT_FALSE(reporter.locked_since(0));
  q.following = true;
  auto reading = reporter.update(q, 2000, t0);
  ASSERT_TRUE(reading);
  EXPECT_EQ(reading->device_id(), "clock");
  EXPECT_FALSE(reading->clock_locked());
  q.locked = true;
  q.offset_ms = -3000;
  EXPECT_FALSE(reporter.update(q, 3000, t0 + 5s));  // not due yet
  reading = reporter.update(q, 12000, t0 + 10s);
  ASSERT_TRUE(reading);
  EXPECT_TRUE(reading->clock_locked());
  EXPECT_DOUBLE_EQ(reading->clock_offset_ms(), -3000);
  EXPECT_EQ(reporter.locked_since(2500), true);   // unlocked last at 2000
  EXPECT_EQ(reporter.locked_since(1500), false);  // a play that began before that
}

}  // namespace
}  // namespace loa
