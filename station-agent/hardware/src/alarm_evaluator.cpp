#include "loa/hardware/alarm_evaluator.hpp"

namespace loa::hardware {

bool Debounce::feed(bool condition) {
  if (condition == active_) {
    streak_ = 0;
    return false;
  }
  if (++streak_ >= (active_ ? clear_ : raise_)) {
    active_ = condition;
    streak_ = 0;
    return true;
  }
  return false;
}

AlarmEvaluator::AlarmEvaluator(std::vector<hwconfig::AlarmRule> rules)
    : rules_(std::move(rules)), states_(rules_.size()) {}

std::vector<AlarmEvaluator::Change> AlarmEvaluator::evaluate(const std::map<std::string, double>& values) {
  std::vector<Change> changes;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& rule = rules_[i];
    auto& state = states_[i];
    auto it = values.find(rule.point);
    if (it == values.end()) continue;
    const double v = it->second;
    // Which way this reading points: towards raising (inactive) or clearing (active).
    bool towards_other = false;
    if (rule.above) {
      towards_other = state.active ? v < *rule.above - rule.hysteresis : v > *rule.above;
    } else if (rule.below) {
      towards_other = state.active ? v > *rule.below + rule.hysteresis : v < *rule.below;
    } else if (rule.equals) {
      towards_other = state.active ? v != *rule.equals : v == *rule.equals;
    }
    if (!towards_other) {
      state.streak = 0;
      continue;
    }
    if (++state.streak >= (state.active ? rule.clear_cycles : rule.raise_cycles)) {
      state.active = !state.active;
      state.streak = 0;
      changes.push_back({&rule, state.active, v});
    }
  }
  return changes;
}

std::vector<std::string> AlarmEvaluator::active_ids() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (states_[i].active) out.push_back(rules_[i].id);
  }
  return out;
}

}  // namespace loa::hardware
