// The console on the demo as a newcomer starts it (deploy/demo, no tile source):
// every demo station stands at its coordinates on a plain background, and a station
// whose amplifier overheats stands out; and from a browser whose clock is in UTC, an
// operator schedules in Vietnam's time and reads refusals in Vietnamese. Screenshots are
// kept in build/test-artifacts/console-demo/.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "support/browser.hpp"
#include "support/process.hpp"

namespace loa::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

bool port_free(int port) {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    const int fd = ::socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (!ok) return false;
  }
  return true;
}

// The demo takes the console's port and six from the control port on: a run of them free.
int free_port_run(int count) {
  std::mt19937 pick(std::random_device{}());
  for (;;) {
    const int base = 20000 + static_cast<int>(pick() % 12000);
    bool all = true;
    for (int p = base; p < base + count && all; ++p) all = port_free(p);
    if (all) return base;
  }
}

// The point on the screen the Web Mercator projection gives a position, up to the
// map's own scale and offset (which the test fits from the stations themselves).
double mercator_y(double lat) { return std::log(std::tan(M_PI / 4 + lat * M_PI / 360)); }

class Demo {
 public:
  explicit Demo(const std::string& dir) : dir_(dir) {
    const int base = free_port_run(8);
    http_port_ = base;
    ChildProcess p({std::string(LOA_SOURCE_DIR) + "/deploy/demo", "--no-build", "--stations", "4", "--http-port",
                    std::to_string(base), "--control-port", std::to_string(base + 2), "--data-dir", dir + "/data"},
                   dir + "/demo.out");
    process_ = std::move(p);
  }
  ~Demo() {
    process_.stop(SIGTERM, 20s);
    (void)run_command("pkill -KILL -f '" + dir_ + "/data' 2>/dev/null");
  }
  bool ready() {
    return eventually([&] { return process_.log().find("\nready\n") != std::string::npos; }, 120s, 200ms);
  }
  [[nodiscard]] std::string line(const std::string& prefix) const {
    std::istringstream in(process_.log());
    for (std::string l; std::getline(in, l);) {
      if (l.rfind(prefix, 0) == 0) return l.substr(prefix.size());
    }
    return "";
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  [[nodiscard]] std::string dir() const { return dir_; }
  [[nodiscard]] std::string log() const { return process_.log(); }
  [[nodiscard]] json get(const std::string& path) const { return call("GET", path); }
  json call(const std::string& method, const std::string& path, const json& body = nullptr) const {
    const std::string data = body.is_null() ? "" : " -H 'Content-Type: application/json' --data-binary @" + write_body(body);
    const auto r = run_command("curl -fsS -X " + method + " -H 'Authorization: Bearer " + line("token: ") + "'" + data +
                               " '" + url() + path + "'");
    return r.exit_code == 0 ? json::parse(r.out, nullptr, false) : json();
  }
  // Signs in (admin by default) in a fresh browser.
  void sign_in(Browser& browser, const std::string& user = "admin", std::string password = "") const {
    if (password.empty()) password = line("login: admin ");
    browser.go(url() + "/");
    ASSERT_TRUE(browser.wait_for("#login input[name=password]"));
    browser.type("#login input[name=user]", user);
    browser.type("#login input[name=password]", password);
    browser.click("#login button");
    ASSERT_TRUE(browser.wait_for("#nav a[href='#map']"));
  }

 private:
  std::string write_body(const json& body) const {
    const auto path = dir_ + "/request.json";
    write_file(path, body.dump());
    return path;
  }

  std::string dir_;
  int http_port_ = 0;
  ChildProcess process_;
};

// Each test on a demo of its own (four stations), in a folder of its own.
class ConsoleOnTheDemo : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Browser::available()) GTEST_SKIP() << "chromium and chromium-driver are not installed (deploy/install-deps)";
    demo = std::make_unique<Demo>(dir.path());
    ASSERT_TRUE(demo->ready()) << demo->log();
  }

  ScratchDir dir;
  std::unique_ptr<Demo> demo;
};

// Whether the map has drawn a marker for each of the demo's four stations.
bool all_markers_drawn(Browser& browser) {
  return browser.script("return document.querySelectorAll('#map-view path[data-station]').length;") == "4";
}

