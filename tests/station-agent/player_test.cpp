// The station's player on its own: Ogg/Opus clips made with GStreamer, played into WAV
// files (one per playout) on the local clock. What it plays is read back from the WAV
// files; what it reports is what the as-run log would get.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <thread>

#include "loa/playout/player.hpp"
#include "support/process.hpp"
#include "support/wav.hpp"

namespace loa::playout {
namespace {

using namespace std::chrono_literals;
namespace v1 = ::loa::v1;

class Reports : public IPlayoutReports {
 public:
  void on_playout(const v1::PlaybackReport& report) override { seen.push_back(report); }
  [[nodiscard]] std::vector<v1::PlaybackReport> final_of(const std::string& broadcast) const {
    std::vector<v1::PlaybackReport> out;
    for (const auto& r : seen) {
      if (r.broadcast_id() == broadcast && r.outcome() != v1::PlaybackReport::OUTCOME_PLAYING) out.push_back(r);
    }
    return out;
  }
  std::vector<v1::PlaybackReport> seen;
};

class PlayerTest : public ::testing::Test {
 protected:
  // A clip of `seconds` of a tone, as the agent caches them (Ogg/Opus, mono 48 kHz),
  // under a made-up 64-digit id.
  std::string make_clip(char id, int seconds, int hz, const std::string& wave = "sine") {
    const std::string sha(64, id);
    const auto path = dir.path() + "/" + sha + ".opus";
    const auto r = test::run_command("gst-launch-1.0 -q audiotestsrc num-buffers=" + std::to_string(seconds * 50) +
                                     " samplesperbuffer=960 wave=" + wave + " freq=" + std::to_string(hz) +
                                     " volume=0.5 ! audio/x-raw,rate=48000,channels=1 ! opusenc ! oggmux ! "
                                     "filesink location=" + path);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    clips[sha] = path;
    return sha;
  }
  static v1::Play play_of(const std::string& clip, const std::string& broadcast, v1::Priority priority) {
    v1::Play p;
    p.set_clip_sha256(clip);
    p.set_broadcast_id(broadcast);
    p.set_priority(priority);
    return p;
  }
  // Ticks as the agent does (every 20 ms) until `done` or the time is up.
  bool tick_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      player.tick();
      if (done()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }
  std::vector<std::string> recordings() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(audio)) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  static double seconds_of(const std::string& wav) { return double(test::read_wav(wav).size()) / 48000.0; }

