// Controllers federated upward, on real processes: a controller above and two member
// controllers, each with its own agents writing WAV files. Members enroll above the way
// stations do; an alert sent down from above sounds on every station of both members,
// and each station's state shows above. A member whose link up is cut plays its own
// schedule and issues its own alert; once the link is back, the controller above shows
// that member's as-run of the outage, each row once. Bulletins keep their national
// level: a normal one waits in the member's inbox until accepted, a priority one plays
// after the item on air and before the next, an emergency one cuts in at once.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>
#include <tuple>

#include "support/fleet.hpp"
#include "support/process.hpp"
#include "support/tcp_relay.hpp"
#include "support/wav.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::map<std::string, std::vector<std::string>> kStations{{"member-a", {"a-1", "a-2"}},
                                                                {"member-b", {"b-1", "b-2"}}};

class Federation : public ::testing::Test {
 protected:
  void SetUp() override {
    above = std::make_unique<Fleet>();
    above->start_controller();
    // member-a reaches the controller above through a link the test can cut.
    link_a = std::make_unique<TcpRelay>(above->control_port());
    members["member-a"] = make_member("member-a", link_a->port());
    members["member-b"] = make_member("member-b", above->control_port());
    for (auto& [id, member] : members) {
      member->start_controller();
      for (const auto& s : kStations.at(id)) {
        member->set_agent_audio_dir(s, audio_dir(*member, s));
        member->start_agent(s);
      }
    }
    for (auto& [id, member] : members) {
      member->enroll(kStations.at(id));
      // Approved above as a station is: with the fingerprint read at the member.
      ASSERT_TRUE(above->wait_for_state(id, "pending", 15000)) << member->controller_log();
      const auto uplink = member->api("GET", "/api/v1/uplink");
      ASSERT_EQ(uplink.status, 200) << uplink.text;
      const auto approved = above->api("POST", "/api/v1/stations/" + id + "/approve",
                                       {{"fingerprint", uplink.body["fingerprint"]}});
      ASSERT_EQ(approved.status, 200) << approved.text;
    }
    ASSERT_TRUE(eventually([&] { return stations_online_above() == 4; }, 30s))
        << above->api("GET", "/api/v1/federation/stations").text << above->api("GET", "/api/v1/members").text;
  }

  std::unique_ptr<Fleet> make_member(const std::string& id, int above_port) {
    FleetOptions o;
    o.standard_clips = true;
    o.controller_extra = "federation:\n"
                         "  member_id: " + id + "\n"
                         "  above: tcp://127.0.0.1:" + std::to_string(above_port) + "\n"
                         "  above_enroll: tcp://127.0.0.1:" + std::to_string(above->enroll_port()) + "\n"
                         "  above_public_key_file: " + above->dir() + "/controller/controller.pub\n"
                         "  report_interval_ms: 300\n"
                         "  reconnect_max_ms: 1000\n";
    return std::make_unique<Fleet>(o);
  }

  static std::string audio_dir(const Fleet& member, const std::string& station) {
    return member.dir() + "/audio-" + station;
  }

  std::size_t stations_online_above() const {
    std::size_t n = 0;
    const auto reply = above->api("GET", "/api/v1/federation/stations");
    for (const auto& s : reply.body["items"]) n += s["state"] == "online";
    return n;
  }

  // The loudest recording a station made, as RMS (0: none).
  static double loudest(const std::string& dir) {
    double best = 0;
    if (!std::filesystem::exists(dir)) return 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) best = std::max(best, rms_of(read_wav(e.path())));
    return best;
  }

  std::unique_ptr<Fleet> above;
  std::unique_ptr<TcpRelay> link_a;
  std::map<std::string, std::unique_ptr<Fleet>> members;
};

