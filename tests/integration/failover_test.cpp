// A standby pair on replicated PostgreSQL: two controllers, and a pg_auto_failover
// formation (monitor, primary, synchronous standby) on loopback. The active controller
// and the primary database die together in the middle of an alert's delivery, with
// broadcasts scheduled after it. The standby controller takes the lease on the promoted
// database and goes on: the alert's remaining round reaches every station exactly once,
// the broadcasts play on time, and their as-run rows are in the new primary. What the
// stations wrote to their audio outputs is what is checked.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <random>

#include "loa/postgres/connection.hpp"
#include "support/fleet.hpp"
#include "support/pair.hpp"
#include "support/pg_formation.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::vector<std::string> kStations{"st-1", "st-2", "st-3"};

class Failover : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (const auto why = PgFormation::unavailable()) {
      skip_ = *why;
      return;
    }
    formation_ = std::make_unique<PgFormation>();
  }
  static void TearDownTestSuite() { formation_.reset(); }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    database_ = "loa_failover_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}() % 100000);
    postgres::connect(formation_->primary_uri("postgres"), {})->exec("CREATE DATABASE " + database_);
    b = std::make_unique<Fleet>(options("b"));
    a = std::make_unique<Fleet>(options("a"));
    const auto [first, second] = start_pair(*a, *b);
    ASSERT_EQ(first, "active");
    ASSERT_EQ(second, "standby");
    for (const auto& id : kStations) {
      a->set_agent_audio_dir(id, audio_dir(id));
      a->start_agent(id);
    }
    a->enroll(kStations);
    for (const auto& id : kStations) ASSERT_TRUE(a->wait_for_state(id, "online", 10000)) << id;
    // The attention tones and standard messages are on every station before an alert.
    ASSERT_TRUE(eventually([&] {
      auto pending = a->api("GET", "/api/v1/commands?state=pending").body["items"];
      auto applied = a->api("GET", "/api/v1/commands?state=applied&limit=1000").body["items"];
      std::size_t caches = 0;
      for (const auto& c : applied) caches += c["kind"] == "cache_clip";
      return pending.empty() && caches >= kStations.size() * 6;
    }, 30s)) << a->api("GET", "/api/v1/commands").body.dump();
  }

  void TearDown() override {
    a.reset();
    b.reset();
    if (!skip_.empty() || database_.empty()) return;
    // The formation is whole again for the next test: a killed node rejoins as secondary.
    for (int node = 0; node < 2; ++node) {
      if (!formation_->running(node)) formation_->restart_node(node);
    }
    EXPECT_TRUE(eventually([&] { return formation_->healthy(); }, 60s, 200ms)) << formation_->state();
    try {
      postgres::connect(formation_->primary_uri("postgres"), {})->exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    } catch (...) {
    }
  }

  FleetOptions options(const std::string& node) const {
    FleetOptions o;
    o.standard_clips = true;
    o.controller_alerts = "  two_person_severities: [extreme]\n";  // the rule has its own tests
    o.controller_extra = pair_config(formation_->uri(database_), node);
    return o;
  }

  std::string audio_dir(const std::string& id) const { return a->dir() + "/audio-" + id; }

  // WAV files a station wrote for a broadcast (or alert) id.
  std::size_t wav_count(const std::string& station, const std::string& broadcast) const {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(audio_dir(station), ec)) {
      n += e.path().filename().string().find("-" + broadcast + ".wav") != std::string::npos;
    }
    return n;
  }

  json alert(const Fleet& f, const std::string& id) const { return f.api("GET", "/api/v1/alerts/" + id).body; }

  static std::string broadcast(Fleet& f, const std::string& clip, std::int64_t air_ms, const std::string& title) {
    auto r = f.api("POST", "/api/v1/broadcasts",
                   {{"title", title}, {"clip_id", clip}, {"to", {"all"}}, {"start", utc_local(air_ms)}, {"tz", "UTC"}});
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("id", "");
  }

  static inline std::string skip_;
  static inline std::unique_ptr<PgFormation> formation_;
  std::string database_;
  std::unique_ptr<Fleet> a, b;
};

