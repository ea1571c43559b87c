#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace loa::http {

// A fixed set of threads taking jobs from a bounded queue. The network thread only
// posts; a handler that takes seconds holds one worker, not the event loop.
class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t max_queued);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // False when the queue is full (the caller answers 503). The bound is checked, then
  // the job is queued, under one lock.
  [[nodiscard]] bool has_room() const;
  // Queues a job; never refuses (call has_room() first to keep the bound).
  void post(std::function<void()> job);
  // Runs what is queued, then joins every thread. Idempotent.
  void stop();

 private:
  void run();

  std::size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace loa::http
