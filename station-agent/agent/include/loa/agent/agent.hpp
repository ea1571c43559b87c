#pragma once

#include <memory>

#include "loa/agent/agent_config.hpp"

namespace loa::agent {

// The station daemon: its state, the control link, and what it does with commands.
class Agent {
 public:
  // `version`: this program's version, as it tells the controller and judges releases by.
  Agent(const AgentConfig& config, const std::string& version);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  ~Agent();

  // Runs until SIGINT or SIGTERM; returns the exit code, or kRestart when the agent
  // must start afresh on a new hardware configuration or release (main() then executes
  // the program in force, keeping its process id for the service manager).
  int run();
  static constexpr int kRestart = -1;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The agent's public key (made on first use) in Z85: what an admin enrolls.
[[nodiscard]] std::string agent_public_key(const AgentConfig& config);

}  // namespace loa::agent
