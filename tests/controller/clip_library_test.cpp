// Clip uploads through real GStreamer pipelines: every format people have becomes one
// loudness-normalised Ogg/Opus clip; broken uploads are refused and leave nothing behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "loa/store/store.hpp"
#include "loa/clips/clip_library.hpp"
#include "support/process.hpp"

namespace loa::clips {
namespace {

class ClipLibraryTest : public ::testing::Test {
 protected:
  // Makes a test file with gst-launch: `seconds` of a tone at `volume`, through `encoder`.
  std::string make(const std::string& name, const std::string& encoder, double seconds = 3.0, double volume = 0.2) {
    const auto path = dir.path() + "/" + name;
    const int buffers = static_cast<int>(seconds * 44100 / 1024);
    auto r = test::run_command("gst-launch-1.0 -q audiotestsrc num-buffers=" + std::to_string(buffers) +
                               " samplesperbuffer=1024 wave=sine freq=440 volume=" + std::to_string(volume) +
                               " ! audio/x-raw,rate=44100,channels=2 ! audioconvert ! " + encoder +
                               " ! filesink location=" + path);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return path;
  }
  std::size_t files_in_library() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path() + "/clips")) ++n;
    return n;
  }
  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.path() + "/c.db");
  ClipLibrary library{dir.path() + "/clips", *store};
};

TEST_F(ClipLibraryTest, EveryCommonFormatBecomesANormalisedOpusClip) {
  const std::vector<std::pair<std::string, std::string>> inputs{
      {"a.wav", "wavenc"},
      {"a.mp3", "lamemp3enc ! xingmux"},
      {"a.ogg", "vorbisenc ! oggmux"},
      {"a.opus", "audioresample ! opusenc ! oggmux"},
      {"a.flac", "flacenc"},
      {"a.m4a", "avenc_aac ! mp4mux"},
  };
  for (const auto& [name, encoder] : inputs) {
    SCOPED_TRACE(name);
    auto result = library.add(make(name, encoder), name);
    ASSERT_TRUE(std::holds_alternative<store::ClipRecord>(result)) << std::get<TranscodeError>(result).message;
    const auto& clip = std::get<store::ClipRecord>(result);
    EXPECT_NEAR(static_cast<double>(clip.duration_ms), 3000, 120);
    EXPECT_TRUE(std::filesystem::exists(library.path_of(clip.sha256)));
    EXPECT_EQ(store->find_clip(clip.sha256)->name, name);
    // The stored clip itself measures at the target loudness.
    auto again = transcode_clip(library.path_of(clip.sha256), {});
    ASSERT_TRUE(std::holds_alternative<TranscodedClip>(again));
    EXPECT_NEAR(std::get<TranscodedClip>(again).source_lufs, -23.0, 1.0) << name;
  }
  EXPECT_EQ(store->list_clips().size(), inputs.size());
}

TEST_F(ClipLibraryTest, QuietAndLoudUploadsEndAtTheSameLoudness) {
  auto quiet = std::get<store::ClipRecord>(library.add(make("q.wav", "wavenc", 3, 0.02), "quiet"));
  auto loud = std::get<store::ClipRecord>(library.add(make("l.wav", "wavenc", 3, 0.5), "loud"));
  EXPECT_GT(quiet.gain_db, loud.gain_db + 20);
  auto q = std::get<TranscodedClip>(transcode_clip(library.path_of(quiet.sha256), {}));
  auto l = std::get<TranscodedClip>(transcode_clip(library.path_of(loud.sha256), {}));
  EXPECT_NEAR(q.source_lufs, l.source_lufs, 1.0);
}

TEST_F(ClipLibraryTest, BrokenUploadsAreRefusedWithTheReasonAndLeaveNothing) {
  const auto text = dir.path() + "/notes.txt";
  test::write_file(text, std::string(2000, 'x') + "\nthis is a text file, not audio\n");
  const auto empty = dir.path() + "/empty.mp3";
  test::write_file(empty, "");
  const auto mp3 = make("whole.mp3", "lamemp3enc ! xingmux", 10);
  const auto cut = dir.path() + "/cut.mp3";
  auto bytes = test::read_file(mp3);
  test::write_file(cut, bytes.substr(0, bytes.size() / 3));

  auto code_of = [&](const std::string& path) {
    auto r = library.add(path, "x");
    return std::holds_alternative<TranscodeError>(r) ? std::get<TranscodeError>(r).code : std::string("accepted");
  };
  EXPECT_EQ(code_of(text), "not_audio");
  EXPECT_EQ(code_of(empty), "empty");
  EXPECT_EQ(code_of(cut), "truncated");
  EXPECT_TRUE(store->list_clips().empty());
  EXPECT_EQ(files_in_library(), 0u);
}

TEST_F(ClipLibraryTest, SilenceIsNotAClip) {
  auto r = library.add(make("silence.wav", "wavenc", 2, 0.0), "silence");
  ASSERT_TRUE(std::holds_alternative<TranscodeError>(r));
  EXPECT_EQ(std::get<TranscodeError>(r).code, "silent");
}

}  // namespace
}  // namespace loa::clips