TEST_F(Failover, TheActiveControllerAndItsDatabaseDieMidAlertAndTheStandbyFinishesEverything) {
  const auto clip = a->add_tone_clip("ban-tin", 2);
  // Two rounds of the alert, 14 s apart; two broadcasts after the second round.
  auto pushed = a->api("POST", "/api/v1/alerts",
                       {{"severity", "severe"}, {"status", "actual"}, {"tts", "Bão sắp đổ bộ."}, {"to", {"all"}},
                        {"repeat", 2}, {"repeat_interval_s", 14}, {"confirm", {{"target_count", kStations.size()}}}});
  ASSERT_EQ(pushed.status, 201) << pushed.body.dump();
  const std::string id = pushed.body["id"];
  const auto issued = now_ms();
  const std::vector<std::string> broadcasts{broadcast(*a, clip, (issued + 24'000) / 1000 * 1000, "sau-bao-1"),
                                            broadcast(*a, clip, (issued + 30'000) / 1000 * 1000, "sau-bao-2")};
  auto before = loactl_both(*a, *b, "stations");
  EXPECT_EQ(before.exit_code, 0) << before.out;

  // Midway: the first round is sounding on the stations.
  ASSERT_TRUE(eventually([&] {
    auto s = alert(*a, id)["summary"];
    return s.is_object() && s.value("playing", 0) + s.value("played", 0) >= 1;
  }, 15s)) << alert(*a, id).dump(2);
  const auto killed = now_ms();
  a->stop_controller(SIGKILL);
  const int old_primary = formation_->primary();
  ASSERT_GE(old_primary, 0) << formation_->state();
  formation_->kill_node(old_primary);

  ASSERT_TRUE(eventually([&] { return role_of(*b) == "active"; }, 20s)) << b->controller_log() << formation_->state();
  const auto serving = now_ms();
  EXPECT_NE(formation_->primary(), old_primary);
  std::cout << "failover: database and controller serving after " << serving - killed << " ms\n";
  EXPECT_LE(serving - killed, 10000) << formation_->state();

  // The rest of the alert goes out from the new one, to every station, once a round.
  ASSERT_TRUE(eventually([&] {
    const auto view = alert(*b, id);
    if (!view.is_object() || !view["stations"].is_array()) return false;
    return std::all_of(view["stations"].begin(), view["stations"].end(),
                       [](const json& s) { return s.value("parts_done", 0) == 4; });
  }, 45s)) << alert(*b, id).dump(2) << b->controller_log();
  std::cout << "alert: played everywhere " << now_ms() - issued << " ms after it was issued\n";
  for (const auto& st : kStations) EXPECT_EQ(wav_count(st, id), 4u) << st << ": 2 rounds x (tone + message)";

  // The broadcasts play on time, and every as-run row is in the new primary.
  for (const auto& bc : broadcasts) {
    ASSERT_TRUE(eventually([&] {
      auto rows = b->api("GET", "/api/v1/asrun?broadcast=" + bc).body["items"];
      return rows.is_array() && rows.size() == kStations.size() &&
             std::all_of(rows.begin(), rows.end(), [](const json& r) { return r["outcome"] == "played"; });
    }, 30s)) << b->api("GET", "/api/v1/asrun?broadcast=" + bc).body.dump(2);
    for (const auto& row : b->api("GET", "/api/v1/asrun?broadcast=" + bc).body["items"]) {
      EXPECT_LE(std::abs(row["late_ms"].get<std::int64_t>()), 500) << row.dump();
    }
    for (const auto& st : kStations) EXPECT_EQ(wav_count(st, bc), 1u) << st << " " << bc;
  }

  // The same loactl command line, now answered by the other controller.
  auto after = loactl_both(*a, *b, "stations");
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_NE(after.out.find("st-3"), std::string::npos) << after.out;
}

}  // namespace
}  // namespace loa::test
