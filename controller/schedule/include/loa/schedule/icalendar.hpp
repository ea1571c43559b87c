#pragma once

#include <string>
#include <vector>

#include "loa/store/records.hpp"

namespace loa::schedule {

// Writes broadcasts as one iCalendar (RFC 5545) calendar: a VEVENT per broadcast
// (DTSTART in its own zone, RRULE, EXDATE, DURATION of its air time) with the VTIMEZONEs
// they use, so a calendar program shows the schedule. What a calendar has no property
// for (targets, priority, content, volume) travels in X-LOA-* properties, so an exported
// calendar imports back unchanged. `air_ms` gives each broadcast's air time.
[[nodiscard]] std::string export_calendar(const std::vector<store::BroadcastRecord>& broadcasts,
                                          const std::vector<std::int64_t>& air_ms);

// One event of an imported calendar, as a broadcast to create, or why it cannot be one.
struct ImportedEvent {
  std::string uid;
  store::BroadcastRecord broadcast;  // content: clip_sha256, or tts_text to be rendered
  std::string error;                 // non-empty: this event is refused
};

// Reads the VEVENTs of a calendar. An event without X-LOA-TARGETS goes to
// `default_targets`; one without X-LOA-CLIP or X-LOA-TTS is read aloud from its
// DESCRIPTION (or SUMMARY). Throws ScheduleError when the text is not a calendar.
[[nodiscard]] std::vector<ImportedEvent> parse_calendar(const std::string& text,
                                                        const std::vector<std::string>& default_targets,
                                                        const std::string& default_zone);

}  // namespace loa::schedule
