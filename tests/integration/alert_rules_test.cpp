// Who may sound an alert, on a controller with its shipped defaults: one person's
// Actual severe alert waits for a second person (and never for a script's token); the
// same person's exercise goes out at once; a CAP message for a zone outside the
// caller's is refused; turning the rule off is said in the log.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/cap_examples.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class AlertRules : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet.start_controller();
    fleet.set_agent_audio_dir("xa-1", audio_dir());
    fleet.start_agent("xa-1");
    fleet.enroll({"xa-1"});
    ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 10000));
    for (const char* name : {"lan", "minh"}) {
      ASSERT_EQ(fleet.api("POST", "/api/v1/users",
                          {{"name", name}, {"password", std::string(name) + "-password-1"}, {"roles", {"emergency"}}}).status,
                201);
    }
  }
  std::string audio_dir() const { return fleet.dir() + "/audio-xa-1"; }
  // WAV files the station wrote for an alert.
  std::size_t sounded(const std::string& alert) const {
    std::size_t n = 0;
    if (!std::filesystem::exists(audio_dir())) return 0;
    for (const auto& e : std::filesystem::directory_iterator(audio_dir())) {
      n += e.path().filename().string().find(alert) != std::string::npos;
    }
    return n;
  }
  ApiReply as(const std::string& user, const std::string& method, const std::string& path, const json& body = nullptr) {
    return fleet.api_as(user, user + "-password-1", method, path, body);
  }

  Fleet fleet;
};

TEST_F(AlertRules, OnePersonsActualSevereAlertWaitsForASecondAndTheirExerciseDoesNot) {
  auto actual = as("lan", "POST", "/api/v1/alerts",
                   {{"severity", "severe"}, {"status", "actual"}, {"tts", "Bão vào bờ."}, {"to", {"all"}},
                    {"confirm", {{"target_count", 1}}}});
  ASSERT_EQ(actual.status, 403) << actual.body.dump();  // drafted, and its confirmation refused
  EXPECT_EQ(actual.body["error"]["code"], "two_person_rule");
  const auto items = fleet.api("GET", "/api/v1/alerts").body["items"];
  ASSERT_EQ(items.size(), 1u);
  const std::string id = items[0]["id"];
  EXPECT_EQ(items[0]["state"], "draft");
  EXPECT_EQ(items[0]["needs_second_person"], true);
  // Not even the drafter's own script token gives the second confirmation.
  const auto token = fleet.api_as("lan", "lan-password-1", "POST", "/api/v1/tokens", {{"label", "script"}}).body["token"];
  auto scripted = fleet.api_bearer(token, "POST", "/api/v1/alerts/" + id + "/confirm", R"({"target_count": 1})");
  EXPECT_EQ(scripted.status, 403) << scripted.body.dump();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(sounded(id), 0u);
  // The second person issues it: it sounds.
  auto second = as("minh", "POST", "/api/v1/alerts/" + id + "/confirm", {{"target_count", 1}});
  ASSERT_EQ(second.status, 200) << second.body.dump();
  EXPECT_EQ(second.body["state"], "issued");
  ASSERT_TRUE(eventually([&] { return sounded(id) > 0; }, 15s)) << fleet.agent_log("xa-1");
  // Stopping it never waits for anyone.
  EXPECT_EQ(as("lan", "POST", "/api/v1/alerts/" + id + "/cancel", {{"reason", "over"}}).status, 200);

  // The same person's exercise goes out on their word alone.
  auto drill = as("lan", "POST", "/api/v1/alerts",
                  {{"severity", "severe"}, {"status", "exercise"}, {"tts", "Diễn tập."}, {"to", {"all"}},
                   {"confirm", {{"target_count", 1}}}});
  ASSERT_EQ(drill.status, 201) << drill.body.dump();
  EXPECT_EQ(drill.body["state"], "issued");
  const std::string drill_id = drill.body["id"];
  ASSERT_TRUE(eventually([&] { return sounded(drill_id) > 0; }, 15s)) << fleet.agent_log("xa-1");
}

TEST_F(AlertRules, ACapMessageForAZoneOutsideTheCallersIsRefused) {
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/tuolumne", {{"stations", {"xa-1"}}, {"cap_areas", {"SAME=006109"}}}).status, 200);
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/cam-binh", {{"stations", json::array()}}).status, 200);
  ASSERT_EQ(fleet.api("POST", "/api/v1/users",
                      {{"name", "xa-user"}, {"password", "xa-user-password-1"}, {"roles", {"emergency"}}, {"zones", {"cam-binh"}}})
                .status,
            201);
  const auto cookie = fleet.login("xa-user", "xa-user-password-1");
  ASSERT_FALSE(cookie.empty());
  auto r = fleet.api_session(cookie, "POST", "/api/v1/cap", cap_example("thunderstorm-warning.xml"));
  EXPECT_EQ(r.status, 403) << r.body.dump();
  EXPECT_EQ(r.body["error"]["code"], "out_of_scope") << r.body.dump();
  EXPECT_TRUE(fleet.api("GET", "/api/v1/alerts").body["items"].empty());
  // Someone with the whole district may: it becomes a draft (no source's credential).
  r = fleet.post_text("/api/v1/cap", cap_example("thunderstorm-warning.xml"), "application/cap+xml");
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"], "draft");
}

TEST(AlertRulesOff, TurningTheTwoPersonRuleOffIsSaidAtStart) {
  FleetOptions o;
  o.controller_alerts = "  two_person_severities: []\n";
  Fleet fleet(o);
  fleet.start_controller();
  EXPECT_TRUE(eventually([&] { return fleet.controller_log().find("two-person rule is off") != std::string::npos; }, 5s))
      << fleet.controller_log();
}

}  // namespace
}  // namespace loa::test
