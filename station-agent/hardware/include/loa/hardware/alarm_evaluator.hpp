#pragma once

#include <map>
#include <string>
#include <vector>

#include "loa/hwconfig/device_profile.hpp"

namespace loa::hardware {

// Turns a device's readings, cycle by cycle, into alarms that do not flap: a rule must
// hold for raise_cycles consecutive cycles to raise, and its clear condition (past the
// hysteresis band) for clear_cycles consecutive cycles to clear. A value that hovers at
// the threshold neither raises and clears nor clears and raises.
class AlarmEvaluator {
 public:
  explicit AlarmEvaluator(std::vector<hwconfig::AlarmRule> rules);

  struct Change {
    const hwconfig::AlarmRule* rule;
    bool active;   // true = raised now, false = cleared now
    double value;  // the reading that decided it
  };
  // One cycle's readings by point name ("vswr" may be derived). Rules whose point has no
  // reading this cycle keep their state.
  [[nodiscard]] std::vector<Change> evaluate(const std::map<std::string, double>& values);
  [[nodiscard]] std::vector<std::string> active_ids() const;

 private:
  struct State {
    bool active = false;
    int streak = 0;  // consecutive cycles pointing at the other state
  };
  std::vector<hwconfig::AlarmRule> rules_;
  std::vector<State> states_;
};

// A generic raise/clear debouncer for conditions that are not profile rules (device
// unreachable, band compliance).
class Debounce {
 public:
  Debounce(int raise_cycles, int clear_cycles) : raise_(raise_cycles), clear_(clear_cycles) {}
  // Feeds one cycle; returns true when the state changed.
  bool feed(bool condition);
  [[nodiscard]] bool active() const { return active_; }

 private:
  int raise_;
  int clear_;
  bool active_ = false;
  int streak_ = 0;
};

}  // namespace loa::hardware
