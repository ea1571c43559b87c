// The proof-of-play meter: its arithmetic, and what it reads off a real pipeline's
// `level` element.
#include <gtest/gtest.h>
#include <gst/gst.h>

#include <cmath>

#include "loa/gst/level_meter.hpp"

namespace loa::gst {
namespace {

constexpr std::uint64_t k100ms = 100'000'000;

TEST(LevelMeter, LoudnessIsTheMeanPowerAndSilenceIsCountedInRuns) {
  LevelMeter m(-60);
  EXPECT_FALSE(m.measured());
  EXPECT_FALSE(m.loudness_dbfs());
  for (int i = 0; i < 10; ++i) m.add(-20, -17, k100ms);  // a second at -20 dBFS
  for (int i = 0; i < 10; ++i) m.add(-INFINITY, -INFINITY, k100ms);  // a second of digital silence
  m.add(-30, -25, k100ms);
  m.add(-70, -65, k100ms);  // quiet enough to be silence
  // Half the time at -20 dBFS (power 0.01), the rest near nothing: mean power about 0.0046.
  EXPECT_NEAR(*m.loudness_dbfs(), 10 * std::log10((10 * 0.01 + 0.001 + 1e-7) / 22), 0.01);
  EXPECT_DOUBLE_EQ(*m.peak_dbfs(), -17);
  EXPECT_EQ(m.measured_ms(), 2200u);
  EXPECT_EQ(m.longest_silence_ms(), 1000u);
  EXPECT_FALSE(m.all_silent());

  LevelMeter quiet(-60);
  for (int i = 0; i < 15; ++i) quiet.add(-80, -75, k100ms);
  EXPECT_TRUE(quiet.all_silent());
  EXPECT_EQ(quiet.longest_silence_ms(), 1500u);
}

TEST(LevelMeter, ReadsTheLevelMessagesOfARealPipeline) {
  initialize();
  std::string error;
  // A 1 kHz sine at amplitude 0.1: RMS 0.0707, -23.0 dBFS; peak -20 dBFS.
  auto pipeline = parse_pipeline(
      "audiotestsrc num-buffers=50 samplesperbuffer=960 freq=1000 volume=0.1 ! audio/x-raw,rate=48000,channels=1 ! "
      "level interval=100000000 post-messages=true ! fakesink",
      error);
  ASSERT_TRUE(pipeline) << error;
  ASSERT_NE(gst_element_set_state(pipeline.get(), GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  LevelMeter m;
  BusNews news;
  for (int i = 0; i < 500 && !news.any; ++i) {  // up to 5 s
    news = take_bus_news(pipeline.get(), false, &m);
    if (!news.any) g_usleep(10'000);
  }
  ASSERT_TRUE(news.end_of_stream) << news.error.value_or("");
  EXPECT_NEAR(static_cast<double>(m.measured_ms()), 1000, 100);
  ASSERT_TRUE(m.loudness_dbfs());
  EXPECT_NEAR(*m.loudness_dbfs(), -23.0, 0.3);
  EXPECT_NEAR(*m.peak_dbfs(), -20.0, 0.3);
  EXPECT_EQ(m.longest_silence_ms(), 0u);
}

}  // namespace
}  // namespace loa::gst