TEST_F(Federation, AnAlertFromAboveSoundsOnEveryStationOfBothMembersAndEachIsSeenAbove) {
  // Each station's state, zone and member, above.
  const auto listed = above->api("GET", "/api/v1/federation/stations").body["items"];
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& s : listed) seen.insert({s["member"].get<std::string>(), s["id"].get<std::string>()});
  EXPECT_EQ(seen, (std::set<std::pair<std::string, std::string>>{
                      {"member-a", "a-1"}, {"member-a", "a-2"}, {"member-b", "b-1"}, {"member-b", "b-2"}}));
  const auto rolled = above->api("GET", "/api/v1/members").body["items"];
  ASSERT_EQ(rolled.size(), 2u) << rolled.dump();
  for (const auto& m : rolled) {
    EXPECT_EQ(m["state"], "online") << m.dump();
    EXPECT_EQ(m["stations_online"], 2) << m.dump();
  }
  // Members sound nothing themselves: an alert of the controller above reaches no station of its own.
  const auto own = above->api("POST", "/api/v1/alerts",
                              {{"status", "actual"}, {"severity", "minor"}, {"tts", "x"}, {"to", {"all"}}});
  EXPECT_EQ(own.body["target_count"], 0) << own.text;

  auto sent = above->api("POST", "/api/v1/relays",
                         {{"kind", "alert"},
                          {"status", "actual"},
                          {"severity", "minor"},
                          {"title", "Bão số 5"},
                          {"text", "Bão số năm đang vào bờ. Mọi người ở trong nhà."},
                          {"language", "vi"},
                          {"to", {"all"}}});
  ASSERT_EQ(sent.status, 201) << sent.text;
  const std::string id = sent.body["id"];
  auto relay = [&] { return above->api("GET", "/api/v1/relays/" + id).body; };
  ASSERT_TRUE(eventually([&] { return relay()["summary"]["sounding"] == 4; }, 40s)) << relay().dump(2);
  const std::string progress = relay()["progress"];
  EXPECT_EQ(progress.rfind("4/4 sounding", 0), 0u) << progress;
  const auto shown = relay();
  for (const auto& m : shown["members"]) {
    EXPECT_EQ(m["stations"], 2) << m.dump();
    EXPECT_FALSE(m["local_id"].get<std::string>().empty()) << m.dump();
  }
  // The sound itself, on every station of both members.
  for (const auto& entry : kStations) {
    const auto& member = *members[entry.first];  // (a lambda may not take a structured binding in clang 14)
    for (const auto& s : entry.second) {
      EXPECT_TRUE(eventually([&] { return loudest(audio_dir(member, s)) > 1000.0; }, 30s))
          << entry.first << "/" << s << "\n" << member.agent_log(s);
    }
  }
  // The same from loactl, above.
  const auto cli_members = above->loactl("members");
  EXPECT_EQ(cli_members.exit_code, 0) << cli_members.out;
  EXPECT_NE(cli_members.out.find("member-a"), std::string::npos) << cli_members.out;
  EXPECT_NE(cli_members.out.find("2/2"), std::string::npos) << cli_members.out;
  const auto cli_relay = above->loactl("relays " + id);
  EXPECT_NE(cli_relay.out.find("4/4 sounding"), std::string::npos) << cli_relay.out;
  // Applied once at each member: one alert there, issued from above, in its audit log.
  for (auto& [mid, member] : members) {
    const auto alerts = member->api("GET", "/api/v1/alerts").body["items"];
    ASSERT_EQ(alerts.size(), 1u) << alerts.dump();
    EXPECT_EQ(alerts[0]["created_by"], "above:token") << alerts.dump();
  }
}

