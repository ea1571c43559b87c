#include <gtest/gtest.h>

#include "loa/log/rate_limiter.hpp"

namespace loa::log {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, LetsOneMessagePerKeyPerIntervalAndCountsTheRest) {
  RateLimiter limiter(60s);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  std::uint64_t suppressed = 99;
  EXPECT_TRUE(limiter.allow("10.0.0.1", t0, suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.allow("10.0.0.1", t0 + 1s, suppressed));
  EXPECT_TRUE(limiter.allow("10.0.0.2", t0 + 1s, suppressed));  // another peer is not held back
  EXPECT_TRUE(limiter.allow("10.0.0.1", t0 + 61s, suppressed));
  EXPECT_EQ(suppressed, 1000u);
}

TEST(RateLimiter, StaysBoundedUnderManyKeys) {
  RateLimiter limiter(60s, 100);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  std::uint64_t suppressed = 0;
  int allowed = 0;
  for (int i = 0; i < 10000; ++i) allowed += limiter.allow("peer-" + std::to_string(i), t0, suppressed);
  EXPECT_EQ(allowed, 100);
  // Once the old keys are stale, new ones get through again.
  EXPECT_TRUE(limiter.allow("late", t0 + 61s, suppressed));
}

}  // namespace
}  // namespace loa::log
