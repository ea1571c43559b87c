// Live streams end to end: a controller streams to real agents that follow its clock
// and write what they play to WAV files. Cross-correlating the files, placed on the
// time line by the start instants the agents report, shows how far apart the stations
// sound; an emergency stream preempts a clip; a stream survives the controller's
// restart; a relay survives its upstream dying.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "support/fleet.hpp"
#include "support/wav.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kRate = 48000;

class LiveAudio : public ::testing::Test {
 protected:
  // `wrappers`: a command line to start each station under (faketime), by station.
  void start(const std::vector<std::string>& stations,
             const std::map<std::string, std::vector<std::string>>& wrappers = {}) {
    fleet.start_controller();
    for (const auto& id : stations) {
      fleet.set_agent_audio_dir(id, audio_dir(id));
      const auto w = wrappers.find(id);
      fleet.start_agent(id, w == wrappers.end() ? std::vector<std::string>{} : w->second);
    }
    fleet.enroll(stations);
    for (const auto& id : stations) ASSERT_TRUE(fleet.wait_for_state(id, "online", 10000)) << id;
    // Each agent follows the controller's clock once welcomed.
    for (const auto& id : stations) {
      ASSERT_TRUE(eventually([&] { return fleet.agent_log(id).find("following controller clock") != std::string::npos; },
                             5s))
          << fleet.agent_log(id);
    }
  }
  // Waits until each station's log says, last, that it is locked to the controller's
  // clock (a station says so when its exchanges put it within 2 ms).
  void wait_for_lock(const std::vector<std::string>& stations) {
    for (const auto& id : stations) {
      ASSERT_TRUE(eventually(
          [&] {
            const auto log = fleet.agent_log(id);
            const auto locked = log.rfind("clock: locked to the controller clock");
            const auto unlocked = log.rfind("clock: not locked to the controller clock");
            return locked != std::string::npos && (unlocked == std::string::npos || unlocked < locked);
          },
          30s))
          << id << " never locked to the controller's clock\n"
          << fleet.agent_log(id);
    }
  }
  std::string audio_dir(const std::string& id) const { return fleet.dir() + "/audio-" + id; }
  std::vector<std::string> wav_files(const std::string& id) const {
    std::vector<std::string> out;
    if (!std::filesystem::exists(audio_dir(id))) return out;
    for (const auto& e : std::filesystem::directory_iterator(audio_dir(id))) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  json start_stream(const json& body) {
    auto r = fleet.api("POST", "/api/v1/streams", body);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body;
  }
  json stream(const std::string& id) const { return fleet.api("GET", "/api/v1/streams/" + id).body; }
  // As-run rows of a broadcast, once `count` stations have reported it.
  json asrun_of(const std::string& broadcast, std::size_t count) const {
    json rows = json::array();
    eventually(
        [&] {
          rows = fleet.api("GET", "/api/v1/asrun?broadcast=" + broadcast).body["items"];
          return rows.size() >= count;
        },
        20s);  // a station that was cut off reports once its link is back
    return rows;
  }
  Fleet fleet;
};

// The skew of each station against the first, from their recordings: a 0.5 s window of
// the first's from 3 s in, found in each other's near where the reported start
// instants put it; printed, and checked within 5 ms.
void expect_within_5ms(const std::map<std::string, std::vector<std::int16_t>>& audio,
                       const std::map<std::string, std::int64_t>& start_ns, const std::vector<std::string>& stations) {
  const auto& first = stations[0];
  const auto& a = audio.at(first);
  for (std::size_t i = 1; i < stations.size(); ++i) {
    const auto& other = stations[i];
    const auto& b = audio.at(other);
    const double start_gap_s = double(start_ns.at(other) - start_ns.at(first)) / 1e9;
    const long expected = -std::lround(start_gap_s * kRate);  // b starts later: the same sound is earlier in b
    auto [lag, score] = best_lag(a, b, 3 * kRate, kRate / 2, expected, kRate / 10);
    EXPECT_GT(score, 0.8) << other << ": the recordings do not match";
    // The same sound is at a[i] (instant start_a + i/fs) and b[i + lag] (instant
    // start_b + (i + lag)/fs): the difference of the two instants is the skew.
    const double skew_ms = (start_gap_s + double(lag) / kRate) * 1000.0;
    std::cout << other << " against " << first << ": skew " << skew_ms << " ms (correlation " << score << ")\n";
    EXPECT_LT(std::abs(skew_ms), 5.0) << other;
  }
}

TEST_F(LiveAudio, ThreeStationsPlayALiveStreamWithin5msOfEachOther) {
  const std::vector<std::string> stations{"xa-1", "xa-2", "xa-3"};
  start(stations);
  wait_for_lock(stations);
  auto s = start_stream({{"source", "test:noise"}, {"to", "all"}, {"broadcast_id", "thu-loa"}});
  const std::string id = s["id"];
  EXPECT_EQ(s["stations"].size(), 3u);
  ASSERT_TRUE(eventually([&] { return stream(id)["state"] == "live"; }, 5s)) << stream(id).dump();
  std::this_thread::sleep_for(11s);  // 10 s of audio after the 1 s latency
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/streams/" + id).status, 200);

  const auto rows = asrun_of("thu-loa", 3);
  ASSERT_EQ(rows.size(), 3u) << rows.dump();
  std::map<std::string, std::int64_t> start_ns;
  for (const auto& r : rows) {
    EXPECT_TRUE(r["outcome"] == "stopped" || r["outcome"] == "played") << r.dump();
    ASSERT_TRUE(r["actual_start_ns"].is_number()) << r.dump();
    start_ns[r["station_id"]] = r["actual_start_ns"].get<std::int64_t>();
    EXPECT_GT(r["frames_played"].get<std::int64_t>(), 400) << r.dump();  // > 8 s of 20 ms frames
  }
  std::map<std::string, std::vector<std::int16_t>> audio;
  for (const auto& id_ : stations) {
    auto files = wav_files(id_);
    ASSERT_EQ(files.size(), 1u) << id_;
    audio[id_] = read_wav(files[0]);
    ASSERT_GT(audio[id_].size(), std::size_t(8 * kRate)) << id_;
  }
  expect_within_5ms(audio, start_ns, stations);
}

// Stations on clocks of their own: each agent runs under faketime, its real-time clock
// off by -2 s, 0 or +3 s and running 80 ppm slow, true or 80 ppm fast. Following the
// controller's clock, they still sound within 5 ms of each other (from their
// recordings), their clock telemetry says they are locked, and so do their as-run rows.
TEST_F(LiveAudio, StationsOnOffsetAndDriftingClocksStillPlayWithin5msOfEachOther) {
  const auto library = run_command("ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1");
  if (library.out.empty()) GTEST_SKIP() << "needs libfaketime (deploy/install-deps)";
  const std::string preload = "LD_PRELOAD=" + library.out.substr(0, library.out.find('\n'));
  const std::vector<std::string> stations{"slow", "true", "fast"};
  // Through env, which becomes the agent (the faketime program would stay its parent,
  // and stopping the station would leave the agent running). Real time only: with
  // CLOCK_MONOTONIC faked too, libfaketime's speed factor makes GStreamer's clock waits
  // sleep the wrong length, and a waiting pipeline never renders.
  const auto under = [&](const char* spec) {
    return std::vector<std::string>{"env", preload, std::string("FAKETIME=") + spec, "FAKETIME_DONT_FAKE_MONOTONIC=1"};
  };
  start(stations, {{"slow", under("-2 x0.99992")}, {"fast", under("+3 x1.00008")}});
  wait_for_lock(stations);
  const auto metric = [&](const std::string& name, const std::string& station) {
    const auto text = fleet.metrics();
    const auto key = name + "{station=\"" + station + "\",device=\"clock\"} ";
    const auto at = text.find(key);
    return at == std::string::npos ? std::nan("") : std::stod(text.substr(at + key.size()));
  };
  for (const auto& id : stations) {
    EXPECT_TRUE(eventually([&] { return metric("loa_clock_locked", id) == 1.0; }, 30s)) << id << "\n" << fleet.metrics();
  }
  // The offsets are real: each station's own clock is that far from the controller's.
  EXPECT_NEAR(metric("loa_clock_offset_ms", "slow"), 2000.0, 50.0);  // the controller's clock minus the station's
  EXPECT_NEAR(metric("loa_clock_offset_ms", "fast"), -3000.0, 50.0);
  EXPECT_NEAR(metric("loa_clock_offset_ms", "true"), 0.0, 50.0);

  auto s = start_stream({{"source", "test:noise"}, {"to", "all"}, {"broadcast_id", "lech"}});
  const std::string id = s["id"];
  ASSERT_TRUE(eventually([&] { return stream(id)["state"] == "live"; }, 5s)) << stream(id).dump();
  std::this_thread::sleep_for(11s);
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/streams/" + id).status, 200);
  const auto rows = asrun_of("lech", 3);
  ASSERT_EQ(rows.size(), 3u) << rows.dump();
  std::map<std::string, std::int64_t> start_ns;
  std::map<std::string, std::vector<std::int16_t>> audio;
  for (const auto& r : rows) {
    ASSERT_TRUE(r["actual_start_ns"].is_number()) << r.dump();
    start_ns[r["station_id"]] = r["actual_start_ns"].get<std::int64_t>();
    EXPECT_EQ(r["clock_locked"], true) << r.dump();
  }
  for (const auto& station : stations) {
    auto files = wav_files(station);
    ASSERT_EQ(files.size(), 1u) << station;
    audio[station] = read_wav(files[0]);
    ASSERT_GT(audio[station].size(), std::size_t(8 * kRate)) << station;
  }
  expect_within_5ms(audio, start_ns, {"true", "slow", "fast"});
}

TEST_F(LiveAudio, AFrozenStationSlowsNobodyAndCatchesUpWhenItThaws) {
  const std::vector<std::string> stations{"xa-1", "xa-2", "xa-3"};
  start(stations);
  auto s = start_stream({{"source", "test:tone"}, {"to", "all"}, {"broadcast_id", "dong-bang"}});
  const std::string id = s["id"];
  // xa-3 is sounding the stream (its recording holds half a second), not just set up.
  ASSERT_TRUE(eventually(
      [&] {
        const auto files = wav_files("xa-3");
        return files.size() == 1 && std::filesystem::file_size(files[0]) > 44 + kRate;  // 16-bit: 0.5 s
      },
      10s));
  // xa-3 stops reading (a hung board, a saturated link): its queue fills and overflows.
  ASSERT_EQ(::kill(fleet.agent_pid("xa-3"), SIGSTOP), 0);
  std::this_thread::sleep_for(5s);
  ASSERT_EQ(::kill(fleet.agent_pid("xa-3"), SIGCONT), 0);
  std::this_thread::sleep_for(3s);
  const auto frames = stream(id)["frames"].get<std::uint64_t>();
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/streams/" + id).status, 200);
  const auto rows = asrun_of("dong-bang", 3);
  ASSERT_EQ(rows.size(), 3u) << rows.dump();
  // The controller kept its pace (50 frames a second, about 9 s).
  EXPECT_GT(frames, 400u);
  for (const auto& r : rows) {
    if (r["station_id"] == "xa-3") {
      // It lost what went stale while it was frozen, and played on after it thawed.
      EXPECT_GT(r["frames_concealed"].get<int>(), 100) << r.dump();
      EXPECT_GT(r["frames_played"].get<int>(), 150) << r.dump();
    } else {
      EXPECT_EQ(r["frames_concealed"].get<int>(), 0) << r.dump();
      EXPECT_GT(r["frames_played"].get<int>(), 380) << r.dump();
    }
  }
}

TEST_F(LiveAudio, AnOperatorsRtpOpusFeedIsPlayedLive) {
  start({"xa-1"});
  const int port = free_port();
  auto s = start_stream({{"source", "rtp:" + std::to_string(port)}, {"to", "xa-1"}, {"broadcast_id", "micro"}});
  const std::string id = s["id"];
  // The operator's console: a microphone (here a tone) sent as RTP/Opus.
  ChildProcess console({"gst-launch-1.0", "-q", "audiotestsrc", "is-live=true", "!", "audioconvert", "!", "opusenc",
                        "!", "rtpopuspay", "pt=96", "!", "udpsink", "host=127.0.0.1", "port=" + std::to_string(port)},
                       fleet.dir() + "/console.log");
  ASSERT_TRUE(eventually([&] { return stream(id)["state"] == "live"; }, 10s)) << stream(id).dump();
  std::this_thread::sleep_for(4s);
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/streams/" + id).status, 200);
  const auto rows = asrun_of("micro", 1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_GT(rows[0]["frames_played"].get<int>(), 100) << rows.dump();
  EXPECT_EQ(rows[0]["frames_concealed"].get<int>(), 0) << rows.dump();
}

TEST_F(LiveAudio, AnEmergencyStreamPreemptsAPlayingClip) {
  start({"xa-1"});
  const auto path = fleet.dir() + "/bai.flac";
  ASSERT_EQ(run_command("gst-launch-1.0 -q audiotestsrc num-buffers=430 volume=0.3 ! audioconvert ! flacenc ! "
                        "filesink location=" + path).exit_code, 0);
  auto added = fleet.loactl("--json clips add " + path + " --name bai");
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const std::string clip = json::parse(added.out)[0]["id"];
  ASSERT_EQ(fleet.loactl("play --clip " + clip + " --to xa-1 --broadcast ban-tin").exit_code, 0);
  ASSERT_TRUE(eventually([&] { return wav_files("xa-1").size() == 1; }, 10s));
  std::this_thread::sleep_for(1s);

  auto r = fleet.loactl("play --live test:tone --to xa-1 --priority emergency --broadcast bao-dong");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto clip_rows = asrun_of("ban-tin", 1);
  ASSERT_EQ(clip_rows.size(), 1u);
  EXPECT_EQ(clip_rows[0]["outcome"], "preempted") << clip_rows.dump();
  EXPECT_NE(clip_rows[0]["detail"].get<std::string>().find("bao-dong"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return wav_files("xa-1").size() == 2; }, 5s));
  std::this_thread::sleep_for(2s);
  auto streams = fleet.api("GET", "/api/v1/streams").body["items"];
  ASSERT_EQ(streams.size(), 1u);
  r = fleet.loactl("streams stop " + streams[0]["id"].get<std::string>());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const auto alert_rows = asrun_of("bao-dong", 1);
  ASSERT_EQ(alert_rows.size(), 1u);
  EXPECT_EQ(alert_rows[0]["outcome"], "stopped") << alert_rows.dump();
  EXPECT_GT(alert_rows[0]["frames_played"].get<int>(), 50);
}

// Seconds of sound (20 ms windows well above silence) in a station's recordings.
double seconds_of_sound(const std::vector<std::string>& files) {
  constexpr std::size_t kWindow = kRate / 50;
  std::size_t loud = 0;
  for (const auto& file : files) {
    const auto samples = read_wav(file);
    for (std::size_t at = 0; at + kWindow <= samples.size(); at += kWindow) {
      double energy = 0;
      for (std::size_t i = at; i < at + kWindow; ++i) energy += double(samples[i]) * samples[i];
      if (std::sqrt(energy / kWindow) > 1000) ++loud;
    }
  }
  return double(loud) / 50.0;
}

// An operator's stream is recorded with its stations: a controller killed in the middle
// opens it again when it comes back, and the station sounds it again; once stopped, it
// stays stopped across the next restart.
TEST_F(LiveAudio, AStreamGoesOnAfterTheControllerIsKilledAndRestarted) {
  start({"xa-1"});
  std::this_thread::sleep_for(1s);
  const auto began = std::chrono::steady_clock::now();
  auto s = start_stream({{"source", "test:tone"}, {"to", "xa-1"}, {"broadcast_id", "tin-sang"}});
  const std::string id = s["id"];
  ASSERT_TRUE(eventually([&] { return stream(id)["state"] == "live"; }, 5s)) << stream(id).dump();
  std::this_thread::sleep_for(3s);
  fleet.stop_controller(SIGKILL);
  // At most this much can have sounded before the kill (the stream has a second of latency).
  const double before_kill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  fleet.start_controller();
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 15000));
  ASSERT_TRUE(eventually([&] { return stream(id)["state"] == "live"; }, 10s)) << stream(id).dump();
  EXPECT_EQ(stream(id)["stations"], json::array({"xa-1"}));
  EXPECT_EQ(stream(id)["broadcast_id"], "tin-sang");
  std::this_thread::sleep_for(7s);
  ASSERT_EQ(fleet.api("DELETE", "/api/v1/streams/" + id).status, 200);
  ASSERT_TRUE(eventually([&] { return !asrun_of("tin-sang", 1).empty() && seconds_of_sound(wav_files("xa-1")) > 0; }, 10s));
  std::this_thread::sleep_for(1s);  // the last recording's header is written as it ends
  const double sounded = seconds_of_sound(wav_files("xa-1"));
  std::cout << "sound before the kill at most " << before_kill_s << " s; in all " << sounded << " s\n";
  EXPECT_GT(sounded, before_kill_s + 4.0) << "the stream did not sound again after the restart";

  // Stopped is stopped: the next restart does not bring it back.
  fleet.stop_controller(SIGKILL);
  fleet.start_controller();
  ASSERT_TRUE(fleet.wait_for_state("xa-1", "online", 15000));
  EXPECT_EQ(fleet.api("GET", "/api/v1/streams/" + id).status, 404);
  EXPECT_TRUE(fleet.api("GET", "/api/v1/streams").body["items"].empty());
}

