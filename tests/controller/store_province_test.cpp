// What a province needs of the store, on both backends: zones of any configured level,
// approval before air (a zone's setting, a broadcast stored with its approval in one
// transaction, a decision taken once), and each station's link history.
#include <tuple>

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
  zone.kind = "commune";
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

TEST_P(StoreTest, AZoneKeepsWhicheverLevelItIs) {
  auto store = open_store();
  for (const auto& [id, kind, parent] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"hue", "province", ""}, {"huyen-phu-vang", "district", "hue"}, {"phu-vang", "commune", "huyen-phu-vang"}}) {
    ZoneRecord z;
    z.id = id;
    z.name = id;
    z.kind = kind;
    z.parent_id = parent;
    store->put_zone(z);
  }
  EXPECT_EQ(store->find_zone("hue")->kind, "province");
  EXPECT_EQ(store->find_zone("huyen-phu-vang")->kind, "district");
  EXPECT_EQ(store->find_zone("phu-vang")->kind, "commune");
}

TEST_P(StoreTest, ALinkHistoryIsOpenedClosedAndClosedForAStoppedController) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_station(station("b"));
  store->record_seen(std::vector<SeenUpdate>{{"b", 5000, "", ""}});
  const std::vector<LinkInterval> changes{{"a", 1000, std::nullopt}, {"a", 1000, 2000}, {"a", 3000, std::nullopt},
                                          {"b", 4000, std::nullopt}};
  store->record_links(changes);
  auto links = store->list_links(0, 10000);
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].down_ms, 2000);
  EXPECT_FALSE(links[1].down_ms);
  // Only what overlaps the window.
  EXPECT_EQ(store->list_links(2500, 2900).size(), 0u);
  EXPECT_EQ(store->list_links(1500, 1600).size(), 1u);
  // A restarted controller closes what was open at each station's last-seen time.
  store->close_open_links();
  links = store->list_links(0, 10000);
  EXPECT_EQ(links[1].down_ms, 3000);  // never seen after it came up: ends where it began
  EXPECT_EQ(links[2].down_ms, 5000);
}

}  // namespace
}  // namespace loa::store
