#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

namespace loa::v1 {
class Envelope;
}

namespace loa::test {

class Fleet;

struct SimulatedStationsOptions {
  int stations = 100;
  std::string id_prefix = "sim-";
  std::chrono::milliseconds heartbeat{5000};
  // Telemetry of one amplifier from every station at this interval (0: none), spread
  // over the interval so that they do not all report in the same instant.
  std::chrono::milliseconds telemetry_every{0};
  // How long a clip play lasts before the station reports it played.
  std::chrono::milliseconds play_length{5000};
};

// What the stations have done so far.
struct SimulatedCounts {
  std::uint64_t commands_answered = 0;
  std::uint64_t playing_reports = 0;  // sound began
  std::uint64_t played_reports = 0;   // sound ended
  std::uint64_t telemetry_sent = 0;
  std::uint64_t connections = 0;      // links opened, first ones and returns
  std::int64_t last_playing_ms = 0;   // when the latest "playing" report was sent
};

// N stations at the protocol level, all in this process: each is a CurveZMQ connection
// with its own key that says hello, heartbeats, answers every command as applied,
// reports a play's sound beginning at its start time and ending a play length later,
// and sends telemetry. They are provisioned through the controller's API, so the
// controller treats them as it treats real agents. A station can be dropped (its link
// closed without a goodbye, as a power cut or a lost bearer does) and brought back.
class SimulatedStations {
 public:
  SimulatedStations(const Fleet& fleet, SimulatedStationsOptions options);
  ~SimulatedStations();
  SimulatedStations(const SimulatedStations&) = delete;
  SimulatedStations& operator=(const SimulatedStations&) = delete;

  // Connects every station and runs them on a thread of their own.
  void start();
  void stop();

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] const std::string& id(std::size_t i) const;
  // Stations whose current link has been welcomed.
  [[nodiscard]] int online() const { return online_.load(); }
  [[nodiscard]] SimulatedCounts counts() const;

  // Both are carried out by the stations' thread at its next turn.
  void drop(std::size_t i);
  void restore(std::size_t i);
  [[nodiscard]] bool dropped(std::size_t i) const;

 private:
  struct Station;
  void run();
  void connect(Station& s);
  void handle(Station& s, std::string_view bytes);
  void send_due_reports(Station& s, std::int64_t now);
  void send_telemetry(std::int64_t now);
  void apply_requests();
  void watch(Station& s);
  void to_read(Station& s);
  void read(Station& s);
  void send_to(Station& s, const loa::v1::Envelope& envelope);

  SimulatedStationsOptions options_;
  std::string server_key_;
  std::string endpoint_;
  zmq::context_t context_;
  int epoll_fd_;
  std::vector<std::unique_ptr<Station>> stations_;
  std::vector<Station*> ready_;   // to be read (stations' thread only)
  std::set<Station*> with_due_;   // with reports waiting for their time
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> online_{0};
  mutable std::mutex mutex_;  // guards requests_, counts_, and each station's dropped flag
  std::vector<std::pair<std::size_t, bool>> requests_;  // station, true = restore
  SimulatedCounts counts_;
};

}  // namespace loa::test