// A station that cannot be reached is named above, with its member and why, and the
// rest sound.
TEST_F(Federation, AnUnreachableStationIsNamedAboveWithItsMember) {
  auto& member_b = *members["member-b"];
  member_b.stop_agent("b-2");
  ASSERT_TRUE(member_b.wait_for_state("b-2", "offline", 20000)) << member_b.controller_log();
  auto sent = above->api("POST", "/api/v1/relays",
                         {{"kind", "alert"}, {"status", "actual"}, {"severity", "minor"},
                          {"text", "Nước lũ đang lên."}, {"language", "vi"}, {"to", {"all"}}});
  ASSERT_EQ(sent.status, 201) << sent.text;
  const std::string id = sent.body["id"];
  auto relay = [&] { return above->api("GET", "/api/v1/relays/" + id).body; };
  ASSERT_TRUE(eventually([&] {
    const auto r = relay();
    return r["summary"]["sounding"] == 3 && r["summary"]["unreachable"] == 1;
  }, 40s)) << relay().dump(2);
  const std::string progress = relay()["progress"];
  EXPECT_EQ(progress.rfind("3/4 sounding", 0), 0u) << progress;
  EXPECT_NE(progress.find("member-b: 1 unreachable"), std::string::npos) << progress;
  EXPECT_NE(progress.find("b-2 (offline)"), std::string::npos) << progress;
  // Heard on the three others, and not on the station that was off.
  for (const std::string s : {"a-1", "a-2", "b-1"}) {
    const auto& member = *members[s[0] == 'a' ? "member-a" : "member-b"];
    EXPECT_TRUE(eventually([&] { return loudest(audio_dir(member, s)) > 1000.0; }, 30s)) << s << member.agent_log(s);
  }
  EXPECT_EQ(loudest(audio_dir(member_b, "b-2")), 0.0);
}

TEST_F(Federation, AMemberCutOffGoesOnAloneAndItsAsRunArrivesAboveOnce) {
  auto& a = *members["member-a"];
  link_a->cut();
  ASSERT_TRUE(eventually([&] { return above->state_of("member-a") == "offline"; }, 15s));
  ASSERT_TRUE(eventually([&] { return a.api("GET", "/api/v1/uplink").body["online"] == false; }, 15s));

  // Alone: its own schedule and its own alert.
  const auto clip = a.add_tone_clip("tin-xa", 1);
  const auto at = second_ahead(3000);
  auto made = a.api("POST", "/api/v1/broadcasts",
                    {{"title", "tin xã"}, {"clip_id", clip}, {"to", "all"}, {"tz", "UTC"}, {"start", utc_local(at)}});
  ASSERT_EQ(made.status, 201) << made.text;
  const std::string broadcast = made.body["id"];
  auto alert = a.api("POST", "/api/v1/alerts",
                     {{"status", "actual"}, {"severity", "minor"}, {"tts", "Nước lên nhanh."}, {"to", {"all"}},
                      {"confirm", {{"target_count", 2}}}});
  ASSERT_EQ(alert.status, 201) << alert.text;
  const std::string alert_id = alert.body["id"];
  auto rows_at_member = [&] { return a.api("GET", "/api/v1/asrun?limit=1000").body["items"]; };
  auto count_of = [](const json& rows, const std::string& key, const std::string& id) {
    std::size_t n = 0;
    for (const auto& r : rows) n += r[key] == id;
    return n;
  };
  ASSERT_TRUE(eventually([&] {
    const auto rows = rows_at_member();
    return count_of(rows, "broadcast_id", broadcast) == 2 && count_of(rows, "broadcast_id", alert_id) >= 2;
  }, 30s)) << rows_at_member().dump();
  auto rows_above = [&] { return above->api("GET", "/api/v1/federation/asrun?member=member-a&limit=10000").body["items"]; };
  EXPECT_EQ(count_of(rows_above(), "broadcast", broadcast), 0u) << "nothing goes up while the link is cut";

  link_a->mend();
  const auto member_rows = rows_at_member();
  ASSERT_TRUE(eventually([&] { return rows_above().size() >= member_rows.size(); }, 30s))
      << rows_above().dump() << "\nat the member:\n" << member_rows.dump();
  // A few report rounds later: each row of the outage once, and nothing else.
  std::this_thread::sleep_for(2s);
  const auto rows = rows_above();
  EXPECT_EQ(rows.size(), member_rows.size()) << rows.dump();
  std::set<std::tuple<std::string, std::string, std::string, std::int64_t>> distinct;
  for (const auto& r : rows) {
    distinct.insert({r["station"].get<std::string>(), r["broadcast"].get<std::string>(),
                     r["content"].get<std::string>(), r["planned_start_ms"].get<std::int64_t>()});
  }
  EXPECT_EQ(distinct.size(), rows.size()) << rows.dump();
  EXPECT_EQ(count_of(rows, "broadcast", broadcast), 2u) << rows.dump();
  EXPECT_EQ(count_of(rows, "broadcast", alert_id), count_of(member_rows, "broadcast_id", alert_id)) << rows.dump();
  EXPECT_EQ(above->state_of("member-a"), "online");
  // Rolled up in the report the province shares upward: member-a's plays are its rows that sounded.
  std::int64_t sounded = 0, reported = 0;
  for (const auto& r : rows) sounded += r["actual_start_ms"].get<std::int64_t>() > 0;
  const auto report = above->api("GET", "/api/v1/reports/plays?of=members&by=zone&period=month").body;
  for (const auto& r : report["items"]) {
    if (r["key"] == "member-a") reported += r["plays"].get<std::int64_t>();
  }
  EXPECT_EQ(reported, sounded) << report.dump();
  EXPECT_GT(reported, 0);
}


