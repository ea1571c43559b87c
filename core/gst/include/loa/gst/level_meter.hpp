#pragma once

#include <cstdint>
#include <optional>

#include "loa/gst/gst_handles.hpp"

namespace loa::gst {

// What a pipeline's `level` element measured of the sound going through it, gathered
// from the messages it posts (one per interval). The loudness is the mean power over
// the whole run, in dBFS; silence is an interval whose RMS stays below a threshold.
class LevelMeter {
 public:
  explicit LevelMeter(double silence_dbfs = -60.0) : silence_dbfs_(silence_dbfs) {}

  // Takes one bus message if it is the `level` element's (see take_bus_news, which
  // hands them here); true if it was.
  bool take(GstMessage* message);
  // One interval's measure (what take() does with each message; for tests too).
  void add(double rms_dbfs, double peak_dbfs, std::uint64_t duration_ns);

  [[nodiscard]] bool measured() const { return measured_ns_ > 0; }
  [[nodiscard]] std::optional<double> loudness_dbfs() const;
  [[nodiscard]] std::optional<double> peak_dbfs() const;
  [[nodiscard]] std::uint64_t measured_ms() const { return measured_ns_ / 1'000'000; }
  [[nodiscard]] std::uint64_t longest_silence_ms() const { return longest_silence_ns_ / 1'000'000; }
  // Nothing above the silence threshold in all that was measured.
  [[nodiscard]] bool all_silent() const { return measured() && sounded_ns_ == 0; }

 private:
  double silence_dbfs_;
  double energy_ = 0;  // mean-square power x duration (ns), summed
  std::uint64_t measured_ns_ = 0;
  std::uint64_t sounded_ns_ = 0;
  std::uint64_t silence_ns_ = 0;  // the current run
  std::uint64_t longest_silence_ns_ = 0;
  std::optional<double> peak_;
};

}  // namespace loa::gst
