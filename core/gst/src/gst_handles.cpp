#include "loa/gst/gst_handles.hpp"

#include "loa/gst/level_meter.hpp"

#include <cstdlib>
#include <mutex>

namespace loa::gst {
namespace {

using ErrorPtr = std::unique_ptr<GError, Release<g_error_free>>;
using TagListPtr = std::unique_ptr<GstTagList, Release<gst_tag_list_unref>>;
using CharPtr = std::unique_ptr<gchar, Release<g_free>>;

std::string error_text(GstMessage* msg) {
  GError* raw = nullptr;
  gst_message_parse_error(msg, &raw, nullptr);
  ErrorPtr error(raw);
  return error && error->message ? error->message : "unknown error";
}

}  // namespace

void initialize() {
  static std::once_flag once;
  std::call_once(once, [] { gst_init(nullptr, nullptr); });
}

std::vector<std::string> use_only_plugins(const std::vector<std::string>& names, const std::string& registry_file) {
  const bool path_chosen = std::getenv("GST_PLUGIN_SYSTEM_PATH_1_0") || std::getenv("GST_PLUGIN_SYSTEM_PATH");
  if (!gst_is_initialized() && !path_chosen) {
    // An empty system path: GStreamer scans no directory and keeps no registry of what
    // it would have found; the registry file is one of this process's own.
    ::setenv("GST_PLUGIN_SYSTEM_PATH_1_0", "", 1);
    ::setenv("GST_REGISTRY_1_0", registry_file.c_str(), 1);
  }
  initialize();
  std::vector<std::string> missing;
  for (const auto& name : names) {
    const auto file = std::string(LOA_GST_PLUGINS_DIR) + "/libgst" + name + ".so";
    GError* raw = nullptr;
    GstPlugin* plugin = gst_plugin_load_file(file.c_str(), &raw);
    ErrorPtr failure(raw);
    if (plugin) {
      gst_object_unref(plugin);  // the registry keeps its own reference
    } else {
      missing.push_back(name + " (" + file + "): " + (failure && failure->message ? failure->message : "not loaded"));
    }
  }
  return missing;
}

PipelinePtr parse_pipeline(const std::string& description, std::string& error) {
  initialize();
  GError* raw = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &raw);
  ErrorPtr failure(raw);
  if (failure) {
    error = failure->message ? failure->message : "cannot build the pipeline";
    if (pipeline) gst_object_unref(pipeline);
    return nullptr;
  }
  return PipelinePtr(pipeline);
}

ElementPtr child(GstElement* bin, const char* name) { return ElementPtr(gst_bin_get_by_name(GST_BIN(bin), name)); }

PadPtr static_pad(GstElement* element, const char* name) {
  return element ? PadPtr(gst_element_get_static_pad(element, name)) : nullptr;
}

BusNews take_bus_news(GstElement* pipeline, bool errors_only, LevelMeter* levels) {
  BusNews news;
  BusPtr bus(gst_element_get_bus(pipeline));
  if (!bus) return news;
  auto kinds = errors_only ? GST_MESSAGE_ERROR : static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (levels) kinds = static_cast<GstMessageType>(kinds | GST_MESSAGE_ELEMENT);
  while (MessagePtr msg{gst_bus_pop_filtered(bus.get(), kinds)}) {
    if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_ELEMENT) {
      if (levels) levels->take(msg.get());
      continue;
    }
    news.any = true;
    if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_EOS) {
      news.end_of_stream = true;
    } else if (!news.error) {
      news.error = error_text(msg.get());
    }
  }
  return news;
}

void collect_tags(GstElement* pipeline, std::string& codec, std::string& container) {
  BusPtr bus(gst_element_get_bus(pipeline));
  if (!bus) return;
  while (MessagePtr msg{gst_bus_pop_filtered(bus.get(), GST_MESSAGE_TAG)}) {
    GstTagList* raw = nullptr;
    gst_message_parse_tag(msg.get(), &raw);
    TagListPtr tags(raw);
    for (auto [tag, value] : {std::pair{GST_TAG_AUDIO_CODEC, &codec}, std::pair{GST_TAG_CONTAINER_FORMAT, &container}}) {
      gchar* text = nullptr;
      if (value->empty() && gst_tag_list_get_string(tags.get(), tag, &text)) *value = CharPtr(text).get();
    }
  }
}

ClockPtr realtime_clock() {
  initialize();
  auto* clock = GST_CLOCK(g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_REALTIME, nullptr));
  gst_object_ref_sink(clock);
  return ClockPtr(clock);
}

}  // namespace loa::gst
