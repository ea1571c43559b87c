// The web console in headless Chromium, as the district's staff use it: log in, approve
// a new station by the key fingerprint the list shows, switch to English, see the three
// stations online and an amplifier's alarm arrive live;
// upload a clip (the progress bar reaching 100%) and schedule it, meet a conflict and
// schedule anyway; draft an alert, confirm it with the station count it shows, watch the
// delivery reach 3/3 live, cancel it; then open a station's page, see its amplifier's
// readings from the device simulator, run a silent test and set its licence; and an
// approver hearing a broadcast and passing it or sending it back. Screenshots are kept in
// build/test-artifacts/console/.
#include <gtest/gtest.h>

#include <filesystem>

#include <map>
#include <thread>

#include "loa/curve/key_pair.hpp"
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

  // A station whose name is hostile markup: the console must show it, not run it.
  const std::string hostile = "<img src=x onerror=\"document.title='owned'\"> Robert'); DROP TABLE stations;--";
  ASSERT_EQ(fleet.api("POST", "/api/v1/stations", {{"id", "xa-9"}, {"public_key", curve::generate().public_z85},
                                                   {"name", hostile}}).status, 201);

  Browser browser(std::string(LOA_ARTIFACTS_DIR) + "/console");
  const std::string url = "http://127.0.0.1:" + std::to_string(fleet.http_port()) + "/";
  browser.go(url);
  ASSERT_TRUE(browser.wait_for("#login input[name=password]"));
  browser.type("#login input[name=user]", "admin");
  browser.type("#login input[name=password]", "test-password");
  browser.click("#login button");
  ASSERT_TRUE(browser.wait_for_text("#summary", "3/4 online")) << browser.text("#summary");
  EXPECT_FALSE(browser.visible("#login"));  // the form is gone once logged in
  EXPECT_NE(browser.text("#stations").find(hostile), std::string::npos) << browser.text("#stations");
  EXPECT_EQ(browser.script("return document.querySelectorAll('#stations img').length;"), "0");
  EXPECT_EQ(browser.script("return document.title;"), "\"Loa\"");
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/stations/xa-9").status, 204);
  ASSERT_TRUE(browser.wait_for_text("#summary", "3/3 online")) << browser.text("#summary");  // live, no reload
  // A new station asks to be enrolled; the admin approves it from the list, which names
  // the key it shows (the one `loa-agent fingerprint` prints on the station).
  fleet.start_agent("xa-4");
  ASSERT_TRUE(fleet.wait_for_state("xa-4", "pending", 10000));
  ASSERT_TRUE(browser.wait_for("tr[data-station='xa-4'] button")) << browser.text("#stations");
  EXPECT_NE(browser.text("tr[data-station='xa-4']").find(fleet.agent_fingerprint("xa-4")), std::string::npos);
  browser.click("tr[data-station='xa-4'] button");
  browser.accept_dialog();  // "Approve xa-4 with key SHA256:…?": the operator says yes
  ASSERT_TRUE(fleet.wait_for_state("xa-4", "online", 10000)) << fleet.controller_log();
  ASSERT_TRUE(browser.wait_for_text("#summary", "4/4 online")) << browser.text("#summary");
  fleet.stop_agent("xa-4");  // the rest of the walk is about three stations
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/stations/xa-4").status, 204);
  ASSERT_TRUE(browser.wait_for_text("#summary", "3/3 online")) << browser.text("#summary");
  // Vietnamese first; English at a click.
  EXPECT_EQ(browser.text("#nav a[href='#schedule']"), "Lịch phát");
  browser.click("#lang");
  ASSERT_TRUE(browser.wait_for_text("#nav a[href='#schedule']", "Schedule"));
  // The overview follows the stations live: the amplifier overheats, and its alarm
  // comes first without a reload.
  ASSERT_TRUE(browser.wait_for_text("#live", "live"));
  amp.faults("over_temperature\n");
  ASSERT_TRUE(browser.wait_for_text("#alarms", "xa-1", 20s)) << browser.text("#alarms");
  EXPECT_NE(browser.text("#alarms li:first-child").find("xa-1"), std::string::npos);
  browser.screenshot("1-overview-alarm");
  amp.faults("");
  // On a phone at the foot of the pole: the overview fits the screen's width.
  browser.resize(390, 844);
  EXPECT_EQ(browser.script("return document.documentElement.scrollWidth <= window.innerWidth;"), "true")
      << browser.script("return [document.documentElement.scrollWidth, window.innerWidth];");
  browser.screenshot("1-overview-phone");
  browser.resize(1280, 900);

  // Scheduling: upload a clip, watch the progress bar fill, schedule it for everyone.
  const std::string wav = fleet.dir() + "/morning-news.wav";
  ASSERT_EQ(run_command("gst-launch-1.0 -q audiotestsrc num-buffers=100 freq=440 ! audio/x-raw,format=S16LE,rate=22050,channels=1 ! wavenc ! filesink location=" +
                        wav).exit_code, 0);
  browser.click("#nav a[href='#schedule']");
  ASSERT_TRUE(browser.wait_for("#clip-file"));
  browser.upload("#clip-file", wav);
  browser.type("#clip-name", "Bản tin sáng");
  browser.click("#clip-upload");
  ASSERT_TRUE(browser.wait_for_text("#clip-status", "100%", 20s)) << browser.text("#clip-status");
  ASSERT_TRUE(browser.wait_for_text("#clip-status", "stored", 20s)) << browser.text("#clip-status");
  EXPECT_EQ(browser.script("return document.getElementById('clip-progress').value;"), "100");
  ASSERT_TRUE(browser.wait_for_text("#clips", "Bản tin sáng"));
  browser.type("#bc-title", "Bản tin sáng");
  browser.click("#bc-save");
  ASSERT_TRUE(browser.wait_for_text("#bc-feedback", "Scheduled", 10s)) << browser.text("#bc-feedback");
  ASSERT_TRUE(browser.wait_for_text("#bc-list", "Bản tin sáng"));
  ASSERT_TRUE(browser.wait_for_text("#bc-calendar", "Bản tin sáng"));
  // The same slot again overlaps it: the console says with what, and offers to override.
  browser.click("#bc-save");
  ASSERT_TRUE(browser.wait_for_text("#bc-feedback", "overlapping", 10s)) << browser.text("#bc-feedback");
  auto first = fleet.api("GET", "/api/v1/broadcasts").body["items"];
  ASSERT_EQ(first.size(), 1u);
  EXPECT_NE(browser.text("#bc-conflicts").find(first[0]["id"].get<std::string>()), std::string::npos);
  browser.screenshot("2-schedule-conflict");
  ASSERT_TRUE(browser.visible("#bc-override-label"));
  browser.click("#bc-override");
  browser.click("#bc-save");
  ASSERT_TRUE(browser.wait_for_text("#bc-feedback", "Scheduled", 10s)) << browser.text("#bc-feedback");
  auto scheduled = fleet.api("GET", "/api/v1/broadcasts").body["items"];
  ASSERT_EQ(scheduled.size(), 2u);
  auto clips = fleet.api("GET", "/api/v1/clips").body["items"];
  ASSERT_EQ(clips.size(), 1u);
  EXPECT_EQ(clips[0]["name"], "Bản tin sáng");
  for (const auto& b : scheduled) {
    EXPECT_EQ(b["content"]["clip_id"], clips[0]["id"]);
    EXPECT_EQ(b["to"], nlohmann::json::array({"all"}));
    EXPECT_EQ(b["state"], "active");
  }

  browser.click("#nav a[href='#alerts']");
  ASSERT_TRUE(browser.wait_for("#alert-text"));

  browser.type("#alert-text", "Bão số chín đang vào bờ. Mọi người ở trong nhà.");
  // No status is chosen for the operator: the form is not sent until one is.
  browser.click("#alert-draft");
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(browser.visible("#alert-confirm"));
  EXPECT_TRUE(fleet.api("GET", "/api/v1/alerts").body["items"].empty());
  // An Actual alert's confirmation cannot be mistaken for a drill's.
  browser.click("#alert-status option[value=actual]");
  browser.click("#alert-draft");
  ASSERT_TRUE(browser.wait_for_text("#alert-stakes", "ACTUAL")) << browser.text("#alert-error");
  EXPECT_NE(browser.text("#alert-stakes").find("3"), std::string::npos) << browser.text("#alert-stakes");
  EXPECT_EQ(browser.script("return document.getElementById('alert-confirm').className;"), "\"actual\"");
  browser.screenshot("3-alert-actual-confirmation");
  // An exercise, which one person may issue.
  browser.click("#alert-status option[value=exercise]");
  browser.click("#alert-draft");
  ASSERT_TRUE(eventually([&] {
    return browser.script("return document.getElementById('alert-confirm').className;") == "\"drill\"";
  }, 10s)) << browser.text("#alert-error");
  EXPECT_EQ(browser.text("#alert-stakes").find("ACTUAL"), std::string::npos) << browser.text("#alert-stakes");
  EXPECT_NE(browser.text("#alert-stakes").find("3"), std::string::npos) << browser.text("#alert-stakes");
  ASSERT_TRUE(browser.wait_for_text("#alert-prompt", "3 stations")) << browser.text("#alert-error");
  // A wrong count is refused and nothing goes out.
  browser.type("#alert-count", "30");
  browser.click("#alert-issue");
  ASSERT_TRUE(browser.wait_for_text("#alert-error", "would sound on 3 stations")) << browser.text("#alert-error");
  browser.type("#alert-count", "3");
  browser.click("#alert-issue");
  ASSERT_TRUE(browser.wait_for_text("#alert-progress", "3/3 sounding", 10s)) << browser.text("#alert-progress");
  // The list shows what the panel shows.
  ASSERT_TRUE(browser.wait_for_text("#alert-history", "3/3 sounding", 10s)) << browser.text("#alert-history");
  browser.screenshot("4-alert-sounding");

  browser.click("#alert-cancel");
  browser.accept_dialog();
  ASSERT_TRUE(browser.wait_for_text("#alert-state", "cancelled")) << browser.text("#alert-state");
  ASSERT_TRUE(browser.wait_for_text("#alert-progress", "3 stopped", 10s)) << browser.text("#alert-progress");
  ASSERT_TRUE(browser.wait_for_text("#alert-stations", "stopped", 10s)) << browser.text("#alert-stations");
  browser.screenshot("5-alert-cancelled");
  ASSERT_TRUE(browser.wait_for_text("#alert-history", "cancelled", 10s)) << browser.text("#alert-history");
  // The station's page: the amplifier's readings and a chart of its temperature.
  browser.click("#nav a[href='#dashboard']");
  ASSERT_TRUE(browser.wait_for("a.station[href='#station/xa-1']"));
  browser.click("a.station[href='#station/xa-1']");
  ASSERT_TRUE(browser.wait_for_text("#station-id", "xa-1"));
  ASSERT_TRUE(browser.wait_for_text("#station-devices", "amp", 10s)) << browser.text("#station-devices");
  // The temperature chart reads: time along the bottom in the controller's zone, the
  // unit up the side, the amplifier's alarm threshold (75 °C in its profile) drawn in,
  // and the very readings the telemetry API gives.
  ASSERT_TRUE(eventually([&] {
    return browser.script("const c = window.Chart && Chart.getChart('chart-temperature');"
                          "return !!c && c.data.datasets.some((d) => d.device === 'amp' && d.data.length >= 3);") == "true";
  }, 10s)) << browser.text("#station-charts");
  const auto chart = nlohmann::json::parse(browser.script(
      "const c = Chart.getChart('chart-temperature');"
      "return { x: c.options.scales.x.title.text, y: c.options.scales.y.title.text,"
      "  line: c.data.datasets.find((d) => d.device === 'amp').data,"
      "  thresholds: c.data.datasets.filter((d) => d.threshold).map((d) => [d.threshold.device_id, d.threshold.value, d.data[0].y]) };"));
  EXPECT_EQ(chart["x"], "Time (Asia/Ho_Chi_Minh, GMT+7)") << chart.dump();
  EXPECT_EQ(chart["y"], "Temperature (°C)") << chart.dump();
  EXPECT_EQ(chart["thresholds"], nlohmann::json::parse(R"([["amp", 75, 75]])")) << chart.dump();
  const auto telemetry =
      fleet.api("GET", "/api/v1/stations/xa-1/telemetry?device=amp&limit=10000&since_ms=" + std::to_string(now_ms() - 3600 * 1000))
          .body["items"];
  std::map<std::int64_t, double> measured;
  for (const auto& r : telemetry) {
    if (r.contains("temperature_c")) measured[r["measured_at_ms"].get<std::int64_t>()] = r["temperature_c"].get<double>();
  }
  for (const auto& point : chart["line"]) {
    const auto at = point["x"].get<std::int64_t>();
    ASSERT_TRUE(measured.count(at)) << "charted at " << at << ", which the API does not list";
    EXPECT_DOUBLE_EQ(point["y"].get<double>(), measured[at]) << at;
  }
  const auto readings = browser.text("#station-devices");
  EXPECT_NE(readings.find("amp yes"), std::string::npos) << readings;  // reachable, polled every 200 ms
  // The technician's silent test: the answer comes back on the page.
  browser.click("#station-silent-test");
  ASSERT_TRUE(browser.wait_for_text("#station-result", "Silent test: ", 20s)) << browser.text("#station-result");
  EXPECT_EQ(browser.text("#station-result").find("pending"), std::string::npos) << browser.text("#station-result");
  browser.screenshot("6-station-page");
  // The licence, set from the page, is the one the controller keeps and the station gets.
  ASSERT_TRUE(browser.wait_for_text("#station-licence", "No licence on the controller"));
  browser.type("#licence-form [name=assigned_khz]", "64500");
  browser.type("#licence-form [name=tolerance_khz]", "10");
  browser.type("#licence-form [name=max_power_w]", "30");
  (void)browser.script("document.querySelector('#licence-form [name=expires]').value = '2031-05-31'; return '';");
  browser.click("#licence-form button");
  ASSERT_TRUE(browser.wait_for_text("#station-licence", "at the station: applied", 10s)) << browser.text("#station-licence");
  // Its hardware configuration, pushed from the desk: the page says which version it
  // runs and how the push went.
  ASSERT_TRUE(browser.wait_for_text("#station-config", "No configuration kept on the controller"));
  std::filesystem::create_directories(fleet.dir() + "/site/profiles");
  std::filesystem::copy_file(firmware + "/profiles/fm-amplifier-generic.yaml", fleet.dir() + "/site/profiles/amp.yaml");
  write_file(fleet.dir() + "/site/xa-1.yaml",
             "kind: ip_cluster\n"
             "devices:\n"
             "  - {id: amp, profile: profiles/amp.yaml, tcp: \"127.0.0.1:" + std::to_string(amp.port) +
                 "\", unit_id: 2, poll_interval_ms: 200}\n");
  const auto pushed = fleet.loactl("config push " + fleet.dir() + "/site/xa-1.yaml --to xa-1 --note first");
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out;
  ASSERT_TRUE(browser.wait_for_text("#station-config", "Running v1", 30s)) << browser.text("#station-config");
  const auto versions = browser.text("#station-config-versions");
  EXPECT_NE(versions.find("v1 ✔"), std::string::npos) << versions;
  EXPECT_NE(versions.find("applied"), std::string::npos) << versions;
  EXPECT_NE(versions.find("first"), std::string::npos) << versions;
  browser.screenshot("7-station-configuration");
  const auto licence = fleet.api("GET", "/api/v1/stations/xa-1/licence").body;
  EXPECT_EQ(licence["expires"], "2031-05-31");
  EXPECT_EQ(licence["max_power_w"], 30);
  EXPECT_EQ(licence["updated_by"], "admin");
  // What the browser showed is what the stations did.
  auto alerts = fleet.api("GET", "/api/v1/alerts").body["items"];
  ASSERT_EQ(alerts.size(), 2u);
  std::map<std::string, std::string> state_by_status;
  for (const auto& a : alerts) {
    state_by_status[a["status"]] = a["state"];
    EXPECT_EQ(a["created_by"], "admin");
  }
  EXPECT_EQ(state_by_status["exercise"], "cancelled");
  EXPECT_EQ(state_by_status["actual"], "draft");  // never confirmed: nothing sounded
}

