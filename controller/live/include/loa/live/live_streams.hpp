#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "loa/live/clock_server.hpp"

namespace loa::live {

struct LiveSettings {
  // Capture to loudspeaker: each frame is stamped to play this long after it was made.
  // It covers encoding, the network, the station's decode and its output; every
  // station plays the frame at that same instant.
  std::chrono::milliseconds latency{1000};
  int bitrate = 32000;  // Opus, bit/s (speech-tuned, 20 ms frames)
  // A source that yields no audio this long is torn down and opened again.
  std::chrono::milliseconds stall_timeout{3000};
  std::chrono::milliseconds reconnect_min{500};  // first retry; doubles up to reconnect_max
  std::chrono::milliseconds reconnect_max{8000};

  // Frames sent together in one message: a fifth of the latency, between 1 (20 ms, for
  // live speech at low latency) and 10 (200 ms, at the default latency). Fewer messages
  // is what lets one controller feed thousands of stations.
  [[nodiscard]] int frames_per_message() const {
    return static_cast<int>(std::clamp<std::int64_t>(latency.count() / 5 / 20, 1, 10));
  }
};

// Where frames go: the audio socket. `message` is the stream's topic followed by a
// batch of frames (see loa::wire::audio_message). Called from stream threads.
class IFramePublisher {
 public:
  virtual ~IFramePublisher() = default;
  virtual void publish(const std::string& message) = 0;
};

// A source the controller cannot read, described for the operator.
class SourceError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The GStreamer source for a stream, from what an operator writes:
//   http(s)://, rtsp://, srt://, file://   a programme to relay (decoded, any format)
//   capture: or capture:DEVICE            the controller's sound card (ALSA)
//   rtp:PORT                              RTP/Opus sent by an operator's console (UDP)
//   test:tone, test:noise or test:silence  a test signal
// Throws SourceError for anything else.
[[nodiscard]] std::string source_description(const std::string& source);
// Whether a source is a programme that may drop and come back (relays reconnect at
// end of stream; a file or a test signal just ends).
[[nodiscard]] bool source_reconnects(const std::string& source);

struct StreamStatus {
  std::string id;
  std::string source;
  std::string broadcast_id;
  std::string state;  // starting, live, reconnecting, ended, stopped
  std::uint64_t frames = 0;      // frames published
  std::uint64_t reconnects = 0;  // times the source was opened again
  std::uint64_t stalls = 0;      // of which because it went silent
  std::string last_error;        // the last problem with the source, if any
  std::int64_t started_ms = 0;
  std::int64_t ended_ms = 0;
};

// Live streams: each reads its source in its own GStreamer pipeline on the station
// clock, encodes 20 ms Opus frames, stamps each with the instant every station is to
// play it (made + latency), and publishes it. A source that errors, ends (relays) or
// stalls is reopened with back-off, and the stream goes on: stations conceal the gap.
// Thread-safe.
class LiveStreams {
 public:
  LiveStreams(LiveSettings settings, ClockServer& clock, IFramePublisher& publisher);
  LiveStreams(const LiveStreams&) = delete;
  LiveStreams& operator=(const LiveStreams&) = delete;
  ~LiveStreams();  // stops every stream

  // Starts a stream under `id`. Throws SourceError for a source it cannot read, and
  // std::invalid_argument for an id already in use.
  void start(const std::string& id, const std::string& source, const std::string& broadcast_id);
  // Ends a stream (stations are sent an end of stream); false if none is live by that id.
  bool stop(const std::string& id);
  [[nodiscard]] std::vector<StreamStatus> list() const;
  [[nodiscard]] std::optional<StreamStatus> find(const std::string& id) const;
  [[nodiscard]] const LiveSettings& settings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::live
