// Approval before air in the store, on both backends: a zone's setting, a broadcast
// stored with its approval in one transaction, and a decision taken once.
#include "store_fixture.hpp"

namespace loa::store {
namespace {

BroadcastRecord waiting_broadcast(const std::string& id) {
  BroadcastRecord b;
  b.id = id;
  b.title = "Thông báo";
  b.clip_sha256 = std::string(64, 'a');
  b.start_local = "2030-01-01T06:00:00";
  b.targets = {"zone:phu-vang"};
  b.created_by = "op";
  b.created_ms = 10;
  b.approval.emplace();
  b.approval->zones = {"phu-vang", "tinh"};
  b.approval->submitted_by = "op";
  b.approval->submitted_ms = 10;
  return b;
}

TEST_P(StoreTest, ABroadcastWaitsForItsApprovalAndIsDecidedOnce) {
  auto store = open_store();
  store->put_station(station("a"));
  ZoneRecord zone;
  zone.id = "phu-vang";
  zone.name = "Phú Vang";
  zone.kind = ZoneKind::commune;
  zone.station_ids = {"a"};
  zone.needs_approval = true;
  store->put_zone(zone);
  EXPECT_TRUE(store->find_zone("phu-vang")->needs_approval);

  store->put_broadcast(waiting_broadcast("b-1"));
  store->put_broadcast(waiting_broadcast("b-2"));
  auto b = store->find_broadcast("b-1");
  ASSERT_TRUE(b && b->approval);
  EXPECT_EQ(b->approval->state, ApprovalState::pending);
  EXPECT_EQ(b->approval->zones, (std::vector<std::string>{"phu-vang", "tinh"}));
  EXPECT_FALSE(b->may_air());

  EXPECT_TRUE(store->decide_approval("b-1", ApprovalState::approved, "duyet", "", 20));
  EXPECT_FALSE(store->decide_approval("b-1", ApprovalState::returned, "duyet", "late", 21));  // decided already
  b = store->find_broadcast("b-1");
  EXPECT_TRUE(b->may_air());
  EXPECT_EQ(b->approval->decided_by, "duyet");
  EXPECT_EQ(b->approval->decided_ms, 20);
  EXPECT_FALSE(b->cancelled_ms);

  // Sent back: cancelled in the same step, so it is no longer among the active ones.
  EXPECT_TRUE(store->decide_approval("b-2", ApprovalState::returned, "duyet", "sai giờ", 30));
  b = store->find_broadcast("b-2");
  EXPECT_EQ(b->approval->state, ApprovalState::returned);
  EXPECT_EQ(b->approval->note, "sai giờ");
  EXPECT_EQ(b->cancelled_ms, 30);
  const auto active = store->list_broadcasts(false);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, "b-1");

  // A cancelled broadcast's approval cannot be settled afterwards.
  store->put_broadcast(waiting_broadcast("b-3"));
  EXPECT_TRUE(store->cancel_broadcast("b-3", "op", 40));
  EXPECT_FALSE(store->decide_approval("b-3", ApprovalState::approved, "duyet", "", 41));
  // One that never needed approval carries none, and may air.
  BroadcastRecord plain = waiting_broadcast("b-4");
  plain.approval.reset();
  store->put_broadcast(plain);
  EXPECT_FALSE(store->find_broadcast("b-4")->approval);
  EXPECT_TRUE(store->find_broadcast("b-4")->may_air());
}

}  // namespace
}  // namespace loa::store
