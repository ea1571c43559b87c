// Station health end to end: a real agent polls loa-devsim processes, the controller
// stores what it reports, and an operator sees and acts on it through loactl.
#include <gtest/gtest.h>

#include <httplib.h>

#include <ctime>
#include <iostream>
#include <regex>
#include <atomic>
#include <thread>

#include "loa/modbus/modbus_context.hpp"
#include "support/devsim.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kFirmware = std::string(LOA_SOURCE_DIR) + "/firmware-config";


// A commune FM station's hardware file on the shipped band plan, licensed for 64.5 MHz:
// `policy` is its compliance policy ("" for none), `devices` its device lines.
std::string fm_station(const std::string& expires, const std::string& policy, const std::string& devices) {
  return "kind: fm\n"
         "band_plan: " + kFirmware + "/bandplans/vn-commune-fm.yaml\n"
         "licence: {assigned_khz: 64500, tolerance_khz: 10, max_power_w: 30, expires: " + expires + "}\n" +
         (policy.empty() ? std::string() : "compliance: {policy: " + policy + "}\n") + "devices:\n" + devices;
}

class StationHealth : public ::testing::Test {
 protected:
  void SetUp() override {
    exciter = std::make_unique<Devsim>(fleet.dir(), "exciter", kFirmware + "/profiles/fm-exciter-generic.yaml");
    amp = std::make_unique<Devsim>(fleet.dir(), "amp", kFirmware + "/profiles/fm-amplifier-generic.yaml");
    const auto station_file = fleet.dir() + "/station-hw.yaml";
    write_file(station_file,
               fm_station("2099-12-31", "mute",
               "  - {id: exciter, profile: " + kFirmware + "/profiles/fm-exciter-generic.yaml, tcp: \"127.0.0.1:" +
                   std::to_string(exciter->port) + "\", poll_interval_ms: 200}\n"
               "  - {id: amp, profile: " + kFirmware + "/profiles/fm-amplifier-generic.yaml, tcp: \"127.0.0.1:" +
                   std::to_string(amp->port) + "\", unit_id: 2, poll_interval_ms: 200}\n"));
    fleet.start_controller();
    fleet.set_agent_hardware("pole-1", station_file, "  unmute_hold_ms: 2000\n");
    fleet.start_agent("pole-1");
    fleet.enroll({"pole-1"});
    ASSERT_TRUE(fleet.wait_for_state("pole-1", "online", 10000)) << fleet.agent_log("pole-1");
  }
  json health() const { return fleet.api("GET", "/api/v1/stations/pole-1/health").body; }
  bool alarm_open(const std::string& id) const {
    const auto h = health();
    for (const auto& a : h["alarms"]) {
      if (a["alarm_id"] == id) return true;
    }
    return false;
  }

  Fleet fleet;
  std::unique_ptr<Devsim> exciter;
  std::unique_ptr<Devsim> amp;
};

