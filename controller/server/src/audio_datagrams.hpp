#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "loa/curve/key_pair.hpp"
#include "loa/curve/sealed_datagram.hpp"
#include "loa/registry/station_registry.hpp"
#include "loa/server/audio_datagram_settings.hpp"
#include "loa/server/link_counters.hpp"
#include "loa/time/clock.hpp"
#include "loa/v1/audio.pb.h"

namespace loa::server {

// Live audio over UDP, beside the audio socket's TCP: on a lossy 3G link TCP turns each
// lost segment into a wait for its retransmission, and a few in a row put the stream a
// whole latency behind. Here a lost datagram is just lost, and every frame travels in
// `redundancy` datagrams in a row (the newest frames and the ones before them), so a
// frame is missing only when all of them are.
//
// Stations behind a carrier's NAT cannot be reached first: each station sends a hello
// every few seconds, sealed with its CURVE key (curve::DatagramSeal), naming the
// streams it wants; the controller admits the key (the station must be approved, as
// on the control socket), and from then on sends those streams' frames, sealed for
// that station, to the address the hello came from. A hello whose stamp is not newer
// than the last (a replay) or far from the controller's clock is refused, so nobody
// can redirect a station's audio. A station not heard for `forget_after` gets nothing.
class AudioDatagrams {
 public:
  struct Settings : AudioDatagramSettings {
    std::string bind_host = "127.0.0.1";
    std::uint16_t port = 0;      // 0: any free port
    std::string secret_key_z85;  // the controller's
  };
  // The station id of an approved key (Z85), or nullopt.
  using Admit = std::function<std::optional<std::string>(const std::string& public_key_z85)>;
  // The controller's clock, ms since the epoch (what a hello's stamp is compared with).
  using NowMs = std::function<std::int64_t()>;

  AudioDatagrams(Settings settings, Admit admit, NowMs now_ms, LinkCounters& counters);
  AudioDatagrams(const AudioDatagrams&) = delete;
  AudioDatagrams& operator=(const AudioDatagrams&) = delete;
  ~AudioDatagrams();

  // Beside the audio socket bound at `tcp_endpoint` ("tcp://HOST:PORT"), on the same
  // port over UDP, admitting the registry's approved stations; null (and a warning)
  // when that port cannot be had, and live audio goes over TCP alone.
  [[nodiscard]] static std::unique_ptr<AudioDatagrams> beside(const std::string& tcp_endpoint,
                                                              const AudioDatagramSettings& settings,
                                                              const std::string& secret_key_z85,
                                                              const registry::StationRegistry& registry,
                                                              const time::IClock& clock, LinkCounters& counters);

  // Binds; throws std::runtime_error when the port cannot be had.
  void bind();
  void start();
  void stop();
  [[nodiscard]] std::uint16_t port() const { return port_; }

  // One message as the audio socket carries it (topic + AudioBatch). Thread-safe.
  void publish(std::string_view message);
  // A revoked station gets nothing more.
  void forget(const std::string& station);
  [[nodiscard]] std::size_t stations() const;

 private:
  struct Station {
    sockaddr_storage address{};
    socklen_t address_length = 0;
    std::set<std::string> streams;
    std::chrono::steady_clock::time_point heard;
    std::int64_t last_stamp_ms = 0;
    std::string public_raw;
    std::optional<curve::DatagramSeal> seal;
  };
  void run();
  void receive();
  void on_hello(std::string_view datagram, const sockaddr_storage& from, socklen_t from_length);
  void send_to_subscribers(const std::string& stream_id, const std::string& payload);

  Settings settings_;
  Admit admit_;
  NowMs now_ms_;
  LinkCounters& counters_;
  int fd_ = -1;
  int wake_ = -1;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, Station> stations_;                     // by station id
  std::map<std::string, std::deque<loa::v1::AudioFrame>> recent_;  // by stream: frames sent lately
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace loa::server
