// A process that names the GStreamer plugins it uses sees those and no other, as the
// station agent does (it keeps no registry of every plugin installed). Its own binary:
// GStreamer must not have started in the process before.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "loa/gst/gst_handles.hpp"
#include "support/process.hpp"

namespace loa::gst {
namespace {

TEST(GstPlugins, AProcessSeesOnlyThePluginsItNamesAndIsToldOfOneThatIsMissing) {
  if (std::getenv("GST_PLUGIN_SYSTEM_PATH_1_0") || std::getenv("GST_PLUGIN_SYSTEM_PATH"))
    GTEST_SKIP() << "the environment chooses GStreamer's plugin path";
  ASSERT_FALSE(gst_is_initialized());
  const test::ScratchDir dir;

  const auto missing = use_only_plugins({"coreelements", "audiotestsrc", "nosuchplugin"}, dir.path() + "/registry.bin");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].rfind("nosuchplugin (", 0), 0u) << missing[0];

  std::string error;
  auto played = parse_pipeline("audiotestsrc num-buffers=3 ! fakesink", error);
  ASSERT_TRUE(played) << error;
  gst_element_set_state(played.get(), GST_STATE_PLAYING);
  BusNews news;
  for (int i = 0; i < 500 && !news.any; ++i) {
    news = take_bus_news(played.get());
    if (!news.any) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(news.end_of_stream);
  gst_element_set_state(played.get(), GST_STATE_NULL);

  // opusenc is installed (gstreamer1.0-plugins-base) but was not named.
  EXPECT_FALSE(parse_pipeline("audiotestsrc num-buffers=3 ! opusenc ! fakesink", error));
  EXPECT_NE(error.find("opusenc"), std::string::npos) << error;
}

}  // namespace
}  // namespace loa::gst
