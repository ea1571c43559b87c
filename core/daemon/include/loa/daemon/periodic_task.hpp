#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace loa::daemon {

// A thread that runs one job every so often until stopped; a job that throws is logged
// (component `component`: "`what` failed") and run again at the next turn. Stopping
// wakes the wait at once.
class PeriodicTask {
 public:
  PeriodicTask() = default;
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;
  ~PeriodicTask() { stop(); }

  void start(std::string component, std::string what, std::chrono::milliseconds every, std::function<void()> job);
  // Waits for the job in progress, if any. Safe to call twice, or never started.
  void stop();

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace loa::daemon
