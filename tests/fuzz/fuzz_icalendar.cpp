// An iCalendar file as POST /api/v1/schedule.ics takes it: every event read, its
// rule and times checked. A bad calendar is a ScheduleError or a refused event.
#include <cstddef>
#include <cstdint>
#include <string>

#include "loa/schedule/icalendar.hpp"
#include "loa/schedule/recurrence.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)loa::schedule::parse_calendar(text, {"all"}, "Asia/Ho_Chi_Minh");
  } catch (const loa::schedule::ScheduleError&) {
  }
  return 0;
}
