#include "loa/agent/amplifier_schedule.hpp"

namespace loa::agent {

AmplifierSchedule::Action AmplifierSchedule::decide(std::int64_t now_ms, std::optional<std::int64_t> next_start_ms,
                                                    bool playing) {
  if (!enabled() || now_ms < retry_at_ms_) return Action::none;
  // A margin over the warm-up covers the loop's tick and the bus write, so the amplifier
  // is on at least warm_up before air, never a little less.
  constexpr std::int64_t kMarginMs = 250;
  const bool air_soon =
      playing || (next_start_ms && *next_start_ms - now_ms <= settings_.warm_up.count() + kMarginMs);
  if (air_soon) {
    idle_since_ms_ = 0;
    return on_ ? Action::none : Action::switch_on;
  }
  if (!on_) return Action::none;
  if (idle_since_ms_ == 0) idle_since_ms_ = now_ms;
  return now_ms - idle_since_ms_ >= settings_.idle_off.count() ? Action::switch_off : Action::none;
}

void AmplifierSchedule::switched(std::int64_t now_ms, Action action, bool ok) {
  if (!ok) {
    retry_at_ms_ = now_ms + settings_.retry_after.count();
    return;
  }
  retry_at_ms_ = 0;
  if (action == Action::switch_on) on_ = true;
  if (action == Action::switch_off) {
    on_ = false;
    idle_since_ms_ = 0;
  }
}

}  // namespace loa::agent
