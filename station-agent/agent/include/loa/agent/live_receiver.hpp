#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "loa/agent/frame_order.hpp"
#include "loa/curve/sealed_datagram.hpp"
#include "loa/v1/audio.pb.h"

namespace loa::agent {

// The agent's end of the live audio path: a SUB socket (CURVE client, the same key as
// the control link) on the controller's audio socket, subscribed to exactly the streams
// the player plays or waits for. Separate from the control link, so a command never
// waits behind audio; its queue holds about one playout latency, since older audio is
// useless (the player drops a frame whose instant has passed).
//
// Beside it, the same frames over UDP (the controller's AudioDatagrams, same port): a
// hello every few seconds, sealed with the station's key, names the streams wanted and
// opens the way through a carrier's NAT; the datagrams that come back each carry the
// newest frames and the ones before them. Whichever way a frame comes first is played;
// FrameOrder puts them in order and drops the copies.
class LiveReceiver {
 public:
  struct Settings {
    std::string controller_public_key;  // Z85
    std::string public_key;             // ours, Z85
    std::string secret_key;
    int receive_high_water_mark = 100;  // messages (of 1 to 10 frames of 20 ms)
    std::int64_t max_frame_bytes = 16384;  // a message of 10 Opus frames is a few KiB at most
    bool datagrams = true;                 // also over UDP
    std::chrono::milliseconds hello_interval{2000};
    std::uint64_t reorder_margin_ns = 100'000'000;  // see FrameOrder
  };
  // Now on the shared clock, ns since the epoch (frames' instants and hellos' stamps).
  using NowNs = std::function<std::uint64_t()>;
  using FrameHandler = std::function<void(const loa::v1::AudioFrame&)>;

  LiveReceiver(Settings settings, FrameHandler on_frame, NowNs now_ns);
  LiveReceiver(const LiveReceiver&) = delete;
  LiveReceiver& operator=(const LiveReceiver&) = delete;
  ~LiveReceiver();

  // Connects to tcp://host:port with a fresh socket (subscriptions carried over).
  void connect(const std::string& host, std::uint16_t port);
  // Subscribes to these streams and to nothing else.
  void subscribe_only(const std::vector<std::string>& streams);

  void add_poll_items(std::vector<zmq::pollitem_t>& items);
  // Reads what the polled items (from add_poll_items, in order) say is waiting (a
  // bounded batch), hands on the frames now in order, and says hello when it is time.
  void handle(const zmq::pollitem_t* items);
  // How long the poll may wait before handle() has held frames to hand on.
  [[nodiscard]] std::chrono::milliseconds next_due_in(std::chrono::milliseconds at_most) const;

  [[nodiscard]] std::uint64_t malformed_frames() const { return malformed_; }
  [[nodiscard]] std::uint64_t datagrams_received() const { return datagrams_received_; }

 private:
  void note_malformed();
  void take_message(std::string_view message);
  void open_datagrams(const std::string& host, std::uint16_t port);
  void read_datagrams();
  void say_hello();

  Settings settings_;
  FrameHandler on_frame_;
  zmq::context_t context_{1};
  std::unique_ptr<zmq::socket_t> socket_;
  std::string endpoint_;
  std::set<std::string> subscribed_;
  NowNs now_ns_;
  FrameOrder order_;
  std::vector<loa::v1::AudioFrame> ready_;
  int udp_ = -1;  // connected to the controller's audio port
  void* polled_socket_ = nullptr;  // what add_poll_items() gave the poll
  int polled_udp_ = -1;
  std::string udp_host_;
  std::uint16_t udp_port_ = 0;
  std::chrono::steady_clock::time_point last_datagram_{};
  std::optional<curve::DatagramSeal> seal_;
  std::string public_raw_;
  std::chrono::steady_clock::time_point next_hello_{};
  std::int64_t last_hello_ms_ = 0;
  std::uint64_t malformed_ = 0;
  std::uint64_t datagrams_received_ = 0;
};

}  // namespace loa::agent
