#include <gtest/gtest.h>

#include "loa/reports/report_keeper.hpp"
#include "loa/store/store.hpp"
#include "support/process.hpp"

namespace loa::reports {
namespace {

namespace v1 = ::loa::v1;

class ReportKeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StationRecord r;
    r.id = "xa-1";
    r.enrollment = store::Enrollment::approved;
    store->put_station(r);
  }
  static v1::PlaybackReport playback(v1::PlaybackReport::Outcome outcome, const std::string& broadcast) {
    v1::PlaybackReport p;
    p.set_outcome(outcome);
    p.set_broadcast_id(broadcast);
    p.set_content_id(std::string(64, 'c'));
    p.set_planned_start_ms(1000);
    p.set_actual_start_ms(1010);
    p.set_end_ms(5000);
    return p;
  }
  void keep(const v1::Telemetry& t) {
    server::StationReport r{"xa-1", {}};
    *r.envelope.mutable_telemetry() = t;
    keeper.keep(std::span(&r, 1));
  }
  void keep(const v1::Alarm& a) {
    server::StationReport r{"xa-1", {}};
    *r.envelope.mutable_alarm() = a;
    keeper.keep(std::span(&r, 1));
  }
  void keep(const v1::PlaybackReport& p) {
    server::StationReport r{"xa-1", {}};
    *r.envelope.mutable_playback_report() = p;
    keeper.keep(std::span(&r, 1));
  }
  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.path() + "/c.db");
  time::ManualClock clock;
  ReportKeeper keeper{*store, *store, clock};
};

TEST_F(ReportKeeperTest, TelemetryIsStoredWithoutTheLinksSequenceNumber) {
  v1::Telemetry t;
  t.set_device_id("amp");
  t.set_measured_at_ms(1234);
  t.set_temperature_c(41.5);
  t.set_report_seq(77);
  keep(t);
  const auto latest = store->latest_telemetry("xa-1");
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].device_id, "amp");
  EXPECT_EQ(latest[0].measured_ms, 1234);
  v1::Telemetry stored;
  ASSERT_TRUE(stored.ParseFromString(latest[0].reading));
  EXPECT_DOUBLE_EQ(stored.temperature_c(), 41.5);
  EXPECT_EQ(stored.report_seq(), 0u);
}

TEST_F(ReportKeeperTest, AnAlarmOpensAndClosesAnOccurrence) {
  v1::Alarm a;
  a.set_alarm_id("amp.overheat");
  a.set_device_id("amp");
  a.set_active(true);
  a.set_severity(v1::Alarm::SEVERITY_CRITICAL);
  a.set_message("78 C");
  keep(a);
  auto open = store->list_alarms("xa-1", true, 10);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].severity, "critical");
  a.set_active(false);
  keep(a);
  EXPECT_TRUE(store->list_alarms("xa-1", true, 10).empty());
}

TEST_F(ReportKeeperTest, NowPlayingFollowsSoundBeganAndHowItEndedAndOnlyTheEndIsAsRun) {
  keep(playback(v1::PlaybackReport::OUTCOME_PLAYING, "b-1"));
  auto now = keeper.now_playing();
  ASSERT_EQ(now.count("xa-1"), 1u);
  EXPECT_EQ(now["xa-1"].broadcast_id, "b-1");
  EXPECT_EQ(now["xa-1"].since_ms, 1010);
  EXPECT_TRUE(store->list_asrun("xa-1", 0, 10).empty());

  // The end of another broadcast does not clear what plays now.
  keep(playback(v1::PlaybackReport::OUTCOME_PREEMPTED, "b-0"));
  EXPECT_EQ(keeper.now_playing().count("xa-1"), 1u);

  keep(playback(v1::PlaybackReport::OUTCOME_PLAYED, "b-1"));
  EXPECT_TRUE(keeper.now_playing().empty());
  const auto asrun = store->list_asrun("xa-1", 0, 10);
  ASSERT_EQ(asrun.size(), 2u);
  EXPECT_EQ(asrun[0].outcome, "played");  // newest first
  EXPECT_EQ(asrun[1].outcome, "preempted");
}

// What one drain of the control socket brought, from many stations and of every kind,
// is kept whole: every playout's as-run row and every reading.
TEST_F(ReportKeeperTest, ABatchFromManyStationsIsKeptWhole) {
  std::vector<server::StationReport> batch;
  for (int i = 0; i < 300; ++i) {
    store::StationRecord r;
    r.id = "st-" + std::to_string(i);
    r.enrollment = store::Enrollment::approved;
    store->put_station(r);
    server::StationReport ended{r.id, {}};
    *ended.envelope.mutable_playback_report() = playback(v1::PlaybackReport::OUTCOME_STOPPED, "alert-1");
    batch.push_back(ended);
    server::StationReport reading{r.id, {}};
    reading.envelope.mutable_telemetry()->set_device_id("amp");
    reading.envelope.mutable_telemetry()->set_measured_at_ms(2000);
    batch.push_back(reading);
  }
  keeper.keep(batch);
  store::AsRunQuery q;
  q.broadcast_id = "alert-1";
  q.limit = 1000;
  EXPECT_EQ(store->query_asrun(q).size(), 300u);
  EXPECT_EQ(store->latest_telemetry("st-299").size(), 1u);
  EXPECT_EQ(store->latest_telemetry("st-0").size(), 1u);
}

}  // namespace
}  // namespace loa::reports
