#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "loa/daemon/loop_beat.hpp"
#include "loa/link/link_settings.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/server/audio_datagram_settings.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "loa/server/link_counters.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/link.pb.h"
#include "loa/v1/telemetry.pb.h"

namespace loa::server {

struct ControlServerSettings {
  std::string bind_endpoint = "tcp://127.0.0.1:7700";    // control socket: approved stations
  std::string enroll_endpoint = "tcp://127.0.0.1:7701";  // enrollment socket: unknown keys say hello
  std::string audio_endpoint = "tcp://127.0.0.1:7702";   // live audio PUB socket: approved stations
  // Audio messages queued per station before the newest are dropped for that station
  // only: about the playout latency, not libzmq's 1,000 (20 s of stale audio).
  int audio_high_water_mark = 50;
  AudioDatagramSettings audio_datagrams;  // live audio over UDP on the audio port too
  std::uint16_t clock_port = 0;  // the station clock's UDP port, told to agents; 0 = none
  link::LinkSettings link;
  std::string public_key_z85;  // the controller's CURVE key pair
  std::string secret_key_z85;
  std::chrono::milliseconds seen_flush_interval{5000};
  std::string clips_dir;  // where the clip library keeps <sha256>.opus files
  std::string releases_dir;  // where agent releases are kept, <sha256>.deb, fetched the same way
  // One of a standby pair: the fence, asked before anything goes to a station (false
  // once the lease is lost), and the lease's epoch, which every envelope carries.
  // Empty and 0 for a controller that runs alone.
  std::function<bool()> may_send;
  std::uint64_t controller_epoch = 0;
};

// Told what stations report, on the control loop's thread, once it is stored and before
// the station is told it may forget it. Must be quick and must not call back into the
// server.
class IStationEvents {
 public:
  virtual ~IStationEvents() = default;
  virtual void on_command_result(const std::string& station_id, const loa::v1::CommandResult& result) = 0;
  virtual void on_playback(const std::string& station_id, const loa::v1::PlaybackReport& report) = 0;
};

// One report a station sent: its telemetry, an alarm, or a playback report.
struct StationReport {
  std::string station_id;
  loa::v1::Envelope envelope;
};

// Where the control server hands what stations report: the domain keeps it (stores it,
// follows what each station sounds). Called on the control loop's thread with the
// reports one drain of the control socket brought, so that a burst (every station's
// as-run after an alert) costs a transaction, not one each. Returns once every report is
// kept, and the stations are then told they may forget them; throws store::StoreError
// when they could not be kept, and the stations send them again later.
class IStationReports {
 public:
  virtual ~IStationReports() = default;
  virtual void keep(std::span<const StationReport> reports) = 0;
  // About once an hour: time to thin out old reports. Throws store::StoreError.
  virtual void tidy() = 0;
};

// The controller's end of the control link: the control ROUTER socket (CURVE server)
// that every approved agent connects to, the enrollment ROUTER where unknown agents ask
// to be enrolled, their ZAP handler, and the loop that runs them all on one thread.
// Everything else talks to the loop through thread-safe calls that wake it.
class ControlServer {
 public:
  ControlServer(ControlServerSettings settings, registry::StationRegistry& registry,
                CommandDispatcher& commands, IStationReports& reports, LinkCounters& counters,
                const time::IClock& clock);
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  ~ControlServer();

  // Who hears of results and playouts (may be null). Set before start().
  void set_events(IStationEvents* events);

  // Binds (ZAP handler first, then the control socket) and starts the loop thread.
  // Returns the endpoint actually bound (with the port, if the settings said '*').
  std::string start();
  // The enrollment endpoint actually bound (valid after start()).
  [[nodiscard]] std::string enroll_endpoint() const;
  void stop();

  // Thread-safe: drop the station's connection at once (after revoke/reject/removal).
  void disconnect(const std::string& station_id);
  // Thread-safe: publishes one message of live audio (its stream's topic, then frames)
  // to every station subscribed to it. Never blocks: a station whose queue is full
  // misses the message.
  void publish_audio(const std::string& message);
  // The audio endpoint actually bound (valid after start()).
  [[nodiscard]] std::string audio_endpoint() const;
  // When the loop last went round (it turns at least every tick, a few times a second).
  [[nodiscard]] const daemon::LoopBeat& liveness() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loa::server
