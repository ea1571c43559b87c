// Scheduled broadcasts end to end: real controller, real agents writing WAV files. The
// controller hands each station its plays ahead of air time; stations play on their own
// clock whatever happens to the link, and report what played.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <thread>

#include "support/fleet.hpp"
#include "support/netns_link.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;




std::size_t wav_count(const std::string& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.path().extension() == ".wav";
  return n;
}

class Schedule : public ::testing::Test {
 protected:
  void start(Fleet& f, const std::vector<std::string>& stations, const std::vector<std::string>& wrapped = {},
             const std::vector<std::string>& wrapper = {}) {
    fleet = &f;
    f.start_controller();
    for (const auto& id : stations) {
      f.set_agent_audio_dir(id, audio_dir(id));
      const bool in_ns = std::find(wrapped.begin(), wrapped.end(), id) != wrapped.end();
      f.start_agent(id, in_ns ? wrapper : std::vector<std::string>{});
    }
    f.enroll(stations);
    for (const auto& id : stations) ASSERT_TRUE(f.wait_for_state(id, "online", 10000)) << f.agent_log(id);
    json members = stations;
    ASSERT_EQ(f.api("POST", "/api/v1/zones", {{"id", "thon-1"}, {"kind", "village"}, {"stations", members}}).status, 201);
  }
  std::string audio_dir(const std::string& id) const { return fleet_dir + "/audio-" + id; }
  std::string add_clip(const std::string& name, double seconds) {
    const auto path = fleet->dir() + "/" + name + ".flac";
    auto r = run_command("gst-launch-1.0 -q audiotestsrc num-buffers=" + std::to_string(static_cast<int>(seconds * 43)) +
                         " volume=0.3 ! audioconvert ! flacenc ! filesink location=" + path);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    auto added = fleet->loactl("--json clips add " + path + " --name " + name);
    EXPECT_EQ(added.exit_code, 0) << added.out;
    return json::parse(added.out)[0]["id"];
  }
  ApiReply add_broadcast(json body) const {
    if (!body.contains("tz")) body["tz"] = "UTC";
    return fleet->api("POST", "/api/v1/broadcasts", body);
  }
  json asrun(const std::string& broadcast) const {
    return fleet->api("GET", "/api/v1/asrun?broadcast=" + broadcast).body["items"];
  }
  // Play commands a station has taken (applied).
  std::size_t plays_applied(const std::string& station) const {
    std::size_t n = 0;
    const auto reply = fleet->api("GET", "/api/v1/commands?limit=500&station=" + station);
    for (const auto& c : reply.body["items"]) {
      n += c["kind"] == "play" && c["state"] == "applied";
    }
    return n;
  }
  std::size_t play_commands(const std::string& station) const {
    std::size_t n = 0;
    const auto reply = fleet->api("GET", "/api/v1/commands?limit=500&station=" + station);
    for (const auto& c : reply.body["items"]) {
      n += c["kind"] == "play";
    }
    return n;
  }

  Fleet* fleet = nullptr;
  std::string fleet_dir;
};

