#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace loa::alerts {

// An alert's life:
//
//   draft -> confirmed -> issued -> (updated)* -> cancelled | all_clear | expired
//                                                 (a draft may be cancelled; an expired
//                                                  alert may still get its all-clear)
enum class AlertState { draft, confirmed, issued, updated, cancelled, all_clear, expired };
enum class AlertAction { confirm, issue, update, cancel, all_clear, expire };

inline constexpr AlertState kAlertStates[] = {AlertState::draft,     AlertState::confirmed, AlertState::issued,
                                              AlertState::updated,   AlertState::cancelled, AlertState::all_clear,
                                              AlertState::expired};
inline constexpr AlertAction kAlertActions[] = {AlertAction::confirm, AlertAction::issue,     AlertAction::update,
                                                AlertAction::cancel,  AlertAction::all_clear, AlertAction::expire};

// As stored and shown ("all_clear", not "all-clear").
[[nodiscard]] const char* to_string(AlertState state);
[[nodiscard]] const char* to_string(AlertAction action);
[[nodiscard]] std::optional<AlertState> parse_alert_state(std::string_view text);

// Why a step is refused. Each means one thing to the person asking; the desk words it and
// gives it its HTTP status in one place.
enum class Refusal {
  none,
  wrong_state,      // the action does not apply to the alert as it stands
  count_mismatch,   // the person confirmed a station count other than the draft's
  no_stations,      // the targets hold no approved station
  expired,          // the alert would be past its expiry
  two_person_rule,  // Actual extreme/severe: the drafter (or a script) cannot confirm it
};

struct Step {
  AlertState next;
  Refusal refusal = Refusal::none;
  [[nodiscard]] bool allowed() const { return refusal == Refusal::none; }
};

// What confirming a draft brings, checked against the draft.
struct Confirmation {
  std::int64_t typed_count = 0;       // the station count the person typed
  std::size_t stations = 0;           // how many stations the targets resolve to now
  bool past_expiry = false;
  bool needs_second_person = false;   // by the alert rules (Actual, extreme or severe)
  bool by_drafter_or_script = false;  // the person who drafted it, or a token that is nobody
};

// The alert workflow as a table, with no I/O: the desk asks it what may happen, then
// does the work (stores, sends, stops). A refused step leaves the state as it was.
class AlertWorkflow {
 public:
  [[nodiscard]] static Step decide(AlertState from, AlertAction action);
  // Confirming, with its checks in the order a person should hear them.
  [[nodiscard]] static Step confirm(AlertState from, const Confirmation& c);

  [[nodiscard]] static bool on_air(AlertState s) { return s == AlertState::issued || s == AlertState::updated; }
  [[nodiscard]] static bool ended(AlertState s) {
    return s == AlertState::cancelled || s == AlertState::all_clear || s == AlertState::expired;
  }
};

}  // namespace loa::alerts
