#pragma once

#include <string>

namespace loa::alerts {

// Writes an attention tone as a 48 kHz mono 16-bit WAV file: "siren" (a rising and
// falling wail, 3 s) or "chime" (three falling notes, 2 s). Returns false for another
// name or when the file cannot be written.
[[nodiscard]] bool write_attention_tone(const std::string& name, const std::string& path);

}  // namespace loa::alerts