TEST_F(Schedule, AConflictIsRefusedWithItsDetailsAndWithOverrideTheHigherPriorityWins) {
  Fleet f;
  fleet_dir = f.dir();
  start(f, {"xa-1", "xa-2"});
  const auto long_clip = add_clip("tin-tuc", 4);
  const auto short_clip = add_clip("khan", 1);
  const auto urgent_at = second_ahead(9000);
  auto urgent = add_broadcast({{"title", "thong bao khan"}, {"clip_id", short_clip}, {"to", "xa-1"},
                               {"start", utc_local(urgent_at)}, {"priority", "priority"}});
  ASSERT_EQ(urgent.status, 201) << urgent.body.dump();
  const auto urgent_id = urgent.body["id"].get<std::string>();

  // The news, normal priority, would be on air on xa-1 when the urgent notice starts.
  const auto news_at = urgent_at - 2000;
  json news = {{"title", "tin tuc"}, {"clip_id", long_clip}, {"to", "thon-1"}, {"start", utc_local(news_at)}};
  auto refused = add_broadcast(news);
  ASSERT_EQ(refused.status, 409) << refused.body.dump();
  EXPECT_EQ(refused.body["error"]["code"], "conflict");
  ASSERT_EQ(refused.body["conflicts"].size(), 1u) << refused.body.dump();
  const auto& conflict = refused.body["conflicts"][0];
  EXPECT_EQ(conflict["broadcast_id"], urgent_id);
  EXPECT_EQ(conflict["stations"], json({"xa-1"}));  // xa-2 is not affected
  EXPECT_EQ(fleet->api("GET", "/api/v1/broadcasts").body["total"], 1);  // nothing stored

  // The command line shows the same conflict, and refuses with a failing exit code.
  auto cli = fleet->loactl("broadcasts add --clip " + long_clip + " --to thon-1 --tz UTC --start " + utc_local(news_at));
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_NE(cli.out.find(urgent_id), std::string::npos) << cli.out;

  news["override"] = true;
  auto stored = add_broadcast(news);
  ASSERT_EQ(stored.status, 201) << stored.body.dump();
  const auto news_id = stored.body["id"].get<std::string>();
  EXPECT_EQ(stored.body["overridden_conflicts"].size(), 1u);

  // On air: the news starts on both stations; on xa-1 the urgent notice cuts it.
  ASSERT_TRUE(eventually([&] { return asrun(news_id).size() == 2 && asrun(urgent_id).size() == 1; }, 25s))
      << fleet->agent_log("xa-1");
  for (const auto& row : asrun(news_id)) {
    EXPECT_EQ(row["outcome"], row["station_id"] == "xa-1" ? "preempted" : "played") << row.dump();
    EXPECT_LE(std::abs(row["late_ms"].get<std::int64_t>()), 150) << row.dump();
  }
  const auto won = asrun(urgent_id)[0];
  EXPECT_EQ(won["outcome"], "played");
  EXPECT_LE(std::abs(won["late_ms"].get<std::int64_t>()), 150) << won.dump();
}

TEST_F(Schedule, StationsWithTheirLinkCutPlayBothOccurrencesOnTimeAndReportLater) {
  // One station loses its link 10 s before two occurrences; the other keeps it.
  std::unique_ptr<NetnsLink> net;
  FleetOptions options;
  if (NetnsLink::possible()) {
    net = std::make_unique<NetnsLink>(8);
    if (!net->ok()) net.reset();
  }
  if (net) options.bind_host = options.connect_host = net->host_ip();
  Fleet f(options);
  fleet_dir = f.dir();
  start(f, {"gan", "xa"}, {"xa"}, net ? net->exec_prefix() : std::vector<std::string>{});
  const auto clip = add_clip("hai-lan", 1);
  // Two occurrences 5 s apart within one minute: FREQ=DAILY;BYSECOND=a,b;COUNT=2.
  auto first = second_ahead(14000);
  if ((first / 1000) % 60 > 50) first += (60 - (first / 1000) % 60) * 1000;
  const auto second = first + 5000;
  const auto rule = "FREQ=DAILY;BYSECOND=" + std::to_string((first / 1000) % 60) + "," +
                    std::to_string((second / 1000) % 60) + ";COUNT=2";
  auto b = add_broadcast({{"clip_id", clip}, {"to", "thon-1"}, {"start", utc_local(first)}, {"rrule", rule}});
  ASSERT_EQ(b.status, 201) << b.body.dump();
  ASSERT_EQ(b.body["occurrences"].size(), 2u) << b.body.dump();
  const auto id = b.body["id"].get<std::string>();
  ASSERT_TRUE(eventually([&] { return plays_applied("xa") == 2 && plays_applied("gan") == 2; }, 8s))
      << fleet->agent_log("xa");

  sleep_until_ms(first - 10000);
  if (net) {
    ASSERT_TRUE(net->set_link(false));
  } else {
    fleet->stop_controller(SIGKILL);  // without namespaces: every link goes
  }
  sleep_until_ms(second + 2500);
  EXPECT_EQ(wav_count(audio_dir("xa")), 2u) << fleet->agent_log("xa");
  if (net) {
    // The connected station has reported; the cut one cannot have.
    EXPECT_EQ(asrun(id).size(), 2u);
    ASSERT_TRUE(net->set_link(true));
  } else {
    fleet->start_controller();
  }
  ASSERT_TRUE(eventually([&] { return asrun(id).size() == 4; }, 20s)) << fleet->agent_log("xa");
  for (const auto& row : asrun(id)) {
    EXPECT_EQ(row["outcome"], "played") << row.dump();
    EXPECT_LE(std::abs(row["late_ms"].get<std::int64_t>()), 50) << row.dump();
  }
  // The log is there for the district office too, as CSV.
  auto csv = fleet->loactl("asrun --station xa --csv");
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3) << csv.out;  // header + 2 rows
  EXPECT_NE(csv.out.find("xa," + id + ","), std::string::npos) << csv.out;
}

