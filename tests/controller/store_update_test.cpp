// Agent releases and their rollouts in the store, on both backends: a release kept with
// its bytes (signed again, the signature replaced), a rollout's stations changed with
// the commands that go with them in one transaction.
#include "store_fixture.hpp"

namespace loa::store {
namespace {

TEST_P(StoreTest, AReleaseKeepsItsBytesAndARolloutItsStationsWithTheirCommands) {
  auto store = open_store();
  store->put_station(station("a"));
  store->put_station(station("b"));
  const std::string package{'\0', '\x01', 'd', 'e', 'b', '\xff'};  // bytes, not text
  store->put_release(AgentReleaseRecord{"s1", "0.2.0", 6, "sig-1", "admin", 10}, package);
  store->put_release(AgentReleaseRecord{"s1", "0.2.0", 6, "sig-2", "lan", 20}, package);  // signed again
  ASSERT_EQ(store->list_releases().size(), 1u);
  EXPECT_EQ(store->find_release("s1")->signature, "sig-2");
  EXPECT_EQ(store->release_package("s1"), package);
  EXPECT_FALSE(store->release_package("s2"));

  RolloutRecord r{"ro-1", "s1", "0.2.0", "canary", "5%", 20000, "", "admin", 100, 100};
  const RolloutStationRecord rows[] = {{"ro-1", "a", true, "waiting", "", "", 100},
                                       {"ro-1", "b", false, "waiting", "", "", 100}};
  store->add_rollout(r, rows);
  const CommandRecord sent{"c-1", "a", "update_agent", "x", CommandState::pending, 110, 0, {}, {}, "", 0, ""};
  const RolloutStationRecord now_sent[] = {{"ro-1", "a", true, "sent", "c-1", "", 110}};
  store->update_rollout_stations(now_sent, std::span(&sent, 1));
  store->set_rollout_state("ro-1", "halted", "canary a failed", 120);
  const auto found = store->find_rollout("ro-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->state, "halted");
  EXPECT_EQ(found->reason, "canary a failed");
  EXPECT_EQ(found->confirm_within_ms, 20000u);
  EXPECT_EQ(found->updated_ms, 120);
  const auto stations = store->rollout_stations("ro-1");
  ASSERT_EQ(stations.size(), 2u);
  EXPECT_EQ(stations[0].station_id, "a");  // canaries first
  EXPECT_TRUE(stations[0].canary);
  EXPECT_EQ(stations[0].state, "sent");
  EXPECT_EQ(stations[0].command_id, "c-1");
  EXPECT_EQ(stations[1].state, "waiting");
  EXPECT_EQ(store->find_command("c-1")->kind, "update_agent");
  store->add_rollout(RolloutRecord{"ro-2", "s1", "0.2.0", "canary", "a", 0, "", "admin", 200, 200}, {});
  EXPECT_EQ(store->list_rollouts(1).front().id, "ro-2");  // newest first
  EXPECT_EQ(store->list_rollouts(0).size(), 2u);
}

}  // namespace
}  // namespace loa::store
