// libical lives in this file and in icalendar.cpp only.
#include "loa/schedule/recurrence.hpp"
#include "loa/time/clock.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "libical_lock.hpp"

namespace loa::schedule {
namespace {

constexpr std::int64_t kDaySeconds = 86400;

bool valid_date(int y, int m, int d) {
  if (y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  return d <= icaltime_days_in_month(m, y);
}

std::int64_t as_if_utc(int y, int mo, int d, int h, int mi, int s) { return loa::time::epoch_seconds(y, mo, d, h, mi, s); }

}  // namespace

std::unique_lock<std::recursive_mutex> lock_libical() {
  static std::recursive_mutex mutex;
  static std::once_flag once;
  std::call_once(once, [] {
    // An operator's malformed rule must come back as an error, never abort the daemon.
    icalerror_set_errors_are_fatal(0);
  });
  return std::unique_lock<std::recursive_mutex>(mutex);
}

std::optional<LocalDateTime> parse_local(const std::string& text) {
  LocalDateTime t;
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &t.year, &t.month, &t.day, &used) != 3 || used != 10) {
    return std::nullopt;
  }
  if (text.size() > 10) {
    if (text[10] != 'T' && text[10] != ' ') return std::nullopt;
    const std::string rest = text.substr(11);
    int n = 0;
    if (std::sscanf(rest.c_str(), "%2d:%2d%n", &t.hour, &t.minute, &n) != 2 || n != 5) return std::nullopt;
    if (rest.size() > 5) {
      int m = 0;
      if (std::sscanf(rest.c_str() + 5, ":%2d%n", &t.second, &m) != 1 || m != 3 || rest.size() != 8) {
        return std::nullopt;
      }
    }
    t.has_time = true;
  }
  if (!valid_date(t.year, t.month, t.day) || t.hour > 23 || t.minute > 59 || t.second > 59 || t.hour < 0 ||
      t.minute < 0 || t.second < 0) {
    return std::nullopt;
  }
  return t;
}

TimeZone::TimeZone(const std::string& name) : name_(name), zone_(nullptr) {
  auto lock = lock_libical();
  if (name == "UTC" || name == "Etc/UTC") {
    zone_ = icaltimezone_get_utc_timezone();
  } else if (!name.empty() && name.find("..") == std::string::npos) {
    zone_ = icaltimezone_get_builtin_timezone(name.c_str());
  }
  if (!zone_) throw ScheduleError("time zone '" + name + "' is not an IANA zone (e.g. Asia/Ho_Chi_Minh)");
}

int TimeZone::offset_at(std::int64_t utc_ms) const {
  auto lock = lock_libical();
  auto* zone = static_cast<icaltimezone*>(zone_);
  if (zone == icaltimezone_get_utc_timezone()) return 0;
  icaltimetype t = icaltime_from_timet_with_zone(static_cast<time_t>(utc_ms / 1000), 0, icaltimezone_get_utc_timezone());
  int is_daylight = 0;
  return icaltimezone_get_utc_offset_of_utc_time(zone, &t, &is_daylight);
}

std::int64_t TimeZone::to_utc_ms(int year, int month, int day, int hour, int minute, int second) const {
  const std::int64_t wall = as_if_utc(year, month, day, hour, minute, second);
  const int before = offset_at((wall - kDaySeconds) * 1000);
  const int after = offset_at((wall + kDaySeconds) * 1000);
  std::optional<std::int64_t> best;
  for (int offset : {before, after}) {
    const std::int64_t candidate = wall - offset;
    if (offset_at(candidate * 1000) == offset && (!best || candidate < *best)) best = candidate;
  }
  // No candidate: the wall time falls in a gap; the offset from before the gap applies.
  return (best ? *best : wall - before) * 1000;
}

std::string TimeZone::format(std::int64_t utc_ms) const {
  const int offset = offset_at(utc_ms);
  const auto local = static_cast<time_t>(utc_ms / 1000 + offset);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char text[64];
  const int abs_offset = offset < 0 ? -offset : offset;
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+', abs_offset / 3600,
                (abs_offset % 3600) / 60);
  return text;
}

int TimeZone::minute_of_day(std::int64_t utc_ms) const {
  const std::int64_t local = utc_ms / 1000 + offset_at(utc_ms);
  return static_cast<int>(((local % kDaySeconds) + kDaySeconds) % kDaySeconds / 60);
}

std::optional<std::int64_t> parse_instant(const std::string& text, const TimeZone& zone) {
  if (auto local = parse_local(text)) {
    return zone.to_utc_ms(local->year, local->month, local->day, local->hour, local->minute, local->second);
  }
  // With an offset: the part before it is a local date-time.
  std::string body = text;
  int offset_s = 0;
  if (!body.empty() && (body.back() == 'Z' || body.back() == 'z')) {
    body.pop_back();
  } else if (body.size() > 6 && (body[body.size() - 6] == '+' || body[body.size() - 6] == '-') &&
             body[body.size() - 3] == ':') {
    int h = 0;
    int m = 0;
    if (std::sscanf(body.c_str() + body.size() - 5, "%2d:%2d", &h, &m) != 2 || h > 14 || m > 59) return std::nullopt;
    offset_s = (h * 3600 + m * 60) * (body[body.size() - 6] == '-' ? -1 : 1);
    body.resize(body.size() - 6);
  } else {
    return std::nullopt;
  }
  auto local = parse_local(body);
  if (!local || !local->has_time) return std::nullopt;
  return (as_if_utc(local->year, local->month, local->day, local->hour, local->minute, local->second) - offset_s) * 1000;
}

