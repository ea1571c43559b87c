#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "loa/app/controller.hpp"
#include "loa/log/log.hpp"

namespace loa::fuzz {

// A whole controller in the fuzzer's process: SQLite in a scratch folder, the control
// link and the API on loopback at free ports, quiet logs, no alert clips to render.
class InProcessController {
 public:
  InProcessController(const std::string& name, const std::string& api_token)
      : dir_("/tmp/loa-fuzz-" + name + "-" + std::to_string(::getpid())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    log::set_level(log::Level::error);
    auto c = app::load_controller_config("");
    c.data_dir = dir_;
    c.control.bind = "tcp://127.0.0.1:*";
    c.control.enroll_bind = "tcp://127.0.0.1:*";
    c.control.audio_bind = "tcp://127.0.0.1:*";
    c.live.clock_port = 0;
    c.http.port = 0;
    c.http.api_token = api_token;
    c.alerts.standard_clips = false;
    controller_ = std::make_unique<app::Controller>(c);
    controller_->start();
  }
  InProcessController(const InProcessController&) = delete;
  InProcessController& operator=(const InProcessController&) = delete;
  ~InProcessController() {
    controller_->stop();
    std::filesystem::remove_all(dir_);
  }

  [[nodiscard]] app::Controller& controller() { return *controller_; }
  [[nodiscard]] const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::unique_ptr<app::Controller> controller_;
};

}  // namespace loa::fuzz