TEST_F(Federation, BulletinsFromAboveKeepTheirNationalLevel) {
  auto& b = *members["member-b"];
  auto relay = [&](const std::string& level, const std::string& text) {
    auto r = above->api("POST", "/api/v1/relays",
                        {{"kind", "bulletin"}, {"level", level}, {"title", level}, {"text", text},
                         {"language", "vi"}, {"to", {"member:member-b"}}});
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", "");
  };
  auto local_id = [&](const std::string& id) -> std::string {
    const auto view = above->api("GET", "/api/v1/relays/" + id).body;
    return view["members"].empty() ? "" : view["members"][0].value("local_id", "");
  };
  auto asrun = [&](const std::string& broadcast) -> json {
    const auto rows = b.api("GET", "/api/v1/asrun?station=b-1&limit=1000").body;
    for (const auto& r : rows["items"]) {
      if (r["broadcast_id"] == broadcast) return r;
    }
    return nullptr;
  };
  // The WAV files b-1 wrote for a broadcast (named <start ms>-<broadcast>.wav).
  auto recordings = [&](const std::string& broadcast) {
    std::vector<std::string> out;
    const auto dir = audio_dir(b, "b-1");
    if (!std::filesystem::exists(dir)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      const auto name = e.path().filename().string();
      if (name.find("-" + broadcast + ".wav") != std::string::npos) out.push_back(e.path().string());
    }
    return out;
  };
  auto broadcast = [&](const std::string& clip, std::int64_t at) {
    auto r = b.api("POST", "/api/v1/broadcasts",
                   {{"clip_id", clip}, {"to", "all"}, {"tz", "UTC"}, {"start", utc_local(at)}});
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body.value("id", "");
  };

  // Normal: it waits in the commune's inbox; nothing of it goes to a station.
  const auto normal = relay("normal", "Thông báo lịch tiêm phòng cho trẻ em tuần tới.");
  ASSERT_TRUE(eventually([&] { return b.api("GET", "/api/v1/inbox?state=waiting").body["items"].size() == 1; }, 10s))
      << b.api("GET", "/api/v1/inbox").text;
  ASSERT_TRUE(eventually([&] {
    return above->api("GET", "/api/v1/relays/" + normal).body["members"][0]["state"] == "waiting";
  }, 10s)) << above->api("GET", "/api/v1/relays/" + normal).text;

  // Priority: while an 8 s item is on air, it plays right after it, before the next one.
  const auto long_clip = b.add_tone_clip("chuong-trinh", 8);
  const auto short_clip = b.add_tone_clip("tiep-theo", 2);
  const auto start = second_ahead(3000);
  const auto on_air = broadcast(long_clip, start);
  const auto next = broadcast(short_clip, start + 8500);
  ASSERT_TRUE(eventually([&] { return !recordings(on_air).empty(); }, 10s)) << b.agent_log("b-1");
  const auto priority = relay("priority", "Tin ưu tiên: lịch cắt điện ngày mai.");
  ASSERT_TRUE(eventually([&] { return !local_id(priority).empty(); }, 10s));
  const auto priority_broadcast = local_id(priority);
  ASSERT_TRUE(eventually([&] { return !asrun(next).is_null(); }, 30s)) << b.controller_log();
  const auto first = asrun(on_air), bulletin = asrun(priority_broadcast), after = asrun(next);
  ASSERT_FALSE(bulletin.is_null()) << b.api("GET", "/api/v1/asrun?station=b-1").text;
  EXPECT_EQ(first["outcome"], "played") << "the item on air is not cut off: " << first.dump();
  EXPECT_GE(bulletin["actual_start_ms"].get<std::int64_t>(), first["end_ms"].get<std::int64_t>() - 100) << bulletin.dump();
  EXPECT_GE(after["actual_start_ms"].get<std::int64_t>(), bulletin["end_ms"].get<std::int64_t>() - 100) << after.dump();
  ASSERT_EQ(recordings(priority_broadcast).size(), 1u);
  EXPECT_GT(rms_of(read_wav(recordings(priority_broadcast)[0])), 1000.0);

  // Emergency: it cuts in at once.
  const auto cut_in = broadcast(b.add_tone_clip("dai", 15), second_ahead(2000));
  ASSERT_TRUE(eventually([&] { return !recordings(cut_in).empty(); }, 10s)) << b.agent_log("b-1");
  const auto emergency = relay("emergency", "Khẩn cấp: đê sông Lam có nguy cơ vỡ.");
  ASSERT_TRUE(eventually([&] { return !asrun(cut_in).is_null(); }, 10s));
  EXPECT_EQ(asrun(cut_in)["outcome"], "preempted") << asrun(cut_in).dump();
  ASSERT_TRUE(eventually([&] { return !local_id(emergency).empty(); }, 10s));
  ASSERT_TRUE(eventually([&] { return !recordings(local_id(emergency)).empty(); }, 10s));

  // The normal one, accepted, airs when the commune put it; declined ones never do.
  const auto inbox = b.api("GET", "/api/v1/inbox?state=waiting").body["items"];
  ASSERT_EQ(inbox.size(), 1u);
  const auto cli_inbox = b.loactl("inbox");
  EXPECT_NE(cli_inbox.out.find(normal), std::string::npos) << cli_inbox.out;
  // (Over the long item the emergency cut off, which still holds its slot in the plan.)
  auto accepted = b.api("POST", "/api/v1/inbox/" + normal + "/accept",
                        {{"start", utc_local(second_ahead(8000))}, {"tz", "UTC"}, {"override", true}});
  ASSERT_EQ(accepted.status, 201) << accepted.text;
  const std::string aired = accepted.body["broadcast"]["id"];
  ASSERT_TRUE(eventually([&] { return !asrun(aired).is_null(); }, 30s)) << b.agent_log("b-1");
  EXPECT_EQ(asrun(aired)["outcome"], "played");
  ASSERT_EQ(recordings(aired).size(), 1u);
  EXPECT_GT(rms_of(read_wav(recordings(aired)[0])), 1000.0);
  EXPECT_EQ(b.api("POST", "/api/v1/inbox/" + normal + "/decline").status, 409);
  EXPECT_TRUE(eventually([&] {
    return above->api("GET", "/api/v1/relays/" + normal).body["members"][0]["state"] == "accepted";
  }, 10s));
}

}  // namespace
}  // namespace loa::test
