// Emergency alerts on real controller and agent processes: an alert preempts a
// scheduled broadcast everywhere; an offline station is shown unreachable and plays the
// alert when it returns; a controller killed mid-delivery neither loses nor repeats a
// play; the two-person rule holds; CAP 1.2 messages are issued, updated, cancelled or
// refused; cancel stops every station within a second.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "loa/digest/sha256.hpp"
#include "support/cap_examples.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::vector<std::string> kStations{"st-1", "st-2", "st-3", "st-4"};
// The CAP sources' own credentials (the controller keeps only their SHA-256).
const std::string kNwsToken = "nws-feed-token-5b0e";
const std::string kHaTinhToken = "ha-tinh-feed-token-77c1";



std::string sha256_hex(const std::string& text) { return digest::sha256_hex(text); }

class Alerts : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetOptions o;
    o.standard_clips = true;
    // The rule for severe alerts is left to its own test: these are about delivery.
    o.controller_alerts =
        "  two_person_severities: [extreme]\n"
        "  cap_sources:\n"
        "    - name: nws\n"
        "      token_sha256: " + sha256_hex(kNwsToken) + "\n"
        "      senders: [KSTO@NWS.NOAA.GOV]\n"
        "      issue_at_once: true\n"
        "    - name: ha-tinh\n"
        "      token_sha256: " + sha256_hex(kHaTinhToken) + "\n"
        "      senders: [canhbao@hatinh.gov.vn]\n"
        "      issue_at_once: true\n";
    fleet = std::make_unique<Fleet>(o);
    fleet->start_controller();
    for (const auto& id : kStations) {
      fleet->set_agent_audio_dir(id, audio_dir(id));
      fleet->start_agent(id);
    }
    fleet->enroll(kStations);
    for (const auto& id : kStations) ASSERT_TRUE(fleet->wait_for_state(id, "online", 10000)) << id;
    // Attention tones and standard messages are pinned on every station before alerts.
    ASSERT_TRUE(eventually([&] {
      auto pending = fleet->api("GET", "/api/v1/commands?state=pending").body["items"];
      auto applied = fleet->api("GET", "/api/v1/commands?state=applied&limit=1000").body["items"];
      std::size_t caches = 0;
      for (const auto& c : applied) caches += c["kind"] == "cache_clip";
      return pending.empty() && caches >= kStations.size() * 6;
    }, 30s)) << fleet->api("GET", "/api/v1/commands").body.dump();
  }

  std::string audio_dir(const std::string& id) const { return fleet->dir() + "/audio-" + id; }

  // WAV files a station wrote for a broadcast id.
  std::size_t wav_count(const std::string& station, const std::string& broadcast) const {
    std::size_t n = 0;
    if (!std::filesystem::exists(audio_dir(station))) return 0;
    for (const auto& e : std::filesystem::directory_iterator(audio_dir(station))) {
      const auto name = e.path().filename().string();
      n += name.find("-" + broadcast + ".wav") != std::string::npos;
    }
    return n;
  }

  std::string add_clip(const std::string& name, int seconds) {
    const auto path = fleet->dir() + "/" + name + ".flac";
    auto r = run_command("gst-launch-1.0 -q audiotestsrc num-buffers=" + std::to_string(seconds * 43) +
                         " volume=0.3 ! audioconvert ! flacenc ! filesink location=" + path);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    auto added = fleet->loactl("--json clips add " + path + " --name " + name);
    EXPECT_EQ(added.exit_code, 0) << added.out;
    return json::parse(added.out)[0]["id"];
  }

  json alert(const std::string& id) const { return fleet->api("GET", "/api/v1/alerts/" + id).body; }

  json station_state(const std::string& id, const std::string& station) const {
    const auto view = alert(id);  // kept: a range-for over a temporary's member dangles
    for (const auto& s : view["stations"]) {
      if (s["station"] == station) return s;
    }
    return nullptr;
  }

  json asrun(const std::string& broadcast) const {
    return fleet->api("GET", "/api/v1/asrun?broadcast=" + broadcast).body["items"];
  }

  json push(json body) const {
    auto r = fleet->api("POST", "/api/v1/alerts", body);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body;
  }

  std::unique_ptr<Fleet> fleet;
};