TEST_F(StationHealth, TheTechnicianSeesReadingsAlarmsAndComplianceAndTheyOutliveARestart) {
  ASSERT_TRUE(eventually([&] { return health()["devices"].size() == 2; }, 10s)) << fleet.agent_log("pole-1");
  auto h = health();
  for (const auto& d : h["devices"]) {
    EXPECT_TRUE(d["reachable"].get<bool>()) << d.dump();
    if (d["device_id"] == "exciter") {
      EXPECT_EQ(d["carrier_khz"], 64500);
    }
  }
  EXPECT_EQ(h["compliance"]["status"], "compliant");
  // The same readings for Prometheus.
  httplib::Client metrics("127.0.0.1", fleet.http_port());
  auto m = metrics.Get("/metrics", {{"Authorization", "Bearer " + fleet.token()}});
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("loa_device_carrier_khz{station=\"pole-1\",device=\"exciter\"} 64500"), std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("loa_device_band_compliant{station=\"pole-1\",device=\"exciter\"} 1"), std::string::npos);
  EXPECT_NE(m->body.find("loa_device_reachable{station=\"pole-1\",device=\"amp\"} 1"), std::string::npos);
  auto table = fleet.loactl("station health pole-1");
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("64500 kHz"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("no open alarms"), std::string::npos) << table.out;

  amp->faults("over_temperature\n");
  ASSERT_TRUE(eventually([&] { return alarm_open("amp.over_temperature"); }, 10s))
      << health().dump();
  EXPECT_EQ(fleet.loactl("station ack pole-1 amp.over_temperature").exit_code, 0);
  amp->faults("");
  ASSERT_TRUE(eventually([&] { return !alarm_open("amp.over_temperature"); }, 10s));

  fleet.stop_controller(SIGKILL);
  fleet.start_controller();
  auto history = fleet.api("GET", "/api/v1/stations/pole-1/alarms").body["items"];
  ASSERT_GE(history.size(), 1u);
  EXPECT_EQ(history[0]["alarm_id"], "amp.over_temperature");
  EXPECT_EQ(history[0]["acknowledged_by"], "token");
  EXPECT_FALSE(history[0]["cleared_ms"].is_null());
  EXPECT_NE(history[0]["message"].get<std::string>().find("temperature 88"), std::string::npos) << history[0].dump();
  auto since = std::to_string(0);
  EXPECT_GT(fleet.api("GET", "/api/v1/stations/pole-1/telemetry?since_ms=0").body["items"].size(), 2u);
}

TEST_F(StationHealth, AmplifierSwitchAndSilentTestFromLoactl) {
  auto off = fleet.loactl("station amp pole-1 off");
  EXPECT_EQ(off.exit_code, 0) << off.out;
  EXPECT_NE(off.out.find("amp off"), std::string::npos) << off.out;
  EXPECT_TRUE(eventually([&] { return amp->process.log().find("function=5 address=0") != std::string::npos; }, 3s));

  auto failing = fleet.loactl("station silent-test pole-1");
  EXPECT_EQ(failing.exit_code, 0) << failing.out;  // the test ran; its findings are in the table
  EXPECT_TRUE(std::regex_search(failing.out, std::regex("amp\\.power_on\\s+FAIL\\s+off"))) << failing.out;

  ASSERT_EQ(fleet.loactl("station amp pole-1 on").exit_code, 0);
  const auto switched_on_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  // An amplifier needs a moment to bring its output up before VSWR can be measured:
  // wait for a reading taken after it was switched on that shows the output.
  ASSERT_TRUE(eventually(
      [&] {
        const auto h = health();
        for (const auto& d : h["devices"]) {
          if (d["device_id"] == "amp" && d.value("measured_at_ms", std::int64_t{0}) > switched_on_ms + 300 &&
              d.value("forward_power_w", 0.0) > 20) {
            return true;
          }
        }
        return false;
      },
      10s));
  auto passing = fleet.loactl("--json station silent-test pole-1");
  ASSERT_EQ(passing.exit_code, 0) << passing.out;
  auto result = json::parse(passing.out);
  EXPECT_EQ(result["state"], "applied");
  ASSERT_TRUE(result.contains("checks"));
  // Every check the registers allow passes; the links no register can see (no line-in
  // loopback on this station) are listed as unchecked, never as passed.
  std::set<std::string> names, unchecked;
  for (const auto& c : result["checks"]) {
    names.insert(c["name"]);
    if (c.value("unchecked", false)) {
      unchecked.insert(c["name"]);
      EXPECT_FALSE(c["passed"].get<bool>()) << c.dump();
    } else {
      EXPECT_TRUE(c["passed"].get<bool>()) << c.dump();
    }
  }
  for (const char* n : {"exciter.reachable", "exciter.pll_lock", "exciter.vswr", "amp.power_on", "amp.vswr", "amp.fault"}) {
    EXPECT_TRUE(names.contains(n)) << n;
  }
  EXPECT_EQ(unchecked, (std::set<std::string>{"chain.audio", "chain.receivers"}));
  EXPECT_NE(result["result_detail"].get<std::string>().find("2 links unchecked"), std::string::npos) << result.dump();
  const auto table = fleet.loactl("station silent-test pole-1");
  EXPECT_TRUE(std::regex_search(table.out, std::regex("chain\\.audio\\s+unchecked\\s+unchecked: no line-in loopback")))
      << table.out;
}

