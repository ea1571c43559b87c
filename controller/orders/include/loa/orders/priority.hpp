#pragma once

#include <optional>
#include <string_view>

#include "loa/v1/command.pb.h"

namespace loa::orders {

// How much a play matters, lowest first, as operators write it in broadcasts, plays,
// streams and alerts. Parsed and printed here and nowhere else; the values are the wire's
// (loa.v1.Priority), so a higher one preempts a lower one on the station.
enum class Priority { relay = 1, normal = 2, priority = 3, live = 4, emergency = 5 };

[[nodiscard]] std::optional<Priority> parse_priority(std::string_view name);
[[nodiscard]] std::string_view to_string(Priority p);
[[nodiscard]] loa::v1::Priority to_wire(Priority p);
// Higher preempts lower.
[[nodiscard]] constexpr int rank(Priority p) { return static_cast<int>(p); }
// "relay, normal, priority, live or emergency", for an error message.
[[nodiscard]] std::string_view priority_names();

// What a play does when a higher one takes the loudspeaker: it is over, or a clip goes
// on from where it stopped (a stream, at its present) once the higher one ends.
enum class OnPreempt { drop, resume };

[[nodiscard]] std::optional<OnPreempt> parse_on_preempt(std::string_view name);
[[nodiscard]] std::string_view to_string(OnPreempt p);
[[nodiscard]] loa::v1::PreemptPolicy to_wire(OnPreempt p);

}  // namespace loa::orders
