// Statistics and the monthly report, on a real controller with stations that play and
// report: a province of two communes, broadcasts to one and to all, an alert, and one
// station that loses its link for a while. Every figure the reports give is checked
// against the as-run rows and the outage it comes from, and a commune's user gets
// their commune's figures only.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "support/fleet.hpp"
#include "support/process.hpp"
#include "support/simulated_stations.hpp"

namespace loa::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// What the as-run rows say, per key: plays whose sound began, and ms on air.
struct Tally {
  std::int64_t plays = 0;
  std::int64_t sounded_ms = 0;
};

class Reports : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetOptions options;
    options.standard_clips = true;  // the alert's tones
    fleet = std::make_unique<Fleet>(options);
    fleet->start_controller();
    sims = std::make_unique<SimulatedStations>(
        *fleet, SimulatedStationsOptions{.stations = 3, .heartbeat = 200ms, .play_length = 1500ms});
    sims->start();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(fleet->wait_for_state(sims->id(i), "online", 30000)) << sims->id(i);
    ASSERT_EQ(fleet->api("PUT", "/api/v1/zones/tinh", {{"name", "Tỉnh Huế"}}).status, 200);
    ASSERT_EQ(fleet->api("PUT", "/api/v1/zones/phu-vang", {{"name", "Phú Vang"}, {"kind", "commune"}, {"parent_id", "tinh"},
                                                           {"stations", {sims->id(0), sims->id(1)}}}).status,
              200);
    ASSERT_EQ(fleet->api("PUT", "/api/v1/zones/phu-loc", {{"name", "Phú Lộc"}, {"kind", "commune"}, {"parent_id", "tinh"},
                                                          {"stations", {sims->id(2)}}}).status,
              200);
  }
  void TearDown() override {
    if (sims) sims->stop();
  }

  json get(const std::string& path) const {
    auto r = fleet->api("GET", path);
    EXPECT_EQ(r.status, 200) << path << " " << r.text;
    return r.body;
  }

  // Today's as-run rows, tallied by station, content and (through the zones) zone.
  std::map<std::string, Tally> tally(const std::string& by) const {
    std::map<std::string, Tally> out;
    const auto rows = get("/api/v1/asrun")["items"];
    for (const auto& r : rows) {
      if (r["actual_start_ms"].is_null()) continue;
      const auto ms = r["end_ms"].get<std::int64_t>() - r["actual_start_ms"].get<std::int64_t>();
      std::vector<std::string> keys;
      const std::string station = r["station_id"];
      if (by == "station") keys = {station};
      if (by == "content") keys = {r["content_id"]};
      if (by == "zone") keys = {"tinh", station == sims->id(2) ? "phu-loc" : "phu-vang"};
      for (const auto& k : keys) {
        ++out[k].plays;
        out[k].sounded_ms += ms;
      }
    }
    return out;
  }

  // Local dates around today whatever the controller's zone: the test may run across
  // a local midnight.
  static std::string day(int from_today) { return utc_local(now_ms() + from_today * 86400000LL).substr(0, 10); }
  static std::string range() { return "from=" + day(-1) + "&to=" + day(1); }

  std::unique_ptr<Fleet> fleet;
  std::unique_ptr<SimulatedStations> sims;
};

