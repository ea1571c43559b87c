#include "loa/gst/gst_handles.hpp"

#include <mutex>

namespace loa::gst {

void initialize() {
  static std::once_flag once;
  std::call_once(once, [] { gst_init(nullptr, nullptr); });
}

PipelinePtr parse_pipeline(const std::string& description, std::string& error) {
  initialize();
  GError* failure = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &failure);
  if (failure) {
    error = failure->message;
    g_error_free(failure);
    if (pipeline) gst_object_unref(pipeline);
    return nullptr;
  }
  return PipelinePtr(pipeline);
}

ClockPtr realtime_clock() {
  initialize();
  auto* clock = GST_CLOCK(g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_REALTIME, nullptr));
  gst_object_ref_sink(clock);
  return ClockPtr(clock);
}

}  // namespace loa::gst
