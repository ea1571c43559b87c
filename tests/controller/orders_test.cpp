#include <gtest/gtest.h>

#include "loa/orders/priority.hpp"
#include "loa/orders/station_orders.hpp"

namespace loa::orders {
namespace {

TEST(Priority, EveryNameParsesToItsValueAndPrintsBackTheSame) {
  for (const auto* name : {"relay", "normal", "priority", "live", "emergency"}) {
    const auto p = parse_priority(name);
    ASSERT_TRUE(p) << name;
    EXPECT_EQ(to_string(*p), name);
  }
  EXPECT_FALSE(parse_priority("urgent"));
  EXPECT_FALSE(parse_priority("Emergency"));  // names are exact, as the wire and the store keep them
  EXPECT_FALSE(parse_priority(""));
}

TEST(Priority, HigherRanksPreemptLowerAndMatchTheWire) {
  EXPECT_LT(rank(Priority::relay), rank(Priority::normal));
  EXPECT_LT(rank(Priority::normal), rank(Priority::priority));
  EXPECT_LT(rank(Priority::priority), rank(Priority::live));
  EXPECT_LT(rank(Priority::live), rank(Priority::emergency));
  EXPECT_EQ(to_wire(Priority::relay), loa::v1::PRIORITY_RELAY);
  EXPECT_EQ(to_wire(Priority::emergency), loa::v1::PRIORITY_EMERGENCY);
}

TEST(OnPreempt, DropAndResumeOnlyAndTheirWireValues) {
  EXPECT_EQ(parse_on_preempt("drop"), OnPreempt::drop);
  EXPECT_EQ(parse_on_preempt("resume"), OnPreempt::resume);
  EXPECT_FALSE(parse_on_preempt("pause"));
  EXPECT_EQ(to_string(OnPreempt::resume), "resume");
  EXPECT_EQ(to_wire(OnPreempt::drop), loa::v1::PREEMPT_DROP);
  EXPECT_EQ(to_wire(OnPreempt::resume), loa::v1::PREEMPT_RESUME);
}

TEST(StationOrders, AClipPlayCarriesEveryFieldTheStationActsOn) {
  PlayOrder order;
  order.sound = Sound::clip(std::string(64, 'a'));
  order.priority = Priority::priority;
  order.broadcast_id = "b-1";
  order.volume = 0.5;
  order.start_at_ms = 1234;
  order.on_preempt = OnPreempt::resume;
  order.expires_at_ms = 9999;
  const auto c = play(order);
  ASSERT_TRUE(c.has_play());
  EXPECT_TRUE(c.id().empty());  // given one when it is queued
  EXPECT_EQ(c.expires_at_ms(), 9999);
  EXPECT_EQ(c.play().clip_sha256(), std::string(64, 'a'));
  EXPECT_TRUE(c.play().stream_id().empty());
  EXPECT_EQ(c.play().priority(), loa::v1::PRIORITY_PRIORITY);
  EXPECT_EQ(c.play().broadcast_id(), "b-1");
  EXPECT_DOUBLE_EQ(c.play().volume(), 0.5);
  EXPECT_EQ(c.play().start_at_ms(), 1234);
  EXPECT_EQ(c.play().on_preempt(), loa::v1::PREEMPT_RESUME);
}

TEST(StationOrders, AStreamPlayNamesTheStreamAndNoClipAndCanHaveItsIdNow) {
  PlayOrder order;
  order.sound = Sound::stream("s-1");
  order.with_id = true;
  const auto c = play(order);
  EXPECT_EQ(c.play().stream_id(), "s-1");
  EXPECT_TRUE(c.play().clip_sha256().empty());
  EXPECT_EQ(c.id().size(), 36u);  // a UUID
  EXPECT_EQ(c.expires_at_ms(), 0);
  EXPECT_EQ(c.play().priority(), loa::v1::PRIORITY_NORMAL);
  EXPECT_EQ(c.play().on_preempt(), loa::v1::PREEMPT_DROP);
}

TEST(StationOrders, CacheStopAndVolume) {
  const auto cache_order = cache(std::string(64, 'b'), 4096, true);
  EXPECT_EQ(cache_order.cache_clip().clip_sha256(), std::string(64, 'b'));
  EXPECT_EQ(cache_order.cache_clip().total_bytes(), 4096u);
  EXPECT_TRUE(cache_order.cache_clip().pin());
  EXPECT_EQ(stop("b-2").stop().broadcast_id(), "b-2");
  EXPECT_TRUE(stop("").has_stop());  // everything
  const auto v = set_volume("b-3", 0.25);
  EXPECT_EQ(v.set_volume().broadcast_id(), "b-3");
  EXPECT_DOUBLE_EQ(v.set_volume().volume(), 0.25);
}

}  // namespace
}  // namespace loa::orders
