// GStreamer and libebur128 live in this file only.
#include "loa/clips/clip_transcoder.hpp"

#include <ebur128.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <memory>
#include <vector>

#include "loa/gst/gst_handles.hpp"

namespace loa::clips {
namespace {

constexpr int kRate = 48000;

// The first error the pipeline's bus holds ("" when none).
std::string bus_error(GstElement* pipeline) { return gst::take_bus_news(pipeline, true).error.value_or(""); }

bool play(GstElement* pipeline) {
  return gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
}

std::int64_t duration_ns(GstElement* pipeline) {
  gint64 d = -1;
  if (!gst_element_query_duration(pipeline, GST_FORMAT_TIME, &d)) return -1;
  return d;
}

// MP3 encoders write a Xing/Info header with the stream's size in bytes. GStreamer's
// parser drops that header when the file is shorter than it says, so the check is made
// here: a file shorter than its own header announces was cut in transfer.
std::optional<std::int64_t> mp3_announced_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  for (const char* tag : {"Xing", "Info"}) {
    auto at = head.find(tag);
    if (at == std::string::npos || at > 200 || at + 16 > head.size()) continue;
    auto u32 = [&](std::size_t i) {
      return (static_cast<std::uint32_t>(static_cast<unsigned char>(head[i])) << 24) |
             (static_cast<std::uint32_t>(static_cast<unsigned char>(head[i + 1])) << 16) |
             (static_cast<std::uint32_t>(static_cast<unsigned char>(head[i + 2])) << 8) |
             static_cast<std::uint32_t>(static_cast<unsigned char>(head[i + 3]));
    };
    const std::uint32_t flags = u32(at + 4);
    std::size_t field = at + 8;
    if (flags & 0x1) field += 4;  // frame count comes first
    if ((flags & 0x2) && field + 4 <= head.size()) return static_cast<std::int64_t>(u32(field));
  }
  return std::nullopt;
}

struct Decoded {
  std::vector<float> samples;  // mono, 48 kHz
  std::int64_t announced_ns = -1;
  std::string format;  // codec (and container) as the tags name them
};

std::variant<Decoded, TranscodeError> decode(const std::string& path, const TranscodeSettings& settings) {
  std::string problem;
  auto p = gst::parse_pipeline(
      "filesrc name=src ! decodebin ! audioconvert ! audioresample ! "
      "audio/x-raw,format=F32LE,layout=interleaved,channels=1,rate=48000 ! appsink name=sink sync=false",
      problem);
  if (!p) return TranscodeError{"decode_failed", "cannot build the decoder: " + problem};
  g_object_set(gst::child(p.get(), "src").get(), "location", path.c_str(), nullptr);
  auto sink = gst::child(p.get(), "sink");
  Decoded out;
  std::string codec;
  std::string container;
  if (!play(p.get())) {
    auto e = bus_error(p.get());
    return TranscodeError{"not_audio", "not an audio file this system can decode" + (e.empty() ? "" : ": " + e)};
  }
  const auto max_samples = static_cast<std::size_t>(settings.max_duration_ms) * kRate / 1000;
  for (;;) {
    gst::SamplePtr sample(gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 100 * GST_MSECOND));
    if (!sample) {
      if (gst_app_sink_is_eos(GST_APP_SINK(sink.get()))) break;
      auto e = bus_error(p.get());
      if (!e.empty()) {
        const bool nothing = out.samples.empty();
        return TranscodeError{nothing ? "not_audio" : "decode_failed",
                              (nothing ? "not an audio file this system can decode: " : "decoding failed: ") + e};
      }
      continue;
    }
    if (out.announced_ns < 0) out.announced_ns = duration_ns(p.get());
    gst::collect_tags(p.get(), codec, container);
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      const auto* f = reinterpret_cast<const float*>(map.data);
      out.samples.insert(out.samples.end(), f, f + map.size / sizeof(float));
      gst_buffer_unmap(buffer, &map);
    }
    if (out.samples.size() > max_samples) {
      return TranscodeError{"too_long", "longer than " + std::to_string(settings.max_duration_ms / 60000) + " minutes"};
    }
  }
  gst::collect_tags(p.get(), codec, container);
  out.format = container.empty() ? codec : (codec.empty() ? container : codec + " in " + container);
  return out;
}

