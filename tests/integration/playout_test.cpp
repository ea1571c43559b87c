// Playout on a real agent: a clip is fetched, played into a WAV file in real time, and
// reported in the as-run log; an emergency preempts what is playing; stop stops.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "support/fleet.hpp"
#include "support/wav.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Seconds of audio in a 48 kHz mono 16-bit WAV file written by the station.
double wav_seconds(const std::string& path) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  return ec || bytes < 44 ? 0.0 : static_cast<double>(bytes - 44) / (48000.0 * 2);
}

class Playout : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet.start_controller();
    audio_dir = fleet.dir() + "/audio-out";
    fleet.set_agent_audio_dir("loa-1", audio_dir);
    fleet.start_agent("loa-1");
    fleet.enroll({"loa-1"});
    ASSERT_TRUE(fleet.wait_for_state("loa-1", "online", 10000));
  }
  std::string add_clip(const std::string& name, int seconds) {
    const auto path = fleet.dir() + "/" + name + ".flac";
    auto r = run_command("gst-launch-1.0 -q audiotestsrc num-buffers=" + std::to_string(seconds * 43) +
                         " volume=0.3 ! audioconvert ! flacenc ! filesink location=" + path);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    auto added = fleet.loactl("--json clips add " + path + " --name " + name);
    EXPECT_EQ(added.exit_code, 0) << added.out;
    return json::parse(added.out)[0]["id"];
  }
  // Caches `clip` on the station and has it play `in_ms` from now as `broadcast`; returns
  // the air time once the station has taken the command, 0 if it did not.
  std::int64_t schedule_play(const std::string& clip, const std::string& broadcast, std::int64_t in_ms) {
    if (fleet.loactl("clips push " + clip + " --to loa-1").exit_code != 0) return 0;
    const auto air = now_ms() + in_ms;
    auto queued = fleet.api("POST", "/api/v1/stations/loa-1/commands",
                            {{"type", "play"}, {"clip_id", clip}, {"start_at_ms", air}, {"broadcast_id", broadcast}});
    if (queued.status != 202) return 0;
    const auto id = queued.body["id"].get<std::string>();
    const bool taken = eventually([&] { return fleet.api("GET", "/api/v1/commands/" + id).body["state"] == "applied"; }, 2s);
    return taken ? air : 0;
  }
  json asrun() const { return fleet.api("GET", "/api/v1/stations/loa-1/asrun").body["items"]; }
  std::optional<json> asrun_of(const std::string& broadcast) const {
    for (const auto& r : asrun()) {
      if (r["broadcast_id"] == broadcast) return r;
    }
    return std::nullopt;
  }
  std::vector<std::string> wav_files() const {
    std::vector<std::string> out;
    if (!std::filesystem::exists(audio_dir)) return out;
    for (const auto& e : std::filesystem::directory_iterator(audio_dir)) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  Fleet fleet;
  std::string audio_dir;
};

TEST_F(Playout, AClipIsFetchedPlayedInRealTimeAndReported) {
  const auto clip = add_clip("thong-bao", 2);
  auto r = fleet.loactl("play --clip " + clip + " --to loa-1 --broadcast tin-sang --volume 0.8");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("queued on 1 of 1 stations"), std::string::npos) << r.out;
  ASSERT_TRUE(eventually([&] { return asrun_of("tin-sang").has_value(); }, 15s)) << fleet.agent_log("loa-1");
  auto row = *asrun_of("tin-sang");
  EXPECT_EQ(row["outcome"], "played") << row.dump();
  const double played_s = (row["end_ms"].get<double>() - row["actual_start_ms"].get<double>()) / 1000;
  EXPECT_NEAR(played_s, 2.0, 0.4);  // real time, not as fast as the disk
  auto files = wav_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find("tin-sang"), std::string::npos);
  EXPECT_NEAR(wav_seconds(files[0]), 2.0, 0.15);
  auto table = fleet.loactl("station asrun loa-1");
  EXPECT_NE(table.out.find("tin-sang"), std::string::npos) << table.out;
}

