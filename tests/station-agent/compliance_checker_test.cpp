#include <gtest/gtest.h>

#include "loa/hardware/compliance_checker.hpp"

namespace loa::hardware {
namespace {

hwconfig::StationHardware station(double assigned_khz, bool temporary, const std::string& expires) {
  hwconfig::StationHardware s;
  s.kind = "fm";
  hwconfig::BandPlan plan;
  plan.name = "vn";
  plan.bands.push_back({"commune", 54000, 68000, 30, false, 0});
  plan.bands.push_back({"broadcast", 87000, 108000, 30, true, 0});
  s.band_plan = plan;
  s.licence = hwconfig::Licence{assigned_khz, 10, 30, expires, "HQ-1", temporary};
  return s;
}

const long kToday = *hwconfig::parse_date("2026-11-23");

TEST(ComplianceChecker, ACarrierOnItsLicenceIsCompliant) {
  ComplianceChecker c(station(64500, false, "2027-12-31"));
  auto r = c.check(64505, 25, kToday);
  EXPECT_TRUE(r.checked);
  EXPECT_TRUE(r.compliant);
}

TEST(ComplianceChecker, OutOfBandOffFrequencyAndOverPowerAreNamedWithReadings) {
  ComplianceChecker c(station(64500, false, "2027-12-31"));
  auto r = c.check(75000, 45, kToday);
  EXPECT_FALSE(r.compliant);
  ASSERT_EQ(r.violations.size(), 3u);
  EXPECT_EQ(r.violations[0], "carrier 75000 kHz is outside every band of plan vn");
  EXPECT_EQ(r.violations[1], "carrier 75000 kHz is 10500 kHz off the licensed 64500 kHz (tolerance 10)");
  EXPECT_EQ(r.violations[2], "forward power 45 W is above the 30 W ceiling");
}

TEST(ComplianceChecker, TheBroadcastBandNeedsAValidTemporaryLicence) {
  EXPECT_TRUE(ComplianceChecker(station(99000, true, "2027-01-01")).check(99000, 20, kToday).compliant);
  auto expired = ComplianceChecker(station(99000, true, "2026-06-30")).check(99000, 20, kToday);
  EXPECT_FALSE(expired.compliant);
  ASSERT_EQ(expired.violations.size(), 1u);
  EXPECT_EQ(expired.violations[0], "carrier 99000 kHz is in band broadcast, which needs a valid temporary licence");
}

TEST(ComplianceChecker, AnExpiredLicenceIsReportedButIsNoViolationInTheCommuneBand) {
  auto expired = ComplianceChecker(station(64500, false, "2026-06-30")).check(64500, 20, kToday);
  EXPECT_TRUE(expired.compliant);
  ASSERT_TRUE(expired.licence_days_left.has_value());
  EXPECT_LT(*expired.licence_days_left, 0);
  auto soon = ComplianceChecker(station(64500, false, "2026-12-10")).check(64500, 20, kToday);
  EXPECT_TRUE(soon.compliant);
  EXPECT_EQ(soon.licence_days_left, 17);
}

TEST(ComplianceChecker, IpClustersHaveNothingToCheck) {
  hwconfig::StationHardware s;
  s.kind = "ip_cluster";
  EXPECT_FALSE(ComplianceChecker(s).check(75000, 45, kToday).checked);
}

}  // namespace
}  // namespace loa::hardware
