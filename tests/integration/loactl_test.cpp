// loactl against a real controller and agents: a play to all or to a zone sounds on
// every station it names (in their WAV output); a misspelt option is refused before
// anything reaches the controller; a URL with a trailing slash works; and every route
// loactl calls is in the controller's OpenAPI document, with the method it uses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "loa/loactl/cli.hpp"
#include "support/fleet.hpp"
#include "support/wav.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::vector<std::string> kStations{"xa-1", "xa-2", "xa-3"};

// Peak of a WAV file's samples: sound, not silence.
int peak(const std::string& path) {
  int p = 0;
  for (auto s : read_wav(path)) p = std::max(p, std::abs(static_cast<int>(s)));
  return p;
}

class Loactl : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fleet = new Fleet();
    fleet->start_controller();
    for (const auto& id : kStations) {
      fleet->set_agent_audio_dir(id, audio_dir(id));
      fleet->start_agent(id);
    }
    fleet->enroll(kStations);
    for (const auto& id : kStations) ASSERT_TRUE(fleet->wait_for_state(id, "online", 10000)) << id;
    ASSERT_EQ(fleet->loactl("zones add thon-dong --kind village --stations xa-1,xa-2").exit_code, 0);
    ASSERT_EQ(fleet->loactl("zones add thon-trong --kind village").exit_code, 0);
    const auto path = fleet->dir() + "/ban-tin.flac";
    ASSERT_EQ(run_command("gst-launch-1.0 -q audiotestsrc num-buffers=43 volume=0.3 ! audioconvert ! flacenc ! "
                          "filesink location=" + path).exit_code, 0);
    auto added = fleet->loactl("--json clips add " + path);
    ASSERT_EQ(added.exit_code, 0) << added.out;
    clip = json::parse(added.out)[0]["id"];
  }
  static void TearDownTestSuite() {
    delete fleet;
    fleet = nullptr;
  }

  static std::string audio_dir(const std::string& id) { return fleet->dir() + "/audio-" + id; }

  // The WAV files a station wrote for a broadcast.
  static std::vector<std::string> wavs(const std::string& station, const std::string& broadcast) {
    std::vector<std::string> out;
    if (!std::filesystem::exists(audio_dir(station))) return out;
    for (const auto& e : std::filesystem::directory_iterator(audio_dir(station))) {
      if (e.path().filename().string().find("-" + broadcast + ".wav") != std::string::npos) out.push_back(e.path());
    }
    return out;
  }

  // What a misspelt command could leave behind on the controller.
  static json traces() {
    return {{"alerts", fleet->api("GET", "/api/v1/alerts").body["items"].size()},
            {"commands", fleet->api("GET", "/api/v1/commands?limit=1000").body["items"].size()},
            {"audit", fleet->api("GET", "/api/v1/audit?limit=1000").body["items"].size()},
            {"broadcasts", fleet->api("GET", "/api/v1/broadcasts?all=1").body["items"].size()},
            {"zones", fleet->api("GET", "/api/v1/zones").body["items"].size()},
            {"users", fleet->api("GET", "/api/v1/users").body["items"].size()}};
  }

  static Fleet* fleet;
  static std::string clip;
};

Fleet* Loactl::fleet = nullptr;
std::string Loactl::clip;

