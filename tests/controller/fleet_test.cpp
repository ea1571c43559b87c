#include <gtest/gtest.h>

#include "loa/fleet/fleet.hpp"
#include "loa/fleet/tree_levels.hpp"
#include "loa/store/store.hpp"
#include "support/process.hpp"

namespace loa::fleet {
namespace {

// A province on disk: two communes, a village inside the first, stations in each, one
// station still pending.
class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto* id : {"a-1", "a-2", "v-1", "b-1"}) station(id, store::Enrollment::approved);
    station("p-1", store::Enrollment::pending);
    zone("commune-a", "", {"a-1", "a-2"});
    zone("village-v", "commune-a", {"v-1", "p-1"});
    zone("commune-b", "", {"b-1"});
  }
  void station(const std::string& id, store::Enrollment enrollment) {
    store::StationRecord r;
    r.id = id;
    r.enrollment = enrollment;
    store->put_station(r);
  }
  void zone(const std::string& id, const std::string& parent, std::vector<std::string> members) {
    store::ZoneRecord z;
    z.id = id;
    z.parent_id = parent;
    z.station_ids = std::move(members);
    store->put_zone(z);
  }
  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.path() + "/c.db");
};

using Ids = std::vector<std::string>;

TEST_F(FleetTest, TargetsResolveToApprovedStationsWithSubZonesSortedAndOnce) {
  const auto fleet = Fleet::load(*store);
  EXPECT_EQ(fleet.resolve({"all"}), (Ids{"a-1", "a-2", "b-1", "v-1"}));
  EXPECT_EQ(fleet.resolve({"zone:commune-a"}), (Ids{"a-1", "a-2", "v-1"}));  // the village too; p-1 is pending
  EXPECT_EQ(fleet.resolve({"zone:village-v", "station:v-1", "station:b-1"}), (Ids{"b-1", "v-1"}));
  EXPECT_EQ(fleet.resolve({"station:p-1", "station:nope", "zone:nope", "bogus"}), Ids{});
}

TEST_F(FleetTest, APersonScopedToZonesActsOnlyInsideThem) {
  const auto fleet = Fleet::load(*store);
  EXPECT_EQ(fleet.outside({}, {"all"}), std::nullopt);  // no zones: no limit
  EXPECT_EQ(fleet.outside({"commune-a"}, {"zone:village-v", "station:a-2"}), std::nullopt);
  EXPECT_EQ(fleet.outside({"commune-a"}, {"station:b-1"}), std::optional<std::string>("b-1"));
  EXPECT_EQ(fleet.outside({"village-v"}, {"zone:commune-a"}), std::optional<std::string>("a-1"));
  // "all" reaches beyond any zone, even one that holds every station.
  EXPECT_EQ(fleet.outside({"commune-a", "commune-b"}, {"all"}), std::optional<std::string>("all"));
  EXPECT_EQ(Fleet::out_of_scope(*store, {"commune-b"}, {"station:a-1"}), std::optional<std::string>("a-1"));
}

TEST_F(FleetTest, ACycleOfParentsEndsInsteadOfLoopingForever) {
  zone("loop-1", "", {"a-1"});
  zone("loop-2", "loop-1", {"b-1"});
  zone("loop-1", "loop-2", {"a-1"});  // each now the other's parent
  const auto fleet = Fleet::load(*store);
  EXPECT_EQ(fleet.resolve({"zone:loop-1"}), (Ids{"a-1", "b-1"}));
  EXPECT_TRUE(fleet.has_zone("loop-2"));
  EXPECT_TRUE(fleet.has_station("a-1"));
  EXPECT_FALSE(fleet.has_station("p-1"));
}

TEST(TreeLevels, AZoneHangsBelowAHigherLevelSkippingOnlyOptionalOnes) {
  const auto levels = TreeLevels::two_tier();
  EXPECT_FALSE(levels.misplaced("commune", "province"));
  EXPECT_FALSE(levels.misplaced("commune", "district"));   // a former district, kept as a grouping
  EXPECT_TRUE(levels.misplaced("village", "province"));    // the commune level is not optional
  EXPECT_FALSE(levels.misplaced("village", "commune"));
  EXPECT_TRUE(levels.misplaced("province", "commune"));    // upside down
  EXPECT_TRUE(levels.misplaced("commune", "commune"));
  EXPECT_TRUE(levels.misplaced("galaxy", ""));            // no such level
  EXPECT_FALSE(levels.misplaced("commune", ""));           // a controller may serve part of a province
  EXPECT_FALSE(levels.misplaced("custom", "village"));     // free groupings go anywhere,
  EXPECT_FALSE(levels.misplaced("commune", "custom"));     // and hold anything
  // A province that keeps no districts: province -> commune.
  const TreeLevels flat({{"province", "Tỉnh", false}, {"commune", "Xã", false}});
  EXPECT_TRUE(flat.misplaced("district", "province"));
  EXPECT_EQ(flat.kinds_text(), "province, commune or custom");
  EXPECT_THROW(TreeLevels({}), std::invalid_argument);
  EXPECT_THROW(TreeLevels({{"xa", "", false}, {"xa", "", false}}), std::invalid_argument);
  EXPECT_THROW(TreeLevels({{"custom", "", false}}), std::invalid_argument);
  EXPECT_THROW(TreeLevels({{"Xã", "", false}}), std::invalid_argument);
}

}  // namespace
}  // namespace loa::fleet
