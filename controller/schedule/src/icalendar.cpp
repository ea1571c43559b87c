#include "loa/schedule/icalendar.hpp"

#include <libical/ical.h>

#include <cstdio>
#include <memory>
#include <set>

#include "libical_lock.hpp"
#include "loa/schedule/recurrence.hpp"

namespace loa::schedule {
namespace {

struct ComponentFree {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Component = std::unique_ptr<icalcomponent, ComponentFree>;

std::string compact(const std::string& local) {  // "2026-11-24T06:00:00" -> "20261124T060000"
  auto t = parse_local(local);
  if (!t) return {};
  char text[20];
  if (t->has_time) {
    std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02d", t->year, t->month, t->day, t->hour, t->minute,
                  t->second);
  } else {
    std::snprintf(text, sizeof text, "%04d%02d%02d", t->year, t->month, t->day);
  }
  return text;
}

std::string local_text(const icaltimetype& t) {
  char text[24];
  if (t.is_date) {
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", t.year, t.month, t.day);
  } else {
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d", t.year, t.month, t.day, t.hour, t.minute,
                  t.second);
  }
  return text;
}

void add_property(icalcomponent* event, const std::string& line) {
  if (auto* p = icalproperty_new_from_string(line.c_str())) icalcomponent_add_property(event, p);
}

void add_x(icalcomponent* event, const char* name, const std::string& value) {
  if (value.empty()) return;
  icalproperty* p = icalproperty_new_x(value.c_str());
  icalproperty_set_x_name(p, name);
  icalcomponent_add_property(event, p);
}

std::string x_value(icalcomponent* event, const char* name) {
  for (auto* p = icalcomponent_get_first_property(event, ICAL_X_PROPERTY); p;
       p = icalcomponent_get_next_property(event, ICAL_X_PROPERTY)) {
    const char* n = icalproperty_get_x_name(p);
    if (n && std::string(n) == name) {
      const char* v = icalproperty_get_x(p);
      return v ? v : "";
    }
  }
  return {};
}

// libical's own zones carry a prefix ("/freeassociation.sourceforge.net/Asia/...").
std::string iana_name(const std::string& tzid) {
  if (tzid.empty() || tzid[0] != '/') return tzid;
  auto slash = tzid.find('/', 1);
  return slash == std::string::npos ? tzid.substr(1) : tzid.substr(slash + 1);
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// A DTSTART or EXDATE as local wall time in `zone`, whatever form the file used.
std::string as_local(icaltimetype t, const std::string& tzid, const TimeZone& zone) {
  if (t.is_date || (!icaltime_is_utc(t) && tzid.empty()) || !tzid.empty()) return local_text(t);
  const auto utc_ms = static_cast<std::int64_t>(icaltime_as_timet(t)) * 1000;
  auto text = zone.format(utc_ms);  // "YYYY-MM-DDTHH:MM:SS+07:00"
  return text.substr(0, 19);
}

}  // namespace

std::string export_calendar(const std::vector<store::BroadcastRecord>& broadcasts,
                            const std::vector<std::int64_t>& air_ms) {
  auto lock = lock_libical();
  Component calendar(icalcomponent_new_vcalendar());
  add_property(calendar.get(), "VERSION:2.0");
  add_property(calendar.get(), "PRODID:-//Loa//commune radio schedule//EN");
  std::set<std::string> zones;
  for (const auto& b : broadcasts) zones.insert(b.time_zone);
  for (const auto& name : zones) {
    auto* zone = icaltimezone_get_builtin_timezone(name.c_str());
    if (!zone) continue;
    if (auto* vtimezone = icaltimezone_get_component(zone)) {
      icalcomponent* copy = icalcomponent_new_clone(vtimezone);
      // Named as the events name it (without libical's prefix).
      if (auto* tzid = icalcomponent_get_first_property(copy, ICAL_TZID_PROPERTY)) icalproperty_set_tzid(tzid, name.c_str());
      icalcomponent_add_component(calendar.get(), copy);
    }
  }
  for (std::size_t i = 0; i < broadcasts.size(); ++i) {
    const auto& b = broadcasts[i];
    icalcomponent* event = icalcomponent_new_vevent();
    icalcomponent_set_uid(event, (b.id + "@loa").c_str());
    icalcomponent_set_summary(event, (b.title.empty() ? b.id : b.title).c_str());
    add_property(event, "DTSTART;TZID=" + b.time_zone + ":" + compact(b.start_local));
    const auto seconds = (i < air_ms.size() ? air_ms[i] : 60'000) / 1000;
    icalcomponent_set_duration(event, icaldurationtype_from_int(static_cast<int>(std::max<std::int64_t>(seconds, 1))));
    if (!b.rrule.empty()) add_property(event, "RRULE:" + b.rrule);
    for (const auto& ex : b.exdates) {
      add_property(event, ex.size() == 10 ? "EXDATE;VALUE=DATE:" + compact(ex)
                                          : "EXDATE;TZID=" + b.time_zone + ":" + compact(ex));
    }
    if (!b.tts_text.empty()) icalcomponent_set_description(event, b.tts_text.c_str());
    std::string targets;
    for (const auto& t : b.targets) targets += (targets.empty() ? "" : ",") + t;
    add_x(event, "X-LOA-TARGETS", targets);
    add_x(event, "X-LOA-PRIORITY", b.priority);
    add_x(event, "X-LOA-CLIP", b.clip_sha256);
    add_x(event, "X-LOA-TTS", b.tts_text);
    add_x(event, "X-LOA-RELAY", b.relay_url);
    add_x(event, "X-LOA-VOLUME", std::to_string(b.volume));
    add_x(event, "X-LOA-ON-PREEMPT", b.on_preempt);
    if (b.slot_ms > 0) add_x(event, "X-LOA-SLOT-MS", std::to_string(b.slot_ms));
    icalcomponent_add_component(calendar.get(), event);
  }
  char* text = icalcomponent_as_ical_string_r(calendar.get());
  std::string out = text ? text : "";
  free(text);  // NOLINT: libical allocates with malloc
  return out;
}

std::vector<ImportedEvent> parse_calendar(const std::string& text, const std::vector<std::string>& default_targets,
                                          const std::string& default_zone) {
  const TimeZone fallback(default_zone);
  auto lock = lock_libical();
  Component root(icalparser_parse_string(text.c_str()));
  if (!root) throw ScheduleError("not an iCalendar file (no BEGIN:VCALENDAR)");
  std::vector<icalcomponent*> events;
  if (icalcomponent_isa(root.get()) == ICAL_VEVENT_COMPONENT) {
    events.push_back(root.get());
  } else {
    for (auto* e = icalcomponent_get_first_component(root.get(), ICAL_VEVENT_COMPONENT); e;
         e = icalcomponent_get_next_component(root.get(), ICAL_VEVENT_COMPONENT)) {
      events.push_back(e);
    }
  }
  if (events.empty() && icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) {
    throw ScheduleError("not an iCalendar file (no VCALENDAR or VEVENT)");
  }
  std::vector<ImportedEvent> out;
  for (auto* event : events) {
    ImportedEvent item;
    auto& b = item.broadcast;
    const char* uid = icalcomponent_get_uid(event);
    item.uid = uid ? uid : "";
    const char* summary = icalcomponent_get_summary(event);
    b.title = summary ? summary : "";
    auto* dtstart = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
    if (!dtstart) {
      item.error = "no DTSTART";
      out.push_back(std::move(item));
      continue;
    }
    std::string tzid;
    if (auto* param = icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER)) {
      tzid = iana_name(icalparameter_get_tzid(param));
    }
    b.time_zone = tzid.empty() ? default_zone : tzid;
    const auto start = icalproperty_get_dtstart(dtstart);
    if (start.is_date) {
      item.error = "DTSTART is a whole day; a broadcast needs a time";
      out.push_back(std::move(item));
      continue;
    }
    b.start_local = as_local(start, tzid, fallback);
    if (auto* rrule = icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY)) {
      const char* value = icalproperty_get_value_as_string(rrule);
      b.rrule = value ? value : "";
    }
    for (auto* ex = icalcomponent_get_first_property(event, ICAL_EXDATE_PROPERTY); ex;
         ex = icalcomponent_get_next_property(event, ICAL_EXDATE_PROPERTY)) {
      std::string ex_tzid;
      if (auto* param = icalproperty_get_first_parameter(ex, ICAL_TZID_PARAMETER)) {
        ex_tzid = iana_name(icalparameter_get_tzid(param));
      }
      b.exdates.push_back(as_local(icalproperty_get_exdate(ex), ex_tzid, fallback));
    }
    const auto duration = icalcomponent_get_duration(event);
    const int seconds = icaldurationtype_as_int(duration);
    b.targets = split(x_value(event, "X-LOA-TARGETS"));
    if (b.targets.empty()) b.targets = default_targets;
    b.priority = x_value(event, "X-LOA-PRIORITY");
    if (b.priority.empty()) b.priority = "normal";
    b.clip_sha256 = x_value(event, "X-LOA-CLIP");
    b.tts_text = x_value(event, "X-LOA-TTS");
    b.relay_url = x_value(event, "X-LOA-RELAY");
    if (!b.relay_url.empty()) {
      b.content_kind = store::ContentKind::relay;
      b.slot_ms = static_cast<std::int64_t>(seconds) * 1000;
    }
    const auto slot = x_value(event, "X-LOA-SLOT-MS");
    if (!slot.empty()) b.slot_ms = std::atoll(slot.c_str());
    if (b.clip_sha256.empty() && b.tts_text.empty() && b.relay_url.empty()) {
      const char* description = icalcomponent_get_description(event);
      b.tts_text = description && *description ? description : b.title;
    }
    const auto volume = x_value(event, "X-LOA-VOLUME");
    if (!volume.empty()) b.volume = std::atof(volume.c_str());
    const auto on_preempt = x_value(event, "X-LOA-ON-PREEMPT");
    if (!on_preempt.empty()) b.on_preempt = on_preempt;
    if (b.targets.empty()) item.error = "no X-LOA-TARGETS and no default targets: who should hear it?";
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace loa::schedule
