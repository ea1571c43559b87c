#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "loa/v1/command.pb.h"

namespace loa::agent {

// The station hardware configurations the controller pushed, kept under the state
// folder (`config/v<N>/`, `config/current` a link to the one in force) so that a switch
// is one rename, and the way back is there. Until a new one has proved itself (the
// controller reached, every device answering) it is on probation; a start that finds the
// probation expired goes back.
class ConfigKeeper {
 public:
  // `configured_station_file`: the agent's own hardware.station_file, in force until a
  // configuration is pushed (empty: none).
  ConfigKeeper(std::string state_dir, std::string configured_station_file);

  // The station hardware file to run now.
  [[nodiscard]] std::string station_file() const;
  // Version in force (0: the agent's own file).
  [[nodiscard]] std::uint32_t version() const;
  // Digest (hwconfig::bundle_digest) of the files in force, read now; "" without any or
  // when they cannot be read.
  [[nodiscard]] std::string digest() const;

  struct Outcome {
    bool applied = false;
    std::string detail;  // what was done, or FILE:LINE errors
  };
  // Checks and writes a pushed configuration, and stages it: it comes into force at the
  // next switch_to_staged() (the agent makes one once nothing is on air, and at start).
  Outcome apply(const v1::ApplyConfig& config);
  // Whether a configuration waits to come into force.
  [[nodiscard]] bool staged() const;
  // Puts the staged configuration in force, on probation until `now_ms` + its
  // confirm_within_ms. The caller restarts the hardware watch on it.
  void switch_to_staged(std::int64_t now_ms);

  struct Probation {
    std::uint32_t version = 0;
    std::int64_t deadline_ms = 0;
  };
  [[nodiscard]] std::optional<Probation> probation() const;
  // The configuration on probation has proved itself.
  void confirm();
  // Back to the configuration before the one on probation, recording why.
  void roll_back(const std::string& reason);
  // The reason of a rollback not yet reported, and forgets it.
  [[nodiscard]] std::optional<std::string> take_rollback_reason();

 private:
  [[nodiscard]] std::string dir() const { return state_dir_ + "/config"; }
  void point_current_at(const std::string& target);
  [[nodiscard]] std::optional<std::pair<Probation, std::string>> read_probation() const;

  std::string state_dir_;
  std::string configured_;
};

}  // namespace loa::agent
