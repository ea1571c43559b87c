#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "loa/link/link_settings.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/link.pb.h"

namespace loa::link {

struct ClientLinkSettings {
  std::string station_id;           // our id, named in hello; the controller knows us by our key
  // Every controller's control and enrollment sockets (tcp://host:port), in the order
  // to try them; one entry for a controller that runs alone.
  std::vector<std::string> endpoints;
  std::vector<std::string> enroll_endpoints;
  std::string controller_public_key;  // Z85
  std::string public_key;           // ours, Z85
  std::string secret_key;
  LinkSettings link;
  std::chrono::milliseconds reconnect_min{200};
  std::chrono::milliseconds reconnect_max{10000};
  std::string software_version;
  std::string config_hash;
  std::vector<std::string> capabilities;
  std::vector<loa::v1::AlarmLimit> alarm_limits;  // a station's, told in hello
};

// Told what happens on the link. Called on the thread that runs the link.
class IClientLinkListener {
 public:
  virtual ~IClientLinkListener() = default;
  virtual void on_online(const loa::v1::Welcome& welcome) = 0;  // the controller welcomed us
  virtual void on_offline() = 0;  // the link dropped or went silent
  virtual void on_message(const loa::v1::Envelope& envelope) = 0;  // anything but welcome/heartbeat
  // A command from a controller whose lease epoch is below the highest heard: it lost
  // its lease, and the command is not applied.
  virtual void on_stale_command(const loa::v1::Command& command, std::uint64_t epoch, std::uint64_t highest) = 0;
};

// The client end of the control link (a station agent's, or a member controller's toward
// the controller above it): a DEALER (CURVE client) that connects out to the
// controller's control socket, says hello after every handshake, sends heartbeats,
// notices when the controller goes silent and starts over with a fresh connection.
// When the controller does not admit our key (unknown, or still pending), the link asks
// the enrollment socket to record us, then tries again with back-off from reconnect_min
// to reconnect_max until an admin has approved the key.
class ClientLink {
 public:
  ClientLink(ClientLinkSettings settings, IClientLinkListener& listener, const time::IClock& clock);
  ClientLink(const ClientLink&) = delete;
  ClientLink& operator=(const ClientLink&) = delete;
  ~ClientLink();

  void open();
  void close(const std::string& reason);

  // The loop polls what this adds (none while waiting to retry) and hands the polled
  // items back to handle().
  void add_poll_items(std::vector<zmq::pollitem_t>& items);
  void handle(const zmq::pollitem_t* items);
  // Heartbeats, hello retries, back-off and silence detection; call at least every
  // heartbeat interval / 4.
  void tick();

  [[nodiscard]] bool online() const { return online_; }
  // The control socket in use now (or last).
  [[nodiscard]] const std::string& endpoint() const { return settings_.endpoints[current_]; }
  // The highest lease epoch heard from any controller (0: none runs as a pair).
  [[nodiscard]] std::uint64_t highest_epoch() const { return highest_epoch_; }
  // Sends without blocking; false when not online or the queue is full.
  [[nodiscard]] bool send(const loa::v1::Envelope& envelope);

 private:
  enum class Mode { control, enroll, waiting };

  void open_socket(Mode mode);
  void next_controller();
  void drop_socket();
  void reset(const std::string& reason);
  void retry_later(const std::string& reason);
  void send_hello();
  void go_offline();
  void handle_socket();
  void handle_monitor();
  void handle_enroll_reply(const loa::v1::EnrollReply& reply);

  ClientLinkSettings settings_;
  IClientLinkListener& listener_;
  const time::IClock& clock_;
  zmq::context_t context_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<zmq::socket_t> monitor_;
  int monitor_generation_ = 0;

  Mode mode_ = Mode::waiting;
  bool handshake_done_ = false;
  bool online_ = false;
  std::chrono::steady_clock::time_point last_heard_{};
  std::chrono::steady_clock::time_point last_sent_{};
  std::chrono::steady_clock::time_point opened_at_{};
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{};
  std::uint64_t heartbeat_seq_ = 0;
  std::int64_t boot_ms_ = 0;
  std::size_t current_ = 0;  // index into endpoints
  std::uint64_t highest_epoch_ = 0;
};

}  // namespace loa::link