TEST_F(Schedule, CancellingReachesEveryStationIncludingOneThatWasOffline) {
  Fleet f;
  fleet_dir = f.dir();
  start(f, {"xa-1", "xa-2"});
  const auto clip = add_clip("huy", 1);
  const auto at = second_ahead(16000);
  auto b = add_broadcast({{"clip_id", clip}, {"to", "thon-1"}, {"start", utc_local(at)}, {"rrule", "FREQ=DAILY"}});
  ASSERT_EQ(b.status, 201) << b.body.dump();
  const auto id = b.body["id"].get<std::string>();
  // Within the 48 h horizon: today's and tomorrow's occurrence on each station.
  ASSERT_TRUE(eventually([&] { return plays_applied("xa-1") == 2 && plays_applied("xa-2") == 2; }, 8s));

  fleet->stop_agent("xa-2", SIGKILL);  // offline when the broadcast is cancelled
  auto cancelled = fleet->loactl("broadcasts cancel " + id);
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.out;
  EXPECT_NE(cancelled.out.find("2 station(s) told"), std::string::npos) << cancelled.out;
  std::this_thread::sleep_for(1s);
  fleet->start_agent("xa-2");  // it restores its plays from disk, then hears of the cancellation
  ASSERT_TRUE(fleet->wait_for_state("xa-2", "online", 10000));

  sleep_until_ms(at + 3000);
  EXPECT_EQ(wav_count(audio_dir("xa-1")), 0u) << fleet->agent_log("xa-1");
  EXPECT_EQ(wav_count(audio_dir("xa-2")), 0u) << fleet->agent_log("xa-2");
  EXPECT_TRUE(asrun(id).empty()) << asrun(id).dump();
  auto shown = fleet->api("GET", "/api/v1/broadcasts/" + id).body;
  EXPECT_EQ(shown["state"], "cancelled");
  EXPECT_EQ(fleet->api("GET", "/api/v1/broadcasts").body["total"], 0);
  // It stays cancelled: a restarted agent does not bring the plays back.
  fleet->stop_agent("xa-2", SIGTERM);
  fleet->start_agent("xa-2");
  ASSERT_TRUE(fleet->wait_for_state("xa-2", "online", 10000));
  auto restored = [&] {
    const auto log = fleet->agent_log("xa-2");
    const std::string line = "restored play: broadcast=" + id;
    std::size_t n = 0;
    for (auto pos = log.find(line); pos != std::string::npos; pos = log.find(line, pos + 1)) ++n;
    return n;
  };
  EXPECT_EQ(restored(), 2u) << "restored again after the cancellation";  // both plays, at the first restart only
}

TEST_F(Schedule, AControllerRestartLosesNoBroadcastAndNoAsRunRecord) {
  Fleet f;
  fleet_dir = f.dir();
  start(f, {"xa-1"});
  const auto clip = add_clip("khoi-dong-lai", 1);
  const auto at = second_ahead(6000);
  auto b = add_broadcast({{"clip_id", clip}, {"to", "xa-1"}, {"start", utc_local(at)}, {"rrule", "FREQ=DAILY;COUNT=5"},
                          {"priority", "priority"}});
  ASSERT_EQ(b.status, 201) << b.body.dump();
  const auto id = b.body["id"].get<std::string>();
  ASSERT_TRUE(eventually([&] { return plays_applied("xa-1") == 2; }, 8s));

  fleet->stop_controller(SIGKILL);
  sleep_until_ms(at + 2000);  // it plays while the controller is down
  fleet->start_controller();
  auto shown = fleet->api("GET", "/api/v1/broadcasts/" + id + "?occurrences=10").body;
  EXPECT_EQ(shown["state"], "active");
  EXPECT_EQ(shown["occurrences"].size(), 4u) << shown.dump();  // 5 minus the one that played
  ASSERT_TRUE(eventually([&] { return asrun(id).size() == 1; }, 15s)) << fleet->agent_log("xa-1");

  fleet->stop_controller(SIGKILL);
  fleet->start_controller();
  auto rows = asrun(id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["outcome"], "played");
  std::this_thread::sleep_for(1s);
  // Sent once each: the one that played, and those now within the 48 h horizon (the
  // horizon moved past the day after tomorrow's while the controller was down).
  EXPECT_EQ(play_commands("xa-1"), 3u);
}

}  // namespace
}  // namespace loa::test

