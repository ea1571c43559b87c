#include "loa/gst/level_meter.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <cmath>

namespace loa::gst {
namespace {

// The first channel's value of a level message's per-channel array (Loa's outputs are
// mono). GValueArray is what `level` posts, deprecated or not.
std::optional<double> first_channel(const GstStructure* s, const char* field) {
  const GValue* value = gst_structure_get_value(s, field);
  if (!value || !G_VALUE_HOLDS_BOXED(value)) return std::nullopt;
  const auto* channels = static_cast<const GValueArray*>(g_value_get_boxed(value));
  if (!channels || channels->n_values == 0 || !G_VALUE_HOLDS_DOUBLE(&channels->values[0])) return std::nullopt;
  return g_value_get_double(&channels->values[0]);
}

}  // namespace

bool LevelMeter::take(GstMessage* message) {
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ELEMENT) return false;
  const GstStructure* s = gst_message_get_structure(message);
  if (!s || !gst_structure_has_name(s, "level")) return false;
  const auto rms = first_channel(s, "rms");
  const auto peak = first_channel(s, "peak");
  GstClockTime duration = 0;
  if (rms && peak && gst_structure_get_clock_time(s, "duration", &duration)) add(*rms, *peak, duration);
  return true;
}

void LevelMeter::add(double rms_dbfs, double peak_dbfs, std::uint64_t duration_ns) {
  if (duration_ns == 0) return;
  // -inf dB (digital silence) is zero power.
  const double power = std::isfinite(rms_dbfs) ? std::pow(10.0, rms_dbfs / 10.0) : 0.0;
  energy_ += power * static_cast<double>(duration_ns);
  measured_ns_ += duration_ns;
  if (std::isfinite(peak_dbfs)) peak_ = std::max(peak_.value_or(peak_dbfs), peak_dbfs);
  if (std::isfinite(rms_dbfs) && rms_dbfs >= silence_dbfs_) {
    sounded_ns_ += duration_ns;
    silence_ns_ = 0;
  } else {
    silence_ns_ += duration_ns;
    longest_silence_ns_ = std::max(longest_silence_ns_, silence_ns_);
  }
}

std::optional<double> LevelMeter::loudness_dbfs() const {
  if (!measured()) return std::nullopt;
  const double mean = energy_ / static_cast<double>(measured_ns_);
  return mean > 0 ? 10.0 * std::log10(mean) : -200.0;
}

std::optional<double> LevelMeter::peak_dbfs() const { return peak_; }

}  // namespace loa::gst
