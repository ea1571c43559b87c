#pragma once

#include <gst/gst.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loa::gst {

// RAII for every GStreamer handle Loa holds: only this module releases one by hand. Only
// modules that run GStreamer include this header.

// gst_init, once per process (any thread, any number of calls).
void initialize();

// Makes GStreamer in this process see only the named plugins (as "opus" names
// libgstopus.so), loaded from the directory GStreamer was built with, instead of a
// registry of every plugin installed on the machine: that registry is held in memory by
// each process that uses GStreamer (about 2 MB with a desktop's plugins). The registry of
// the few kept goes to registry_file. Call before anything else in the process uses
// GStreamer; afterwards, or where the environment already names GStreamer's plugin path
// (GST_PLUGIN_SYSTEM_PATH_1_0, GST_PLUGIN_SYSTEM_PATH), it only loads the named plugins.
// Returns one line for each plugin that could not be loaded, saying why.
std::vector<std::string> use_only_plugins(const std::vector<std::string>& names, const std::string& registry_file);

// Releases a handle with the library's own function for its type.
template <auto release>
struct Release {
  template <typename T>
  void operator()(T* handle) const {
    if (handle) release(handle);
  }
};
using ObjectUnref = Release<gst_object_unref>;
using ElementPtr = std::unique_ptr<GstElement, ObjectUnref>;
using ClockPtr = std::unique_ptr<GstClock, ObjectUnref>;
using BusPtr = std::unique_ptr<GstBus, ObjectUnref>;
using PadPtr = std::unique_ptr<GstPad, ObjectUnref>;
using MessagePtr = std::unique_ptr<GstMessage, Release<gst_message_unref>>;
using SamplePtr = std::unique_ptr<GstSample, Release<gst_sample_unref>>;

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

// The element of a bin with this name, or null.
[[nodiscard]] ElementPtr child(GstElement* bin, const char* name);
// An element's always-present pad ("src", "sink"), or null.
[[nodiscard]] PadPtr static_pad(GstElement* element, const char* name);

// What a pipeline's bus said since it was last asked: every message of the kinds asked
// for is taken (never waits). One reader serves every pipeline: playout, live sources
// and the clip transcoder.
struct BusNews {
  bool any = false;                  // a message of the asked kinds came
  bool end_of_stream = false;        // one was EOS
  std::optional<std::string> error;  // the first ERROR's text ("unknown error" if it had none)
};
// Takes the pipeline's EOS and ERROR messages (only ERROR with `errors_only`), and, when
// `levels` is given, the `level` element's messages into it. The bus drops whatever
// else it held: take everything wanted in one call.
class LevelMeter;
[[nodiscard]] BusNews take_bus_news(GstElement* pipeline, bool errors_only = false, LevelMeter* levels = nullptr);

// The audio codec and container named by the tags posted so far ("MPEG-1 Layer 3
// (MP3)", "Ogg"); each left as it is once set.
void collect_tags(GstElement* pipeline, std::string& codec, std::string& container);

// A real-time clock object of its own (ns since the Unix epoch). The process-wide system
// clock stays monotonic for every other pipeline; this one's readings mean the same on
// every machine whose clock is right, which is what the station clock serves.
[[nodiscard]] ClockPtr realtime_clock();

}  // namespace loa::gst