// The exciter's mute coil, read over Modbus as a technician's tool would.
int mute_coil(int port) {
  auto bus = modbus::ModbusContext::tcp({"127.0.0.1", port});
  bus.set_unit(1);
  if (!bus.connect()) return -1;
  auto coils = bus.read_coils(0, 1);
  return coils ? (*coils)[0] : -1;
}

TEST_F(StationHealth, AComplianceMuteLiftsOnceTheCarrierIsBackAndATechniciansMuteStays) {
  ASSERT_TRUE(eventually([&] { return health()["compliance"]["status"] == "compliant"; }, 10s));
  EXPECT_EQ(mute_coil(exciter->port), 0);
  exciter->faults("out_of_band\n");
  ASSERT_TRUE(eventually([&] { return mute_coil(exciter->port) == 1; }, 10s)) << fleet.agent_log("pole-1");
  // While the carrier is out of band, nobody unmutes it.
  auto refused = fleet.loactl("station mute pole-1 off");
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("out of band"), std::string::npos) << refused.out;
  EXPECT_EQ(mute_coil(exciter->port), 1);
  // Back in band: unmuted within the hold time (2 s here) and a poll cycle or two.
  exciter->faults("");
  const auto back = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return mute_coil(exciter->port) == 0; }, 10s)) << fleet.agent_log("pole-1");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - back);
  std::cout << "unmuted " << took.count() << " ms after the carrier came back\n";
  EXPECT_GE(took, 1500ms);  // not before the carrier has held
  // The hold and a poll cycle, and what the test's own reading takes: the simulator
  // reads its fault file a few times a second.
  EXPECT_LE(took, 2000ms + 200ms + 600ms);
  // An alert while muted: the station is shown failed, and why.
  exciter->faults("out_of_band\n");
  ASSERT_TRUE(eventually([&] { return mute_coil(exciter->port) == 1; }, 10s));
  auto alert = fleet.api("POST", "/api/v1/alerts",
                         {{"severity", "minor"}, {"status", "exercise"}, {"tts", "Thử."}, {"to", {"pole-1"}},
                          {"confirm", {{"target_count", 1}}}});
  ASSERT_EQ(alert.status, 201) << alert.body.dump();
  const std::string alert_id = alert.body["id"];
  json station;
  ASSERT_TRUE(eventually([&] {
    const auto view = fleet.api("GET", "/api/v1/alerts/" + alert_id).body;  // kept: a range-for over a temporary's member dangles
    for (const auto& st : view["stations"]) station = st;
    return station.is_object() && station["state"] == "failed";
  }, 10s)) << station.dump();
  EXPECT_NE(station["detail"].get<std::string>().find("muted: out of band"), std::string::npos) << station.dump();
  (void)fleet.api("POST", "/api/v1/alerts/" + alert_id + "/cancel");
  exciter->faults("");
  ASSERT_TRUE(eventually([&] { return mute_coil(exciter->port) == 0; }, 10s));
  // A technician's mute is theirs: it stays, in band or not, until they lift it.
  auto muted = fleet.loactl("station mute pole-1 on");
  ASSERT_EQ(muted.exit_code, 0) << muted.out;
  EXPECT_EQ(mute_coil(exciter->port), 1);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(mute_coil(exciter->port), 1);
  auto lifted = fleet.loactl("station mute pole-1 off");
  ASSERT_EQ(lifted.exit_code, 0) << lifted.out;
  EXPECT_EQ(mute_coil(exciter->port), 0);
  // Both are in the audit log, with who.
  const auto audit = fleet.api("GET", "/api/v1/audit?limit=200").body["items"];
  std::size_t mutes = 0;
  for (const auto& e : audit) mutes += e["subject"] == "/api/v1/stations/pole-1/commands" && e["user"] == "token";
  EXPECT_GE(mutes, 3u);
}

