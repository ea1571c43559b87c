// FrameOrder: frames of a live stream, coming twice or more and out of order, are handed
// on once each and in order; a gap is waited for until the frame after it is near its
// instant, then given up.
#include <gtest/gtest.h>

#include "loa/agent/frame_order.hpp"

namespace loa::agent {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

loa::v1::AudioFrame frame(std::uint64_t seq, std::string stream = "s") {
  loa::v1::AudioFrame f;
  f.set_stream_id(std::move(stream));
  f.set_sequence(seq);
  f.set_presentation_time_ns(10'000 * kMs + seq * 20 * kMs);  // frame 0 due at 10 s
  return f;
}

std::vector<std::uint64_t> sequences(const std::vector<loa::v1::AudioFrame>& frames) {
  std::vector<std::uint64_t> out;
  for (const auto& f : frames) out.push_back(f.sequence());
  return out;
}

TEST(FrameOrder, CopiesAreDroppedAndAGapThatFillsIsPlayedInOrder) {
  FrameOrder order(100 * kMs);
  std::vector<loa::v1::AudioFrame> ready;
  for (auto seq : {0, 1, 1, 0, 4, 5, 2, 3, 3, 5}) order.add(frame(seq), ready);
  EXPECT_EQ(sequences(ready), (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(order.duplicates(), 4u);
  EXPECT_EQ(order.gaps_given_up(), 0u);
  EXPECT_FALSE(order.next_release_ns());
}

TEST(FrameOrder, AGapIsGivenUpWhenTheFrameAfterItIsNearItsInstant) {
  FrameOrder order(100 * kMs);
  std::vector<loa::v1::AudioFrame> ready;
  order.add(frame(0), ready);
  order.add(frame(3), ready);  // 1 and 2 missing
  EXPECT_EQ(sequences(ready), (std::vector<std::uint64_t>{0}));
  const auto due3 = frame(3).presentation_time_ns();
  ASSERT_TRUE(order.next_release_ns());
  EXPECT_EQ(*order.next_release_ns(), due3 - 100 * kMs);
  order.release_due(due3 - 101 * kMs, ready);
  EXPECT_EQ(ready.size(), 1u);
  order.release_due(due3 - 100 * kMs, ready);
  EXPECT_EQ(sequences(ready), (std::vector<std::uint64_t>{0, 3}));
  EXPECT_EQ(order.gaps_given_up(), 2u);
  order.add(frame(2), ready);  // too late: behind what was played
  EXPECT_EQ(ready.size(), 2u);
}

TEST(FrameOrder, StreamsAreKeptApartAndForgottenWhenNoLongerWanted) {
  FrameOrder order(100 * kMs);
  std::vector<loa::v1::AudioFrame> ready;
  order.add(frame(5, "a"), ready);
  order.add(frame(9, "b"), ready);
  order.add(frame(7, "a"), ready);  // held
  EXPECT_EQ(ready.size(), 2u);
  order.keep_only({"b"});
  EXPECT_FALSE(order.next_release_ns());
  order.add(frame(6, "a"), ready);  // "a" starts afresh
  EXPECT_EQ(ready.back().stream_id(), "a");
  EXPECT_EQ(ready.back().sequence(), 6u);
}

TEST(FrameOrder, AStreamThatStartsItsNumberingOverIsFollowed) {
  FrameOrder order(100 * kMs);
  std::vector<loa::v1::AudioFrame> ready;
  order.add(frame(150), ready);
  order.add(frame(151), ready);
  // The controller restarted the stream: numbered from 0 again, meant for later.
  auto restarted = [](std::uint64_t seq) {
    auto f = frame(seq);
    f.set_presentation_time_ns(f.presentation_time_ns() + 200 * 20 * kMs);
    return f;
  };
  order.add(restarted(0), ready);
  order.add(restarted(1), ready);
  order.add(frame(150), ready);  // a late copy from before: still a copy
  EXPECT_EQ(sequences(ready), (std::vector<std::uint64_t>{150, 151, 0, 1}));
}

}  // namespace
}  // namespace loa::agent
