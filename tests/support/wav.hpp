#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace loa::test {

// The samples of a 16-bit mono WAV file as stations write them (header chunks skipped;
// a file whose header was never finished is read to its end).
inline std::vector<std::int16_t> read_wav(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t pos = 12;
  while (pos + 8 <= bytes.size()) {
    const std::string id = bytes.substr(pos, 4);
    std::uint32_t size = 0;
    std::memcpy(&size, bytes.data() + pos + 4, 4);
    if (id == "data") {
      const std::size_t n = std::min<std::size_t>(size, bytes.size() - pos - 8) / 2;
      std::vector<std::int16_t> samples(n);
      std::memcpy(samples.data(), bytes.data() + pos + 8, n * 2);
      return samples;
    }
    pos += 8 + size;
  }
  return {};
}

// The root mean square of the samples (0 for none): how loud a recording is.
inline double rms_of(const std::vector<std::int16_t>& samples) {
  double sum = 0;
  for (auto s : samples) sum += static_cast<double>(s) * s;
  return samples.empty() ? 0 : std::sqrt(sum / static_cast<double>(samples.size()));
}

// The one WAV file a station wrote in `dir` ("" when there is not exactly one).
inline std::string only_wav(const std::string& dir) {
  std::vector<std::string> files;
  if (std::filesystem::exists(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path().string());
  }
  return files.size() == 1 ? files[0] : "";
}

// Where in `b` the window a[from, from+len) matches best, as a lag in samples within
// +-max_lag of `expected` (a[i] ~ b[i + lag]); and how well (normalised correlation).
inline std::pair<long, double> best_lag(const std::vector<std::int16_t>& a, const std::vector<std::int16_t>& b,
                                        long from, long len, long expected, long max_lag) {
  long best = expected;
  double best_score = -1;
  double energy_a = 0;
  for (long i = 0; i < len; ++i) energy_a += double(a[from + i]) * a[from + i];
  for (long lag = expected - max_lag; lag <= expected + max_lag; ++lag) {
    if (from + lag < 0 || from + lag + len > static_cast<long>(b.size())) continue;
    double sum = 0, energy_b = 0;
    for (long i = 0; i < len; ++i) {
      sum += double(a[from + i]) * b[from + lag + i];
      energy_b += double(b[from + lag + i]) * b[from + lag + i];
    }
    const double score = sum / std::sqrt(energy_a * energy_b + 1e-9);
    if (score > best_score) {
      best_score = score;
      best = lag;
    }
  }
  return {best, best_score};
}

// The skew between two stations' recordings of the same sound, once per second of it,
// in ms: a[i] sounded at start_a + i/rate, b[j] at start_b + j/rate; each second's
// window of `a` is found in `b` (the first within +-100 ms of where the start instants
// put it, the rest within +-5 ms of the one before), and the difference of the two
// instants of the same sound is that second's skew. Windows that match poorly (a
// concealed frame, the stream's edges) are left out.
inline std::vector<double> skews_ms(const std::vector<std::int16_t>& a, std::int64_t start_a_ns,
                                    const std::vector<std::int16_t>& b, std::int64_t start_b_ns, long rate) {
  std::vector<double> out;
  const double start_gap_s = double(start_b_ns - start_a_ns) / 1e9;
  long lag = -std::lround(start_gap_s * double(rate));
  long search = rate / 10;
  const long len = rate / 2;
  for (long from = rate; from + len + rate / 2 < static_cast<long>(a.size()); from += rate) {
    auto [found, score] = best_lag(a, b, from, len, lag, search);
    if (score < 0.8) continue;
    lag = found;
    search = rate / 200;
    out.push_back((start_gap_s + double(found) / double(rate)) * 1000.0);
  }
  return out;
}

// How much of a station's output is the stream itself, judged against another
// station's recording of the same stream over a clean link: the two are aligned, then
// compared 20 ms frame by frame. A frame the decoder concealed (lost or late) or that
// never sounded does not match (noise cannot be guessed). The alignment is found again
// each second (within +-30 ms of the last), so a station that slipped by a few ms after
// a gap is judged on its sound, not on the slip (skew is measured elsewhere). Frames
// whose reference is quiet are not judged.
struct Continuity {
  long frames = 0;       // judged
  long broken = 0;       // not matching the reference
  long longest_run = 0;  // most broken frames in a row
  double match_at_alignment = 0;
  [[nodiscard]] double broken_percent() const { return frames ? 100.0 * double(broken) / double(frames) : 100.0; }
};

namespace detail {
inline double frame_match(const std::vector<std::int16_t>& a, const std::vector<std::int16_t>& b, long from, long lag,
                          long len, bool& quiet) {
  double sum = 0, ea = 0, eb = 0;
  for (long i = 0; i < len; ++i) {
    const double x = a[from + i], y = b[from + lag + i];
    sum += x * y;
    ea += x * x;
    eb += y * y;
  }
  quiet = ea < 1e3 * double(len);  // RMS under ~32
  return sum / std::sqrt(ea * eb + 1e-9);
}
}  // namespace detail

inline Continuity continuity(const std::vector<std::int16_t>& reference, const std::vector<std::int16_t>& output,
                             long expected_lag, int rate = 48000) {
  Continuity c;
  const long frame = rate / 50;
  if (static_cast<long>(reference.size()) < 3 * rate) return c;
  auto [lag, score] = best_lag(reference, output, rate, rate / 2, expected_lag, rate / 10);
  c.match_at_alignment = score;
  long run = 0;
  const long end = static_cast<long>(reference.size()) - rate / 2;
  for (long block = rate / 2; block + frame <= end; block += rate) {
    const long previous = lag;
    if (block + rate <= end) {
      const auto [found, how_well] = best_lag(reference, output, block, rate / 20, lag, rate * 3 / 100);
      if (how_well > 0.9) lag = found;
    }
    for (long from = block; from < block + rate && from + frame <= end; from += frame) {
      const auto fits = [&](long l) { return from + l >= 0 && from + l + frame <= static_cast<long>(output.size()); };
      if (!fits(lag)) continue;
      bool quiet = false;
      double match = detail::frame_match(reference, output, from, lag, frame, quiet);
      if (quiet) continue;
      if (match < 0.8 && previous != lag && fits(previous)) {
        match = std::max(match, detail::frame_match(reference, output, from, previous, frame, quiet));
      }
      ++c.frames;
      if (match < 0.8) {
        ++c.broken;
        c.longest_run = std::max(c.longest_run, ++run);
      } else {
        run = 0;
      }
    }
  }
  return c;
}

}  // namespace loa::test
