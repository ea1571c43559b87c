#include "loa/alerts/delivery_tracking.hpp"

namespace loa::alerts::delivery {

namespace v1 = ::loa::v1;

bool is_final(const std::string& state) { return state == "played" || state == "failed" || state == "stopped"; }

bool on_result(store::AlertDelivery& d, const v1::CommandResult& result, std::int64_t now_ms) {
  if (is_final(d.state)) return false;
  if (result.outcome() == v1::CommandResult::OUTCOME_APPLIED) {
    if (d.state != "sent") return false;  // already further on
    d.state = "acknowledged";
    // What the station said beyond "queued" (its amplifier warming up) is shown.
    if (result.detail() != "queued" && result.detail() != "duplicate") d.detail = result.detail();
  } else {
    d.state = "failed";
    d.detail = result.detail().empty() ? "refused by the station" : result.detail();
  }
  d.updated_ms = now_ms;
  return true;
}

bool on_playback(store::AlertDelivery& d, const v1::PlaybackReport& report, std::int64_t now_ms) {
  using O = v1::PlaybackReport;
  bool first_sound = false;
  if (report.outcome() == O::OUTCOME_PLAYING) {
    first_sound = report.actual_start_ms() && !d.first_sound_ms;
    if (report.actual_start_ms() && (!d.first_sound_ms || report.actual_start_ms() < d.first_sound_ms)) {
      d.first_sound_ms = report.actual_start_ms();
    }
    if (!is_final(d.state)) d.state = "playing";
  } else {
    ++d.parts_done;
    if (report.actual_start_ms() && !d.first_sound_ms) d.first_sound_ms = report.actual_start_ms();
    switch (report.outcome()) {
      case O::OUTCOME_PLAYED:
        if (d.state == "failed" || d.state == "stopped") break;
        if (d.parts_done >= d.parts_expected) {
          d.state = "played";
          d.detail.clear();
        } else {
          d.state = "acknowledged";
          d.detail = "played " + std::to_string(d.parts_done) + " of " + std::to_string(d.parts_expected) + " parts";
        }
        break;
      case O::OUTCOME_STOPPED:
        d.state = "stopped";
        if (d.detail.empty()) d.detail = report.detail();
        break;
      case O::OUTCOME_PREEMPTED:
        d.state = "failed";
        d.detail = report.detail();
        break;
      default:
        d.state = "failed";
        d.detail = report.detail().empty() ? "did not play" : report.detail();
        break;
    }
  }
  d.updated_ms = now_ms;
  return first_sound;
}

bool stop(store::AlertDelivery& d, const std::string& why, std::int64_t now_ms) {
  if (is_final(d.state)) return false;
  d.state = "stopped";
  d.detail = why;
  d.updated_ms = now_ms;
  return true;
}

}  // namespace loa::alerts::delivery