TEST_F(Loactl, PlayToAllAndToAZoneSoundsOnEveryStationItNames) {
  auto all = fleet->loactl("play --clip " + clip + " --to all --broadcast an-to-all");
  ASSERT_EQ(all.exit_code, 0) << all.out;
  EXPECT_NE(all.out.find("queued on 3 of 3 stations"), std::string::npos) << all.out;
  for (const auto& id : kStations) {
    ASSERT_TRUE(eventually([&] { return !wavs(id, "an-to-all").empty(); }, 15s)) << id << "\n" << fleet->agent_log(id);
  }
  // A play ends before its WAV is read: the as-run says when.
  ASSERT_TRUE(eventually([&] {
    return fleet->api("GET", "/api/v1/asrun?broadcast=an-to-all").body["items"].size() == kStations.size();
  }, 15s));
  for (const auto& id : kStations) EXPECT_GT(peak(wavs(id, "an-to-all").front()), 1000) << id;

  auto zone = fleet->loactl("play --clip " + clip + " --to thon-dong --broadcast thon-dong-nghe");
  ASSERT_EQ(zone.exit_code, 0) << zone.out;
  EXPECT_NE(zone.out.find("queued on 2 of 2 stations"), std::string::npos) << zone.out;
  for (const auto& id : {"xa-1", "xa-2"}) {
    ASSERT_TRUE(eventually([&] { return !wavs(id, "thon-dong-nghe").empty(); }, 15s)) << id;
  }
  ASSERT_TRUE(eventually([&] {
    return fleet->api("GET", "/api/v1/asrun?broadcast=thon-dong-nghe").body["items"].size() == 2;
  }, 15s));
  for (const auto& id : {"xa-1", "xa-2"}) EXPECT_GT(peak(wavs(id, "thon-dong-nghe").front()), 1000) << id;
  EXPECT_TRUE(wavs("xa-3", "thon-dong-nghe").empty());

  // stop and volume go the same way, in one request each.
  auto stop = fleet->loactl("--json stop --to thon-dong --broadcast thon-dong-nghe");
  ASSERT_EQ(stop.exit_code, 0) << stop.out;
  EXPECT_EQ(json::parse(stop.out)["stations"], json({"xa-1", "xa-2"}));
  auto volume = fleet->loactl("--json volume 0.5 --to all");
  ASSERT_EQ(volume.exit_code, 0) << volume.out;
  EXPECT_EQ(json::parse(volume.out)["stations"].size(), 3u);

  // A target that holds no station is an error, not "0 of 0".
  auto empty = fleet->loactl("play --clip " + clip + " --to thon-trong");
  EXPECT_EQ(empty.exit_code, 1) << empty.out;
  EXPECT_NE(empty.out.find("no_stations"), std::string::npos) << empty.out;
  auto unknown = fleet->loactl("play --clip " + clip + " --to khong-co");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out;
  EXPECT_NE(unknown.out.find("khong-co"), std::string::npos) << unknown.out;
}

TEST_F(Loactl, AMisspeltOptionIsRefusedAndNothingReachesTheController) {
  const auto before = traces();
  struct Case {
    std::string args;
    std::string named;  // the option the message names
    std::string nearest;
  };
  const std::vector<Case> cases{
      {"alert push --tts \"Thử nghiệm\" --to all --stauts exercise --confirm 3", "--stauts", "--status"},
      {"alert push --tts x --to all --status exercize --confirm 3", "--status", "exercise"},
      {"play --clip " + clip + " --to all --priorty emergency", "--priorty", "--priority"},
      {"play --clip " + clip + " --to all --priority emergncy", "--priority", "emergency"},
      {"broadcasts add --clip " + clip + " --to all --start \"2030-01-01 06:00\" --rrul FREQ=DAILY", "--rrul", "--rrule"},
      {"station amp xa-1 offf", "state", "off"},
      {"station amp xa-1 off --devise amp", "--devise", "--device"},
      {"zones add thon-moi --knd village", "--knd", "--kind"},
      {"users add lan --roles emergency", "--roles", "--role"},
      {"users add lan --role emergncy", "--role", "emergency"},
      {"alert push --tts x --to all --status", "--status", ""},  // a missing value
  };
  for (const auto& c : cases) {
    auto r = fleet->loactl(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.named), std::string::npos) << c.args << "\n" << r.out;
    if (!c.nearest.empty()) {
      EXPECT_NE(r.out.find("did you mean " + c.nearest), std::string::npos) << c.args << "\n" << r.out;
    }
  }
  // An alert pushed by a script must say its status: there is no default.
  auto no_status = fleet->loactl("alert push --tts x --to all --confirm 3 < /dev/null");
  EXPECT_EQ(no_status.exit_code, 2) << no_status.out;
  EXPECT_NE(no_status.out.find("--status"), std::string::npos) << no_status.out;
  EXPECT_EQ(traces(), before);
}