namespace loa::test {
namespace {

// What an operator sees before anything airs: the occurrences a rule means, quiet hours,
// and the schedule as a calendar file that imports back.
TEST(ScheduleApi, PreviewQuietHoursAndCalendarRoundTrip) {
  Fleet fleet;
  fleet.start_controller();
  fleet.start_agent("xa-1");
  fleet.enroll({"xa-1"});
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 10000));
  ASSERT_EQ(fleet.loactl("zones add thon-2 --kind village --stations xa-1").exit_code, 0);
  auto quiet = fleet.loactl("zones quiet-hours thon-2 22:00-05:00");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.out;
  EXPECT_EQ(fleet.api("GET", "/api/v1/zones/thon-2").body["kind"], "village");  // the rest of the zone is kept
  EXPECT_NE(fleet.loactl("zones quiet-hours thon-2 22h-5h").exit_code, 0);

  // The commune news at 06:00 and 17:00 on weekdays, read aloud from text.
  auto added = fleet.loactl(
      "--json broadcasts add --tts 'Ban tin xa' --to thon-2 --start '2030-01-04 06:00' "
      "--rrule 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=6,17' --exdate 2030-01-07 --title 'Ban tin'");
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const auto id = json::parse(added.out)["id"].get<std::string>();
  auto shown = fleet.loactl("broadcasts show " + id + " --occurrences 4");
  ASSERT_EQ(shown.exit_code, 0) << shown.out;
  // 4 January 2030 is a Friday; Monday the 7th is skipped.
  EXPECT_NE(shown.out.find("occurrences:\n  2030-01-04T06:00:00+07:00\n  2030-01-04T17:00:00+07:00\n"
                           "  2030-01-08T06:00:00+07:00\n  2030-01-08T17:00:00+07:00\n"),
            std::string::npos)
      << shown.out;
  auto listed = fleet.loactl("broadcasts list");
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("2030-01-04T06:00:00+07:00"), std::string::npos) << listed.out;

  // 23:00 falls in the quiet hours: refused unless it is an emergency.
  const std::string late = "broadcasts add --tts 'Thong bao muon' --to xa-1 --start '2030-01-04 23:00'";
  auto refused = fleet.loactl(late);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("quiet_hours"), std::string::npos) << refused.out;
  EXPECT_EQ(fleet.loactl(late + " --priority emergency").exit_code, 0);

  // Export, then import into a second controller: the same occurrences come out.
  const auto ics_path = fleet.dir() + "/schedule.ics";
  ASSERT_EQ(fleet.loactl("broadcasts export " + ics_path).exit_code, 0);
  const auto ics = read_file(ics_path);
  EXPECT_NE(ics.find("DTSTART;TZID=Asia/Ho_Chi_Minh:20300104T060000"), std::string::npos) << ics;
  EXPECT_NE(ics.find("RRULE:FREQ=WEEKLY;BYHOUR=6,17;BYDAY=MO,TU,WE,TH,FR"), std::string::npos) << ics;
  EXPECT_NE(ics.find("BEGIN:VTIMEZONE"), std::string::npos) << ics;

  Fleet other;
  other.start_controller();
  other.start_agent("xa-1");
  other.enroll({"xa-1"});
  ASSERT_EQ(other.loactl("zones add thon-2 --kind village --stations xa-1").exit_code, 0);
  auto imported = other.loactl("--json broadcasts import " + ics_path);
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  auto result = json::parse(imported.out);
  ASSERT_EQ(result["created"].size(), 2u) << imported.out;
  std::string copy_id;
  for (const auto& c : result["created"]) {
    if (c["title"] == "Ban tin") copy_id = c["id"];
  }
  auto original = fleet.api("GET", "/api/v1/broadcasts/" + id + "?occurrences=20").body;
  auto copy = other.api("GET", "/api/v1/broadcasts/" + copy_id + "?occurrences=20").body;
  EXPECT_EQ(copy["occurrences"], original["occurrences"]);
  EXPECT_EQ(copy["to"], json({"thon-2"}));
  // Importing the same calendar again collides with itself.
  auto again = other.loactl("--json broadcasts import " + ics_path);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_EQ(json::parse(again.out)["refused"].size(), 2u) << again.out;
  // A file that is not a calendar is refused as such.
  write_file(fleet.dir() + "/not.ics", "hello");
  auto bad = other.loactl("broadcasts import " + fleet.dir() + "/not.ics");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.out.find("not_a_calendar"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace loa::test