// A radio programme served over HTTP as an endless WAV stream (a 440 Hz tone), paced
// in real time, until told to drop its listeners.
class RadioServer {
 public:
  explicit RadioServer(int port) : port_(port) { start(); }
  ~RadioServer() { stop(); }
  void start() {
    alive_ = true;
    server_ = std::make_unique<httplib::Server>();
    server_->Get("/radio.wav", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("audio/x-wav", [this, sent = std::size_t(0),
                                                      began = std::chrono::steady_clock::now()](
                                                         std::size_t, httplib::DataSink& sink) mutable {
        if (!alive_) return false;
        if (sent == 0) {
          const std::string header = wav_header();
          if (!sink.write(header.data(), header.size())) return false;
        }
        std::vector<std::int16_t> chunk(960);  // 20 ms
        for (std::size_t i = 0; i < chunk.size(); ++i) {
          chunk[i] = static_cast<std::int16_t>(8000 * std::sin(2 * M_PI * 440 * double(sent + i) / kRate));
        }
        sent += chunk.size();
        std::this_thread::sleep_until(began + std::chrono::microseconds(sent * 1'000'000 / kRate) - 100ms);
        return sink.write(reinterpret_cast<const char*>(chunk.data()), chunk.size() * 2);
      });
    });
    if (!server_->bind_to_port("127.0.0.1", port_)) throw std::runtime_error("radio: cannot bind its port");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  // The upstream dies: listeners are dropped and nobody can connect.
  void stop() {
    alive_ = false;
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

 private:
  static std::string wav_header() {
    auto le32 = [](std::uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
    auto le16 = [](std::uint16_t v) { return std::string{char(v), char(v >> 8)}; };
    return "RIFF" + le32(0xFFFFFFFF) + "WAVEfmt " + le32(16) + le16(1) + le16(1) + le32(kRate) + le32(kRate * 2) +
           le16(2) + le16(16) + "data" + le32(0xFFFFFFFF);
  }
  int port_;
  std::atomic<bool> alive_{true};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

TEST_F(LiveAudio, ARelaySurvivesItsUpstreamDyingAndComingBack) {
  start({"xa-1"});
  const int port = free_port();
  RadioServer radio(port);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/radio.wav";
  auto s = start_stream({{"source", url}, {"to", "xa-1"}, {"priority", "relay"}, {"broadcast_id", "vov1"}});
  const std::string id = s["id"];
  ASSERT_TRUE(eventually([&] { return stream(id)["state"] == "live"; }, 10s)) << stream(id).dump();
  std::this_thread::sleep_for(3s);
  const auto before = stream(id)["frames"].get<std::uint64_t>();
  EXPECT_GT(before, 50u);

  radio.stop();
  ASSERT_TRUE(eventually([&] { return stream(id)["state"] == "reconnecting"; }, 10s)) << stream(id).dump();
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(stream(id)["state"], "reconnecting") << "nothing to relay while the upstream is down";
  radio.start();
  ASSERT_TRUE(eventually([&] { return stream(id)["state"] == "live"; }, 15s)) << stream(id).dump();
  const auto after_reconnect = stream(id)["frames"].get<std::uint64_t>();
  std::this_thread::sleep_for(3s);
  const auto status = stream(id);
  EXPECT_GT(status["frames"].get<std::uint64_t>(), after_reconnect + 100) << status.dump();
  EXPECT_GE(status["reconnects"].get<int>(), 1) << status.dump();
  EXPECT_FALSE(status["last_error"].get<std::string>().empty()) << status.dump();

  ASSERT_EQ(fleet.api("DELETE", "/api/v1/streams/" + id).status, 200);
  const auto rows = asrun_of("vov1", 1);
  ASSERT_EQ(rows.size(), 1u);
  // The station played on through the outage: one playout, with the gap concealed.
  EXPECT_EQ(rows[0]["outcome"], "stopped") << rows.dump();
  EXPECT_GT(rows[0]["frames_played"].get<int>(), 250) << rows.dump();
  EXPECT_GE(rows[0]["longest_gap_ms"].get<int>(), 1000) << rows.dump();
  const auto files = wav_files("xa-1");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_GT(read_wav(files[0]).size(), std::size_t(4 * kRate));  // both sides of the outage
}

TEST_F(LiveAudio, AScheduledRelayPlaysItsSlotFromItsAirTime) {
  start({"xa-1"});
  const int port = free_port();
  RadioServer radio(port);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::int64_t air = (now + 8000) / 1000 * 1000;
  const std::time_t t = air / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char start[32];
  std::strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%S", &tm);
  auto b = fleet.api("POST", "/api/v1/broadcasts",
                     {{"title", "VOV1 thoi su"},
                      {"relay", "http://127.0.0.1:" + std::to_string(port) + "/radio.wav"},
                      {"slot_s", 4},
                      {"to", "xa-1"},
                      {"start", start},
                      {"tz", "UTC"},
                      {"priority", "relay"}});
  ASSERT_EQ(b.status, 201) << b.body.dump();
  const std::string id = b.body["id"];
  json rows;
  ASSERT_TRUE(eventually(
      [&] {
        rows = fleet.api("GET", "/api/v1/asrun?broadcast=" + id).body["items"];
        return !rows.empty();
      },
      20s));
  EXPECT_EQ(rows[0]["outcome"], "played") << rows.dump();
  EXPECT_EQ(rows[0]["planned_start_ms"], air);
  // From the air time on, not before: the stream was opened ahead of it.
  EXPECT_LT(std::abs(rows[0]["late_ms"].get<int>()), 50) << rows.dump();
  EXPECT_GT(rows[0]["frames_played"].get<int>(), 170) << rows.dump();  // of the 200 in 4 s
  const auto files = wav_files("xa-1");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NEAR(static_cast<double>(read_wav(files[0]).size()) / kRate, 4.0, 0.5);
}

}  // namespace
}  // namespace loa::test
