#include <gtest/gtest.h>

#include "loa/store/store.hpp"
#include "support/process.hpp"

namespace loa::store {
namespace {

StationRecord station(const std::string& id) {
  StationRecord r;
  r.id = id;
  r.name = "Trạm " + id;
  r.commune = "Cẩm Bình";
  r.public_key = "key-" + id;
  r.enrollment = Enrollment::approved;
  r.created_ms = 1000;
  return r;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  test::ScratchDir dir;
  std::string path = dir.path() + "/controller.db";
};

TEST_F(SqliteStoreTest, StationsZonesAndCommandsSurviveReopening) {
  {
    auto store = open_sqlite_store(path);
    store->put_station(station("a"));
    store->put_station(station("b"));
    store->put_zone({"cam-binh", "Cẩm Bình", ZoneKind::commune, "", {"a", "b"}, "", {}});
    store->put_zone({"thon-1", "Thôn 1", ZoneKind::village, "cam-binh", {"a"}, "", {}});
    CommandRecord c;
    c.id = "c1";
    c.station_id = "a";
    c.kind = "ping";
    c.payload = std::string("\x0a\x02" "c1", 4);
    c.created_ms = 5;
    store->add_command(c);
    SeenUpdate seen{"a", 777, "10.1.2.3", "0.1.0"};
    store->record_seen(std::span(&seen, 1));
  }
  auto store = open_sqlite_store(path);
  auto a = store->find_station("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "Trạm a");
  EXPECT_EQ(a->last_seen_ms, 777);
  EXPECT_EQ(a->last_address, "10.1.2.3");
  EXPECT_EQ(a->enrollment, Enrollment::approved);
  auto zone = store->find_zone("thon-1");
  ASSERT_TRUE(zone);
  EXPECT_EQ(zone->parent_id, "cam-binh");
  EXPECT_EQ(zone->kind, ZoneKind::village);
  EXPECT_EQ(store->find_zone("cam-binh")->station_ids, (std::vector<std::string>{"a", "b"}));
  auto pending = store->pending_commands();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].payload, std::string("\x0a\x02" "c1", 4));
}

TEST_F(SqliteStoreTest, CompletingACommandTwiceCountsTheDuplicate) {
  auto store = open_sqlite_store(path);
  store->put_station(station("a"));
  store->add_command({"c1", "a", "ping", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""});
  EXPECT_TRUE(store->complete_command("c1", CommandState::applied, "ok", 10));
  EXPECT_FALSE(store->complete_command("c1", CommandState::applied, "ok", 11));
  auto c = store->find_command("c1");
  EXPECT_EQ(c->state, CommandState::applied);
  EXPECT_EQ(c->completed_ms, 10);
  EXPECT_EQ(c->duplicate_results, 1);
  EXPECT_TRUE(store->pending_commands().empty());
}

TEST_F(SqliteStoreTest, RemovingAStationTakesItOutOfZonesAndDropsItsCommands) {
  auto store = open_sqlite_store(path);
  store->put_station(station("a"));
  store->put_station(station("b"));
  store->put_zone({"z", "Z", ZoneKind::custom, "", {"a", "b"}, "", {}});
  store->add_command({"c1", "a", "ping", "x", CommandState::pending, 1, 0, {}, {}, "", 0, ""});
  EXPECT_TRUE(store->delete_station("a"));
  EXPECT_EQ(store->find_zone("z")->station_ids, (std::vector<std::string>{"b"}));
  EXPECT_FALSE(store->find_command("c1"));
}

TEST_F(SqliteStoreTest, ZoneWithAnUnknownStationIsRefusedWhole) {
  auto store = open_sqlite_store(path);
  store->put_station(station("a"));
  EXPECT_THROW(store->put_zone({"z", "Z", ZoneKind::custom, "", {"a", "ghost"}, "", {}}), StoreError);
  EXPECT_FALSE(store->find_zone("z"));  // nothing half-written
}

TEST_F(SqliteStoreTest, CommandListingFiltersAndPages) {
  auto store = open_sqlite_store(path);
  store->put_station(station("a"));
  store->put_station(station("b"));
  for (int i = 0; i < 5; ++i) {
    store->add_command({"a" + std::to_string(i), "a", "ping", "x", CommandState::pending, i, 0, {}, {}, "", 0, ""});
  }
  store->add_command({"b0", "b", "ping", "x", CommandState::pending, 9, 0, {}, {}, "", 0, ""});
  (void)store->complete_command("a0", CommandState::applied, "", 1);
  EXPECT_EQ(store->list_commands({"a", std::nullopt, 100, 0}).size(), 5u);
  EXPECT_EQ(store->list_commands({"a", CommandState::pending, 100, 0}).size(), 4u);
  auto page = store->list_commands({"", std::nullopt, 2, 1});
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id, "a4");  // newest first, after skipping b0
}

TEST_F(SqliteStoreTest, ACorruptDatabaseFileIsAClearError) {
  test::write_file(path, std::string(4096, 'x'));
  EXPECT_THROW((void)open_sqlite_store(path), StoreError);
}

}  // namespace
}  // namespace loa::store

namespace loa::store {
namespace {

TEST_F(SqliteStoreTest, AlarmsOpenCloseAndAreAcknowledged) {
  auto store = open_sqlite_store(path);
  store->put_station(station("a"));
  store->record_alarm("a", "amp.hot", "amp", true, "critical", "hot (temperature 88)", 100);
  store->record_alarm("a", "amp.hot", "amp", true, "critical", "again", 150);  // still open: ignored
  ASSERT_EQ(store->list_alarms("a", true, 10).size(), 1u);
  EXPECT_TRUE(store->acknowledge_alarm("a", "amp.hot", "tech", 160));
  store->record_alarm("a", "amp.hot", "amp", false, "critical", "cooled", 200);
  EXPECT_TRUE(store->list_alarms("a", true, 10).empty());
  auto all = store->list_alarms("a", false, 10);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].message, "hot (temperature 88)");
  EXPECT_EQ(all[0].cleared_ms, 200);
  EXPECT_EQ(all[0].acknowledged_by, "tech");
  EXPECT_FALSE(store->acknowledge_alarm("a", "amp.hot", "tech", 210));  // nothing open
}

TEST_F(SqliteStoreTest, TelemetryKeepsFullDetailForADayThenOnePerBucket) {
  auto store = open_sqlite_store(path);
  store->put_station(station("a"));
  for (int i = 0; i < 60; ++i) store->add_telemetry({"a", "amp", i * 10'000, "r"});  // every 10 s for 10 min
  store->add_telemetry({"a", "amp", 0, "dup"});                                        // repeated: ignored
  EXPECT_EQ(store->list_telemetry({"a", "", 0, INT64_MAX, 1000}).size(), 60u);
  // Everything before 400 s is old: keep one per 5 minutes there.
  EXPECT_EQ(store->downsample_telemetry(400'000, 300'000), 38u);
  auto left = store->list_telemetry({"a", "amp", 0, INT64_MAX, 1000});
  EXPECT_EQ(left.size(), 22u);
  EXPECT_EQ(left[0].measured_ms, 0);
  EXPECT_EQ(left[1].measured_ms, 300'000);
  EXPECT_EQ(store->latest_telemetry("a")[0].measured_ms, 590'000);
}

}  // namespace
}  // namespace loa::store
