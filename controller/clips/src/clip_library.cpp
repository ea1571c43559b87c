#include "loa/clips/clip_library.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern char** environ;

#include <fmt/format.h>

#include "loa/digest/sha256.hpp"
#include "loa/log/log.hpp"

namespace loa::clips {
namespace {

const log::Logger kLog("clips");


// Writes `bytes` to `path` so that the file is either all there or not at all.
bool write_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  ok = ok && ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

}  // namespace

bool is_clip_id(const std::string& text) { return digest::is_sha256_hex(text); }

ClipLibrary::ClipLibrary(std::string dir, store::IClipStore& store, TranscodeSettings settings)
    : dir_(std::move(dir)), store_(store), settings_(settings) {
  std::filesystem::create_directories(dir_);
  // Leftovers of uploads cut off by a crash.
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) std::filesystem::remove(entry.path());
  }
}

std::string ClipLibrary::path_of(const std::string& sha256) const { return dir_ + "/" + sha256 + ".opus"; }

// What identifies an upload's clip before it is made: the file's bytes and every setting
// that shapes the encoding.
std::optional<std::string> ClipLibrary::source_key(const std::string& path) const {
  const auto file = digest::sha256_file_hex(path);
  if (!file) return std::nullopt;
  return digest::sha256_hex(fmt::format("{}|opus={}|lufs={}|max_ms={}", *file, settings_.opus_bitrate_bps,
                                        settings_.target_lufs, settings_.max_duration_ms));
}

std::variant<store::ClipRecord, TranscodeError> ClipLibrary::add(const std::string& path, const std::string& name) {
  // The same upload again is the clip already made from it (and costs no transcoding).
  const auto source = source_key(path);
  if (source) {
    if (auto existing = store_.find_clip_by_source(*source); existing && std::filesystem::exists(path_of(existing->sha256))) {
      kLog.info("clip already in the library: sha256={} name={}", existing->sha256, existing->name);
      return *existing;
    }
  }
  auto result = transcode_clip(path, settings_);
  if (auto* e = std::get_if<TranscodeError>(&result)) {
    kLog.warn("upload refused: name={} reason={} detail={}", name, e->code, e->message);
    return *e;
  }
  auto& clip = std::get<TranscodedClip>(result);
  store::ClipRecord record;
  record.sha256 = digest::sha256_hex(clip.ogg_opus);
  if (auto existing = store_.find_clip(record.sha256)) return *existing;
  record.name = name;
  record.duration_ms = clip.duration_ms;
  record.bytes = static_cast<std::int64_t>(clip.ogg_opus.size());
  record.source_lufs = clip.source_lufs;
  record.gain_db = clip.gain_db;
  record.source_format = clip.source_format;
  record.source_sha256 = source.value_or("");
  record.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto target = path_of(record.sha256);
  if (!write_atomically(target, clip.ogg_opus)) {
    return TranscodeError{"storage_failed", "cannot write the clip (disk full?)"};
  }
  try {
    store_.put_clip(record);
    if (keep_bytes_) store_.put_clip_bytes(record.sha256, clip.ogg_opus);
  } catch (const store::StoreError& e) {
    std::filesystem::remove(target);
    return TranscodeError{"storage_failed", e.what()};
  }
  kLog.info("clip added: sha256={} name={} duration_ms={} source_lufs={:.1f} gain_db={:.1f} format={}", record.sha256,
            name, record.duration_ms, record.source_lufs, record.gain_db, record.source_format);
  return record;
}

std::variant<store::ClipRecord, TranscodeError> ClipLibrary::add_speech(const std::string& text,
                                                                        const std::string& voice,
                                                                        const std::string& name) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return TranscodeError{"empty", "no text to speak"};
  if (text.size() > 20000) return TranscodeError{"too_long", "text over 20,000 characters"};
  if (voice.empty() || voice.size() > 32 ||
      voice.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-+_") != std::string::npos) {
    return TranscodeError{"bad_voice", "voice must be an espeak-ng voice name such as vi or en"};
  }
  // The text goes through a file, never the command line: nothing in it is ever parsed
  // as an option.
  const std::string stem = dir_ + "/speech.tmp-" + std::to_string(::getpid()) + "-" +
                           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  const std::string text_file = stem + ".txt";
  const std::string wav_file = stem + ".wav";
  struct Cleanup {
    std::vector<std::string> paths;
    ~Cleanup() {
      std::error_code ec;
      for (const auto& p : paths) std::filesystem::remove(p, ec);
    }
  } cleanup{{text_file, wav_file}};
  if (!write_atomically(text_file, text)) return TranscodeError{"storage_failed", "cannot write the text"};
  std::vector<std::string> args{"espeak-ng", "-v", voice, "-s", "150", "-w", wav_file, "-f", text_file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, "espeak-ng", nullptr, nullptr, argv.data(), environ) != 0) {
    return TranscodeError{"tts_failed", "espeak-ng is not installed"};
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return TranscodeError{"tts_failed", "espeak-ng failed (unknown voice '" + voice + "'?)"};
  }
  return add(wav_file, name);
}

std::size_t ClipLibrary::restore_missing() {
  std::size_t restored = 0;
  for (const auto& clip : store_.list_clips()) {
    if (std::filesystem::exists(path_of(clip.sha256))) {
      // A clip added before the controller had a standby: its bytes go in now.
      if (keep_bytes_ && !store_.clip_bytes(clip.sha256)) {
        std::ifstream in(path_of(clip.sha256), std::ios::binary);
        const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (digest::sha256_hex(file) == clip.sha256) store_.put_clip_bytes(clip.sha256, file);
      }
      continue;
    }
    const auto bytes = store_.clip_bytes(clip.sha256);
    if (!bytes || digest::sha256_hex(*bytes) != clip.sha256) {
      kLog.error("clip missing here and not in the database: sha256={} name={}", clip.sha256, clip.name);
      continue;
    }
    if (!write_atomically(path_of(clip.sha256), *bytes)) {
      kLog.error("cannot write clip {} (disk full?)", clip.sha256);
      continue;
    }
    ++restored;
  }
  if (restored) kLog.info("clips restored from the database: {}", restored);
  return restored;
}

bool ClipLibrary::remove(const std::string& sha256) {
  if (!is_clip_id(sha256) || !store_.delete_clip(sha256)) return false;
  std::error_code ec;
  std::filesystem::remove(path_of(sha256), ec);
  return true;
}

}  // namespace loa::clips
