// What a person scoped to one commune can read, on a real controller with stations that
// play and report: two communes under one province, each with a station that has played
// a broadcast, taken a command, heard an alert and been given a licence. The commune's
// user walks every read route the API describes, with their own commune's names and with
// the other's, and finds nothing of the other commune anywhere.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "support/fleet.hpp"
#include "support/process.hpp"
#include "support/simulated_stations.hpp"

namespace loa::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// One commune's things, by the ids the API gave them.
struct Commune {
  std::string zone;
  std::string station;
  std::string broadcast;
  std::string alert;
  std::string command;
};

class ScopedReads : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetOptions options;
    options.standard_clips = true;  // alerts need their tones on the stations
    fleet = std::make_unique<Fleet>(options);
    fleet->start_controller();
    sims = std::make_unique<SimulatedStations>(
        *fleet, SimulatedStationsOptions{.stations = 2, .heartbeat = 200ms, .telemetry_every = 500ms, .play_length = 500ms});
    sims->start();
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(fleet->wait_for_state(sims->id(i), "online", 30000)) << sims->id(i);

    ASSERT_EQ(fleet->api("PUT", "/api/v1/zones/tinh", {{"name", "Tỉnh"}}).status, 200);
    mine.zone = "hue";
    mine.station = sims->id(0);
    theirs.zone = "ha-tinh";
    theirs.station = sims->id(1);
    for (auto* c : {&mine, &theirs}) {
      auto r = fleet->api("PUT", "/api/v1/zones/" + c->zone,
                          {{"kind", "commune"}, {"parent_id", "tinh"}, {"stations", {c->station}}});
      ASSERT_EQ(r.status, 200) << r.body.dump();
    }
    clip = fleet->add_tone_clip("tin", 1);
    for (auto* c : {&mine, &theirs}) {
      auto b = fleet->api("POST", "/api/v1/broadcasts",
                          {{"clip_id", clip}, {"to", c->zone}, {"tz", "UTC"}, {"start", utc_local(now_ms() + 3000)}});
      ASSERT_EQ(b.status, 201) << b.body.dump();
      c->broadcast = b.body["id"];
      auto cmd = fleet->api("POST", "/api/v1/stations/" + c->station + "/commands", {{"type", "ping"}});
      ASSERT_LT(cmd.status, 300) << cmd.body.dump();
      c->command = cmd.body["id"];
      auto licence = fleet->api("PUT", "/api/v1/stations/" + c->station + "/licence",
                                {{"assigned_khz", 98500}, {"tolerance_khz", 10}, {"max_power_w", 50}, {"expires", "2030-01-01"}});
      ASSERT_EQ(licence.status, 200) << licence.body.dump();
      auto a = fleet->api("POST", "/api/v1/alerts",
                          {{"severity", "moderate"}, {"status", "exercise"}, {"clip_id", clip}, {"to", {c->zone}},
                           {"confirm", {{"target_count", 1}}}});
      ASSERT_EQ(a.status, 201) << a.body.dump();
      c->alert = a.body["id"];
    }
    // Both broadcasts have played (the as-run has a row of each) before anyone reads.
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until &&
           (fleet->api("GET", "/api/v1/asrun?broadcast=" + mine.broadcast).body["items"].empty() ||
            fleet->api("GET", "/api/v1/asrun?broadcast=" + theirs.broadcast).body["items"].empty())) {
      std::this_thread::sleep_for(200ms);
    }
    // Ended alerts, so that their live views end too.
    for (auto* c : {&mine, &theirs}) {
      auto r = fleet->api("POST", "/api/v1/alerts/" + c->alert + "/cancel", {{"reason", "exercise over"}});
      ASSERT_EQ(r.status, 200) << r.body.dump();
    }
    ASSERT_EQ(fleet->api("POST", "/api/v1/users",
                         {{"name", "xa-hue"}, {"password", "xa-hue-password"}, {"roles", {"viewer"}}, {"zones", {"hue"}}})
                  .status,
              201);
    commune_user = fleet->login("xa-hue", "xa-hue-password");
    ASSERT_FALSE(commune_user.empty());
  }

  void TearDown() override {
    if (sims) sims->stop();
  }

  // A route's path with its parameters filled from one commune's things.
  std::string path_for(std::string path, const Commune& c) const {
    const std::vector<std::pair<std::string, std::string>> names{
        {"{station_id}", c.station}, {"{zone_id}", c.zone},       {"{broadcast_id}", c.broadcast},
        {"{alert_id}", c.alert},     {"{command_id}", c.command}, {"{clip_id}", clip},
        {"{stream_id}", "nope"}};
    for (const auto& [name, value] : names) {
      for (auto at = path.find(name); at != std::string::npos; at = path.find(name)) path.replace(at, name.size(), value);
    }
    return path;
  }

  // Whether a reply names anything of the other commune.
  std::string leak_in(const std::string& text) const {
    for (const auto& name : {theirs.station, theirs.zone, theirs.broadcast, theirs.alert, theirs.command}) {
      if (text.find(name) != std::string::npos) return name;
    }
    return {};
  }

  std::unique_ptr<Fleet> fleet;
  std::unique_ptr<SimulatedStations> sims;
  Commune mine, theirs;
  std::string clip;
  std::string commune_user;
};

