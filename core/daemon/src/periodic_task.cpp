#include "loa/daemon/periodic_task.hpp"

#include "loa/log/log.hpp"

namespace loa::daemon {

void PeriodicTask::start(std::string component, std::string what, std::chrono::milliseconds every,
                         std::function<void()> job) {
  thread_ = std::thread([this, component = std::move(component), what = std::move(what), every, job = std::move(job)] {
    const log::Logger logger(component);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        job();
      } catch (const std::exception& e) {
        logger.error("{} failed: error={}", what, e.what());
      }
      lock.lock();
      wake_.wait_for(lock, every, [this] { return stopping_; });
    }
  });
}

void PeriodicTask::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace loa::daemon