TEST_F(Alerts, AnAlertPreemptsAScheduledBroadcastEverywhereAndCancelStopsItWithinASecond) {
  const auto news = add_clip("tin-tuc", 30);
  const auto air = (now_ms() + 5000) / 1000 * 1000;
  auto b = fleet->api("POST", "/api/v1/broadcasts",
                      {{"title", "tin tuc"}, {"clip_id", news}, {"to", {"all"}}, {"start", utc_local(air)}, {"tz", "UTC"}});
  ASSERT_EQ(b.status, 201) << b.body.dump();
  const std::string broadcast = b.body["id"];
  std::this_thread::sleep_for(std::chrono::milliseconds(air + 1500 - now_ms()));

  auto a = push({{"severity", "severe"},
                 {"status", "actual"},
                 {"tts", "Bão số chín đang vào bờ. Mọi người ở trong nhà."},
                 {"to", {"all"}},
                 {"confirm", {{"target_count", 4}}}});
  const std::string id = a["id"];
  EXPECT_EQ(a["state"], "issued");
  EXPECT_EQ(a["target_count"], 4);
  ASSERT_TRUE(eventually([&] { return alert(id)["summary"]["playing"] == 4; }, 5s)) << alert(id).dump(2);
  // The programme was cut on every station, and its as-run says by what.
  ASSERT_TRUE(eventually([&] { return asrun(broadcast).size() == 4; }, 5s)) << asrun(broadcast).dump();
  const auto cut = asrun(broadcast);
  for (const auto& row : cut) {
    EXPECT_EQ(row["outcome"], "preempted") << row.dump();
    EXPECT_NE(row["detail"].get<std::string>().find(id), std::string::npos) << row.dump();
  }
  EXPECT_NE(alert(id)["progress"].get<std::string>().find("4/4 sounding"), std::string::npos) << alert(id)["progress"];
  // Each station's first sound is in the latency histogram.
  auto metrics = fleet->metrics();
  EXPECT_NE(metrics.find("loa_alert_first_sound_ms_count 4"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("loa_alert_first_sound_ms_bucket{le=\"+Inf\"} 4"), std::string::npos) << metrics;

  // Cancel: every station reports its playout stopped within a second.
  const auto cancelled_at = now_ms();
  auto c = fleet->api("POST", "/api/v1/alerts/" + id + "/cancel", {{"reason", "drill over"}});
  ASSERT_EQ(c.status, 200) << c.body.dump();
  EXPECT_EQ(c.body["state"], "cancelled");
  ASSERT_TRUE(eventually([&] {
    std::size_t stopped = 0;
    const auto rows = asrun(id);
    for (const auto& row : rows) stopped += row["outcome"] == "stopped";
    return stopped == 4;
  }, 5s)) << asrun(id).dump(2);
  const auto rows = asrun(id);
  for (const auto& row : rows) {
    if (row["outcome"] != "stopped") continue;
    const auto end = row["end_ms"].get<std::int64_t>();
    EXPECT_LT(end - cancelled_at, 1000) << row.dump();
    std::cout << "stopped after " << end - cancelled_at << " ms on " << row["station_id"] << "\n";
  }
  EXPECT_EQ(alert(id)["summary"]["stopped"], 4);
  // Nothing more is sounded for the alert once it is cancelled.
  std::this_thread::sleep_for(3s);
  const auto after = asrun(id);
  for (const auto& row : after) EXPECT_NE(row["outcome"], "played") << row.dump();
  // Each step is in the audit log, with who.
  std::vector<std::string> actions;
  const auto audit = fleet->api("GET", "/api/v1/audit?subject=" + id).body;
  for (const auto& e : audit["items"]) {
    actions.push_back(e["action"]);
    EXPECT_EQ(e["user"], "token");
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"alert.cancel", "alert.issue", "alert.confirm", "alert.create"}));
}