std::string text_of(const ApiReply& r) { return r.text; }

TEST_F(ScopedReads, ACommuneUserReadsNothingOfTheNextCommuneOnAnyRoute) {
  auto doc = fleet->api_session("", "GET", "/api/v1/openapi.json").body;
  int reads = 0;
  for (const auto& [path, ops] : doc["paths"].items()) {
    if (!ops.contains("get")) continue;
    const auto& op = ops["get"];
    if (op["x-loa-access"] == "open") continue;
    ++reads;
    const std::string declared = op["x-loa-reads"];
    const bool named = path.find('{') != std::string::npos;
    // With the commune's own names (or none): answered, and nothing of the other in it.
    const auto own = fleet->api_session(commune_user, "GET", path_for(path, mine), "");
    if (declared == "whole_tree") {
      // Refused: for its scope, or before that for the role (the audit log is admin's).
      EXPECT_EQ(own.status, 403) << path << " shows the whole tree to a commune's user";
      EXPECT_TRUE(own.body["error"]["code"] == "out_of_scope" || own.body["error"]["code"] == "forbidden") << path;
      continue;
    }
    EXPECT_NE(own.status, 403) << path << " " << text_of(own);
    EXPECT_EQ(leak_in(text_of(own)), "") << path << " shows the other commune to a commune's user: " << text_of(own);
    // With the other commune's names: refused, or not there.
    if (named && path.find("{clip_id}") == std::string::npos && path.find("{stream_id}") == std::string::npos) {
      // The refusal names what was asked for, and nothing more.
      const auto other = fleet->api_session(commune_user, "GET", path_for(path, theirs), "");
      EXPECT_TRUE(other.status == 403 || other.status == 404) << path << " -> " << other.status << " " << text_of(other);
      EXPECT_EQ(other.body.size(), 1u) << path << ": " << text_of(other);
      EXPECT_TRUE(other.body.contains("error")) << path << ": " << text_of(other);
    }
  }
  EXPECT_GE(reads, 30);
}

TEST_F(ScopedReads, ACommuneUserSeesTheirOwnAndTheProvinceSeesBoth) {
  // The lists are cut, not emptied: the commune's own things are there, and a province
  // user (unscoped) sees both communes in the same lists.
  const std::vector<std::pair<std::string, std::string>> lists{
      {"/api/v1/stations", "station"},     {"/api/v1/zones", "zone"},         {"/api/v1/broadcasts", "broadcast"},
      {"/api/v1/alerts", "alert"},         {"/api/v1/commands?limit=1000", "command"}, {"/api/v1/asrun", "broadcast"},
      {"/api/v1/licences", "station"},     {"/api/v1/schedule.ics", "broadcast"}, {"/api/v1/events", "station"},
      {"/api/v1/alerts/" + mine.alert, "station"}};
  auto name_of = [](const Commune& c, const std::string& what) {
    return what == "station" ? c.station : what == "zone" ? c.zone : what == "broadcast" ? c.broadcast
                                       : what == "alert"  ? c.alert : c.command;
  };
  for (const auto& [path, what] : lists) {
    const auto scoped = text_of(fleet->api_session(commune_user, "GET", path, ""));
    EXPECT_NE(scoped.find(name_of(mine, what)), std::string::npos) << path << " hides the commune's own " << what;
    EXPECT_EQ(scoped.find(name_of(theirs, what)), std::string::npos) << path << " shows the other commune's " << what;
    const auto province = text_of(fleet->api("GET", path));
    EXPECT_NE(province.find(name_of(mine, what)), std::string::npos) << path;
    if (path.find("/alerts/") == std::string::npos) {
      EXPECT_NE(province.find(name_of(theirs, what)), std::string::npos) << path << " lacks the other commune";
    }
  }
  // The alert's delivery counts are of the commune's station only.
  const auto alert = fleet->api_session(commune_user, "GET", "/api/v1/alerts/" + mine.alert, "").body;
  EXPECT_EQ(alert["target_count"], 1) << alert.dump();
  // A broadcast to the whole province sounds in the commune too: its user sees it,
  // with their own station only.
  auto everywhere = fleet->api("POST", "/api/v1/broadcasts",
                               {{"clip_id", clip}, {"to", "tinh"}, {"tz", "UTC"}, {"start", "2030-01-01T06:00:00"}});
  ASSERT_EQ(everywhere.status, 201) << everywhere.body.dump();
  const auto seen = fleet->api_session(commune_user, "GET", "/api/v1/broadcasts/" + everywhere.body["id"].get<std::string>(), "");
  ASSERT_EQ(seen.status, 200) << seen.body.dump();
  EXPECT_EQ(seen.body["stations"], json::array({mine.station})) << seen.body.dump();
  // Reads refused for being out of scope are in the audit log, like other refusals.
  (void)fleet->api_session(commune_user, "GET", "/api/v1/stations/" + theirs.station, "");
  bool audited = false;
  const auto audit = fleet->api("GET", "/api/v1/audit?limit=1000").body["items"];
  for (const auto& e : audit) {
    audited = audited || (e["user"] == "xa-hue" && e["action"] == "denied" &&
                          e["subject"] == "GET /api/v1/stations/" + theirs.station);
  }
  EXPECT_TRUE(audited);
}

}  // namespace
}  // namespace loa::test
