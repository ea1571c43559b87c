#pragma once

#include <string>

namespace loa::wire {

// The ZeroMQ topic a live stream's frames are published under (first part of each
// message; the second is a serialized loa.v1.AudioFrame). The trailing '/' keeps a
// subscription to stream "a1" from matching stream "a12" (topics match by prefix).
[[nodiscard]] inline std::string audio_topic(const std::string& stream_id) { return "stream/" + stream_id + "/"; }

}  // namespace loa::wire