TEST_F(Alerts, AnOfflineStationIsUnreachableAndPlaysTheAlertWhenItReturns) {
  fleet->stop_agent("st-4");
  ASSERT_TRUE(fleet->wait_for_state("st-4", "offline", 10000));
  auto a = push({{"severity", "severe"}, {"status", "actual"}, {"tts", "Lũ đang lên."}, {"to", {"all"}}, {"tone", "chime"},
                 {"confirm", {{"target_count", 4}}}});
  const std::string id = a["id"];
  ASSERT_TRUE(eventually([&] { return alert(id)["summary"]["played"] == 3; }, 30s)) << alert(id).dump(2);
  auto shown = alert(id);
  EXPECT_EQ(shown["summary"]["unreachable"], 1);
  EXPECT_EQ(station_state(id, "st-4")["state"], "unreachable");
  EXPECT_NE(shown["progress"].get<std::string>().find("1 unreachable: st-4"), std::string::npos) << shown["progress"];
  auto cli = fleet->loactl("alert status " + id);
  EXPECT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_NE(cli.out.find("1 unreachable: st-4"), std::string::npos) << cli.out;

  fleet->start_agent("st-4");
  ASSERT_TRUE(eventually([&] { return station_state(id, "st-4")["state"] == "played"; }, 30s))
      << alert(id).dump(2);
  EXPECT_EQ(wav_count("st-4", id), 2u);  // the chime, then the message
}

TEST_F(Alerts, AControllerKilledMidDeliveryLosesNothingAndRepeatsNothing) {
  // Two rounds, 12 s apart: tone and message each time.
  auto a = push({{"severity", "severe"}, {"status", "actual"}, {"tts", "Đê sắp vỡ."}, {"to", {"all"}}, {"repeat", 2},
                 {"repeat_interval_s", 12}, {"confirm", {{"target_count", 4}}}});
  const std::string id = a["id"];
  fleet->stop_controller(9);
  std::this_thread::sleep_for(1500ms);
  fleet->start_controller();
  ASSERT_TRUE(eventually([&] {
    auto s = alert(id)["summary"];
    return s.is_object() && s["played"] == 4;
  }, 40s)) << alert(id).dump(2);
  for (const auto& st : kStations) {
    EXPECT_EQ(wav_count(st, id), 4u) << st;  // 2 rounds x (tone + message), none twice
    EXPECT_EQ(station_state(id, st)["parts_done"], 4) << st;
  }
}

TEST_F(Alerts, TheTwoPersonRuleKeepsTheDrafterFromConfirming) {
  ASSERT_EQ(fleet->api("POST", "/api/v1/users",
                       {{"name", "lan"}, {"password", "lan-password-1"}, {"roles", {"emergency"}}}).status, 201);
  ASSERT_EQ(fleet->api("POST", "/api/v1/users",
                       {{"name", "minh"}, {"password", "minh-password-1"}, {"roles", {"emergency"}}}).status, 201);
  ASSERT_EQ(fleet->api("POST", "/api/v1/users",
                       {{"name", "viewer"}, {"password", "viewer-password"}, {"roles", {"viewer"}}}).status, 201);
  // A viewer cannot draft an alert at all.
  EXPECT_EQ(fleet->api_as("viewer", "viewer-password", "POST", "/api/v1/alerts", {{"tts", "x"}}).status, 403);

  auto drafted = fleet->api_as("lan", "lan-password-1", "POST", "/api/v1/alerts",
                               {{"severity", "extreme"}, {"status", "actual"}, {"tts", "Vỡ đập."}, {"to", {"st-1", "st-2"}}});
  ASSERT_EQ(drafted.status, 201) << drafted.body.dump();
  const std::string id = drafted.body["id"];
  EXPECT_EQ(drafted.body["state"], "draft");
  EXPECT_EQ(drafted.body["target_count"], 2);
  EXPECT_EQ(drafted.body["needs_second_person"], true);
  EXPECT_NE(drafted.body["confirm_prompt"].get<std::string>().find("2 stations"), std::string::npos);

  auto own = fleet->api_as("lan", "lan-password-1", "POST", "/api/v1/alerts/" + id + "/confirm", {{"target_count", 2}});
  EXPECT_EQ(own.status, 403) << own.body.dump();
  EXPECT_EQ(own.body["error"]["code"], "two_person_rule");
  auto token = fleet->api("POST", "/api/v1/alerts/" + id + "/confirm", {{"target_count", 2}});
  EXPECT_EQ(token.status, 403) << token.body.dump();
  auto wrong_count = fleet->api_as("minh", "minh-password-1", "POST", "/api/v1/alerts/" + id + "/confirm",
                                   {{"target_count", 4}});
  EXPECT_EQ(wrong_count.status, 409) << wrong_count.body.dump();
  EXPECT_EQ(alert(id)["state"], "draft");
  EXPECT_EQ(asrun(id).size(), 0u);

  auto second = fleet->api_as("minh", "minh-password-1", "POST", "/api/v1/alerts/" + id + "/confirm",
                              {{"target_count", 2}});
  ASSERT_EQ(second.status, 200) << second.body.dump();
  EXPECT_EQ(second.body["state"], "issued");
  EXPECT_EQ(second.body["confirmed_by"], "minh");
  EXPECT_EQ(second.body["created_by"], "lan");
  // Cancelling never waits for a second person.
  auto cancel = fleet->api_as("lan", "lan-password-1", "POST", "/api/v1/alerts/" + id + "/cancel",
                              {{"reason", "sent in error"}, {"correction", true}});
  EXPECT_EQ(cancel.status, 200) << cancel.body.dump();
  EXPECT_EQ(cancel.body["state"], "cancelled");
  // The pre-written correction plays on both stations.
  ASSERT_TRUE(eventually([&] { return asrun(id + "-correction").size() == 2; }, 20s)) << asrun(id + "-correction");
  bool refused_logged = false;
  const auto audit = fleet->api("GET", "/api/v1/audit?subject=" + id).body;
  for (const auto& e : audit["items"]) {
    refused_logged = refused_logged || (e["action"] == "alert.confirm_refused" && e["user"] == "lan");
  }
  EXPECT_TRUE(refused_logged);
}