TEST_F(Loactl, AUrlWithATrailingSlashWorksAndAnUnreachableOneIsNamed) {
  const auto base = "http://127.0.0.1:" + std::to_string(fleet->http_port());
  auto slash = run_command(bin("loactl") + " --url " + base + "/ --token " + fleet->token() + " stations");
  EXPECT_EQ(slash.exit_code, 0) << slash.out;
  EXPECT_NE(slash.out.find("xa-1"), std::string::npos) << slash.out;
  auto env = run_command("LOA_URL=" + base + "/ LOA_TOKEN=" + fleet->token() + " " + bin("loactl") + " stations");
  EXPECT_EQ(env.exit_code, 0) << env.out;
  // Nothing listens on port 9 of loopback: the URL and the reason are both said.
  auto down = run_command(bin("loactl") + " --url http://127.0.0.1:9/ --token x stations");
  EXPECT_EQ(down.exit_code, 3) << down.out;
  EXPECT_NE(down.out.find("http://127.0.0.1:9/"), std::string::npos) << down.out;
  EXPECT_NE(down.out.find("refused"), std::string::npos) << down.out;
}

// loactl speaks the operator's language: Vietnamese under a Vietnamese locale, English
// otherwise; the code a script may test stays the same in both.
TEST_F(Loactl, ItsRefusalsFollowTheLocale) {
  const auto base = "--url http://127.0.0.1:" + std::to_string(fleet->http_port()) + " --token " + fleet->token();
  auto vi = run_command("LC_ALL= LANG=vi_VN.UTF-8 " + bin("loactl") + " " + base + " zones show khong-co 2>&1");
  EXPECT_EQ(vi.exit_code, 1) << vi.out;
  EXPECT_NE(vi.out.find("HTTP 404 not_found: không tìm thấy"), std::string::npos) << vi.out;
  auto en = run_command("LC_ALL= LANG=C.UTF-8 " + bin("loactl") + " " + base + " zones show khong-co 2>&1");
  EXPECT_EQ(en.exit_code, 1) << en.out;
  EXPECT_NE(en.out.find("HTTP 404 not_found: no zone"), std::string::npos) << en.out;
  EXPECT_EQ(en.out.find("không"), std::string::npos) << en.out;
  auto down = run_command("LC_ALL=vi_VN.UTF-8 " + bin("loactl") + " --url http://127.0.0.1:9/ --token x stations 2>&1");
  EXPECT_EQ(down.exit_code, 3) << down.out;
  EXPECT_NE(down.out.find("không kết nối được máy chủ tại http://127.0.0.1:9/"), std::string::npos) << down.out;
}

// Records what loactl would ask, answering with enough for every command to go on.
class RecordingApi : public loactl::IApi {
 public:
  RecordingApi(std::set<std::pair<std::string, std::string>>& calls, int& count) : calls_(calls), count_(count) {}
  json call(const std::string& method, const std::string& path, const json&) override {
    record(method, path);
    return answer();
  }
  std::string fetch_text(const std::string& path) override {
    record("GET", path);
    return "";
  }
  json post_text(const std::string& path, const std::string&, const std::string&) override {
    record("POST", path);
    return answer();
  }
  json upload(const std::string& path, const std::string&, const std::string&) override {
    record("POST", path);
    return answer();
  }

 private:
  void record(const std::string& method, const std::string& path) {
    calls_.emplace(method, path.substr(0, path.find('?')));
    ++count_;
  }
  static json answer() {
    return {{"id", "x1"}, {"state", "applied"}, {"items", json::array()}, {"stations", json::array()}, {"target_count", 1},
            {"status", "exercise"}, {"severity", "minor"}, {"intact", true}, {"created", json::array()},
            {"refused", json::array()}, {"counters", json::object()}, {"token", "t"}};
  }
  std::set<std::pair<std::string, std::string>>& calls_;
  int& count_;
};