TEST_F(Playout, AnEmergencyPreemptsWhatIsPlaying) {
  const auto programme = add_clip("chuong-trinh", 8);
  const auto warning = add_clip("canh-bao", 1);
  ASSERT_EQ(fleet.loactl("clips push " + warning + " --to loa-1").exit_code, 0);  // pre-cached, as alert tones are
  ASSERT_EQ(fleet.loactl("play --clip " + programme + " --to loa-1 --broadcast chuong-trinh").exit_code, 0);
  ASSERT_TRUE(eventually([&] { return wav_files().size() == 1; }, 10s)) << fleet.agent_log("loa-1");
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(fleet.loactl("play --clip " + warning + " --to loa-1 --priority emergency --broadcast bao").exit_code, 0);

  ASSERT_TRUE(eventually([&] { return asrun_of("bao").has_value(); }, 10s)) << fleet.agent_log("loa-1");
  auto cut = *asrun_of("chuong-trinh");
  EXPECT_EQ(cut["outcome"], "preempted");
  EXPECT_EQ(cut["detail"], "preempted by bao");
  EXPECT_EQ((*asrun_of("bao"))["outcome"], "played");
  auto files = wav_files();
  ASSERT_EQ(files.size(), 2u);
  // The programme's file holds only what sounded before the emergency.
  EXPECT_LT(wav_seconds(files[0]), 4.0);
  EXPECT_GT(wav_seconds(files[0]), 1.0);
}

// A chirp rising 100 Hz a second from 300 Hz: where in the clip a stretch of sound
// came from is told by its pitch.
std::string write_chirp(const std::string& path, double seconds) {
  constexpr int kRate = 48000;
  const auto n = static_cast<std::uint32_t>(seconds * kRate);
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  out.write("RIFF", 4);
  u32(36 + n * 2);
  out.write("WAVEfmt ", 8);
  u32(16); u16(1); u16(1); u32(kRate); u32(kRate * 2); u16(2); u16(16);
  out.write("data", 4);
  u32(n * 2);
  for (std::uint32_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / kRate;
    u16(static_cast<std::uint16_t>(static_cast<std::int16_t>(8000 * std::sin(2 * M_PI * (300 * t + 50 * t * t)))));
  }
  return path;
}
double chirp_hz_at(double t) { return 300 + 100 * t; }

// The pitch of a WAV file between two instants, from its zero crossings.
double pitch_hz(const std::string& path, double from_s, double to_s) {
  const auto samples = read_wav(path);
  const auto a = static_cast<std::size_t>(from_s * 48000);
  const auto b = std::min(samples.size(), static_cast<std::size_t>(to_s * 48000));
  int crossings = 0;
  for (std::size_t i = a + 1; i < b; ++i) crossings += (samples[i - 1] < 0) != (samples[i] < 0);
  return b > a ? crossings / (2.0 * static_cast<double>(b - a) / 48000) : 0;
}

TEST_F(Playout, APreemptedClipWhosePolicyIsResumeGoesOnFromWhereItStopped) {
  auto chirp = fleet.loactl("--json clips add " + write_chirp(fleet.dir() + "/chirp.wav", 8) + " --name chirp");
  ASSERT_EQ(chirp.exit_code, 0) << chirp.out;
  const std::string programme = json::parse(chirp.out)[0]["id"];
  const auto warning = add_clip("canh-bao", 1);
  ASSERT_EQ(fleet.loactl("clips push " + warning + " --to loa-1").exit_code, 0);
  ASSERT_EQ(fleet.loactl("play --clip " + programme + " --to loa-1 --broadcast chirp --on-preempt resume").exit_code, 0);
  ASSERT_TRUE(eventually([&] { return wav_files().size() == 1; }, 10s)) << fleet.agent_log("loa-1");
  std::this_thread::sleep_for(3s);
  ASSERT_EQ(fleet.loactl("play --clip " + warning + " --to loa-1 --priority emergency --broadcast bao").exit_code, 0);
  // The warning, then the rest of the programme.
  ASSERT_TRUE(eventually([&] { return wav_files().size() == 3; }, 10s)) << fleet.agent_log("loa-1");
  ASSERT_TRUE(eventually([&] {
    std::size_t chirp_rows = 0;
    for (const auto& r : asrun()) chirp_rows += r["broadcast_id"] == "chirp";
    return chirp_rows == 2;
  }, 15s)) << asrun().dump(2);
  std::vector<std::string> parts;
  for (const auto& f : wav_files()) {
    if (f.find("-chirp.wav") != std::string::npos) parts.push_back(f);
  }
  ASSERT_EQ(parts.size(), 2u);
  const double before = wav_seconds(parts[0]);
  const double after = wav_seconds(parts[1]);
  std::cout << "played " << before << " s, preempted, then " << after << " s\n";
  EXPECT_GT(before, 2.5);
  EXPECT_LT(before, 4.5);
  // The first part ends on the pitch of its last instant, and the second begins on the
  // same pitch: not on the clip's first (300 Hz).
  EXPECT_NEAR(pitch_hz(parts[0], before - 0.4, before - 0.1), chirp_hz_at(before - 0.25), 20);
  EXPECT_NEAR(pitch_hz(parts[1], 0.1, 0.4), chirp_hz_at(before + 0.25), 25);
  // Nothing played twice, nothing skipped.
  EXPECT_NEAR(before + after, 8.0, 0.3);
}

