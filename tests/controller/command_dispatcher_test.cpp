#include <gtest/gtest.h>

#include "loa/store/store.hpp"
#include "loa/server/command_dispatcher.hpp"
#include "support/process.hpp"

namespace loa::server {
namespace {

using namespace std::chrono_literals;

class CommandDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StationRecord r;
    r.id = "xa-1";
    r.enrollment = store::Enrollment::approved;
    store->put_station(r);
  }
  static loa::v1::Command ping(const std::string& text) {
    loa::v1::Command c;
    c.mutable_ping()->set_text(text);
    return c;
  }
  static loa::v1::CommandResult applied(const std::string& id) {
    loa::v1::CommandResult r;
    r.set_command_id(id);
    r.set_outcome(loa::v1::CommandResult::OUTCOME_APPLIED);
    return r;
  }
  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.path() + "/c.db");
  time::ManualClock clock;
};

TEST_F(CommandDispatcherTest, SendsOnceThenResendsOnlyAfterTheInterval) {
  CommandDispatcher d(*store, clock, 10s);
  auto rec = d.enqueue("xa-1", ping("a"));
  EXPECT_EQ(rec.id.size(), 36u);
  auto first = d.take_due("xa-1", false);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_FALSE(first[0].resend);
  EXPECT_TRUE(d.take_due("xa-1", false).empty());
  clock.advance(10s);
  auto again = d.take_due("xa-1", false);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(again[0].resend);
  EXPECT_EQ(store->find_command(rec.id)->attempts, 0);  // counted in memory until the loop flushes
  d.flush_sent();
  EXPECT_EQ(store->find_command(rec.id)->attempts, 2);
}

// A station slow to read gets each resend later than the last (1, 2, 4, then every 8
// intervals), and a new link starts again from the first.
TEST_F(CommandDispatcherTest, ResendsOnOneLinkBackOffToEightIntervalsAndANewLinkStartsAgain) {
  CommandDispatcher d(*store, clock, 1s);
  (void)d.enqueue("xa-1", ping("a"));
  ASSERT_EQ(d.take_due("xa-1", false).size(), 1u);
  std::vector<int> waits;
  int waited = 0;
  while (waits.size() < 6) {
    clock.advance(1s);
    ++waited;
    if (!d.take_due("xa-1", false).empty()) {
      waits.push_back(waited);
      waited = 0;
    }
  }
  EXPECT_EQ(waits, (std::vector<int>{1, 2, 4, 8, 8, 8}));
  EXPECT_EQ(d.take_due("xa-1", true).size(), 1u);
  clock.advance(1s);
  EXPECT_EQ(d.take_due("xa-1", false).size(), 1u);
}

TEST_F(CommandDispatcherTest, AReconnectMakesEverythingPendingDueAtOnce) {
  CommandDispatcher d(*store, clock, 10s);
  (void)d.enqueue("xa-1", ping("a"));
  (void)d.enqueue("xa-1", ping("b"));
  EXPECT_EQ(d.take_due("xa-1", false).size(), 2u);
  EXPECT_EQ(d.take_due("xa-1", true).size(), 2u);
}

TEST_F(CommandDispatcherTest, PendingCommandsSurviveARestartAndAreDoneOnce) {
  std::string id;
  {
    CommandDispatcher d(*store, clock, 10s);
    id = d.enqueue("xa-1", ping("a")).id;
    (void)d.take_due("xa-1", false);
  }
  CommandDispatcher after(*store, clock, 10s);
  EXPECT_EQ(after.pending_count(), 1u);
  EXPECT_EQ(after.take_due("xa-1", false).size(), 1u);
  EXPECT_TRUE(after.complete("xa-1", applied(id)));
  EXPECT_FALSE(after.complete("xa-1", applied(id)));  // a repeated result
  EXPECT_EQ(after.pending_count(), 0u);
  EXPECT_EQ(store->find_command(id)->state, store::CommandState::applied);
  EXPECT_EQ(store->find_command(id)->duplicate_results, 1);
}

TEST_F(CommandDispatcherTest, AResultFromTheWrongStationChangesNothing) {
  CommandDispatcher d(*store, clock, 10s);
  auto id = d.enqueue("xa-1", ping("a")).id;
  EXPECT_FALSE(d.complete("someone-else", applied(id)));
  EXPECT_EQ(store->find_command(id)->state, store::CommandState::pending);
  EXPECT_EQ(d.pending_count(), 1u);
}

}  // namespace
}  // namespace loa::server