// Approval before air in the browser: the commune's approver hears a broadcast its
// operator made, passes one and sends another back with a reason.
TEST(Console, AnApproverHearsABroadcastAndPassesOrSendsItBack) {
  if (!Browser::available()) GTEST_SKIP() << "chromium and chromium-driver are not installed (deploy/install-deps)";
  Fleet fleet;
  fleet.start_controller();
  fleet.start_agent("xa-1");
  fleet.enroll({"xa-1"});
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 10000));
  ASSERT_EQ(fleet.api("PUT", "/api/v1/zones/phu-vang", {{"stations", {"xa-1"}}, {"needs_approval", true}}).status, 200);
  for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{{"op", "operator"}, {"duyet", "approver"}}) {
    ASSERT_EQ(fleet.api("POST", "/api/v1/users",
                        {{"name", name}, {"password", name + "-password"}, {"roles", {role}}, {"zones", {"phu-vang"}}})
                  .status,
              201);
  }
  const auto clip = fleet.add_tone_clip("thong-bao-hop", 1);
  const auto op = fleet.login("op", "op-password");
  std::map<std::string, std::string> ids;
  for (const auto& [title, start] : std::vector<std::pair<std::string, std::string>>{{"Họp dân", "2030-01-01T06:00:00"},
                                                                                      {"Sai giờ", "2030-01-01T07:00:00"}}) {
    auto r = fleet.api_session(op, "POST", "/api/v1/broadcasts",
                               nlohmann::json{{"title", title}, {"clip_id", clip}, {"to", "phu-vang"}, {"start", start}}.dump());
    ASSERT_EQ(r.status, 201) << r.text;
    ids[title] = r.body["id"];
  }

  Browser browser(std::string(LOA_ARTIFACTS_DIR) + "/console");
  browser.go("http://127.0.0.1:" + std::to_string(fleet.http_port()) + "/");
  ASSERT_TRUE(browser.wait_for("#login input[name=password]"));
  browser.type("#login input[name=user]", "duyet");
  browser.type("#login input[name=password]", "duyet-password");
  browser.click("#login button");
  ASSERT_TRUE(browser.wait_for_text("#who", "duyet (approver)")) << browser.text("#login-error");
  browser.click("#nav a[href='#approvals']");
  ASSERT_TRUE(browser.wait_for_text("#approvals-rows", "Họp dân")) << browser.text("#approvals-rows");
  ASSERT_TRUE(browser.wait_for_text("#approvals-rows", "Sai giờ"));
  // The approver can hear it: the player's source is the clip, and it is served to them.
  const auto audio = browser.script(
      "const a = [...document.querySelectorAll('#approvals-rows audio')][0];"
      "return fetch(a.src).then(r => r.status + ' ' + r.headers.get('Content-Type'));");
  EXPECT_EQ(audio, "\"200 audio/ogg\"") << audio;
  browser.screenshot("7-approvals-waiting");
  // Sent back with a reason; passed.
  (void)browser.script(
      "for (const tr of document.querySelectorAll('#approvals-rows tr')) {"
      "  if (tr.textContent.includes('Sai giờ')) { tr.querySelector('input').value = 'sai giờ phát';"
      "    tr.querySelectorAll('button')[1].click(); }"
      "} return '';");
  ASSERT_TRUE(eventually([&] { return browser.text("#approvals-rows").find("Sai giờ") == std::string::npos; }, 10s))
      << browser.text("#approvals-rows");
  (void)browser.script(
      "for (const tr of document.querySelectorAll('#approvals-rows tr')) {"
      "  if (tr.textContent.includes('Họp dân')) tr.querySelectorAll('button')[0].click();"
      "} return '';");
  ASSERT_TRUE(eventually([&] { return browser.text("#approvals-rows").find("Họp dân") == std::string::npos; }, 10s))
      << browser.text("#approvals-rows");
  (void)browser.script("const s = document.getElementById('approvals-state'); s.value = 'all';"
                       "s.dispatchEvent(new Event('change')); return '';");
  ASSERT_TRUE(browser.wait_for_text("#approvals-rows", "sai giờ phát")) << browser.text("#approvals-rows");
  browser.screenshot("8-approvals-decided");
  // What the page did is what the controller holds.
  const auto passed = fleet.api("GET", "/api/v1/broadcasts/" + ids["Họp dân"]).body;
  EXPECT_EQ(passed["state"], "active") << passed.dump();
  EXPECT_EQ(passed["approval"]["decided_by"], "duyet");
  const auto returned = fleet.api("GET", "/api/v1/broadcasts/" + ids["Sai giờ"]).body;
  EXPECT_EQ(returned["state"], "returned") << returned.dump();
  EXPECT_EQ(returned["approval"]["note"], "sai giờ phát");
}