TEST_F(Loactl, EveryRouteItCallsIsInTheControllersOpenApiDocument) {
  const auto spec = fleet->api("GET", "/api/v1/openapi.json").body;
  ASSERT_TRUE(spec.contains("paths")) << spec.dump();
  const auto dir = fleet->dir();
  std::ofstream(dir + "/s.csv") << "id,public_key\nxa-9,key\n";
  std::ofstream(dir + "/s.ics") << "BEGIN:VCALENDAR\nEND:VCALENDAR\n";
  std::ofstream(dir + "/m.xml") << "<alert/>";
  ::setenv("LOA_NEW_PASSWORD", "password-1234", 1);
  const std::vector<std::string> invocations{
      "stations", "station show a", "station approve a --fingerprint SHA256:0", "station reject a", "station revoke a", "station remove a",
      "station add a --key k", "station import " + dir + "/s.csv", "station ping a", "station health a",
      "station alarms a", "station ack a amp.x", "station amp a on --wait 0", "station mute a off --wait 0",
      "station silent-test a --wait 0", "licences", "station licence a",
      "station set-licence a --khz 99100 --tolerance 10 --max-power 500 --expires 2030-01-01 --wait 0",
      "station asrun a", "commands", "link-stats", "clips", "clips add " + dir + "/s.csv", "clips tts hello",
      "clips show c", "clips rm c", "clips push c --to a --wait 0", "play --clip c --to all", "play --tts t --to all",
      "play --relay http://r/ --to all", "stop --to all", "volume 0.5 --to all", "streams", "streams show s",
      "streams stop s", "broadcasts", "broadcasts add --clip c --to all --start \"2030-01-01 06:00\"",
      "broadcasts show b", "broadcasts cancel b", "broadcasts export", "broadcasts import " + dir + "/s.ics", "asrun",
      "asrun --csv", "alert", "alert status x1", "alert push --tts t --to all --status test --confirm 1",
      "alert confirm x1 --count 1", "alert update x1 --severity minor", "alert cancel x1", "alert all-clear x1",
      "cap " + dir + "/m.xml", "zones", "zones add z", "zones show z", "zones rm z", "zones quiet-hours z none",
      "zones cap-areas z SAME=1", "zones add-station z a", "zones remove-station z a", "users", "users add u --role viewer",
      "users rm u", "tokens", "tokens add", "tokens revoke t", "audit", "audit verify"};
  std::set<std::pair<std::string, std::string>> calls;
  for (const auto& line : invocations) {
    std::vector<std::string> args;
    std::regex word(R"re("([^"]*)"|(\S+))re");
    for (auto it = std::sregex_iterator(line.begin(), line.end(), word); it != std::sregex_iterator(); ++it) {
      args.push_back((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
    }
    int requests = 0;
    const int rc = loactl::run(args, [&](const loactl::Connection&) { return std::make_unique<RecordingApi>(calls, requests); });
    EXPECT_NE(rc, 2) << line;  // understood
    EXPECT_GT(requests, 0) << line << " called nothing";
  }
  for (const auto& [method, path] : calls) {
    bool found = false;
    for (const auto& [pattern, operations] : spec["paths"].items()) {
      const std::regex template_path("^" + std::regex_replace(pattern, std::regex(R"(\{[^}]+\})"), "[^/]+") + "$");
      std::string lower = method;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      found = found || (std::regex_match(path, template_path) && operations.contains(lower));
    }
    EXPECT_TRUE(found) << method << " " << path << " is not in the OpenAPI document";
  }
  EXPECT_GT(calls.size(), 40u);
}

}  // namespace
}  // namespace loa::test
