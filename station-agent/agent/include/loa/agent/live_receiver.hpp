#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "loa/v1/audio.pb.h"

namespace loa::agent {

// The agent's end of the live audio path: a SUB socket (CURVE client, the same key as
// the control link) on the controller's audio socket, subscribed to exactly the streams
// the player plays or waits for. Separate from the control link, so a command never
// waits behind audio; its queue holds about one playout latency, since older audio is
// useless (the player drops a frame whose instant has passed).
class LiveReceiver {
 public:
  struct Settings {
    std::string controller_public_key;  // Z85
    std::string public_key;             // ours, Z85
    std::string secret_key;
    int receive_high_water_mark = 100;  // messages (of 1 to 10 frames of 20 ms)
    std::int64_t max_frame_bytes = 16384;  // a message of 10 Opus frames is a few KiB at most
  };
  using FrameHandler = std::function<void(const loa::v1::AudioFrame&)>;

  LiveReceiver(Settings settings, FrameHandler on_frame);
  LiveReceiver(const LiveReceiver&) = delete;
  LiveReceiver& operator=(const LiveReceiver&) = delete;
  ~LiveReceiver();

  // Connects to tcp://host:port with a fresh socket (subscriptions carried over).
  void connect(const std::string& host, std::uint16_t port);
  // Subscribes to these streams and to nothing else.
  void subscribe_only(const std::vector<std::string>& streams);

  void add_poll_items(std::vector<zmq::pollitem_t>& items);
  // Reads what the polled item says is waiting (a bounded batch).
  void handle(const zmq::pollitem_t& item);

  [[nodiscard]] std::uint64_t malformed_frames() const { return malformed_; }

 private:
  void note_malformed();

  Settings settings_;
  FrameHandler on_frame_;
  zmq::context_t context_{1};
  std::unique_ptr<zmq::socket_t> socket_;
  std::string endpoint_;
  std::set<std::string> subscribed_;
  std::uint64_t malformed_ = 0;
};

}  // namespace loa::agent
