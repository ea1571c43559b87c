// The web console in headless Chromium, as an emergency officer uses it: log in, see
// the three stations online, draft an alert, confirm it with the station count it
// shows, watch the delivery reach 3/3 live, cancel it; then open a station's page and
// see its amplifier's readings from the device simulator. Screenshots are kept in
// build/test-artifacts/console/.
#include <gtest/gtest.h>

#include "support/browser.hpp"
#include "support/devsim.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;

TEST(Console, AnAlertIsDraftedConfirmedWatchedAndCancelledInTheBrowser) {
  if (!Browser::available()) GTEST_SKIP() << "chromium and chromium-driver are not installed (deploy/install-deps)";
  FleetOptions o;
  o.standard_clips = true;
  Fleet fleet(o);
  // xa-1 watches a simulated amplifier.
  const std::string firmware = std::string(LOA_SOURCE_DIR) + "/firmware-config";
  Devsim amp(fleet.dir(), "amp", firmware + "/profiles/fm-amplifier-generic.yaml");
  write_file(fleet.dir() + "/xa-1-hw.yaml",
             "kind: fm\n"
             "band_plan: " + firmware + "/bandplans/vn-commune-fm.yaml\n"
             "licence: {assigned_khz: 64500, tolerance_khz: 10, max_power_w: 30, expires: 2099-12-31}\n"
             "devices:\n"
             "  - {id: amp, profile: " + firmware + "/profiles/fm-amplifier-generic.yaml, tcp: \"127.0.0.1:" +
                 std::to_string(amp.port) + "\", unit_id: 2, poll_interval_ms: 200}\n");
  fleet.start_controller();
  fleet.set_agent_hardware("xa-1", fleet.dir() + "/xa-1-hw.yaml");
  const std::vector<std::string> stations{"xa-1", "xa-2", "xa-3"};
  for (const auto& id : stations) {
    fleet.set_agent_audio_dir(id, fleet.dir() + "/audio-" + id);
    fleet.start_agent(id);
  }
  fleet.enroll(stations);
  for (const auto& id : stations) ASSERT_TRUE(fleet.wait_for_state(id, "online", 10000)) << id;

  Browser browser(std::string(LOA_ARTIFACTS_DIR) + "/console");
  const std::string url = "http://127.0.0.1:" + std::to_string(fleet.http_port()) + "/";
  browser.go(url);
  ASSERT_TRUE(browser.wait_for("#login input[name=password]"));
  browser.type("#login input[name=user]", "admin");
  browser.type("#login input[name=password]", "test-password");
  browser.click("#login button");
  ASSERT_TRUE(browser.wait_for_text("#summary", "3/3 online")) << browser.text("#summary");
  EXPECT_FALSE(browser.visible("#login"));  // the form is gone once logged in
  browser.screenshot("1-stations");

  browser.type("#alert-text", "Bão số chín đang vào bờ. Mọi người ở trong nhà.");
  browser.click("#alert-draft");
  ASSERT_TRUE(browser.wait_for_text("#alert-prompt", "3 stations")) << browser.text("#alert-error");
  // A wrong count is refused and nothing goes out.
  browser.type("#alert-count", "30");
  browser.click("#alert-issue");
  ASSERT_TRUE(browser.wait_for_text("#alert-error", "would sound on 3 stations")) << browser.text("#alert-error");
  browser.type("#alert-count", "3");
  browser.click("#alert-issue");
  ASSERT_TRUE(browser.wait_for_text("#alert-progress", "3/3 sounding", 10s)) << browser.text("#alert-progress");
  browser.screenshot("2-alert-sounding");

  browser.click("#alert-cancel");
  browser.accept_dialog();
  ASSERT_TRUE(browser.wait_for_text("#alert-state", "cancelled")) << browser.text("#alert-state");
  ASSERT_TRUE(browser.wait_for_text("#alert-progress", "3 stopped", 10s)) << browser.text("#alert-progress");
  ASSERT_TRUE(browser.wait_for_text("#alert-stations", "stopped", 10s)) << browser.text("#alert-stations");
  browser.screenshot("3-alert-cancelled");
  // The station's page: the amplifier's readings and a chart of its temperature.
  browser.click("a.station");  // the first station in the list, xa-1
  ASSERT_TRUE(browser.wait_for_text("#station-id", "xa-1"));
  ASSERT_TRUE(browser.wait_for_text("#station-devices", "amp", 10s)) << browser.text("#station-devices");
  ASSERT_TRUE(browser.wait_for("#station-chart polyline[data-device=amp]", 10s));
  const auto readings = browser.text("#station-devices");
  EXPECT_NE(readings.find("amp yes"), std::string::npos) << readings;  // reachable, polled every 200 ms
  browser.screenshot("4-station-page");
  // What the browser showed is what the stations did.
  auto alerts = fleet.api("GET", "/api/v1/alerts").body["items"];
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["state"], "cancelled");
  EXPECT_EQ(alerts[0]["created_by"], "admin");
}

}  // namespace
}  // namespace loa::test