TEST_F(StationHealth, OutOfBandTransmitterIsMutedAndTheViolationIsRecordedWithReadings) {
  ASSERT_TRUE(eventually([&] { return health()["compliance"]["status"] == "compliant"; }, 10s));
  exciter->faults("out_of_band\n");
  ASSERT_TRUE(eventually([&] { return health()["compliance"]["status"] == "violation"; }, 10s));
  json c;
  ASSERT_TRUE(eventually(
      [&] {
        c = fleet.api("GET", "/api/v1/stations/pole-1/compliance").body;
        return !c["violations"].empty();
      },
      10s));
  EXPECT_NE(c["violations"][0]["message"].get<std::string>().find("carrier 75000 kHz is outside every band"),
            std::string::npos);
  EXPECT_EQ(c["devices"][0]["carrier_khz"], 75000);
  EXPECT_TRUE(eventually(
      [&] {
        const auto h = health();
        for (const auto& d : h["devices"]) {
          if (d["device_id"] == "exciter" && d.value("muted", false)) return true;
        }
        return false;
      },
      10s));
}

}  // namespace
}  // namespace loa::test

namespace loa::test {
namespace {

// A licence's paperwork: an expired one is an alarm, an expiring one a warning, and
// neither takes a station off the air.
// One FM station with a single simulated exciter under policy mute, its file's licence
// expiring on `expires`, enrolled and online.
void start_exciter_station(Fleet& fleet, const Devsim& exciter, const std::string& id, const std::string& expires,
                           const std::string& hardware_settings = "") {
  const auto station_file = fleet.dir() + "/station-hw.yaml";
  write_file(station_file,
             fm_station(expires, "mute",
                        "  - {id: exciter, profile: " + kFirmware + "/profiles/fm-exciter-generic.yaml, tcp: \"127.0.0.1:" +
                            std::to_string(exciter.port) + "\", poll_interval_ms: 200}\n"));
  fleet.start_controller();
  fleet.set_agent_hardware(id, station_file, hardware_settings);
  fleet.start_agent(id);
  fleet.enroll({id});
  ASSERT_TRUE(fleet.wait_for_state(id, "online", 10000)) << fleet.agent_log(id);
}

TEST(Licence, AnExpiredLicenceRaisesAnAlarmAndLeavesTheStationOnAir) {
  Fleet fleet;
  Devsim exciter(fleet.dir(), "exciter", kFirmware + "/profiles/fm-exciter-generic.yaml");
  ASSERT_NO_FATAL_FAILURE(start_exciter_station(fleet, exciter, "pole-3", "2020-01-01"));
  auto open_alarm = [&](const std::string& id) -> json {
    const auto h = fleet.api("GET", "/api/v1/stations/pole-3/health").body;
    for (const auto& a : h["alarms"]) {
      if (a["alarm_id"] == id) return a;
    }
    return nullptr;
  };
  ASSERT_TRUE(eventually([&] { return !open_alarm("exciter.licence_expired").is_null(); }, 10s)) << fleet.agent_log("pole-3");
  EXPECT_NE(open_alarm("exciter.licence_expired")["message"].get<std::string>().find("2020-01-01"), std::string::npos);
  // On air: compliant, and the mute coil says 0 for seconds on end.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(mute_coil(exciter.port), 0);
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(fleet.api("GET", "/api/v1/stations/pole-3/health").body["compliance"]["status"], "compliant");
}

// The licence kept on the controller: a technician sets it with loactl, the station
// checks its carrier against it from then on (the transmitter's mute coil, read over
// Modbus, says so), and keeps it across a restart.
TEST(Licence, KeptOnTheControllerItRulesTheStationsComplianceAndOutlivesARestart) {
  Fleet fleet;
  Devsim exciter(fleet.dir(), "exciter", kFirmware + "/profiles/fm-exciter-generic.yaml");
  ASSERT_NO_FATAL_FAILURE(start_exciter_station(fleet, exciter, "pole-4", "2099-12-31", "  unmute_hold_ms: 2000\n"));
  auto health = [&] { return fleet.api("GET", "/api/v1/stations/pole-4/health").body; };
  auto alarm_open = [&](const std::string& id) {
    const auto h = health();
    for (const auto& a : h["alarms"]) {
      if (a["alarm_id"] == id) return true;
    }
    return false;
  };
  ASSERT_TRUE(eventually([&] { return health()["compliance"]["status"] == "compliant"; }, 10s));
  EXPECT_EQ(fleet.api("GET", "/api/v1/stations/pole-4/licence").status, 404);  // none on the controller yet

  // Nonsense is refused before anything is sent.
  auto typo = fleet.loactl("station set-licence pole-4 --khz 64500 --tolerence 10 --max-power 30 --expires 2099-12-31");
  EXPECT_EQ(typo.exit_code, 2) << typo.out;
  auto bad = fleet.api("PUT", "/api/v1/stations/pole-4/licence",
                       {{"assigned_khz", 64500}, {"tolerance_khz", 10}, {"max_power_w", 30}, {"expires", "next year"}});
  EXPECT_EQ(bad.status, 422) << bad.body.dump();
  EXPECT_EQ(fleet.api("GET", "/api/v1/stations/pole-4/licence").status, 404);

  // Expired paperwork: an alarm, and the station stays on air.
  auto expired = fleet.loactl("station set-licence pole-4 --khz 64500 --tolerance 10 --max-power 30 --expires 2020-01-01");
  ASSERT_EQ(expired.exit_code, 0) << expired.out << fleet.agent_log("pole-4");
  ASSERT_TRUE(eventually([&] { return alarm_open("exciter.licence_expired"); }, 10s)) << fleet.agent_log("pole-4");
  EXPECT_EQ(mute_coil(exciter.port), 0);

  // Renewed, on a frequency 300 kHz away from the carrier: the carrier is now off its
  // licence, so the station mutes it, and the expiry alarm closes.
  auto moved = fleet.loactl("station set-licence pole-4 --khz 64800 --tolerance 10 --max-power 30 --expires 2099-12-31 "
                            "--type-approval TA-2026-17");
  ASSERT_EQ(moved.exit_code, 0) << moved.out;
  ASSERT_TRUE(eventually([&] { return mute_coil(exciter.port) == 1; }, 10s)) << fleet.agent_log("pole-4");
  EXPECT_TRUE(eventually([&] { return !alarm_open("exciter.licence_expired"); }, 10s));
  const auto kept = fleet.api("GET", "/api/v1/stations/pole-4/licence").body;
  EXPECT_EQ(kept["assigned_khz"], 64800);
  EXPECT_EQ(kept["type_approval"], "TA-2026-17");
  EXPECT_EQ(kept["delivery"], "applied") << kept.dump();
  EXPECT_EQ(kept["updated_by"], "token");
  EXPECT_GT(kept["days_left"].get<long>(), 20000);

  // The station keeps the licence it was sent, not its file's, across a restart: with
  // the coil unmuted by hand while the agent is down, the restarted agent finds the
  // carrier off the licence it holds and mutes it again.
  fleet.stop_agent("pole-4");
  {
    auto bus = modbus::ModbusContext::tcp({"127.0.0.1", exciter.port});
    bus.set_unit(1);
    ASSERT_TRUE(bus.connect());
    ASSERT_TRUE(bus.write_coil(0, false));
  }
  ASSERT_EQ(mute_coil(exciter.port), 0);
  fleet.start_agent("pole-4");
  ASSERT_TRUE(eventually([&] { return mute_coil(exciter.port) == 1; }, 10s)) << fleet.agent_log("pole-4");

  // A power cut while muted, and the licence put right meanwhile: the station comes
  // back, takes the new licence, and lifts the mute it set before the cut.
  fleet.stop_agent("pole-4");
  auto fixed = fleet.api("PUT", "/api/v1/stations/pole-4/licence",
                         {{"assigned_khz", 64500}, {"tolerance_khz", 10}, {"max_power_w", 30}, {"expires", "2099-12-31"}});
  ASSERT_EQ(fixed.status, 200) << fixed.body.dump();
  EXPECT_EQ(fixed.body["delivery"], "pending");
  fleet.start_agent("pole-4");
  EXPECT_TRUE(eventually([&] { return mute_coil(exciter.port) == 0; }, 15s)) << fleet.agent_log("pole-4");
  EXPECT_EQ(fleet.api("GET", "/api/v1/stations/pole-4/licence").body["delivery"], "applied");
  auto listed = fleet.loactl("licences");
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find("pole-4"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("64500"), std::string::npos) << listed.out;
}

// A station with one simulated amplifier that warms up for 3 s, switched off to begin
// with; its power coil is read over Modbus as a technician's tool would.
class AmplifierWarmUp : public ::testing::Test {
 protected:
  void start(const std::string& id, const std::string& idle_off_ms) {
    station = id;
    amp = std::make_unique<Devsim>(fleet.dir(), "amp", kFirmware + "/profiles/fm-amplifier-generic.yaml");
    const auto station_file = fleet.dir() + "/station-hw.yaml";
    write_file(station_file,
               fm_station("2099-12-31", "",
                          "  - {id: amp, profile: " + kFirmware + "/profiles/fm-amplifier-generic.yaml, tcp: \"127.0.0.1:" +
                              std::to_string(amp->port) + "\", unit_id: 2, poll_interval_ms: 200}\n"));
    fleet.start_controller();
    fleet.set_agent_hardware(id, station_file, "  amplifier_warm_up_ms: 3000\n  amplifier_idle_off_ms: " + idle_off_ms + "\n");
    fleet.set_agent_audio_dir(id, fleet.dir() + "/audio");
    fleet.start_agent(id);
    fleet.enroll({id});
    ASSERT_TRUE(fleet.wait_for_state(id, "online", 10000)) << fleet.agent_log(id);
    ASSERT_EQ(fleet.loactl("station amp " + id + " off").exit_code, 0) << fleet.agent_log(id);
    bus = std::make_unique<modbus::ModbusContext>(modbus::ModbusContext::tcp({"127.0.0.1", amp->port}));
    bus->set_unit(2);
    ASSERT_TRUE(bus->connect());
    ASSERT_EQ(power(), 0);
  }
  int power() {
    auto coils = bus->read_coils(0, 1);
    return coils ? (*coils)[0] : -1;
  }
  std::string add_clip() {
    const auto clip_path = fleet.dir() + "/clip.flac";
    EXPECT_EQ(run_command("gst-launch-1.0 -q audiotestsrc num-buffers=43 volume=0.3 ! audioconvert ! flacenc ! "
                          "filesink location=" + clip_path).exit_code, 0);
    auto added = fleet.loactl("--json clips add " + clip_path);
    EXPECT_EQ(added.exit_code, 0) << added.out;
    return json::parse(added.out)[0]["id"];
  }
  static std::int64_t wall() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  Fleet fleet;
  std::string station;
  std::unique_ptr<Devsim> amp;
  std::unique_ptr<modbus::ModbusContext> bus;
};

// An emergency now, on a station whose amplifier is off: the power coil goes on at
// once, and the first sample comes only after the warm-up.
TEST_F(AmplifierWarmUp, AnImmediateEmergencySwitchesTheAmplifierOnAndSoundsAfterItsWarmUp) {
  start("pole-4", "60000");
  // The station must have read its amplifier as off before the play comes.
  ASSERT_TRUE(eventually([&] {
    const auto health = fleet.api("GET", "/api/v1/stations/pole-4/health").body;  // kept: a range-for over a temporary's member dangles
    for (const auto& d : health["devices"]) {
      if (d["device_id"] == "amp" && d.contains("powered_on") && d["powered_on"] == false) return true;
    }
    return false;
  }, 5s)) << fleet.api("GET", "/api/v1/stations/pole-4/health").body.dump();
  const auto clip = add_clip();
  ASSERT_EQ(fleet.loactl("clips push " + clip + " --to pole-4").exit_code, 0);
  // The coil is read every 20 ms or so, from before the play is asked for: it went on
  // after the last read that saw it off (off_at) and no later than the first that saw it
  // on (on_at).
  std::atomic<std::int64_t> on_at{0}, off_at{0};
  const auto asked = wall();
  std::thread watch([&] {
    while (wall() < asked + 5000 && on_at == 0) {
      const auto read_at = wall();
      if (power() == 1) {
        on_at = wall();
      } else {
        off_at = read_at;
      }
      std::this_thread::sleep_for(20ms);
    }
  });
  const auto played = fleet.loactl("play --clip " + clip + " --to pole-4 --priority emergency --broadcast khan-cap");
  watch.join();
  ASSERT_EQ(played.exit_code, 0) << played.out;
  ASSERT_NE(on_at.load(), 0) << fleet.agent_log("pole-4");
  EXPECT_LT(on_at - asked, 1500);  // at once: the command's way there and one bus write
  json row;
  ASSERT_TRUE(eventually([&] {
    const auto rows = fleet.api("GET", "/api/v1/asrun?broadcast=khan-cap").body;
    for (const auto& r : rows["items"]) row = r;
    return !row.is_null();
  }, 15s)) << fleet.agent_log("pole-4");
  const auto first_sample = fleet.api("GET", "/api/v1/stations/pole-4/asrun").body["items"][0]["actual_start_ms"].get<std::int64_t>();
  std::cout << "power on " << on_at - asked << " ms after the command (seen off " << off_at - asked
            << " ms after), first sample " << first_sample - on_at << " ms after power was seen on\n";
  // The amplifier was on at least its warm-up before the first sample: it was switched
  // after off_at, so the sample must come 3,000 ms or more after that.
  EXPECT_GE(first_sample - off_at, 3000);
  EXPECT_LT(first_sample - on_at, 3000 + 1000);  // and not long after
  // The station said why it waited, where the operator looks.
  const auto commands = fleet.api("GET", "/api/v1/commands?station=pole-4&limit=10").body["items"];
  bool said = false;
  for (const auto& c : commands) said = said || (c["kind"] == "play" && c["result_detail"].get<std::string>().find("warm-up") != std::string::npos);
  EXPECT_TRUE(said) << commands.dump(2);
}

// Amplifier warm-up: a station told to power its amplifier ahead of air time does so
// (read back from the simulator's power coil), and powers it off once the air is idle.
TEST_F(AmplifierWarmUp, OnBeforeAScheduledPlayAndOffAfterIt) {
  start("pole-2", "1000");
  const auto clip = add_clip();
  const auto air = (wall() + 8000) / 1000 * 1000;
  const std::time_t air_s = air / 1000;
  std::tm tm{};
  gmtime_r(&air_s, &tm);
  char at[32];
  std::strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S", &tm);
  auto scheduled = fleet.loactl("broadcasts add --clip " + clip + " --to pole-2 --tz UTC --start " + at);
  ASSERT_EQ(scheduled.exit_code, 0) << scheduled.out;

  std::int64_t on_at = 0;
  std::int64_t off_at = 0;
  while (wall() < air + 8000 && off_at == 0) {
    const int p = power();
    if (p == 1 && on_at == 0) on_at = wall();
    if (p == 0 && on_at != 0) off_at = wall();
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(on_at, 0) << fleet.agent_log("pole-2");
  EXPECT_GE(air - on_at, 3000) << "switched on only " << (air - on_at) << " ms before air";
  EXPECT_LE(air - on_at, 4000) << "switched on far too early";
  ASSERT_NE(off_at, 0) << "never switched off\n" << fleet.agent_log("pole-2");
  EXPECT_GE(off_at, air + 1000 + 1000 - 100);  // after the 1 s clip and 1 s of idle air
  json rows;
  ASSERT_TRUE(eventually([&] {
    rows = fleet.api("GET", "/api/v1/asrun?station=pole-2").body["items"];
    return rows.size() == 1;
  }, 5s));
  EXPECT_EQ(rows[0]["outcome"], "played");
}

}  // namespace
}  // namespace loa::test