TEST_F(Playout, AVolumeChangeActsWithin100ms) {
  const auto clip = add_clip("am-luong", 5);
  ASSERT_EQ(fleet.loactl("play --clip " + clip + " --to loa-1 --broadcast am-luong").exit_code, 0);
  ASSERT_TRUE(eventually([&] { return wav_files().size() == 1; }, 10s)) << fleet.agent_log("loa-1");
  std::this_thread::sleep_for(1500ms);
  const auto asked_ms = now_ms();
  auto r = fleet.loactl("volume 0.1 --to loa-1 --broadcast am-luong");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(eventually([&] { return asrun_of("am-luong").has_value(); }, 10s));
  const auto row = *asrun_of("am-luong");
  ASSERT_EQ(row["outcome"], "played") << row.dump();
  const auto samples = read_wav(wav_files()[0]);
  // Loudness in 10 ms windows; the change is the first window well under the first
  // second's level.
  auto rms = [&](std::size_t from, std::size_t n) {
    double sum = 0;
    for (std::size_t i = from; i < from + n && i < samples.size(); ++i) sum += double(samples[i]) * samples[i];
    return std::sqrt(sum / double(n));
  };
  const double before = rms(48000 / 2, 48000 / 2);
  ASSERT_GT(before, 100.0);
  std::size_t window = 100;  // after the first second
  while ((window + 1) * 480 < samples.size() && rms(window * 480, 480) > before * 0.3) ++window;
  ASSERT_LT((window + 1) * 480, samples.size()) << "the volume never changed";
  const double change_ms = static_cast<double>(row["actual_start_ns"].get<std::int64_t>()) / 1e6 + window * 10.0;
  // From the operator's command to quieter sound: delivery, the station, the pipeline.
  std::cout << "volume changed " << change_ms - static_cast<double>(asked_ms) << " ms after the command\n";
  EXPECT_LT(change_ms - static_cast<double>(asked_ms), 100.0);
  EXPECT_GT(change_ms - static_cast<double>(asked_ms), 0.0);
  const double after = rms((window + 5) * 480, 48000);
  EXPECT_NEAR(after / before, 0.1, 0.03);
}

TEST_F(Playout, AScheduledClipPlaysOnTimeWithTheLinkDownAndIsReportedLater) {
  const auto air = schedule_play(add_clip("lich-phat", 1), "hen-gio", 3000);
  ASSERT_GT(air, 0);
  // The link goes: the controller dies a second before air time.
  std::this_thread::sleep_for(std::chrono::milliseconds(air - 1000 - now_ms()));
  fleet.stop_controller(SIGKILL);
  ASSERT_TRUE(eventually([&] { return wav_files().size() == 1; }, 5s)) << fleet.agent_log("loa-1");
  std::this_thread::sleep_for(1500ms);
  // Back up: the station's report arrives and says it played on time.
  fleet.start_controller();
  ASSERT_TRUE(eventually([&] { return asrun_of("hen-gio").has_value(); }, 15s)) << fleet.agent_log("loa-1");
  auto row = *asrun_of("hen-gio");
  EXPECT_EQ(row["outcome"], "played");
  EXPECT_EQ(row["planned_start_ms"].get<std::int64_t>(), air);
  EXPECT_NEAR(static_cast<double>(row["actual_start_ms"].get<std::int64_t>() - air), 0, 150);
}

TEST_F(Playout, AScheduledPlaySurvivesAnAgentRestart) {
  const auto air = schedule_play(add_clip("sau-khoi-dong", 1), "khoi-dong", 4000);
  ASSERT_GT(air, 0);
  fleet.stop_agent("loa-1", SIGKILL);  // power cut at the station
  std::this_thread::sleep_for(500ms);
  fleet.start_agent("loa-1");
  ASSERT_TRUE(eventually([&] { return asrun_of("khoi-dong").has_value(); }, 15s)) << fleet.agent_log("loa-1");
  auto row = *asrun_of("khoi-dong");
  EXPECT_EQ(row["outcome"], "played");
  EXPECT_NEAR(static_cast<double>(row["actual_start_ms"].get<std::int64_t>() - air), 0, 150);
  EXPECT_EQ(wav_files().size(), 1u);  // played once
}