// Federated: the province sends a normal bulletin down from its console; at the member,
// an operator finds it in the inbox and takes it into the programme at a time.
TEST(Console, AProvinceSendsABulletinDownAndTheCommuneTakesItIntoItsProgramme) {
  if (!Browser::available()) GTEST_SKIP() << "chromium and chromium-driver are not installed (deploy/install-deps)";
  Fleet above;
  above.start_controller();
  FleetOptions o;
  o.controller_extra = "federation:\n"
                       "  member_id: xa-cam-binh\n"
                       "  above: tcp://127.0.0.1:" + std::to_string(above.control_port()) + "\n"
                       "  above_enroll: tcp://127.0.0.1:" + std::to_string(above.enroll_port()) + "\n"
                       "  above_public_key_file: " + above.dir() + "/controller/controller.pub\n"
                       "  report_interval_ms: 300\n";
  Fleet member(o);
  member.start_controller();
  member.start_agent("cb-1");
  member.enroll({"cb-1"});
  ASSERT_TRUE(above.wait_for_state("xa-cam-binh", "pending", 15000));
  ASSERT_EQ(above.api("POST", "/api/v1/stations/xa-cam-binh/approve",
                      {{"fingerprint", member.api("GET", "/api/v1/uplink").body["fingerprint"]}})
                .status,
            200);
  for (auto* fleet : {&above, &member}) {
    ASSERT_EQ(fleet->api("POST", "/api/v1/users", {{"name", "bien-tap"}, {"password", "bien-tap-password"}, {"roles", {"operator"}}})
                  .status,
              201);
  }
  auto sign_in = [](Browser& browser, const Fleet& fleet) {
    browser.go("http://127.0.0.1:" + std::to_string(fleet.http_port()) + "/");
    ASSERT_TRUE(browser.wait_for("#login input[name=password]"));
    browser.type("#login input[name=user]", "bien-tap");
    browser.type("#login input[name=password]", "bien-tap-password");
    browser.click("#login button");
    ASSERT_TRUE(browser.wait_for_text("#who", "bien-tap")) << browser.text("#login-error");
    browser.click("#nav a[href='#federation']");
  };

  Browser browser(std::string(LOA_ARTIFACTS_DIR) + "/console");
  sign_in(browser, above);
  ASSERT_TRUE(eventually([&] {
    (void)browser.script("location.hash = '#dashboard'; location.hash = '#federation'; return '';");
    return browser.text("#members-rows").find("1/1") != std::string::npos;
  }, 20s)) << browser.text("#members-rows");
  // The members' plays are charted by day, in the controller's zone.
  ASSERT_TRUE(eventually([&] { return browser.script("return !!(window.Chart && Chart.getChart('chart-member-plays'));") == "true"; }, 10s));
  EXPECT_EQ(browser.script("return Chart.getChart('chart-member-plays').options.scales.x.title.text;"),
            "\"Ngày (Asia/Ho_Chi_Minh)\"");
  browser.type("#relay-title", "Tiêm phòng");
  browser.type("#relay-text", "Lịch tiêm phòng cho trẻ em tuần tới.");
  browser.type("#relay-to", "member:xa-cam-binh");
  browser.click("#relay-form button");
  ASSERT_TRUE(browser.wait_for_text("#relay-result", "R-B-")) << browser.text("#relay-result");
  browser.screenshot("9-federation-sent-down");

  sign_in(browser, member);
  ASSERT_TRUE(eventually([&] {
    (void)browser.script("location.hash = '#dashboard'; location.hash = '#federation'; return '';");
    return browser.text("#inbox-rows").find("Tiêm phòng") != std::string::npos;
  }, 20s)) << browser.text("#inbox-rows");
  (void)browser.script(
      "const tr = document.querySelector('#inbox-rows tr'); tr.querySelector('input').value = '2030-01-01T06:30';"
      "tr.querySelectorAll('button')[0].click(); return '';");
  ASSERT_TRUE(browser.wait_for_text("#inbox-rows", "accepted")) << browser.text("#inbox-rows");
  browser.screenshot("10-federation-inbox-accepted");
  // What the page did is what the member holds, and what the province is told.
  const auto inbox = member.api("GET", "/api/v1/inbox").body["items"];
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0]["decided_by"], "bien-tap");
  const auto broadcast = member.api("GET", "/api/v1/broadcasts/" + inbox[0]["broadcast_id"].get<std::string>()).body;
  EXPECT_EQ(broadcast["start"], "2030-01-01T06:30") << broadcast.dump();
  EXPECT_TRUE(eventually([&] {
    return above.api("GET", "/api/v1/relays").body["items"][0]["members"][0]["state"] == "accepted";
  }, 10s));
}

}  // namespace
}  // namespace loa::test
