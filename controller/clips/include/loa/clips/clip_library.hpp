#pragma once

#include <optional>
#include <string>
#include <variant>

#include "loa/clips/clip_transcoder.hpp"
#include "loa/store/clip_store.hpp"

namespace loa::clips {

// The controller's clips: uploads transcoded and stored content-addressed by the SHA-256
// of the stored file (<dir>/<sha256>.opus), with their metadata in the store. An upload
// that fails leaves nothing behind: the file is written to a temporary name, synced and
// renamed only once the transcode succeeded, and recorded only once it is in place.
class ClipLibrary {
 public:
  ClipLibrary(std::string dir, store::IClipStore& store, TranscodeSettings settings = {});

  // Adds the audio file at `path` under `name`. The same file uploaded twice (or the same
  // text read twice) is one clip: the one made the first time, under its first name.
  [[nodiscard]] std::variant<store::ClipRecord, TranscodeError> add(const std::string& path, const std::string& name);
  // Renders `text` with espeak-ng in `voice` ("vi" = Vietnamese, "en", ...) and adds
  // the speech as a clip.
  [[nodiscard]] std::variant<store::ClipRecord, TranscodeError> add_speech(const std::string& text,
                                                                          const std::string& voice,
                                                                          const std::string& name);
  [[nodiscard]] std::string path_of(const std::string& sha256) const;
  [[nodiscard]] bool remove(const std::string& sha256);
  [[nodiscard]] const std::string& dir() const { return dir_; }

  // One of a standby pair: each clip's bytes go into the database too, so that the
  // other controller has them through the database's replication.
  void keep_bytes_in_store(bool keep) { keep_bytes_ = keep; }
  // Writes every clip the store knows and this folder lacks, from the bytes in the
  // store (a controller taking over from the other of its pair), and, keeping bytes,
  // puts into the store those of clips it lacks (added before the pair was made).
  // Returns how many files were written; a clip found nowhere is logged.
  std::size_t restore_missing();

 private:
  [[nodiscard]] std::optional<std::string> source_key(const std::string& path) const;

  std::string dir_;
  store::IClipStore& store_;
  TranscodeSettings settings_;
  bool keep_bytes_ = false;
};

// True for 64 lowercase hex digits (so a clip id is safe in a path).
[[nodiscard]] bool is_clip_id(const std::string& text);

}  // namespace loa::clips