TEST_F(Reports, EveryFigureAgreesWithTheAsRunRowsAndTheOutage) {
  const auto clip = fleet->add_tone_clip("ban-tin", 1);
  std::map<std::string, std::size_t> broadcasts;  // id -> stations it plays on
  auto local = fleet->add_tone_clip("thong-bao-xa", 1);
  for (const auto& [to, at, content] : std::vector<std::tuple<std::string, std::int64_t, std::string>>{
           {"phu-vang", second_ahead(2000), local}, {"all", second_ahead(9000), clip}}) {
    auto b = fleet->api("POST", "/api/v1/broadcasts", {{"clip_id", content}, {"to", to}, {"tz", "UTC"}, {"start", utc_local(at)}});
    ASSERT_EQ(b.status, 201) << b.text;
    broadcasts[b.body["id"].get<std::string>()] = to == "all" ? 3 : 2;
  }
  auto alert = fleet->api("POST", "/api/v1/alerts", {{"severity", "moderate"}, {"status", "exercise"}, {"clip_id", local},
                                                     {"to", {"phu-vang"}}, {"confirm", {{"target_count", 2}}}});
  ASSERT_EQ(alert.status, 201) << alert.text;
  // The third station's link is down for a few seconds, and back before the broadcast to all.
  sims->drop(2);
  ASSERT_TRUE(fleet->wait_for_state(sims->id(2), "offline", 10000));
  std::this_thread::sleep_for(2s);
  sims->restore(2);
  ASSERT_TRUE(fleet->wait_for_state(sims->id(2), "online", 10000));
  // Every broadcast play reported, on each of its stations.
  ASSERT_TRUE(eventually([&] {
    for (const auto& [id, stations] : broadcasts) {
      if (get("/api/v1/asrun?broadcast=" + id)["items"].size() < stations) return false;
    }
    return true;
  }, 30s)) << get("/api/v1/asrun").dump();
  ASSERT_EQ(fleet->api("POST", "/api/v1/alerts/" + alert.body["id"].get<std::string>() + "/cancel", {{"reason", "xong"}}).status,
            200);

  // Plays and time on air, by station, zone and content, by day and by month.
  for (const std::string by : {"station", "zone", "content"}) {
    const auto expected = tally(by);
    ASSERT_FALSE(expected.empty()) << get("/api/v1/asrun").dump();
    for (const std::string period : {"day", "month"}) {
      const auto report = get("/api/v1/reports/plays?by=" + by + "&period=" + period + "&" + range());
      std::map<std::string, Tally> got;
      for (const auto& row : report["items"]) {
        got[row["key"]].plays += row["plays"].get<std::int64_t>();
        got[row["key"]].sounded_ms += static_cast<std::int64_t>(row["seconds_on_air"].get<double>() * 1000 + 0.5);
      }
      for (const auto& [key, t] : expected) {
        EXPECT_EQ(got[key].plays, t.plays) << by << " " << period << " " << key;
        EXPECT_EQ(got[key].sounded_ms, t.sounded_ms) << by << " " << period << " " << key;
      }
      if (by != "zone") {
        EXPECT_EQ(got.size(), expected.size()) << report.dump();
      }
    }
  }
  // The names a reader needs come with the keys.
  const auto by_zone = get("/api/v1/reports/plays?by=zone&" + range());
  EXPECT_NE(by_zone.dump().find("Phú Vang"), std::string::npos);
  // The CSV says the same.
  const auto csv = fleet->api("GET", "/api/v1/reports/plays?by=station&period=month&format=csv&" + range()).text;
  const auto stations = tally("station");
  for (const auto& [station, t] : stations) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(csv, m, std::regex("\\n[0-9-]+," + station + ",[^,]*,([0-9]+),[0-9]+,[0-9]+,[0-9]+,([0-9.]+)\\r")))
        << csv;
    EXPECT_EQ(std::stoll(m[1]), t.plays) << station;
    EXPECT_EQ(std::llround(std::stod(m[2]) * 10), t.sounded_ms / 100) << station;
  }

  // Uptime: the station whose link was cut shows the outage, of about the time it lasted.
  const auto uptime = get("/api/v1/reports/uptime?period=month&" + range());
  json cut;
  for (const auto& row : uptime["items"]) {
    if (row["station_id"] == sims->id(2)) cut = row;
  }
  ASSERT_TRUE(cut.is_object()) << uptime.dump();
  std::int64_t longest = 0;
  for (const auto& gap : cut["disconnects"]) longest = std::max(longest, gap["seconds"].get<std::int64_t>());
  EXPECT_GE(longest, 2) << cut.dump();
  EXPECT_LT(cut["uptime_percent"].get<double>(), 100.0);

  // The alert: both stations reached, with their time to first sound.
  const auto alerts = get("/api/v1/reports/alerts?" + range())["items"];
  ASSERT_EQ(alerts.size(), 1u) << alerts.dump();
  EXPECT_EQ(alerts[0]["targets"], 2);
  EXPECT_EQ(alerts[0]["reached"], 2);
  // Simulated stations answer at once on loopback: both may sound within the millisecond
  // the alert was issued in, so 0 ms is a true figure. The figures are there, in order,
  // and no later than the stations could have taken.
  const auto& first = alerts[0]["first_sound_ms"];
  ASSERT_TRUE(first["min"].is_number() && first["median"].is_number() && first["max"].is_number()) << first.dump();
  EXPECT_GE(first["min"].get<std::int64_t>(), 0) << first.dump();
  EXPECT_LE(first["min"].get<std::int64_t>(), first["median"].get<std::int64_t>()) << first.dump();
  EXPECT_LE(first["median"].get<std::int64_t>(), first["max"].get<std::int64_t>()) << first.dump();
  EXPECT_LT(first["max"].get<std::int64_t>(), 10'000) << first.dump();

  // The monthly page (A4, Vietnamese): each station's row carries the same counts.
  const auto page = fleet->api("GET", "/api/v1/reports/monthly");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.text.find("BÁO CÁO"), std::string::npos);
  EXPECT_NE(page.text.find("size: A4"), std::string::npos);
  for (const auto& [station, t] : stations) {
    const auto row = "data-key=\"" + station + "\" data-plays=\"" + std::to_string(t.plays) + "\" data-seconds=\"" +
                     std::to_string(t.sounded_ms / 1000) + "\"";
    EXPECT_NE(page.text.find(row), std::string::npos) << row << "\n" << page.text;
  }

  // The same from loactl.
  const auto cli = fleet->loactl("reports plays --by zone --period month --from " + day(-1) + " --to " + day(1));
  EXPECT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_NE(cli.out.find("Phú Vang"), std::string::npos) << cli.out;
  const auto printed = fleet->loactl("reports monthly");
  EXPECT_NE(printed.out.find("data-key=\"" + sims->id(0) + "\""), std::string::npos) << printed.out;

  // A commune's user: their commune's station only, in the figures and on the page.
  ASSERT_EQ(fleet->api("POST", "/api/v1/users", {{"name", "xa-phu-loc"}, {"password", "xa-phu-loc-password"},
                                                 {"roles", {"viewer"}}, {"zones", {"phu-loc"}}}).status,
            201);
  const auto commune = fleet->login("xa-phu-loc", "xa-phu-loc-password");
  for (const std::string path : {"/api/v1/reports/plays?by=station", "/api/v1/reports/plays?by=zone",
                                 "/api/v1/reports/uptime", "/api/v1/reports/alerts", "/api/v1/reports/monthly"}) {
    const auto seen = fleet->api_session(commune, "GET", path, "");
    ASSERT_EQ(seen.status, 200) << path;
    EXPECT_EQ(seen.text.find(sims->id(0)), std::string::npos) << path << ": " << seen.text;
    EXPECT_EQ(seen.text.find("phu-vang"), std::string::npos) << path << ": " << seen.text;
  }
  for (const std::string path : {"/api/v1/reports/plays?by=station", "/api/v1/reports/uptime"}) {
    EXPECT_NE(fleet->api_session(commune, "GET", path, "").text.find(sims->id(2)), std::string::npos) << path;
  }
}

TEST_F(Reports, ABadRangeIsRefusedWithItsReason) {
  for (const std::string query : {"from=2026-13-01", "from=2026-12-05&to=2026-12-01", "period=week",
                                  "from=2000-01-01&to=2026-12-01", "by=commune"}) {
    auto r = fleet->api("GET", "/api/v1/reports/plays?" + query);
    EXPECT_EQ(r.status, 422) << query << " " << r.text;
  }
  EXPECT_EQ(fleet->api("GET", "/api/v1/reports/monthly?month=2026-1").status, 422);
}

}  // namespace
}  // namespace loa::test
