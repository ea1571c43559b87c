// The one bus reader and the owned handles every GStreamer user in Loa goes through.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "loa/gst/gst_handles.hpp"

namespace loa::gst {
namespace {

// Waits (up to 5 s) for the bus to say something, as the daemons' loops do.
BusNews wait_for_news(GstElement* pipeline) {
  for (int i = 0; i < 500; ++i) {
    auto news = take_bus_news(pipeline);
    if (news.any) return news;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {};
}

TEST(GstHandles, APipelineThatEndsSaysEndOfStream) {
  std::string error;
  auto p = parse_pipeline("audiotestsrc num-buffers=3 ! fakesink name=out", error);
  ASSERT_TRUE(p) << error;
  EXPECT_TRUE(child(p.get(), "out"));
  EXPECT_FALSE(child(p.get(), "nobody"));
  EXPECT_TRUE(static_pad(child(p.get(), "out").get(), "sink"));
  EXPECT_FALSE(static_pad(nullptr, "sink"));
  gst_element_set_state(p.get(), GST_STATE_PLAYING);
  const auto news = wait_for_news(p.get());
  EXPECT_TRUE(news.end_of_stream);
  EXPECT_FALSE(news.error);
}

TEST(GstHandles, AFailingPipelineSaysWhy) {
  std::string error;
  auto p = parse_pipeline("filesrc location=/nonexistent/loa.wav ! decodebin ! fakesink", error);
  ASSERT_TRUE(p) << error;
  gst_element_set_state(p.get(), GST_STATE_PLAYING);
  const auto news = wait_for_news(p.get());
  ASSERT_TRUE(news.error);
  EXPECT_EQ(*news.error, "Resource not found.");  // filesrc's own words, not "unknown error"
}

TEST(GstHandles, ADescriptionThatCannotBeBuiltIsAnErrorNotAPipeline) {
  std::string error;
  EXPECT_FALSE(parse_pipeline("nosuchelement ! fakesink", error));
  EXPECT_NE(error.find("nosuchelement"), std::string::npos) << error;
}

}  // namespace
}  // namespace loa::gst