Recurrence::Recurrence(Timing timing) : timing_(std::move(timing)), zone_(timing_.time_zone) {
  auto start = parse_local(timing_.start_local);
  if (!start || !start->has_time) {
    throw ScheduleError("start: '" + timing_.start_local + "' is not a local date and time (YYYY-MM-DDTHH:MM)");
  }
  start_ = {start->year, start->month, start->day, start->hour, start->minute, start->second};
  for (const auto& text : timing_.exdates) {
    auto ex = parse_local(text);
    if (!ex) throw ScheduleError("exdate: '" + text + "' is not a local date (YYYY-MM-DD) or date and time");
    (ex->has_time ? excluded_times_ : excluded_dates_)
        .push_back({ex->year, ex->month, ex->day, ex->hour, ex->minute, ex->second});
  }
  if (!timing_.rrule.empty()) {
    auto lock = lock_libical();
    icalerror_clear_errno();
    auto rule = icalrecurrencetype_from_string(timing_.rrule.c_str());
    if (rule.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
      icalerror_clear_errno();
      throw ScheduleError("rrule: '" + timing_.rrule + "' is not an RFC 5545 recurrence rule");
    }
    if (rule.freq == ICAL_SECONDLY_RECURRENCE) {
      throw ScheduleError("rrule: a broadcast repeats at most once a minute (FREQ=MINUTELY)");
    }
    if (rule.count != 0 && !icaltime_is_null_time(rule.until)) {
      throw ScheduleError("rrule: COUNT and UNTIL cannot both be given");
    }
  }
  auto first = next(0, 1);
  first_ms_ = first.empty() ? zone_.to_utc_ms(start_.year, start_.month, start_.day, start_.hour, start_.minute,
                                              start_.second)
                            : first.front();
}

template <typename Stop>
void Recurrence::expand(std::int64_t from_ms, Stop&& stop) const {
  auto skipped = [&](const Local& t) {
    if (std::find(excluded_times_.begin(), excluded_times_.end(), t) != excluded_times_.end()) return true;
    return std::any_of(excluded_dates_.begin(), excluded_dates_.end(), [&](const Local& d) {
      return d.year == t.year && d.month == t.month && d.day == t.day;
    });
  };
  auto emit = [&](const Local& t) {
    if (skipped(t)) return false;
    const auto at = zone_.to_utc_ms(t.year, t.month, t.day, t.hour, t.minute, t.second);
    return at >= from_ms && stop(at);
  };
  if (timing_.rrule.empty()) {
    (void)emit(start_);
    return;
  }
  icalrecurrencetype rule;
  icaltimetype dtstart = icaltime_null_time();
  dtstart.year = start_.year;
  dtstart.month = start_.month;
  dtstart.day = start_.day;
  dtstart.hour = start_.hour;
  dtstart.minute = start_.minute;
  dtstart.second = start_.second;
  {
    auto lock = lock_libical();
    rule = icalrecurrencetype_from_string(timing_.rrule.c_str());
  }
  // Expansion runs on floating (zone-less) local times, converted one by one: libical's
  // own zone-aware iteration carries a daylight-saving shift into later occurrences.
  if (!icaltime_is_null_time(rule.until) && icaltime_is_utc(rule.until) && !rule.until.is_date) {
    const auto until_ms = static_cast<std::int64_t>(icaltime_as_timet(rule.until)) * 1000;
    const auto local = static_cast<time_t>(until_ms / 1000 + zone_.offset_at(until_ms));
    std::tm tm{};
    gmtime_r(&local, &tm);
    rule.until = icaltime_null_time();
    rule.until.year = tm.tm_year + 1900;
    rule.until.month = tm.tm_mon + 1;
    rule.until.day = tm.tm_mday;
    rule.until.hour = tm.tm_hour;
    rule.until.minute = tm.tm_min;
    rule.until.second = tm.tm_sec;
  }
  auto lock = lock_libical();
  icalrecur_iterator* it = icalrecur_iterator_new(rule, dtstart);
  if (!it) return;
  // Without COUNT the iterator may jump to just before `from_ms` instead of walking
  // every occurrence since the start.
  const auto start_ms = static_cast<std::int64_t>(as_if_utc(start_.year, start_.month, start_.day, start_.hour,
                                                             start_.minute, start_.second)) * 1000;
  if (rule.count == 0 && from_ms - start_ms > 3 * kDaySeconds * 1000) {
    const auto jump = static_cast<time_t>(from_ms / 1000 - 2 * kDaySeconds);
    std::tm tm{};
    gmtime_r(&jump, &tm);
    icaltimetype at = icaltime_null_time();
    at.year = tm.tm_year + 1900;
    at.month = tm.tm_mon + 1;
    at.day = tm.tm_mday;
    (void)icalrecur_iterator_set_start(it, at);
  }
  lock.unlock();
  for (;;) {
    lock.lock();
    icaltimetype t = icalrecur_iterator_next(it);
    lock.unlock();
    if (icaltime_is_null_time(t) || t.year > 2200) break;
    if (emit({t.year, t.month, t.day, t.hour, t.minute, t.second})) break;
  }
  lock.lock();
  icalrecur_iterator_free(it);
}

std::vector<std::int64_t> Recurrence::between(std::int64_t from_ms, std::int64_t to_ms, std::size_t limit) const {
  std::vector<std::int64_t> out;
  if (limit == 0 || from_ms >= to_ms) return out;
  expand(from_ms, [&](std::int64_t at) {
    if (at >= to_ms) return true;
    out.push_back(at);
    return out.size() >= limit;
  });
  return out;
}

std::vector<std::int64_t> Recurrence::next(std::int64_t from_ms, std::size_t count) const {
  std::vector<std::int64_t> out;
  if (count == 0) return out;
  expand(from_ms, [&](std::int64_t at) {
    out.push_back(at);
    return out.size() >= count;
  });
  return out;
}

}  // namespace loa::schedule
