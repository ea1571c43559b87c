// Expansion of broadcast timings (RRULE, EXDATE, COUNT/UNTIL) into instants, against
// occurrence lists worked out by hand from a calendar.
#include "loa/schedule/recurrence.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace loa::schedule {
namespace {

std::vector<std::string> expand(const Timing& timing, std::size_t count = 20) {
  Recurrence r(timing);
  std::vector<std::string> out;
  for (auto at : r.next(0, count)) out.push_back(r.zone().format(at));
  return out;
}

using Strings = std::vector<std::string>;
constexpr const char* kHanoi = "Asia/Ho_Chi_Minh";

TEST(Recurrence, OneOffIsItsStart) {
  EXPECT_EQ(expand({"2026-11-24T06:00", kHanoi, "", {}}), Strings{"2026-11-24T06:00:00+07:00"});
}

TEST(Recurrence, WeekdayMorningsSkipTheWeekend) {
  EXPECT_EQ(expand({"2026-01-30T06:00", kHanoi, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=5", {}}),
            (Strings{"2026-01-30T06:00:00+07:00", "2026-02-02T06:00:00+07:00", "2026-02-03T06:00:00+07:00",
                     "2026-02-04T06:00:00+07:00", "2026-02-05T06:00:00+07:00"}));
}

TEST(Recurrence, The31stSkipsShortMonths) {
  EXPECT_EQ(expand({"2026-01-31T06:00", kHanoi, "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", {}}),
            (Strings{"2026-01-31T06:00:00+07:00", "2026-03-31T06:00:00+07:00", "2026-05-31T06:00:00+07:00",
                     "2026-07-31T06:00:00+07:00"}));
}

TEST(Recurrence, LastDayOfTheMonthFollowsMonthEnds) {
  EXPECT_EQ(expand({"2026-01-31T17:00", kHanoi, "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4", {}}),
            (Strings{"2026-01-31T17:00:00+07:00", "2026-02-28T17:00:00+07:00", "2026-03-31T17:00:00+07:00",
                     "2026-04-30T17:00:00+07:00"}));
}

TEST(Recurrence, MarketDayOnThe1stAnd15th) {
  EXPECT_EQ(expand({"2026-11-01T07:00", kHanoi, "FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=5", {}}),
            (Strings{"2026-11-01T07:00:00+07:00", "2026-11-15T07:00:00+07:00", "2026-12-01T07:00:00+07:00",
                     "2026-12-15T07:00:00+07:00", "2027-01-01T07:00:00+07:00"}));
}

TEST(Recurrence, LeapDayComesEveryFourYears) {
  EXPECT_EQ(expand({"2024-02-29T06:00", kHanoi, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3", {}}),
            (Strings{"2024-02-29T06:00:00+07:00", "2028-02-29T06:00:00+07:00", "2032-02-29T06:00:00+07:00"}));
  EXPECT_EQ(expand({"2028-01-29T06:00", kHanoi, "FREQ=MONTHLY;BYMONTHDAY=29;COUNT=3", {}}),
            (Strings{"2028-01-29T06:00:00+07:00", "2028-02-29T06:00:00+07:00", "2028-03-29T06:00:00+07:00"}));
}

TEST(Recurrence, ExdatesRemoveDaysAndSingleTimes) {
  // COUNT counts the rule's occurrences; the EXDATEs are then taken out (RFC 5545).
  EXPECT_EQ(expand({"2026-12-23T06:00", kHanoi, "FREQ=DAILY;COUNT=5", {"2026-12-25", "2026-12-26T06:00"}}),
            (Strings{"2026-12-23T06:00:00+07:00", "2026-12-24T06:00:00+07:00", "2026-12-27T06:00:00+07:00"}));
}

TEST(Recurrence, ThreeTimesOnSaturdayUntilADate) {
  EXPECT_EQ(expand({"2026-11-28T07:00", kHanoi, "FREQ=WEEKLY;BYDAY=SA;BYHOUR=7,11,17;UNTIL=20261205T235959", {}}),
            (Strings{"2026-11-28T07:00:00+07:00", "2026-11-28T11:00:00+07:00", "2026-11-28T17:00:00+07:00",
                     "2026-12-05T07:00:00+07:00", "2026-12-05T11:00:00+07:00", "2026-12-05T17:00:00+07:00"}));
}

TEST(Recurrence, UntilInUtcIsInclusiveAndReadAsAnInstant) {
  // 04:00Z is 11:00 in Hanoi: the 11:00 occurrence of 5 December is the last.
  EXPECT_EQ(expand({"2026-11-28T07:00", kHanoi, "FREQ=WEEKLY;BYDAY=SA;BYHOUR=7,11,17;UNTIL=20261205T040000Z", {}}),
            (Strings{"2026-11-28T07:00:00+07:00", "2026-11-28T11:00:00+07:00", "2026-11-28T17:00:00+07:00",
                     "2026-12-05T07:00:00+07:00", "2026-12-05T11:00:00+07:00"}));
}

TEST(Recurrence, LocalTimeHoldsAcrossDaylightSaving) {
  // Berlin moves to summer time on 29 March 2026 and back on 25 October 2026.
  EXPECT_EQ(expand({"2026-03-22T09:00", "Europe/Berlin", "FREQ=WEEKLY;COUNT=3", {}}),
            (Strings{"2026-03-22T09:00:00+01:00", "2026-03-29T09:00:00+02:00", "2026-04-05T09:00:00+02:00"}));
  EXPECT_EQ(expand({"2026-10-18T09:00", "Europe/Berlin", "FREQ=WEEKLY;COUNT=3", {}}),
            (Strings{"2026-10-18T09:00:00+02:00", "2026-10-25T09:00:00+01:00", "2026-11-01T09:00:00+01:00"}));
}

TEST(Recurrence, TimesInTheSpringGapMoveForwardAndLaterOnesDoNot) {
  // 02:30 does not exist on 29 March in Berlin: read with the winter offset it is 03:30
  // summer time. The next week is 02:30 again.
  EXPECT_EQ(expand({"2026-03-22T02:30", "Europe/Berlin", "FREQ=WEEKLY;COUNT=3", {}}),
            (Strings{"2026-03-22T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-04-05T02:30:00+02:00"}));
}

TEST(Recurrence, TimesRepeatedInAutumnAreTheFirstOfTheTwo) {
  EXPECT_EQ(expand({"2026-10-25T02:30", "Europe/Berlin", "", {}}), Strings{"2026-10-25T02:30:00+02:00"});
}

TEST(Recurrence, BetweenStartsLateWithoutWalkingFromTheStart) {
  Recurrence daily({"2025-01-01T06:00", kHanoi, "FREQ=DAILY", {}});
  const TimeZone& zone = daily.zone();
  auto from = *parse_instant("2026-06-10T00:00:00+07:00", zone);
  auto to = *parse_instant("2026-06-13T00:00:00+07:00", zone);
  Strings got;
  for (auto at : daily.between(from, to)) got.push_back(zone.format(at));
  EXPECT_EQ(got, (Strings{"2026-06-10T06:00:00+07:00", "2026-06-11T06:00:00+07:00", "2026-06-12T06:00:00+07:00"}));

  Recurrence mwf({"2025-01-01T17:00", kHanoi, "FREQ=WEEKLY;BYDAY=MO,WE,FR", {}});
  got.clear();
  for (auto at : mwf.between(from, *parse_instant("2026-06-16T00:00:00+07:00", zone))) got.push_back(zone.format(at));
  // 10 June 2026 is a Wednesday.
  EXPECT_EQ(got, (Strings{"2026-06-10T17:00:00+07:00", "2026-06-12T17:00:00+07:00", "2026-06-15T17:00:00+07:00"}));
}

TEST(Recurrence, MistakesAreNamed) {
  auto message = [](const Timing& t) {
    try {
      Recurrence r(t);
    } catch (const ScheduleError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message({"2026-11-24T06:00", kHanoi, "FREQ=WEEKL", {}}).find("rrule"), std::string::npos);
  EXPECT_NE(message({"2026-11-24T06:00", "Asia/Hanoi_City", "", {}}).find("time zone"), std::string::npos);
  EXPECT_NE(message({"2026-02-30T06:00", kHanoi, "", {}}).find("start"), std::string::npos);
  EXPECT_NE(message({"24/11/2026 06:00", kHanoi, "", {}}).find("start"), std::string::npos);
  EXPECT_NE(message({"2026-11-24T06:00", kHanoi, "FREQ=DAILY;COUNT=3;UNTIL=20261230T000000", {}}).find("COUNT"),
            std::string::npos);
  EXPECT_NE(message({"2026-11-24T06:00", kHanoi, "FREQ=SECONDLY", {}}).find("once a minute"), std::string::npos);
  EXPECT_NE(message({"2026-11-24T06:00", kHanoi, "", {"25/12"}}).find("exdate"), std::string::npos);
}

TEST(Recurrence, InstantsParseWithOffsetsOrAsLocalTime) {
  TimeZone hanoi(kHanoi);
  EXPECT_EQ(parse_instant("2026-11-24T06:00:00+07:00", hanoi), parse_instant("2026-11-23T23:00:00Z", hanoi));
  EXPECT_EQ(parse_instant("2026-11-24 06:00", hanoi), parse_instant("2026-11-23T23:00:00Z", hanoi));
  EXPECT_FALSE(parse_instant("tomorrow", hanoi));
}

}  // namespace
}  // namespace loa::schedule
