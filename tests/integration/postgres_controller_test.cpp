// A district's controller on PostgreSQL instead of SQLite, as real processes: stations
// enroll, a zone and a broadcast are kept, commands queued for an absent station survive
// the controller being killed, and the station gets them once when it returns. The
// server is the one tests/support/with-postgres started (LOA_TEST_POSTGRES).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "loa/postgres/connection.hpp"
#include "loa/store/store.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(PostgresController, KeepsStationsZonesBroadcastsAndCommandsAcrossAKill) {
  const char* admin = std::getenv("LOA_TEST_POSTGRES");
  if (!admin || !*admin) GTEST_SKIP() << "LOA_TEST_POSTGRES is not set: run through tests/support/with-postgres";
  const std::string database = "loa_fleet_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}() % 100000);
  postgres::connect(admin, {})->exec("CREATE DATABASE " + database);
  struct Drop {
    std::string admin, database;
    ~Drop() {
      try {
        postgres::connect(admin, {})->exec("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      } catch (...) {
      }
    }
  } drop{admin, database};

  FleetOptions o;
  o.controller_extra = "store:\n  backend: postgresql\n  postgresql: \"" + std::string(admin) + " dbname=" + database + "\"\n";
  Fleet fleet(o);
  fleet.start_controller();
  fleet.start_agent("pg-1");
  fleet.start_agent("pg-2");
  fleet.enroll({"pg-1", "pg-2"});
  ASSERT_TRUE(fleet.wait_for_state("pg-1", "online", 10000));
  ASSERT_TRUE(fleet.wait_for_state("pg-2", "online", 10000));
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/thach-ha", {{"name", "Thạch Hà"}, {"stations", {"pg-1", "pg-2"}}}).status, 200);
  auto bulletin = fleet.api("POST", "/api/v1/broadcasts",
                            {{"tts", "Bản tin"}, {"to", "thach-ha"}, {"start", "2030-01-01 06:00"}, {"rrule", "FREQ=DAILY"}});
  ASSERT_EQ(bulletin.status, 201) << bulletin.body.dump();

  // pg-2 is away; its commands wait in PostgreSQL while the controller dies.
  fleet.stop_agent("pg-2", SIGKILL);
  ASSERT_TRUE(fleet.wait_for_state("pg-2", "offline", 5000));
  std::set<std::string> queued;
  for (int i = 0; i < 2; ++i) {
    auto r = fleet.api("POST", "/api/v1/stations/pg-2/commands", {{"type", "ping"}});
    ASSERT_EQ(r.status, 202) << r.body.dump();
    queued.insert(r.body["id"].get<std::string>());
  }
  fleet.stop_controller(SIGKILL);
  fleet.start_controller();

  EXPECT_EQ(fleet.api("GET", "/api/v1/stations").body["total"], 2);
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/thach-ha").body["stations"], json::array({"pg-1", "pg-2"}));
  auto kept = fleet.api("GET", "/api/v1/broadcasts/" + bulletin.body["id"].get<std::string>());
  EXPECT_EQ(kept.body["rrule"], "FREQ=DAILY");
  EXPECT_EQ(fleet.api("GET", "/api/v1/commands?station=pg-2&state=pending").body["items"].size(), 2u);
  EXPECT_EQ(fleet.api("GET", "/api/v1/audit/verify").body["intact"], true);
  // The records are in PostgreSQL, and no SQLite file was made beside the keys.
  EXPECT_FALSE(std::filesystem::exists(fleet.dir() + "/controller/controller.db"));
  EXPECT_EQ(store::open_postgres_store(std::string(admin) + " dbname=" + database)->list_stations().size(), 2u);

  fleet.start_agent("pg-2");
  ASSERT_TRUE(fleet.wait_for_state("pg-2", "online", 10000));
  EXPECT_TRUE(eventually(
      [&] {
        auto applied = fleet.api("GET", "/api/v1/commands?station=pg-2&state=applied").body["items"];
        std::set<std::string> ids;
        for (const auto& c : applied) ids.insert(c["id"].get<std::string>());
        return std::includes(ids.begin(), ids.end(), queued.begin(), queued.end());
      },
      10s));
}

}  // namespace
}  // namespace loa::test
