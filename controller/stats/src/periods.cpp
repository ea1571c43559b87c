#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <tuple>

#include "loa/stats/statistics.hpp"

namespace loa::stats {
namespace {

constexpr std::size_t kMaxPeriods = 400;  // more than a year of days

struct Date {
  int year = 0, month = 0, day = 0;
};

Date parse_date(const std::string& text) {
  Date d;
  char tail = 0;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      std::all_of(text.begin(), text.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
  if (!shaped || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &d.year, &d.month, &d.day, &tail) != 3 || d.month < 1 ||
      d.month > 12 || d.day < 1 || d.day > 31 || d.year < 1970) {
    throw std::invalid_argument("'" + text + "' is not a date YYYY-MM-DD");
  }
  return d;
}

int days_in(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

Date next(Date d, Grain grain) {
  if (grain == Grain::day && ++d.day <= days_in(d.year, d.month)) return d;
  d.day = 1;
  if (++d.month > 12) {
    d.month = 1;
    ++d.year;
  }
  return d;
}

bool before_or_on(const Date& a, const Date& b) {
  return std::tie(a.year, a.month, a.day) <= std::tie(b.year, b.month, b.day);
}

std::string label(const Date& d, Grain grain) {
  char text[16];
  if (grain == Grain::day) {
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", d.year, d.month, d.day);
  } else {
    std::snprintf(text, sizeof text, "%04d-%02d", d.year, d.month);
  }
  return text;
}

}  // namespace

std::vector<Period> periods(const schedule::TimeZone& zone, const std::string& first, const std::string& last,
                            Grain grain) {
  auto at = parse_date(first);
  auto end = parse_date(last);
  if (at.day > days_in(at.year, at.month) || end.day > days_in(end.year, end.month)) {
    throw std::invalid_argument("no such day in that month");
  }
  if (!before_or_on(at, end)) throw std::invalid_argument("the range ends before it begins");
  if (grain == Grain::month) {
    at.day = 1;
    end.day = 1;
  }
  std::vector<Period> out;
  while (before_or_on(at, end)) {
    if (out.size() == kMaxPeriods) throw std::invalid_argument("too long a range: at most 400 days or months");
    const auto after = next(at, grain);
    out.push_back({label(at, grain), zone.to_utc_ms(at.year, at.month, at.day, 0, 0, 0),
                   zone.to_utc_ms(after.year, after.month, after.day, 0, 0, 0)});
    at = after;
  }
  return out;
}

}  // namespace loa::stats
