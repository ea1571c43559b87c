// What a drain of the control socket acknowledges: once per station, up to the last
// report kept, and never past one the store failed to keep.
#include "drained_reports.hpp"

#include <gtest/gtest.h>

#include "loa/store/store.hpp"
#include "loa/store/store_error.hpp"
#include "support/process.hpp"

namespace loa::server {
namespace {

using namespace std::chrono_literals;

// Keeps reports in memory, or fails as a full disk does when told to.
class ReportSink : public IStationReports {
 public:
  void keep(std::span<const StationReport> reports) override {
    if (failing) throw store::StoreError("disk full", true);
    kept += reports.size();
  }
  void tidy() override {}
  bool failing = false;
  std::size_t kept = 0;
};

class DrainedReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto* id : {"xa-1", "xa-2"}) {
      store::StationRecord r;
      r.id = id;
      r.enrollment = store::Enrollment::approved;
      store->put_station(r);
    }
  }
  v1::CommandResult applied_result(const std::string& station, std::uint64_t seq) {
    v1::Command ping;
    ping.mutable_ping()->set_text("x");
    v1::CommandResult r;
    r.set_command_id(commands.enqueue(station, ping).id);
    r.set_outcome(v1::CommandResult::OUTCOME_APPLIED);
    r.set_report_seq(seq);
    return r;
  }
  static v1::Envelope telemetry(std::uint64_t seq) {
    v1::Envelope e;
    e.mutable_telemetry()->set_device_id("amp");
    e.mutable_telemetry()->set_report_seq(seq);
    return e;
  }

  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.path() + "/c.db");
  time::ManualClock clock;
  CommandDispatcher commands{*store, clock, 10s};
  LinkCounters counters;
  ReportSink sink;
  std::vector<std::pair<std::string, std::uint64_t>> acks;
  DrainedReports drained{commands, sink, counters,
                         [this](const std::string& s, std::uint64_t seq) { acks.emplace_back(s, seq); }};
};

TEST_F(DrainedReportsTest, EachStationIsAcknowledgedOncePerDrainUpToItsLastReport) {
  drained.add_result("xa-1", applied_result("xa-1", 1));
  drained.add_report("xa-1", telemetry(2));
  drained.add_result("xa-2", applied_result("xa-2", 7));
  drained.add_result("xa-1", applied_result("xa-1", 3));
  drained.add_report("xa-1", telemetry(4));
  EXPECT_EQ(drained.size(), 5u);
  EXPECT_TRUE(drained.flush(nullptr).empty());
  EXPECT_EQ(drained.size(), 0u);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0], std::make_pair(std::string("xa-1"), std::uint64_t{4}));
  EXPECT_EQ(acks[1], std::make_pair(std::string("xa-2"), std::uint64_t{7}));
  EXPECT_EQ(sink.kept, 2u);
  EXPECT_EQ(counters.command_results, 3u);
}

// The agent forgets everything up to the number acknowledged: a report the store could
// not keep must not be released by a later one that it did keep.
TEST_F(DrainedReportsTest, AReportNotKeptIsNeverReleasedByALaterResult) {
  sink.failing = true;
  drained.add_result("xa-1", applied_result("xa-1", 5));
  drained.add_report("xa-1", telemetry(6));
  drained.add_result("xa-1", applied_result("xa-1", 7));
  drained.add_report("xa-2", telemetry(2));
  const auto not_kept = drained.flush(nullptr);
  ASSERT_EQ(not_kept.size(), 2u);
  EXPECT_EQ(not_kept.at("xa-1"), 6u);
  EXPECT_EQ(not_kept.at("xa-2"), 2u);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0], std::make_pair(std::string("xa-1"), std::uint64_t{5}));
  // Sent again, all of it is kept and acknowledged; the result already kept counts as
  // a duplicate.
  sink.failing = false;
  acks.clear();
  drained.add_report("xa-1", telemetry(6));
  v1::CommandResult again;
  again.set_command_id("00000000-0000-0000-0000-000000000000");
  again.set_report_seq(7);
  drained.add_result("xa-1", again);
  EXPECT_TRUE(drained.flush(nullptr).empty());
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0], std::make_pair(std::string("xa-1"), std::uint64_t{7}));
}

TEST_F(DrainedReportsTest, ReportsOutsideTheOutboxAreNeverAcknowledged) {
  drained.add_report("xa-1", telemetry(0));
  EXPECT_TRUE(drained.flush(nullptr).empty());
  EXPECT_TRUE(acks.empty());
  EXPECT_EQ(sink.kept, 1u);
}

}  // namespace
}  // namespace loa::server
