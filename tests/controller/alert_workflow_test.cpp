// The alert workflow over every state and every action, and the checks of confirming.
#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "loa/alerts/alert_workflow.hpp"

namespace loa::alerts {
namespace {

using S = AlertState;
using A = AlertAction;

// Where each action leads from each state; a pair that is not here is refused as
// wrong_state and leaves the state as it was.
const std::map<std::pair<S, A>, S> kAllowed = {
    {{S::draft, A::confirm}, S::confirmed},     {{S::draft, A::cancel}, S::cancelled},
    {{S::confirmed, A::issue}, S::issued},      {{S::confirmed, A::cancel}, S::cancelled},
    {{S::issued, A::update}, S::updated},       {{S::issued, A::cancel}, S::cancelled},
    {{S::issued, A::all_clear}, S::all_clear},  {{S::issued, A::expire}, S::expired},
    {{S::updated, A::update}, S::updated},      {{S::updated, A::cancel}, S::cancelled},
    {{S::updated, A::all_clear}, S::all_clear}, {{S::updated, A::expire}, S::expired},
    {{S::expired, A::all_clear}, S::all_clear},
};

TEST(AlertWorkflow, EveryStateTimesEveryActionGoesWhereTheTableSays) {
  int checked = 0;
  for (auto state : kAlertStates) {
    for (auto action : kAlertActions) {
      const auto step = AlertWorkflow::decide(state, action);
      const auto it = kAllowed.find({state, action});
      if (it != kAllowed.end()) {
        EXPECT_TRUE(step.allowed()) << to_string(state) << " x " << to_string(action);
        EXPECT_EQ(step.next, it->second) << to_string(state) << " x " << to_string(action);
      } else {
        EXPECT_EQ(step.refusal, Refusal::wrong_state) << to_string(state) << " x " << to_string(action);
        EXPECT_EQ(step.next, state) << to_string(state) << " x " << to_string(action);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 7 * 6);
}

TEST(AlertWorkflow, OnAirAndEndedPartitionTheStatesAfterIssue) {
  for (auto s : kAlertStates) {
    EXPECT_FALSE(AlertWorkflow::on_air(s) && AlertWorkflow::ended(s)) << to_string(s);
    EXPECT_EQ(parse_alert_state(to_string(s)), s);
  }
  EXPECT_FALSE(parse_alert_state("all-clear"));
  EXPECT_FALSE(parse_alert_state(""));
}

Confirmation good() {
  Confirmation c;
  c.typed_count = 90;
  c.stations = 90;
  return c;
}

TEST(AlertWorkflow, ConfirmingChecksTheCountTheStationsTheExpiryAndTheSecondPersonInThatOrder) {
  EXPECT_EQ(AlertWorkflow::confirm(S::draft, good()).next, S::confirmed);
  auto c = good();
  c.typed_count = 9;  // a typo
  c.past_expiry = true;
  EXPECT_EQ(AlertWorkflow::confirm(S::draft, c).refusal, Refusal::count_mismatch);
  c = good();
  c.typed_count = -90;
  EXPECT_EQ(AlertWorkflow::confirm(S::draft, c).refusal, Refusal::count_mismatch);
  c = good();
  c.typed_count = 0;
  c.stations = 0;
  EXPECT_EQ(AlertWorkflow::confirm(S::draft, c).refusal, Refusal::no_stations);
  c = good();
  c.past_expiry = true;
  c.needs_second_person = c.by_drafter_or_script = true;
  EXPECT_EQ(AlertWorkflow::confirm(S::draft, c).refusal, Refusal::expired);
  c = good();
  c.needs_second_person = c.by_drafter_or_script = true;
  const auto step = AlertWorkflow::confirm(S::draft, c);
  EXPECT_EQ(step.refusal, Refusal::two_person_rule);
  EXPECT_EQ(step.next, S::draft);
  c.by_drafter_or_script = false;  // a second person
  EXPECT_TRUE(AlertWorkflow::confirm(S::draft, c).allowed());
  c = good();
  c.by_drafter_or_script = true;  // the rule is off for this alert
  EXPECT_TRUE(AlertWorkflow::confirm(S::draft, c).allowed());
  for (auto s : kAlertStates) {
    if (s == S::draft) continue;
    EXPECT_EQ(AlertWorkflow::confirm(s, good()).refusal, Refusal::wrong_state) << to_string(s);
  }
}

}  // namespace
}  // namespace loa::alerts
