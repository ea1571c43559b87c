// StreamDesk with its real collaborators: GStreamer live streams (a test tone), a
// SQLite store on disk and the command dispatcher. What an operator's stream leaves in
// the store and in each station's queue of orders, at start, stop and restart.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "loa/live/stream_desk.hpp"
#include "loa/store/store.hpp"
#include "support/process.hpp"

namespace loa::live {
namespace {

using namespace std::chrono_literals;
namespace v1 = ::loa::v1;

class CountedFrames : public IFramePublisher {
 public:
  void publish(const std::string&) override { ++messages; }
  std::atomic<int> messages{0};
};

class StreamDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto* id : {"xa-1", "xa-2"}) {
      store::StationRecord r;
      r.id = id;
      r.enrollment = store::Enrollment::approved;
      store->put_station(r);
    }
  }
  // The orders waiting for a station, in the order they were queued.
  std::vector<v1::Command> orders_for(const std::string& station) const {
    std::vector<v1::Command> out;
    for (const auto& c : store->pending_commands()) {
      if (c.station_id != station) continue;
      v1::Command command;
      EXPECT_TRUE(command.ParseFromString(c.payload));
      out.push_back(command);
    }
    return out;
  }
  StreamRequest tone_to_both() const {
    StreamRequest r;
    r.source = "test:tone";
    r.stations = {"xa-1", "xa-2"};
    r.priority = orders::Priority::emergency;
    r.volume = 0.5;
    r.on_preempt = orders::OnPreempt::resume;
    r.broadcast_id = "bao-lu";
    r.started_by = "lan";
    return r;
  }

  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.path() + "/c.db");
  time::ManualClock clock;
  server::CommandDispatcher commands{*store, clock, 5s};
  ClockServer station_clock{"127.0.0.1", 0};
  CountedFrames frames;
  LiveStreams streams{LiveSettings{}, station_clock, frames};
  StreamDesk desk{streams, *store, commands, clock};
};

TEST_F(StreamDeskTest, StartingRecordsTheStreamAndTellsEachStationToPlayIt) {
  const auto started = desk.start(tone_to_both());
  EXPECT_EQ(started.stations, (std::vector<std::string>{"xa-1", "xa-2"}));
  const auto record = store->find_live_stream(started.status.id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->station_ids, (std::vector<std::string>{"xa-1", "xa-2"}));
  EXPECT_EQ(record->priority, "emergency");
  EXPECT_EQ(record->on_preempt, "resume");
  EXPECT_EQ(record->started_ms, clock.wall_ms());
  EXPECT_EQ(record->started_by, "lan");
  for (const auto* station : {"xa-1", "xa-2"}) {
    const auto orders = orders_for(station);
    ASSERT_EQ(orders.size(), 1u) << station;
    ASSERT_TRUE(orders[0].has_play());
    EXPECT_EQ(orders[0].play().stream_id(), started.status.id);
    EXPECT_EQ(orders[0].play().broadcast_id(), "bao-lu");
    EXPECT_EQ(orders[0].play().priority(), v1::PRIORITY_EMERGENCY);
    EXPECT_DOUBLE_EQ(orders[0].play().volume(), 0.5);
    EXPECT_EQ(orders[0].play().on_preempt(), v1::PREEMPT_RESUME);
  }
  // The tone is being encoded and published.
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (frames.messages == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(20ms);
  EXPECT_GT(frames.messages.load(), 0);
}

TEST_F(StreamDeskTest, ASourceItCannotReadLeavesNoStreamAndNoOrder) {
  auto request = tone_to_both();
  request.source = "gopher://nowhere";
  EXPECT_THROW((void)desk.start(request), SourceError);
  EXPECT_TRUE(store->list_live_streams(false, 10).empty());
  EXPECT_TRUE(store->pending_commands().empty());
  EXPECT_TRUE(desk.list().empty());
}

TEST_F(StreamDeskTest, StoppingEndsTheRecordAndTellsEachStationToStop) {
  const auto id = desk.start(tone_to_both()).status.id;
  clock.advance(std::chrono::milliseconds(60'000));
  const auto stopped = desk.stop(id, "minh");
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->status.state, "stopped");
  const auto record = store->find_live_stream(id);
  EXPECT_EQ(record->ended_ms, clock.wall_ms());
  EXPECT_EQ(record->ended_by, "minh");
  for (const auto* station : {"xa-1", "xa-2"}) {
    const auto orders = orders_for(station);
    ASSERT_EQ(orders.size(), 2u) << station;
    ASSERT_TRUE(orders[1].has_stop());
    EXPECT_EQ(orders[1].stop().broadcast_id(), "bao-lu");
  }
  EXPECT_FALSE(desk.stop("s-unknown", "minh"));
  // Stopping again sends nothing more: it is no longer live.
  ASSERT_TRUE(desk.stop(id, "minh"));
  EXPECT_EQ(orders_for("xa-1").size(), 2u);
}

TEST_F(StreamDeskTest, ResumeOpensWhatRanAndEndsWhatCanNoLongerBeRead) {
  store->add_live_stream({"s-ran", "test:tone", "tin-sang", "live", 1.0, "drop", {"xa-1"}, 10, "lan", {}, ""});
  store->add_live_stream({"s-gone", "gopher://nowhere", "cu", "live", 1.0, "drop", {"xa-2"}, 20, "lan", {}, ""});
  store->add_live_stream({"s-ended", "test:tone", "xua", "live", 1.0, "drop", {"xa-2"}, 5, "lan", 8, "minh"});
  EXPECT_EQ(desk.resume(), 1u);
  const auto running = desk.find("s-ran");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->stations, std::vector<std::string>{"xa-1"});
  EXPECT_FALSE(desk.find("s-ended"));
  const auto gone = store->find_live_stream("s-gone");
  EXPECT_EQ(gone->ended_ms, clock.wall_ms());
  EXPECT_FALSE(gone->ended_by.empty());
  const auto orders = orders_for("xa-1");
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].play().stream_id(), "s-ran");
  EXPECT_EQ(orders[0].play().broadcast_id(), "tin-sang");
  EXPECT_TRUE(orders_for("xa-2").empty());
}

}  // namespace
}  // namespace loa::live
