// Approval before air, end to end: a real controller and a real agent writing WAV files,
// in a commune set to need approval. A broadcast made there by an operator sounds only
// once an approver of that commune has passed it; one sent back, or never decided,
// never sounds. Each step is in the audit log.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "support/fleet.hpp"
#include "support/process.hpp"
#include "support/wav.hpp"

namespace loa::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;



class Approval : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet.start_controller();
    fleet.set_agent_audio_dir("xa-1", audio_dir());
    fleet.start_agent("xa-1");
    fleet.enroll({"xa-1"});
    ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 10000)) << fleet.agent_log("xa-1");
    ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/phu-vang", {{"kind", "commune"}, {"stations", {"xa-1"}}, {"needs_approval", true}})
                  .status,
              200);
    ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/phu-loc", {{"kind", "commune"}}).status, 200);
    const std::vector<std::tuple<std::string, std::string, std::string>> people{
        {"op-phu-vang", "operator", "phu-vang"}, {"duyet-phu-vang", "approver", "phu-vang"},
        {"duyet-phu-loc", "approver", "phu-loc"}};
    for (const auto& [name, role, zone] : people) {
      auto r = fleet.api("POST", "/api/v1/users",
                         {{"name", name}, {"password", name + "-password"}, {"roles", {role}}, {"zones", {zone}}});
      ASSERT_EQ(r.status, 201) << r.body.dump();
      session[name] = fleet.login(name, name + "-password");
      ASSERT_FALSE(session[name].empty()) << name;
    }
    clip = fleet.add_tone_clip("thong-bao", 1);
  }

  std::string audio_dir() const { return fleet.dir() + "/audio-xa-1"; }

  // A broadcast by the commune's operator, at `at`.
  std::string broadcast_at(std::int64_t at, const std::string& title) {
    auto r = fleet.api_session(session["op-phu-vang"], "POST", "/api/v1/broadcasts",
                               json{{"title", title}, {"clip_id", clip}, {"to", "phu-vang"}, {"tz", "UTC"},
                                    {"start", utc_local(at)}}
                                   .dump());
    EXPECT_EQ(r.status, 201) << r.body.dump();
    EXPECT_EQ(r.body["state"], "awaiting_approval") << r.body.dump();
    return r.body.value("id", "");
  }

  std::size_t plays_sent() const {
    std::size_t n = 0;
    const auto reply = fleet.api("GET", "/api/v1/commands?limit=500&station=xa-1");
    for (const auto& c : reply.body["items"]) n += c["kind"] == "play";
    return n;
  }

  Fleet fleet;
  std::map<std::string, std::string> session;
  std::string clip;
};

TEST_F(Approval, ABroadcastSoundsOnlyOnceAnApproverOfItsZoneHasPassedIt) {
  const auto undecided_at = second_ahead(6000);
  const auto returned_at = undecided_at + 4000;
  const auto approved_at = undecided_at + 8000;
  const auto undecided = broadcast_at(undecided_at, "never decided");
  const auto returned = broadcast_at(returned_at, "sent back");
  const auto approved = broadcast_at(approved_at, "passed");
  ASSERT_FALSE(approved.empty());

  // Waiting: nothing of them has gone to the station.
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(plays_sent(), 0u);
  auto waiting = fleet.api_session(session["duyet-phu-vang"], "GET", "/api/v1/approvals", "");
  ASSERT_EQ(waiting.status, 200);
  EXPECT_EQ(waiting.body["items"].size(), 3u) << waiting.text;
  // loactl shows the same list, and sets a zone's need for approval.
  const auto listed = fleet.loactl("approvals");
  EXPECT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find(approved), std::string::npos) << listed.out;
  EXPECT_EQ(fleet.loactl("zones approval phu-loc on").exit_code, 0);
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/phu-loc").body["needs_approval"], true);
  // The approver hears it: the list leads to the clip's audio, which they may fetch.
  const std::string audio = waiting.body["items"][0]["content"]["audio"];
  EXPECT_EQ(fleet.api_session(session["duyet-phu-vang"], "GET", audio, "").status, 200);

  // Only an approver of this commune may decide: not its operator, not the next
  // commune's approver, not a script.
  const auto path = "/api/v1/broadcasts/" + approved + "/approve";
  EXPECT_EQ(fleet.api_session(session["op-phu-vang"], "POST", path, "{}").status, 403);
  auto other = fleet.api_session(session["duyet-phu-loc"], "POST", path, "{}");
  EXPECT_TRUE(other.status == 403 || other.status == 404) << other.text;
  EXPECT_EQ(fleet.api("POST", path).body["error"]["code"], "two_person_rule");
  // Sending back needs a reason.
  EXPECT_EQ(fleet.api_session(session["duyet-phu-vang"], "POST", "/api/v1/broadcasts/" + returned + "/return", "{}").status,
            422);

  auto back = fleet.api_session(session["duyet-phu-vang"], "POST", "/api/v1/broadcasts/" + returned + "/return",
                                json{{"reason", "sai giờ phát"}}.dump());
  ASSERT_EQ(back.status, 200) << back.text;
  EXPECT_EQ(back.body["approval"]["state"], "returned");
  auto passed = fleet.api_session(session["duyet-phu-vang"], "POST", path, "{}");
  ASSERT_EQ(passed.status, 200) << passed.text;
  EXPECT_EQ(passed.body["approval"]["decided_by"], "duyet-phu-vang");
  // Decided once: a second decision is refused.
  EXPECT_EQ(fleet.api_session(session["duyet-phu-vang"], "POST", path, "{}").status, 409);
  // A returned one can be neither approved nor aired later.
  EXPECT_EQ(fleet.api_session(session["duyet-phu-vang"], "POST", "/api/v1/broadcasts/" + returned + "/approve", "{}").status,
            409);

  // After all three start times: one recording, the approved one, with sound in it.
  sleep_until_ms(approved_at + 4000);
  const auto wav = only_wav(audio_dir());
  ASSERT_FALSE(wav.empty()) << "expected exactly one recording\n" << fleet.agent_log("xa-1");
  EXPECT_GT(rms_of(read_wav(wav)), 1000.0);
  EXPECT_EQ(plays_sent(), 1u);
  const auto asrun = fleet.api("GET", "/api/v1/asrun?station=xa-1").body["items"];
  ASSERT_EQ(asrun.size(), 1u) << asrun.dump();
  EXPECT_EQ(asrun[0]["broadcast_id"], approved);
  // Its time came while it waited: it never aired, and says so.
  EXPECT_EQ(fleet.api("GET", "/api/v1/broadcasts/" + undecided).body["state"], "lapsed");
  EXPECT_EQ(fleet.api("GET", "/api/v1/broadcasts/" + returned + "?all=1").body["state"], "returned");

  // Every step is in the audit log, with who and why.
  const auto audit = fleet.api("GET", "/api/v1/audit?limit=1000").body["items"];
  auto entry = [&](const std::string& action, const std::string& id) -> json {
    for (const auto& e : audit) {
      if (e["action"] == action && e["subject"] == id) return e;
    }
    return nullptr;
  };
  EXPECT_EQ(entry("broadcast.submitted", approved)["user"], "op-phu-vang");
  EXPECT_EQ(entry("broadcast.approved", approved)["user"], "duyet-phu-vang");
  EXPECT_EQ(entry("broadcast.returned", returned)["detail"], "sai giờ phát");
  EXPECT_TRUE(entry("broadcast.approved", undecided).is_null());
}

}  // namespace
}  // namespace loa::test
