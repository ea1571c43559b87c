#pragma once

#include <memory>
#include <string>
#include <vector>

#include "loa/app/controller_config.hpp"
#include "loa/daemon/loop_beat.hpp"
#include "loa/ha/lease.hpp"

namespace loa::app {

// The whole controller: store, registry, control link and API, wired from one config.
class Controller {
 public:
  // `lease`: one of a standby pair, acting while it holds the lease (it must outlive
  // the controller); null when the controller runs alone.
  explicit Controller(const ControllerConfig& config, const ha::Lease* lease = nullptr);
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;
  ~Controller();

  // Opens the store, makes keys and secrets on first start, binds and serves.
  void start();
  void stop();

  [[nodiscard]] const std::string& control_endpoint() const;
  [[nodiscard]] int http_port() const;
  // The loops that must keep going round (control link, alert desk), for the watchdog.
  [[nodiscard]] std::vector<const daemon::LoopBeat*> loops() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs the controller until SIGINT or SIGTERM. Returns the process exit code.
// main() must have called daemon::block_stop_signals() before any thread started.
int run_until_signalled(const ControllerConfig& config);

}  // namespace loa::app