  test::ScratchDir dir;
  std::string audio = [this] {
    std::filesystem::create_directories(dir.path() + "/audio");
    return dir.path() + "/audio";
  }();
  std::map<std::string, std::string> clips;
  Reports reports;
  time::SystemClock clock;
  SharedClock shared;
  Player player{PlayoutSettings{"wav:" + audio, 2s},
                [this](const std::string& sha) {
                  auto it = clips.find(sha);
                  return it == clips.end() ? std::string() : it->second;
                },
                reports, clock, shared};
};

TEST_F(PlayerTest, AClipPlaysWholeIntoItsRecording) {
  const auto clip = make_clip('a', 2, 440);
  EXPECT_EQ(player.enqueue(play_of(clip, "tin-sang", v1::PRIORITY_NORMAL)), "");
  ASSERT_TRUE(tick_until([&] { return !reports.final_of("tin-sang").empty(); }, 10s));
  const auto done = reports.final_of("tin-sang")[0];
  EXPECT_EQ(done.outcome(), v1::PlaybackReport::OUTCOME_PLAYED) << done.detail();
  EXPECT_EQ(done.content_id(), clip);
  // Proof of play, measured at the output: a sine at half scale is -9 dBFS RMS, -6 peak.
  ASSERT_TRUE(done.has_loudness_dbfs());
  EXPECT_NEAR(done.loudness_dbfs(), -9.0, 1.0);
  EXPECT_NEAR(done.peak_dbfs(), -6.0, 1.0);
  EXPECT_FALSE(done.dead_air());
  const auto files = recordings();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NEAR(seconds_of(files[0]), 2.0, 0.15);
  // Sound, not silence: the tone at the clip's level.
  const auto samples = test::read_wav(files[0]);
  double energy = 0;
  for (std::size_t i = 48000 / 2; i < 48000; ++i) energy += double(samples[i]) * samples[i];
  EXPECT_GT(std::sqrt(energy / 24000), 3000);
}

TEST_F(PlayerTest, ASilentClipIsDeadAirUnlessTurnedDownOnPurpose) {
  const auto silent = make_clip('e', 2, 440, "silence");
  ASSERT_EQ(player.enqueue(play_of(silent, "im-lang", v1::PRIORITY_NORMAL)), "");
  ASSERT_TRUE(tick_until([&] { return !reports.final_of("im-lang").empty(); }, 10s));
  const auto done = reports.final_of("im-lang")[0];
  EXPECT_EQ(done.outcome(), v1::PlaybackReport::OUTCOME_PLAYED);
  EXPECT_TRUE(done.dead_air());
  EXPECT_LT(done.loudness_dbfs(), -60);
  EXPECT_GE(done.longest_silence_ms(), 1800u);

  // The same clip with the volume all the way down: an operator's choice, not a fault.
  auto muted = play_of(silent, "tat-tieng", v1::PRIORITY_NORMAL);
  muted.set_volume(1e-6);
  ASSERT_EQ(player.enqueue(muted), "");
  ASSERT_TRUE(tick_until([&] { return !reports.final_of("tat-tieng").empty(); }, 10s));
  EXPECT_FALSE(reports.final_of("tat-tieng")[0].dead_air());
}

TEST_F(PlayerTest, AnEmergencyPreemptsANormalPlayAtOnce) {
  const auto programme = make_clip('b', 6, 440);
  const auto alert = make_clip('c', 1, 880);
  ASSERT_EQ(player.enqueue(play_of(programme, "chuong-trinh", v1::PRIORITY_NORMAL)), "");
  ASSERT_TRUE(tick_until([&] { return player.now_playing().has_value(); }, 5s));
  tick_until([] { return false; }, 1s);
  ASSERT_EQ(player.enqueue(play_of(alert, "bao-dong", v1::PRIORITY_EMERGENCY)), "");
  ASSERT_TRUE(tick_until([&] { return !reports.final_of("bao-dong").empty(); }, 10s));
  ASSERT_EQ(reports.final_of("chuong-trinh").size(), 1u);
  EXPECT_EQ(reports.final_of("chuong-trinh")[0].outcome(), v1::PlaybackReport::OUTCOME_PREEMPTED);
  EXPECT_EQ(reports.final_of("bao-dong")[0].outcome(), v1::PlaybackReport::OUTCOME_PLAYED);
  const auto files = recordings();
  ASSERT_EQ(files.size(), 2u);
  double first = seconds_of(files[0]), second = seconds_of(files[1]);
  if (first < second) std::swap(first, second);  // whichever name sorts first
  EXPECT_LT(first, 3.0);  // the programme was cut about a second in, far short of 6 s
  EXPECT_NEAR(second, 1.0, 0.15);
}

TEST_F(PlayerTest, StoppingEndsThePlayAndMalformedPlaysAreRefused) {
  const auto clip = make_clip('d', 6, 440);
  ASSERT_EQ(player.enqueue(play_of(clip, "xem-thu", v1::PRIORITY_NORMAL)), "");
  ASSERT_TRUE(tick_until([&] { return player.now_playing().has_value(); }, 5s));
  player.stop("xem-thu");
  ASSERT_TRUE(tick_until([&] { return !reports.final_of("xem-thu").empty(); }, 5s));
  EXPECT_EQ(reports.final_of("xem-thu")[0].outcome(), v1::PlaybackReport::OUTCOME_STOPPED);
  EXPECT_FALSE(player.now_playing());

  EXPECT_EQ(player.enqueue(play_of("", "x", v1::PRIORITY_NORMAL)), "no clip given");
  auto both = play_of(clip, "x", v1::PRIORITY_NORMAL);
  both.set_stream_id("s-1");
  EXPECT_EQ(player.enqueue(both), "a play names a clip or a stream, not both");
}

}  // namespace
}  // namespace loa::playout
