#include "loa/orders/priority.hpp"

#include <array>
#include <utility>

namespace loa::orders {
namespace {

constexpr std::array<std::pair<std::string_view, Priority>, 5> kPriorities{{
    {"relay", Priority::relay},
    {"normal", Priority::normal},
    {"priority", Priority::priority},
    {"live", Priority::live},
    {"emergency", Priority::emergency},
}};

}  // namespace

std::optional<Priority> parse_priority(std::string_view name) {
  for (const auto& [text, value] : kPriorities) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::string_view to_string(Priority p) {
  for (const auto& [text, value] : kPriorities) {
    if (value == p) return text;
  }
  return "normal";
}

loa::v1::Priority to_wire(Priority p) { return static_cast<loa::v1::Priority>(rank(p)); }

std::string_view priority_names() { return "relay, normal, priority, live or emergency"; }

std::optional<OnPreempt> parse_on_preempt(std::string_view name) {
  if (name == "drop") return OnPreempt::drop;
  if (name == "resume") return OnPreempt::resume;
  return std::nullopt;
}

std::string_view to_string(OnPreempt p) { return p == OnPreempt::resume ? "resume" : "drop"; }

loa::v1::PreemptPolicy to_wire(OnPreempt p) {
  return p == OnPreempt::resume ? loa::v1::PREEMPT_RESUME : loa::v1::PREEMPT_DROP;
}

}  // namespace loa::orders
