#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace loa::wire {

// The ZeroMQ topic of a live stream: every message on the audio socket begins with it,
// followed directly by a serialized loa.v1.AudioBatch (one frame, so one encryption
// per subscriber per message). The trailing '/' keeps a subscription to stream "a1"
// from matching stream "a12" (topics match by prefix); stream ids have no '/'.
[[nodiscard]] inline std::string audio_topic(const std::string& stream_id) { return "stream/" + stream_id + "/"; }

[[nodiscard]] inline std::string audio_message(const std::string& stream_id, const std::string& batch) {
  return audio_topic(stream_id) + batch;
}

struct AudioMessage {
  std::string_view stream_id;
  std::string_view batch;  // serialized loa.v1.AudioBatch
};

// Splits a message from the audio socket; nullopt when it does not start with a topic.
[[nodiscard]] inline std::optional<AudioMessage> split_audio_message(std::string_view message) {
  constexpr std::string_view prefix = "stream/";
  if (message.substr(0, prefix.size()) != prefix) return std::nullopt;
  const auto end = message.find('/', prefix.size());
  if (end == std::string_view::npos || end == prefix.size()) return std::nullopt;
  return AudioMessage{message.substr(prefix.size(), end - prefix.size()), message.substr(end + 1)};
}

}  // namespace loa::wire
