// Upstream feeds, on a real controller and agent writing WAV files, polling feeds this
// test serves over HTTP: a CAP index (Atom) whose message is issued as its configured
// source's alert, and a plain bulletin feed whose bulletins keep their national level
// (priority: played; normal: in the inbox). A malformed bulletin is refused and counted,
// an expired one left alone, and a restart applies nothing twice.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <thread>

#include "loa/digest/sha256.hpp"
#include "support/cap_examples.hpp"
#include "support/fleet.hpp"
#include "support/wav.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string iso_in(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(now_ms() / 1000 + seconds);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

class Feeds : public ::testing::Test {
 protected:
  void SetUp() override {
    server.Get("/cap/index.atom", [this](const httplib::Request&, httplib::Response& res) {
      ++index_fetches;
      res.set_content(
          "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>warnings</title>" +
              std::string(published ? "<entry><id>urn:warning:1</id><title>Severe thunderstorm</title>"
                                      "<link href=\"warning-1.xml\" type=\"application/cap+xml\"/></entry>"
                                    : "") +
              "</feed>",
          "application/atom+xml");
    });
    server.Get("/cap/warning-1.xml", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(cap_example("thunderstorm-warning.xml"), "application/cap+xml");
    });
    server.Get("/bulletins.json", [this](const httplib::Request&, httplib::Response& res) {
      if (!published) return res.set_content(R"({"bulletins": []})", "application/json");
      json feed = {{"bulletins",
                    {{{"id", "vov-1"}, {"level", "priority"}, {"title", "Lịch cắt điện"},
                      {"text", "Ngày mai cắt điện từ bảy giờ đến mười một giờ."}, {"language", "vi"},
                      {"valid_until", iso_in(3600)}, {"area", {"ISO3166-2=VN-42"}}},
                     {{"id", "vov-2"}, {"level", "normal"}, {"title", "Tiêm phòng"},
                      {"text", "Lịch tiêm phòng cho trẻ em tuần tới."}, {"valid_until", iso_in(86400)}},
                     {{"id", "vov-3"}, {"level", "urgent"}, {"text", "x"}, {"valid_until", iso_in(3600)}},
                     {{"id", "vov-4"}, {"level", "normal"}, {"text", "old"}, {"valid_until", iso_in(-60)}}}}};
      res.set_content(feed.dump(), "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    serving = std::thread([this] { server.listen_after_bind(); });
    const std::string base = "http://127.0.0.1:" + std::to_string(port);

    FleetOptions o;
    o.standard_clips = true;
    o.controller_alerts = "  cap_sources:\n"
                          "    - name: nws\n"
                          "      token_sha256: " + digest::sha256_hex("unused-token") + "\n"
                          "      senders: [KSTO@NWS.NOAA.GOV]\n"
                          "      issue_at_once: true\n";
    o.controller_extra = "feeds:\n"
                         "  - name: nws-index\n"
                         "    kind: cap\n"
                         "    url: " + base + "/cap/index.atom\n"
                         "    cap_source: nws\n"
                         "    every_ms: 1000\n"
                         "  - name: vov\n"
                         "    kind: bulletins\n"
                         "    url: " + base + "/bulletins.json\n"
                         "    every_ms: 1000\n";
    fleet = std::make_unique<Fleet>(o);
    fleet->start_controller();
    fleet->set_agent_audio_dir("f-1", audio_dir());
    fleet->start_agent("f-1");
    fleet->enroll({"f-1"});
    ASSERT_TRUE(fleet->wait_for_state("f-1", "online", 10000));
    ASSERT_EQ(fleet->api("PUT", "/api/v1/zones/ha-tinh",
                         {{"kind", "commune"}, {"stations", {"f-1"}}, {"cap_areas", {"SAME=006109", "ISO3166-2=VN-42"}}})
                  .status,
              200);
  }

  void TearDown() override {
    server.stop();
    if (serving.joinable()) serving.join();
  }

  std::string audio_dir() const { return fleet->dir() + "/audio-f-1"; }

  std::size_t recordings_of(const std::string& broadcast) const {
    std::size_t n = 0;
    if (!std::filesystem::exists(audio_dir())) return 0;
    for (const auto& e : std::filesystem::directory_iterator(audio_dir())) {
      n += e.path().filename().string().find("-" + broadcast) != std::string::npos;
    }
    return n;
  }

  httplib::Server server;
  std::thread serving;
  int port = 0;
  std::atomic<int> index_fetches{0};
  std::atomic<bool> published{false};  // the feeds hold their items once the station's zone is set
  std::unique_ptr<Fleet> fleet;
};

TEST_F(Feeds, CapIndexAndBulletinFeedsAreTakenOnceEachAtTheirLevel) {
  published = true;
  EXPECT_EQ(fleet->api("POST", "/api/v1/feeds/poll").status, 202);
  // The CAP message: its source's alert, issued at once, heard on the station.
  std::string alert;
  ASSERT_TRUE(eventually([&] {
    const auto items = fleet->api("GET", "/api/v1/alerts").body["items"];
    if (items.empty()) return false;
    alert = items[0].value("id", "");
    return true;
  }, 20s)) << fleet->controller_log();
  ASSERT_TRUE(eventually([&] { return recordings_of(alert) > 0; }, 20s)) << fleet->agent_log("f-1");

  // The priority bulletin plays; the normal one waits in the inbox; vov-3 is refused.
  std::string priority_broadcast;
  ASSERT_TRUE(eventually([&] {
    const auto rows = fleet->api("GET", "/api/v1/asrun?station=f-1").body;
    for (const auto& r : rows["items"]) {
      const std::string b = r["broadcast_id"];
      if (b.rfind("above-F-", 0) == 0 && r["outcome"] == "played") priority_broadcast = b;
    }
    return !priority_broadcast.empty();
  }, 40s)) << fleet->controller_log();
  EXPECT_EQ(recordings_of(priority_broadcast), 1u);
  const auto inbox = fleet->api("GET", "/api/v1/inbox").body["items"];
  ASSERT_EQ(inbox.size(), 1u) << inbox.dump();
  EXPECT_EQ(inbox[0]["title"], "Tiêm phòng");
  EXPECT_EQ(inbox[0]["sender"], "feed:vov");
  const auto status = fleet->api("GET", "/api/v1/feeds").body["items"];
  ASSERT_EQ(status.size(), 2u);
  EXPECT_GE(status[1]["refused"].get<int>(), 1) << status.dump();
  EXPECT_EQ(status[0]["last_error"], "") << status.dump();

  // Polled again and again, and across a restart: nothing twice.
  fleet->stop_controller(15);
  fleet->start_controller();
  const int fetched = index_fetches;
  ASSERT_TRUE(eventually([&] { return index_fetches > fetched + 1; }, 20s));
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(fleet->api("GET", "/api/v1/inbox").body["items"].size(), 1u);
  EXPECT_EQ(fleet->api("GET", "/api/v1/alerts").body["items"].size(), 1u);
  EXPECT_EQ(recordings_of(priority_broadcast), 1u);
  std::size_t priority_plays = 0;
  const auto rows = fleet->api("GET", "/api/v1/asrun?station=f-1").body;
  for (const auto& r : rows["items"]) priority_plays += r["broadcast_id"].get<std::string>().rfind("above-F-", 0) == 0;
  EXPECT_EQ(priority_plays, 1u);
}

}  // namespace
}  // namespace loa::test
