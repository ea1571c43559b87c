#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace loa::clips {

struct TranscodeSettings {
  int opus_bitrate_bps = 24000;  // speech-tuned Opus, 20 ms frames
  double target_lufs = -23.0;    // EBU R128 programme loudness
  double max_true_peak_dbtp = -1.0;
  std::int64_t max_duration_ms = 2 * 3600 * 1000;
};

// A clip made ready for the loudspeakers: mono, 48 kHz, loudness-normalised, Ogg/Opus.
struct TranscodedClip {
  std::string ogg_opus;          // the encoded file
  std::int64_t duration_ms = 0;
  double source_lufs = 0;        // integrated loudness before normalisation
  double gain_db = 0;            // gain applied
  std::string source_format;     // what the decoder found, e.g. "MPEG-1 Layer 3 (MP3)"
};

// Why a file was not accepted. `code` is stable for scripts and the API.
struct TranscodeError {
  std::string code;     // empty, not_audio, truncated, silent, too_long, decode_failed
  std::string message;  // for people
};

// Decodes any format GStreamer has a decoder for (WAV, MP3, Ogg Vorbis/Opus, FLAC, M4A/AAC
// …), mixes to mono, resamples, measures loudness (libebur128), normalises to the target
// without letting the true peak pass the ceiling, and encodes Ogg/Opus. A file that is
// empty, not audio, cut short (decoded length well below what its headers announce) or
// silent is refused with the reason.
[[nodiscard]] std::variant<TranscodedClip, TranscodeError> transcode_clip(const std::string& path,
                                                                          const TranscodeSettings& settings);

}  // namespace loa::clips
