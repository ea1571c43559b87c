#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace loa::bench {

// Snapcast, the open multi-room player, playing the same test signal on this host as a
// baseline for the agent's footprint: one snapserver reading the signal from
// gst-launch, and snapclients that decode and play it to a null file output (the
// player's timing and decoding, without a sound card). Opus, as Loa's live audio; stereo,
// since Snapcast's Opus takes no other.
class SnapcastBeside {
 public:
  // Starts the server and `clients` clients, their logs in `dir`. ok() says whether
  // snapserver and snapclient are installed and running.
  SnapcastBeside(const std::string& dir, const std::string& source_pipeline, int clients);
  ~SnapcastBeside();
  SnapcastBeside(const SnapcastBeside&) = delete;
  SnapcastBeside& operator=(const SnapcastBeside&) = delete;

  [[nodiscard]] bool ok() const;
  [[nodiscard]] std::vector<pid_t> client_pids() const;

 private:
  std::unique_ptr<test::ChildProcess> server_;
  std::vector<std::unique_ptr<test::ChildProcess>> clients_;
};

}  // namespace loa::bench