TEST_F(Alerts, CapMessagesAreIssuedUpdatedCancelledOrRefused) {
  ASSERT_EQ(fleet->api("PUT", "/api/v1/zones/tuolumne", {{"stations", {"st-1", "st-2"}}, {"cap_areas", {"SAME=006109"}}}).status, 200);
  ASSERT_EQ(fleet->api("PUT", "/api/v1/zones/cam-binh",
                       {{"stations", {"st-3", "st-4"}}, {"cap_areas", {"Cẩm Bình", "ISO3166-2=VN-23"}}}).status, 200);

  // Refused, and nothing issued: malformed XML, a wrong namespace, an Alert without info.
  auto bad = cap_example("thunderstorm-warning.xml");
  bad.replace(bad.find("</headline>"), 11, "</headlin>");
  auto r = fleet->post_text("/api/v1/cap", bad, "application/cap+xml");
  EXPECT_EQ(r.status, 400) << r.body.dump();
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("line 22"), std::string::npos) << r.body.dump();
  auto wrong_ns = cap_example("thunderstorm-warning.xml");
  wrong_ns.replace(wrong_ns.find("cap:1.2"), 7, "cap:1.1");
  r = fleet->post_text("/api/v1/cap", wrong_ns, "application/cap+xml");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("namespace"), std::string::npos) << r.body.dump();
  auto no_info = cap_example("thunderstorm-warning.xml");
  no_info.erase(no_info.find("<info>"), no_info.find("</info>") + 7 - no_info.find("<info>"));
  r = fleet->post_text("/api/v1/cap", no_info, "application/cap+xml");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("<info>"), std::string::npos) << r.body.dump();
  EXPECT_EQ(fleet->api("GET", "/api/v1/alerts").body["items"].size(), 0u);
  // ... and counted.
  auto metrics = fleet->metrics();
  EXPECT_NE(metrics.find("loa_alert_events_total{kind=\"cap_refused\"} 3"), std::string::npos) << metrics;

  // The warning without its source's credential, from someone with the emergency role:
  // its <sender> is a trusted one, but that is only text. It waits for a person.
  r = fleet->post_text("/api/v1/cap", cap_example("thunderstorm-warning.xml"), "application/cap+xml");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"], "draft") << r.body.dump();
  EXPECT_NE(r.body["detail"].get<std::string>().find("credential"), std::string::npos) << r.body.dump();
  EXPECT_EQ(asrun(r.body["alert"]["id"]).size(), 0u);
  (void)fleet->api("POST", "/api/v1/alerts/" + r.body["alert"]["id"].get<std::string>() + "/cancel");
  // A source's token opens the CAP route and nothing else.
  EXPECT_EQ(fleet->api_bearer(kNwsToken, "GET", "/api/v1/alerts").status, 403);
  // Another source may not speak for this sender: a draft again.
  const auto forged = fleet->post_text_as(kHaTinhToken, "/api/v1/cap",
                                          cap_example("thunderstorm-warning.xml").replace(
                                              cap_example("thunderstorm-warning.xml").find("<identifier>") + 12, 0, "x-"),
                                          "application/cap+xml");
  ASSERT_EQ(forged.status, 200) << forged.body.dump();
  EXPECT_EQ(forged.body["result"], "draft") << forged.body.dump();
  (void)fleet->api("POST", "/api/v1/alerts/" + forged.body["alert"]["id"].get<std::string>() + "/cancel");
  // With the source's own token: on air in the zone its geocode names. (The drafts
  // above did not claim its identifier.)
  r = fleet->post_text_as(kNwsToken, "/api/v1/cap", cap_example("thunderstorm-warning.xml"), "application/cap+xml");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"], "issued");
  const std::string id = r.body["alert"]["id"];
  EXPECT_EQ(r.body["alert"]["severity"], "severe");
  EXPECT_EQ(r.body["alert"]["targets"], json({"zone:tuolumne"}));
  EXPECT_EQ(r.body["alert"]["target_count"], 2);
  EXPECT_EQ(r.body["alert"]["language"], "en");
  // The same message again is ignored.
  r = fleet->post_text_as(kNwsToken, "/api/v1/cap", cap_example("thunderstorm-warning.xml"), "application/cap+xml");
  EXPECT_EQ(r.body["result"], "duplicate") << r.body.dump();
  // An Update replaces it.
  r = fleet->post_text_as(kNwsToken, "/api/v1/cap", cap_example("thunderstorm-update.xml"), "application/cap+xml");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"], "updated");
  EXPECT_EQ(alert(id)["version"], 2);
  EXPECT_EQ(alert(id)["severity"], "extreme");
  EXPECT_EQ(alert(id)["headline"], "SEVERE THUNDERSTORM WARNING EXTENDED");
  ASSERT_TRUE(eventually([&] { return alert(id)["summary"]["playing"] == 2; }, 10s)) << alert(id).dump(2);
  // A Cancel stops it.
  r = fleet->post_text_as(kNwsToken, "/api/v1/cap", cap_example("thunderstorm-cancel.xml"), "application/cap+xml");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"], "cancelled");
  EXPECT_EQ(alert(id)["state"], "cancelled");
  ASSERT_TRUE(eventually([&] {
    std::size_t stopped = 0;
    const auto rows = asrun(id + "-u1");
    for (const auto& row : rows) stopped += row["outcome"] == "stopped";
    return stopped == 2;
  }, 5s)) << asrun(id + "-u1").dump();

  // Two languages: the Vietnamese block is read, by area description and geocode.
  r = fleet->post_text_as(kHaTinhToken, "/api/v1/cap", cap_example("flood-multilingual.xml"), "application/cap+xml");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["alert"]["language"], "vi");
  EXPECT_EQ(r.body["alert"]["headline"], "Cảnh báo lũ trên sông Ngàn Sâu");
  EXPECT_EQ(r.body["alert"]["targets"], json({"zone:cam-binh"}));
  (void)fleet->api("POST", "/api/v1/alerts/" + r.body["alert"]["id"].get<std::string>() + "/cancel");

  // A Test from a source not configured to issue at once waits for a person, and is
  // labelled a test everywhere.
  r = fleet->post_text("/api/v1/cap", cap_example("advisory-test.xml"), "application/cap+xml");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"], "draft");
  EXPECT_EQ(r.body["alert"]["status"], "test");
  EXPECT_EQ(r.body["alert"]["label"], "TEST");
  EXPECT_EQ(r.body["alert"]["id"].get<std::string>().rfind("TEST-", 0), 0u) << r.body.dump();
  // A test can never become actual.
  auto test_id = r.body["alert"]["id"].get<std::string>();
  auto confirmed = fleet->api("POST", "/api/v1/alerts/" + test_id + "/confirm", {{"target_count", 2}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body.dump();
  auto to_actual = fleet->api("POST", "/api/v1/alerts/" + test_id + "/update", {{"status", "actual"}});
  EXPECT_EQ(to_actual.status, 422) << to_actual.body.dump();
}

}  // namespace
}  // namespace loa::test
