#include "attention_tones.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <numbers>
#include <vector>

namespace loa::alerts {
namespace {

constexpr int kRate = 48000;

void put_le(std::ofstream& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.put(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::vector<std::int16_t> siren() {
  // Frequency swept 650 -> 1250 -> 650 Hz once a second; the phase is integrated so the
  // sweep has no clicks.
  std::vector<std::int16_t> out(kRate * 3);
  double phase = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / kRate;
    const double sweep = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * t);
    phase += 2 * std::numbers::pi * (650.0 + 600.0 * sweep) / kRate;
    const double fade = std::min({1.0, t / 0.02, (3.0 - t) / 0.05});
    out[i] = static_cast<std::int16_t>(std::sin(phase) * 0.7 * fade * 32767);
  }
  return out;
}

std::vector<std::int16_t> chime() {
  const double notes[] = {784.0, 659.3, 523.3};  // G5, E5, C5
  std::vector<std::int16_t> out(kRate * 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / kRate;
    double v = 0;
    for (int n = 0; n < 3; ++n) {
      const double start = n * 0.45;
      if (t < start) continue;
      const double u = t - start;
      v += std::sin(2 * std::numbers::pi * notes[n] * u) * std::exp(-3.0 * u) * std::min(1.0, u / 0.005);
    }
    out[i] = static_cast<std::int16_t>(std::clamp(v * 0.5, -1.0, 1.0) * 32767);
  }
  return out;
}

}  // namespace

bool write_attention_tone(const std::string& name, const std::string& path) {
  std::vector<std::int16_t> samples;
  if (name == "siren") {
    samples = siren();
  } else if (name == "chime") {
    samples = chime();
  } else {
    return false;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const auto data_bytes = static_cast<std::uint32_t>(samples.size() * 2);
  out.write("RIFF", 4);
  put_le(out, 36 + data_bytes, 4);
  out.write("WAVEfmt ", 8);
  put_le(out, 16, 4);
  put_le(out, 1, 2);  // PCM
  put_le(out, 1, 2);  // mono
  put_le(out, kRate, 4);
  put_le(out, kRate * 2, 4);
  put_le(out, 2, 2);
  put_le(out, 16, 2);
  out.write("data", 4);
  put_le(out, data_bytes, 4);
  for (auto s : samples) put_le(out, static_cast<std::uint16_t>(s), 2);
  return static_cast<bool>(out.flush());
}

}  // namespace loa::alerts
