#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace loa::agent {

// Decides when the station's amplifiers are powered: on at least `warm_up` before a
// scheduled play (a valve or a cold PA stage needs time before it sounds right), off once
// the air has been idle for `idle_off`, so a station does not burn power and hum all
// night. With warm_up zero it leaves power alone (operators switch it themselves).
class AmplifierSchedule {
 public:
  struct Settings {
    std::chrono::milliseconds warm_up{0};
    std::chrono::milliseconds idle_off{120000};
    std::chrono::milliseconds retry_after{5000};  // after a failed switch
  };
  enum class Action { none, switch_on, switch_off };

  explicit AmplifierSchedule(Settings settings) : settings_(settings) {}

  // What to do now, given the earliest waiting play and whether something is playing.
  [[nodiscard]] Action decide(std::int64_t now_ms, std::optional<std::int64_t> next_start_ms, bool playing);
  // The outcome of the last switch asked for: a failure is retried after retry_after.
  void switched(std::int64_t now_ms, Action action, bool ok);
  [[nodiscard]] bool enabled() const { return settings_.warm_up.count() > 0; }

 private:
  Settings settings_;
  bool on_ = false;               // switched on by this schedule
  std::int64_t idle_since_ms_ = 0;  // 0 = not idle
  std::int64_t retry_at_ms_ = 0;
};

}  // namespace loa::agent