TEST_F(ConsoleOnTheDemo, EveryStationStandsOnTheMapAtItsCoordinatesAndOneWithAnAlarmStandsOut) {
  const auto stations = demo->get("/api/v1/stations")["items"];
  ASSERT_EQ(stations.size(), 4u) << stations.dump();
  for (const auto& s : stations) ASSERT_TRUE(s["position"].is_object()) << "no position: " << s.dump();

  // demo-1's amplifier overheats: its alarm is open before the map is looked at.
  write_file(dir.path() + "/data/agents/demo-1/devsim.faults", "over_temperature\n");
  ASSERT_TRUE(eventually([&] {
    const auto alarms = demo->get("/api/v1/alarms");  // held: a loop over a temporary's member dangles
    for (const auto& a : alarms["items"]) {
      if (a["station_id"] == "demo-1") return true;
    }
    return false;
  }, 30s)) << demo->get("/api/v1/alarms").dump();

  Browser browser(std::string(LOA_ARTIFACTS_DIR) + "/console-demo");
  demo->sign_in(browser);
  browser.click("#nav a[href='#map']");
  ASSERT_TRUE(eventually([&] { return all_markers_drawn(browser); }, 15s))
      << browser.script("return document.getElementById('map-note').textContent;");
  ASSERT_TRUE(eventually([&] {
    return browser.script("return !!document.querySelector(\"#map-view path[data-station='demo-1'].alarmed\");") == "true";
  }, 15s));
  browser.screenshot("1-map-plain");

  // Every marker is inside the map's frame, where a person sees it.
  const char* kAllInView =
      "const m = document.getElementById('map-view').getBoundingClientRect();"
      "return [...document.querySelectorAll('#map-view path[data-station]')].every((p) => {"
      "  const r = p.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;"
      "  return x > m.left && x < m.right && y > m.top && y < m.bottom; });";
  EXPECT_EQ(browser.script(kAllInView), "true");
  // No tile source: nothing is fetched, the ground is plain.
  EXPECT_EQ(browser.script("return document.querySelectorAll('#map-view img.leaflet-tile').length;"), "0");
  EXPECT_EQ(browser.script("return document.getElementById('map-view').classList.contains('plain');"), "true");

  // Each marker's centre on the screen, against its station's position.
  const auto placed = json::parse(browser.script(
      "const m = document.getElementById('map-view').getBoundingClientRect(); const out = {};"
      "for (const p of document.querySelectorAll('#map-view path[data-station]')) {"
      "  const r = p.getBoundingClientRect();"
      "  out[p.dataset.station] = { x: r.left + r.width / 2 - m.left, y: r.top + r.height / 2 - m.top,"
      "    fill: getComputedStyle(p).fill, width: r.width, alarmed: p.classList.contains('alarmed') }; }"
      "return out;"));
  std::map<std::string, std::pair<double, double>> where;  // lon, mercator y
  for (const auto& s : stations) {
    where[s["id"]] = {s["position"]["lon"].get<double>(), mercator_y(s["position"]["lat"].get<double>())};
  }
  // Fit the screen's scale from the two stations farthest apart east to west, then every
  // station must fall where that scale puts it (north up, one scale both ways).
  std::string west = stations[0]["id"], east = west;
  for (const auto& [id, p] : where) {
    if (p.first < where[west].first) west = id;
    if (p.first > where[east].first) east = id;
  }
  ASSERT_NE(west, east);
  const double px_per_rad = (placed[east]["x"].get<double>() - placed[west]["x"].get<double>()) /
                            ((where[east].first - where[west].first) * M_PI / 180);
  ASSERT_GT(px_per_rad, 0);
  for (const auto& [id, p] : where) {
    const double x = placed[west]["x"].get<double>() + (p.first - where[west].first) * M_PI / 180 * px_per_rad;
    const double y = placed[west]["y"].get<double>() - (p.second - where[west].second) * px_per_rad;
    EXPECT_NEAR(placed[id]["x"].get<double>(), x, 2.0) << id;
    EXPECT_NEAR(placed[id]["y"].get<double>(), y, 2.0) << id;
  }
  // The alarmed station stands out: larger, and the only one ringed as alarmed.
  for (const auto& [id, p] : where) {
    if (id == "demo-1") continue;
    EXPECT_FALSE(placed[id]["alarmed"].get<bool>()) << id;
    EXPECT_GT(placed["demo-1"]["width"].get<double>(), placed[id]["width"].get<double>() * 1.4) << id;
  }
  // The zone tree beside the map names both communes, each with its stations.
  const auto tree = browser.text("#map-tree");
  EXPECT_NE(tree.find("Cẩm Bình"), std::string::npos) << tree;
  EXPECT_NE(tree.find("Thạch Hà"), std::string::npos) << tree;
  // A marker leads to its station's page: by a click, and from the keyboard (focus, Enter).
  (void)browser.script("document.querySelector(\"#map-view path[data-station='demo-2']\")"
                 ".dispatchEvent(new MouseEvent('click', {bubbles: true})); return 0;");
  ASSERT_TRUE(browser.wait_for_text("#station-id", "demo-2"));
  browser.go(demo->url() + "/#map");
  ASSERT_TRUE(eventually([&] { return all_markers_drawn(browser); }, 15s));
  EXPECT_EQ(browser.script("return document.querySelector(\"#map-view path[data-station='demo-3']\").tabIndex;"), "0");
  (void)browser.script("const m = document.querySelector(\"#map-view path[data-station='demo-3']\"); m.focus();"
                       "m.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); return 0;");
  ASSERT_TRUE(browser.wait_for_text("#station-id", "demo-3"));
  // On a phone the map and the tree stack, and nothing runs off the side.
  browser.resize(360, 740);
  browser.go(demo->url() + "/#map");
  ASSERT_TRUE(eventually([&] { return all_markers_drawn(browser); }, 15s));
  EXPECT_EQ(browser.script("return document.documentElement.scrollWidth <= window.innerWidth;"), "true");
  EXPECT_EQ(browser.script(kAllInView), "true");
  browser.screenshot("2-map-phone");
  write_file(dir.path() + "/data/agents/demo-1/devsim.faults", "");
}