std::variant<std::string, TranscodeError> encode(const std::vector<float>& samples, const TranscodeSettings& s) {
  const std::string description =
      "appsrc name=src format=time caps=audio/x-raw,format=F32LE,layout=interleaved,channels=1,rate=48000 ! "
      "audioconvert ! opusenc bitrate=" + std::to_string(s.opus_bitrate_bps) +
      " frame-size=20 audio-type=voice ! oggmux ! appsink name=sink sync=false";
  std::string problem;
  auto p = gst::parse_pipeline(description, problem);
  if (!p) return TranscodeError{"decode_failed", "cannot build the encoder: " + problem};
  auto src = gst::child(p.get(), "src");
  auto sink = gst::child(p.get(), "sink");
  if (!play(p.get())) return TranscodeError{"decode_failed", "encoder would not start: " + bus_error(p.get())};
  // Feed in one-second buffers with timestamps; appsrc queues them for the encoder.
  std::size_t offset = 0;
  while (offset < samples.size()) {
    const std::size_t n = std::min<std::size_t>(kRate, samples.size() - offset);
    GstBuffer* buffer = gst_buffer_new_memdup(samples.data() + offset, n * sizeof(float));
    GST_BUFFER_PTS(buffer) = gst_util_uint64_scale(offset, GST_SECOND, kRate);
    GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(n, GST_SECOND, kRate);
    if (gst_app_src_push_buffer(GST_APP_SRC(src.get()), buffer) != GST_FLOW_OK) {
      return TranscodeError{"decode_failed", "encoder refused data: " + bus_error(p.get())};
    }
    offset += n;
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src.get()));
  std::string out;
  for (;;) {
    gst::SamplePtr sample(gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 100 * GST_MSECOND));
    if (!sample) {
      if (gst_app_sink_is_eos(GST_APP_SINK(sink.get()))) break;
      auto e = bus_error(p.get());
      if (!e.empty()) return TranscodeError{"decode_failed", "encoding failed: " + e};
      continue;
    }
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      out.append(reinterpret_cast<const char*>(map.data), map.size);
      gst_buffer_unmap(buffer, &map);
    }
  }
  return out;
}

struct Ebur128Free {
  void operator()(ebur128_state* s) const { ebur128_destroy(&s); }
};

}  // namespace

std::variant<TranscodedClip, TranscodeError> transcode_clip(const std::string& path, const TranscodeSettings& settings) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return TranscodeError{"decode_failed", "cannot read the file: " + ec.message()};
  if (size == 0) return TranscodeError{"empty", "the file is empty (0 bytes)"};
  gst::initialize();

  auto decoded = decode(path, settings);
  if (auto* e = std::get_if<TranscodeError>(&decoded)) return *e;
  auto& d = std::get<Decoded>(decoded);
  if (d.samples.empty()) return TranscodeError{"not_audio", "no audio in the file"};
  if (d.format.find("Layer 3") != std::string::npos || d.format.find("MP3") != std::string::npos) {
    if (auto announced = mp3_announced_bytes(path); announced && static_cast<std::int64_t>(size) < *announced * 9 / 10) {
      return TranscodeError{"truncated", "the file is cut short: " + std::to_string(size) + " bytes of " +
                                             std::to_string(*announced) + " its header announces"};
    }
  }
  const auto decoded_ms = static_cast<std::int64_t>(d.samples.size() * 1000 / kRate);
  if (d.announced_ns > 0) {
    const auto announced_ms = d.announced_ns / 1'000'000;
    // Headers (WAV data size, MP3 Xing frame count, containers) say how long the file
    // should be; a file cut in transfer decodes to much less.
    if (decoded_ms + 500 < announced_ms * 9 / 10) {
      return TranscodeError{"truncated", "the file is cut short: " + std::to_string(decoded_ms) + " ms decoded of " +
                                             std::to_string(announced_ms) + " ms announced"};
    }
  }

  std::unique_ptr<ebur128_state, Ebur128Free> meter(ebur128_init(1, kRate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK));
  ebur128_add_frames_float(meter.get(), d.samples.data(), d.samples.size());
  double lufs = -HUGE_VAL;
  double peak = 0;
  ebur128_loudness_global(meter.get(), &lufs);
  ebur128_true_peak(meter.get(), 0, &peak);
  if (!std::isfinite(lufs) || lufs < -70) return TranscodeError{"silent", "the file holds no audible sound"};
  const double peak_db = 20 * std::log10(std::max(peak, 1e-9));
  double gain_db = settings.target_lufs - lufs;
  gain_db = std::min(gain_db, settings.max_true_peak_dbtp - peak_db);
  const float gain = static_cast<float>(std::pow(10.0, gain_db / 20));
  for (auto& s : d.samples) s *= gain;

  auto encoded = encode(d.samples, settings);
  if (auto* e = std::get_if<TranscodeError>(&encoded)) return *e;
  TranscodedClip clip;
  clip.ogg_opus = std::move(std::get<std::string>(encoded));
  clip.duration_ms = decoded_ms;
  clip.source_lufs = lufs;
  clip.gain_db = gain_db;
  clip.source_format = d.format;
  return clip;
}

}  // namespace loa::clips
