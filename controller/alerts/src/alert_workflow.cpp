#include "loa/alerts/alert_workflow.hpp"

namespace loa::alerts {

const char* to_string(AlertState state) {
  switch (state) {
    case AlertState::draft: return "draft";
    case AlertState::confirmed: return "confirmed";
    case AlertState::issued: return "issued";
    case AlertState::updated: return "updated";
    case AlertState::cancelled: return "cancelled";
    case AlertState::all_clear: return "all_clear";
    case AlertState::expired: return "expired";
  }
  return "draft";
}

const char* to_string(AlertAction action) {
  switch (action) {
    case AlertAction::confirm: return "confirm";
    case AlertAction::issue: return "issue";
    case AlertAction::update: return "update";
    case AlertAction::cancel: return "cancel";
    case AlertAction::all_clear: return "all_clear";
    case AlertAction::expire: return "expire";
  }
  return "confirm";
}

std::optional<AlertState> parse_alert_state(std::string_view text) {
  for (auto s : kAlertStates) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

Step AlertWorkflow::decide(AlertState from, AlertAction action) {
  const Step refused{from, Refusal::wrong_state};
  switch (action) {
    case AlertAction::confirm: return from == AlertState::draft ? Step{AlertState::confirmed} : refused;
    case AlertAction::issue: return from == AlertState::confirmed ? Step{AlertState::issued} : refused;
    // An update is sent out again as a new version.
    case AlertAction::update: return on_air(from) ? Step{AlertState::updated} : refused;
    // A draft nobody confirmed may be withdrawn too; what has ended stays ended.
    case AlertAction::cancel: return ended(from) ? refused : Step{AlertState::cancelled};
    // People are told it is over even when the alert ran out on its own.
    case AlertAction::all_clear:
      return on_air(from) || from == AlertState::expired ? Step{AlertState::all_clear} : refused;
    case AlertAction::expire: return on_air(from) ? Step{AlertState::expired} : refused;
  }
  return refused;
}

Step AlertWorkflow::confirm(AlertState from, const Confirmation& c) {
  const auto step = decide(from, AlertAction::confirm);
  if (!step.allowed()) return step;
  if (c.typed_count < 0 || static_cast<std::size_t>(c.typed_count) != c.stations) return {from, Refusal::count_mismatch};
  if (c.stations == 0) return {from, Refusal::no_stations};
  if (c.past_expiry) return {from, Refusal::expired};
  if (c.needs_second_person && c.by_drafter_or_script) return {from, Refusal::two_person_rule};
  return step;
}

}  // namespace loa::alerts