// The day after today in Vietnam (UTC+7, no daylight saving), as YYYY-MM-DD.
std::string tomorrow_in_vietnam() {
  const std::time_t t = static_cast<std::time_t>((now_ms() / 1000) + 7 * 3600 + 24 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
  return day;
}

TEST_F(ConsoleOnTheDemo, FromABrowserInUtcABroadcastFor0600IsVietnamsSixOClockAndRefusalsSpeakVietnamese) {
  // The demo's sample bulletin every 15 minutes may fall at 06:00; it goes, so that the
  // one conflict below is the test's own.
  const auto sample = demo->get("/api/v1/broadcasts");
  for (const auto& b : sample["items"]) {
    if (b["rrule"] == "FREQ=MINUTELY;INTERVAL=15") demo->call("DELETE", "/api/v1/broadcasts/" + b["id"].get<std::string>());
  }
  // The browser's machine is set to UTC: seven hours from the district's clock.
  ::setenv("TZ", "UTC", 1);
  Browser browser(std::string(LOA_ARTIFACTS_DIR) + "/console-demo");
  ::unsetenv("TZ");
  demo->sign_in(browser);
  ASSERT_EQ(browser.script("return Intl.DateTimeFormat().resolvedOptions().timeZone;"), "\"UTC\"");
  ASSERT_EQ(browser.text("#nav a[href='#schedule']"), "Lịch phát");  // the page is in Vietnamese
  browser.click("#nav a[href='#schedule']");
  ASSERT_TRUE(browser.wait_for("#bc-start"));
  ASSERT_TRUE(eventually([&] { return browser.script("return document.getElementById('bc-clip').options.length > 1;") == "true"; }, 10s));
  EXPECT_EQ(browser.script("return document.getElementById('bc-zone').value;"), "\"Asia/Ho_Chi_Minh\"");
  const auto day = tomorrow_in_vietnam();
  auto fill = [&] {
    browser.type("#bc-title", "Bản tin sáu giờ");
    browser.type("#bc-to", "demo-1");
    (void)browser.script("const c = document.getElementById('bc-clip'); c.value = c.options[1].value;"
                         "document.getElementById('bc-start').value = '" + day + "T06:00'; return '';");
  };
  fill();
  browser.click("#bc-save");
  ASSERT_TRUE(browser.wait_for_text("#bc-feedback", "Đã xếp lịch", 10s)) << browser.text("#bc-feedback");
  // Stored at six in the morning in Vietnam, not at six UTC (13:00 there).
  json mine;
  const auto listed = demo->get("/api/v1/broadcasts");
  for (const auto& b : listed["items"]) {
    if (b["title"] == "Bản tin sáu giờ") mine = b;
  }
  ASSERT_TRUE(mine.is_object()) << listed.dump();
  EXPECT_EQ(mine["next"], day + "T06:00:00+07:00") << mine.dump();
  EXPECT_EQ(mine["tz"], "Asia/Ho_Chi_Minh");
  EXPECT_NE(browser.text("#bc-feedback").find("06:00:00 GMT+7"), std::string::npos) << browser.text("#bc-feedback");
  // The same slot again: refused, in Vietnamese, at that same time.
  fill();
  browser.click("#bc-save");
  ASSERT_TRUE(browser.wait_for_text("#bc-feedback", "Trùng 1 lần phát", 10s)) << browser.text("#bc-feedback");
  const auto refusal = browser.text("#bc-feedback");
  EXPECT_NE(refusal.find(mine["id"].get<std::string>() + " (normal) lúc "), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("06:00:00 GMT+7"), std::string::npos) << refusal;
  EXPECT_EQ(refusal.find("overlapping"), std::string::npos) << refusal;
  // The week grid: the same six o'clock, on the day it falls in Vietnam, its zone named.
  ASSERT_TRUE(browser.wait_for_text("#bc-calendar", "06:00 Bản tin sáu giờ", 10s)) << browser.text("#bc-calendar");
  EXPECT_NE(browser.text("#bc-calendar-zone").find("Asia/Ho_Chi_Minh (GMT+7)"), std::string::npos);
  EXPECT_EQ(browser.script("const days = [...document.querySelectorAll('#bc-calendar .day')];"
                           "return days.findIndex((d) => d.textContent.includes('Bản tin sáu giờ'));"), "1");
  browser.screenshot("3-schedule-utc-browser");

  // A wrong station count for an alert: refused, in Vietnamese, with the right count.
  browser.click("#nav a[href='#alerts']");
  ASSERT_TRUE(browser.wait_for("#alert-text"));
  browser.type("#alert-text", "Diễn tập: bão vào bờ.");
  browser.click("#alert-status option[value=exercise]");
  browser.click("#alert-draft");
  ASSERT_TRUE(browser.wait_for_text("#alert-prompt", "tới 4 trạm", 20s)) << browser.text("#alert-error");
  browser.type("#alert-count", "30");
  browser.click("#alert-issue");
  ASSERT_TRUE(browser.wait_for_text("#alert-error", "Cảnh báo sẽ phát trên 4 trạm", 10s)) << browser.text("#alert-error");
  EXPECT_NE(browser.text("#alert-error").find("đã nhập 30"), std::string::npos) << browser.text("#alert-error");
  browser.screenshot("4-alert-wrong-count-vi");
}

// A technician at the foot of a pole, phone in one hand (360 px wide): finds the station
// by its commune, reads its health and its alarm, acknowledges the alarm and runs the
// silent test, every target big enough for a thumb.
TEST_F(ConsoleOnTheDemo, ATechniciansPhoneFindsAStationAcknowledgesItsAlarmAndRunsTheSilentTest) {
  ASSERT_TRUE(demo->call("POST", "/api/v1/users", {{"name", "ky-thuat"}, {"password", "cot-loa-thach-ha"},
                                                   {"roles", {"technician"}}}).is_object());
  // demo-2's amplifier reports a fault.
  write_file(dir.path() + "/data/agents/demo-2/devsim.faults", "over_temperature\n");
  ASSERT_TRUE(eventually([&] {
    const auto alarms = demo->get("/api/v1/stations/demo-2/alarms?active=1");
    return alarms.is_object() && !alarms["items"].empty();
  }, 30s));

  Browser browser(std::string(LOA_ARTIFACTS_DIR) + "/console-demo");
  browser.resize(360, 740);
  demo->sign_in(browser, "ky-thuat", "cot-loa-thach-ha");
  // Find it: "thach ha" typed without marks finds the commune's stations, and only them.
  ASSERT_TRUE(browser.wait_for("tr[data-station='demo-1']"));
  browser.type("#station-search", "thach ha");
  ASSERT_TRUE(eventually([&] {
    return browser.script("return [...document.querySelectorAll('#stations tr')].map((r) => r.dataset.station).join(',');") ==
           "\"demo-2,demo-4\"";
  }, 5s)) << browser.text("#stations");
  browser.screenshot("5-phone-find");
  browser.click("a.station[href='#station/demo-2']");
  ASSERT_TRUE(browser.wait_for_text("#station-id", "demo-2"));
  // Its health and its alarm, newest first.
  ASSERT_TRUE(browser.wait_for_text("#station-devices", "amp", 10s));
  // In Vietnamese, as the device's profile words it (message_vi), not the English.
  ASSERT_TRUE(browser.wait_for_text("#station-alarms", "nghiêm trọng: Bộ khuếch đại quá nhiệt (temperature 88.00)", 10s))
      << browser.text("#station-alarms");
  EXPECT_NE(browser.text("#station-alarms").find("GMT+7"), std::string::npos) << browser.text("#station-alarms");
  browser.screenshot("6-phone-station");
  // Nothing runs off the side, and every button is a thumb's size (44 px).
  EXPECT_EQ(browser.script("return document.documentElement.scrollWidth <= window.innerWidth;"), "true");
  EXPECT_EQ(browser.script("return [...document.querySelectorAll('section[data-page=station] button')]"
                           ".filter((b) => b.offsetParent).every((b) => b.getBoundingClientRect().height >= 44);"),
            "true");
  // The silent test's button stays within reach at the bottom while the page scrolls.
  (void)browser.script("window.scrollTo(0, document.body.scrollHeight); return 0;");
  EXPECT_EQ(browser.script("const r = document.getElementById('station-silent-test').getBoundingClientRect();"
                           "return r.bottom <= window.innerHeight && r.top >= window.innerHeight / 2;"),
            "true");
  // Acknowledge the newest alarm: the controller records it.
  ASSERT_TRUE(browser.wait_for("#station-alarms li[data-alarm] button"));
  const auto first = browser.script("return document.querySelector('#station-alarms li[data-alarm]').dataset.alarm;");
  browser.click("#station-alarms li[data-alarm] button");
  ASSERT_TRUE(eventually([&] {
    const auto alarms = demo->get("/api/v1/stations/demo-2/alarms?active=1");
    for (const auto& a : alarms.value("items", json::array())) {
      if (json(a["alarm_id"]).dump() == first) return a["acknowledged_by"] == "ky-thuat";  // who, by name
    }
    return false;
  }, 10s)) << first << demo->get("/api/v1/stations/demo-2/alarms?active=1").dump();
  ASSERT_TRUE(browser.wait_for_text("#station-alarms", "ky-thuat đã biết", 10s)) << browser.text("#station-alarms");
  // The silent test: each check, and how it went (the overheated amplifier still answers).
  browser.click("#station-silent-test");
  ASSERT_TRUE(browser.wait_for("#station-checks li[data-check='amp.reachable']", 20s)) << browser.text("#station-result");
  EXPECT_NE(browser.text("#station-checks li[data-check='amp.reachable']").find("✔"), std::string::npos)
      << browser.text("#station-checks");
  EXPECT_NE(browser.text("#station-checks").find("liên lạc Modbus"), std::string::npos) << browser.text("#station-checks");
  browser.screenshot("7-phone-silent-test");
  write_file(dir.path() + "/data/agents/demo-2/devsim.faults", "");
}

// axe-core, from npm as a test dependency only (deploy/test installs it under build/).
std::string axe_source() {
  std::ifstream in(LOA_AXE_JS);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The main pages checked by axe-core: no serious or critical violation of WCAG 2 A/AA
// (labels, names, contrast, keyboard reach) on any of them.
TEST_F(ConsoleOnTheDemo, TheMainPagesHaveNoSeriousOrCriticalAccessibilityViolations) {
  const auto axe = axe_source();
  if (axe.empty()) GTEST_SKIP() << "axe-core is not installed at " LOA_AXE_JS " (deploy/test installs it with npm)";
  write_file(dir.path() + "/data/agents/demo-1/devsim.faults", "over_temperature\n");
  Browser browser(std::string(LOA_ARTIFACTS_DIR) + "/console-demo");
  demo->sign_in(browser);
  for (const std::string page : {"dashboard", "map", "station/demo-1", "schedule", "alerts", "asrun", "approvals",
                                 "federation", "users", "audit"}) {
    (void)browser.script("location.hash = '#" + page + "'; return 0;");
    const auto section = page.substr(0, page.find('/'));
    ASSERT_TRUE(eventually([&] {
      return browser.script("const s = document.querySelector('[data-page=" + section + "]'); return !!s && !s.hidden;") == "true";
    }, 10s)) << page;
    std::this_thread::sleep_for(1500ms);  // the page's data drawn
    (void)browser.script(axe + "\n; window.loaAxe = null;"
                         "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })"
                         ".then((r) => { window.loaAxe = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')"
                         ".map((v) => ({ rule: v.id, impact: v.impact, help: v.help,"
                         "  where: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })); },"
                         "(e) => { window.loaAxe = [{ rule: 'axe-failed', help: String(e) }]; }); return 0;");
    std::string found;
    ASSERT_TRUE(eventually([&] {
      found = browser.script("return window.loaAxe;");
      return found != "null";
    }, 30s)) << page;
    EXPECT_EQ(found, "[]") << page << ": " << json::parse(found).dump(2);
  }
}

}  // namespace
}  // namespace loa::test
