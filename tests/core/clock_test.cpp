#include <gtest/gtest.h>

#include "loa/time/clock.hpp"
#include "loa/time/token_bucket.hpp"

namespace loa::time {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, MovesOnlyWhenAdvancedAndBothClocksTogether) {
  ManualClock clock(1'000);
  const auto steady = clock.steady();
  EXPECT_EQ(clock.wall_ms(), 1'000);
  EXPECT_EQ(clock.steady(), steady);
  clock.advance(250ms);
  EXPECT_EQ(clock.wall_ms(), 1'250);
  EXPECT_EQ(clock.steady() - steady, 250ms);
}

TEST(SystemClock, WallTimeIsNowInMilliseconds) {
  SystemClock clock;
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const auto read = clock.wall_ms();
  EXPECT_GE(read, before);
  EXPECT_LT(read - before, 5'000);
  const auto steady = clock.steady();  // read first: argument order is unspecified
  EXPECT_LE(steady, std::chrono::steady_clock::now());
}

TEST(TokenBucket, StartsFullThenRefillsAtItsRateUpToTheBurst) {
  TokenBucket bucket;
  const std::chrono::steady_clock::time_point t0{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(3, 2, t0)) << i;
  EXPECT_FALSE(bucket.take(3, 2, t0));            // the burst is spent
  EXPECT_FALSE(bucket.take(3, 2, t0 + 400ms));    // 0.8 of a token
  EXPECT_TRUE(bucket.take(3, 2, t0 + 500ms));     // one more at 2 a second
  EXPECT_DOUBLE_EQ(bucket.available(3, 2, t0 + 100s), 3);  // never above the burst
}

}  // namespace
}  // namespace loa::time
