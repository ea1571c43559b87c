#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loa/playout/shared_clock.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/audio.pb.h"
#include "loa/v1/command.pb.h"
#include "loa/v1/telemetry.pb.h"

namespace loa::playout {

// Where sound goes: "alsa:DEVICE" on a station board; "wav:DIR" (one WAV file per
// playout, written in real time) for tests and the demo; "fake" to play into nothing.
struct PlayoutSettings {
  std::string output = "alsa:default";
  // A live play waits this long for its stream's first frame before it counts as missed;
  // a stream that falls silent this long while playing ends as failed.
  std::chrono::milliseconds live_silence_limit{30000};
};

// What the live path has seen since start (for the agent's status and benchmarks).
struct LiveCounters {
  std::uint64_t frames_received = 0;   // frames of a stream this station plays or waits for
  std::uint64_t frames_late = 0;       // arrived after their presentation time: dropped
  std::uint64_t frames_concealed = 0;  // never arrived in time: played as loss concealment
};

// Told the outcome of every playout (the as-run log). Called on the player's thread.
class IPlayoutReports {
 public:
  virtual ~IPlayoutReports() = default;
  virtual void on_playout(const loa::v1::PlaybackReport& report) = 0;
};

// Makes this process's GStreamer hold only the plugins the player's pipelines are built
// from (gst::use_only_plugins) for an `output` as PlayoutSettings takes it, with its
// registry in `registry_file`. Call before the shared clock or a player is made. Returns
// one line per plugin that is missing.
std::vector<std::string> load_playout_plugins(const std::string& output, const std::string& registry_file);

// Plays cached clips and live streams through one GStreamer pipeline at a time: Opus
// decode with loss concealment, volume, the output, all on the shared clock. A clip
// starts exactly at its air time (the pipeline's base time is that instant), a live
// frame sounds at its presentation time, so stations on the same clock sound as one.
// A higher priority preempts what is playing (within one tick); an equal or lower one
// waits its turn; a preempted broadcast is dropped or played again afterwards, as its
// policy says. Not thread-safe: one thread calls everything, including tick() at least
// every 50 ms.
class Player {
 public:
  // `clip_path(sha)` gives the cached file, or "" when the clip is not (yet) here.
  Player(PlayoutSettings settings, std::function<std::string(const std::string&)> clip_path,
         IPlayoutReports& reports, const time::IClock& clock, SharedClock& shared_clock);
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;
  ~Player();

  // Takes a play; an empty string means accepted, else why not.
  [[nodiscard]] std::string enqueue(const loa::v1::Play& play);
  void stop(const std::string& broadcast_id);
  // Changes the volume of a broadcast (playing or waiting; "" = what is playing now).
  // Returns false when no playout matches.
  bool set_volume(const std::string& broadcast_id, double volume);
  void tick();
  // A frame of a live stream, from the audio socket. Frames of streams nobody here
  // plays or waits for are ignored.
  void on_live_frame(const loa::v1::AudioFrame& frame);
  // The live streams this station plays or waits for: what to subscribe to.
  [[nodiscard]] std::vector<std::string> wanted_streams() const;
  [[nodiscard]] LiveCounters live_counters() const;

  struct NowPlaying {
    std::string broadcast_id;
    std::string clip_sha256;
    std::string stream_id;
    loa::v1::Priority priority;
    std::int64_t started_ms;
  };
  [[nodiscard]] std::optional<NowPlaying> now_playing() const;
  // The earliest start among waiting plays (a play for "now" counts as now), if any.
  [[nodiscard]] std::optional<std::int64_t> next_start_ms() const;
  // Whether a waiting or playing play uses this clip.
  [[nodiscard]] bool needs_clip(const std::string& clip_sha256) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::playout
