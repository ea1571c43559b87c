#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

namespace loa::gst {

// RAII for the GStreamer handles the audio modules share. Only modules that run
// GStreamer include this header.

// gst_init, once per process (any thread, any number of calls).
void initialize();

struct ObjectUnref {
  void operator()(gpointer object) const {
    if (object) gst_object_unref(object);
  }
};
using ElementPtr = std::unique_ptr<GstElement, ObjectUnref>;
using ClockPtr = std::unique_ptr<GstClock, ObjectUnref>;

// A pipeline is set to NULL before it is released, so its threads have stopped.
struct PipelineRelease {
  void operator()(GstElement* pipeline) const {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
  }
};
using PipelinePtr = std::unique_ptr<GstElement, PipelineRelease>;

// Builds a pipeline from a gst-launch description; null with `error` set if it cannot.
[[nodiscard]] PipelinePtr parse_pipeline(const std::string& description, std::string& error);

// A real-time clock object of its own (ns since the Unix epoch). The process-wide system
// clock stays monotonic for every other pipeline; this one's readings mean the same on
// every machine whose clock is right, which is what the station clock serves.
[[nodiscard]] ClockPtr realtime_clock();

}  // namespace loa::gst