TEST_F(Playout, StopEndsAPlayout) {
  const auto clip = add_clip("dai", 10);
  ASSERT_EQ(fleet.loactl("play --clip " + clip + " --to loa-1 --broadcast dai").exit_code, 0);
  ASSERT_TRUE(eventually([&] { return wav_files().size() == 1; }, 10s));
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(fleet.loactl("stop --to loa-1 --broadcast dai").exit_code, 0);
  ASSERT_TRUE(eventually([&] { return asrun_of("dai").has_value(); }, 5s));
  EXPECT_EQ((*asrun_of("dai"))["outcome"], "stopped");
  EXPECT_LT(wav_seconds(wav_files()[0]), 3.0);
}

// Proof of play: the station measures what goes to its output. Silence sent as audio
// raises the dead-air alarm at the controller; the next playout that sounds clears it
// (even after the agent restarted) and records its loudness in the as-run row, as the
// WAV file holds it.
TEST_F(Playout, SilenceOnAirRaisesDeadAirAndTheNextSoundClearsIt) {
  auto dead_air = [&](bool active_only) {
    auto alarms = fleet.api("GET", std::string("/api/v1/stations/loa-1/alarms") + (active_only ? "?active=1" : "")).body;
    for (const auto& a : alarms["items"]) {
      if (a["alarm_id"] == "playout.dead_air") return std::optional<json>(a);
    }
    return std::optional<json>();
  };
  auto s = fleet.api("POST", "/api/v1/streams", {{"source", "test:silence"}, {"to", "loa-1"}, {"broadcast_id", "im-lang"}});
  ASSERT_EQ(s.status, 201) << s.body.dump();
  ASSERT_TRUE(eventually([&] { return wav_files().size() == 1; }, 10s));
  std::this_thread::sleep_for(2500ms);
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/streams/" + s.body["id"].get<std::string>()).status, 200);
  ASSERT_TRUE(eventually([&] { return asrun_of("im-lang").has_value(); }, 10s));
  const auto silent = *asrun_of("im-lang");
  EXPECT_TRUE(silent["dead_air"].get<bool>()) << silent.dump();
  ASSERT_TRUE(eventually([&] { return dead_air(true).has_value(); }, 10s)) << fleet.agent_log("loa-1");
  EXPECT_EQ((*dead_air(true))["severity"], "critical");
  // The agent restarts (a power cut) while the alarm is open: it still clears it.
  fleet.stop_agent("loa-1");
  fleet.start_agent("loa-1");
  ASSERT_TRUE(fleet.wait_for_state("loa-1", "online", 10000));

  const auto clip = add_clip("tin-chieu", 2);
  ASSERT_EQ(fleet.loactl("play --clip " + clip + " --to loa-1 --broadcast tin-chieu").exit_code, 0);
  ASSERT_TRUE(eventually([&] { return asrun_of("tin-chieu").has_value(); }, 15s));
  const auto sounded = *asrun_of("tin-chieu");
  EXPECT_FALSE(sounded["dead_air"].get<bool>()) << sounded.dump();
  ASSERT_TRUE(sounded["loudness_dbfs"].is_number()) << sounded.dump();
  // The station's own recording, measured here: the as-run loudness is what came out.
  const auto files = wav_files();
  ASSERT_EQ(files.size(), 2u);
  const auto samples = read_wav(files[1]);
  double energy = 0;
  for (auto v : samples) energy += (double(v) / 32768.0) * (double(v) / 32768.0);
  const double wav_dbfs = 10 * std::log10(energy / static_cast<double>(samples.size()));
  EXPECT_NEAR(sounded["loudness_dbfs"].get<double>(), wav_dbfs, 1.0) << sounded.dump();
  ASSERT_TRUE(eventually([&] { return !dead_air(true).has_value(); }, 10s));
  EXPECT_TRUE(dead_air(false).has_value());  // the occurrence stays on record, cleared

  auto table = fleet.loactl("station asrun loa-1");
  EXPECT_NE(table.out.find("DEAD AIR"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("dBFS"), std::string::npos) << table.out;
}

}  // namespace
}  // namespace loa::test
