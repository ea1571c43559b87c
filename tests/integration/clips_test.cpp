// Clip uploads through a real controller with loactl: formats in, Opus out; bad uploads
// refused with their reason and nothing stored.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "support/fleet.hpp"

namespace loa::test {
namespace {

using nlohmann::json;

class Clips : public ::testing::Test {
 protected:
  void SetUp() override { fleet.start_controller(); }
  std::string tone(const std::string& name, const std::string& encoder, int seconds) {
    const auto path = fleet.dir() + "/" + name;
    auto r = run_command("gst-launch-1.0 -q audiotestsrc num-buffers=" + std::to_string(seconds * 43) +
                         " wave=sine volume=0.3 ! audioconvert ! " + encoder + " ! filesink location=" + path);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return path;
  }
  std::vector<std::string> library_files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(fleet.dir() + "/controller/clips")) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }
  Fleet fleet;
};

TEST_F(Clips, UploadListDownloadAndRemoveWithLoactl) {
  const auto wav = tone("thong-bao.wav", "wavenc", 2);
  const auto mp3 = tone("ban-tin.mp3", "lamemp3enc ! xingmux", 3);
  auto added = fleet.loactl("clips add " + wav + " " + mp3);
  ASSERT_EQ(added.exit_code, 0) << added.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(added.out, m, std::regex("added ([0-9a-f]{64})  thong-bao"))) << added.out;
  const std::string id = m[1];

  auto list = json::parse(fleet.loactl("--json clips").out);
  ASSERT_EQ(list["items"].size(), 2u);
  auto table = fleet.loactl("clips list").out;
  EXPECT_NE(table.find("ban-tin"), std::string::npos) << table;
  EXPECT_NE(table.find("3.0 s"), std::string::npos) << table;

  auto clip = fleet.api("GET", "/api/v1/clips/" + id).body;
  EXPECT_NEAR(clip["duration_ms"].get<double>(), 2000, 120);
  EXPECT_TRUE(clip["source_format"].get<std::string>().ends_with(" in WAV")) << clip.dump();

  // What is stored is the clip itself: Ogg/Opus whose SHA-256 is its id.
  const auto stored = read_file(fleet.dir() + "/controller/clips/" + id + ".opus");
  EXPECT_EQ(stored.substr(0, 4), "OggS");
  auto sum = run_command("sha256sum " + fleet.dir() + "/controller/clips/" + id + ".opus").out;
  EXPECT_EQ(sum.substr(0, 64), id);

  ASSERT_EQ(fleet.loactl("clips rm " + id).exit_code, 0);
  EXPECT_EQ(fleet.api("GET", "/api/v1/clips/" + id).status, 404);
  EXPECT_FALSE(std::filesystem::exists(fleet.dir() + "/controller/clips/" + id + ".opus"));
}

TEST_F(Clips, BadUploadsAreRefusedWithTheirReasonAndLeaveTheLibraryAsItWas) {
  ASSERT_EQ(fleet.loactl("clips add " + tone("ok.wav", "wavenc", 1)).exit_code, 0);
  const auto before = library_files();

  const auto text = fleet.dir() + "/minutes.txt";
  write_file(text, std::string(5000, 'a'));
  const auto empty = fleet.dir() + "/empty.wav";
  write_file(empty, "");
  const auto whole = tone("whole.mp3", "lamemp3enc ! xingmux", 8);
  const auto cut = fleet.dir() + "/cut.mp3";
  auto bytes = read_file(whole);
  write_file(cut, bytes.substr(0, bytes.size() / 2));
  const auto big = fleet.dir() + "/big.wav";
  write_file(big, std::string(3u << 20, '\x01'));  // over the 1 MiB limit of the test controller

  auto r = fleet.loactl("clips add " + text + " " + empty + " " + cut + " " + big);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("minutes.txt: HTTP 422 not_audio"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("empty.wav: HTTP 422 empty"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cut.mp3: HTTP 422 truncated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("big.wav: too large: 3145728 bytes, the controller takes at most 1048576"), std::string::npos)
      << r.out;
  // The controller enforces the limit itself, whatever the client.
  auto direct = run_command("curl -s -o /dev/stdout -w ' %{http_code}' -H 'Authorization: Bearer " + fleet.token() +
                            "' --data-binary @" + big + " 'http://127.0.0.1:" + std::to_string(fleet.http_port()) +
                            "/api/v1/clips?name=big'");
  EXPECT_NE(direct.out.find("\"too_large\""), std::string::npos) << direct.out;
  EXPECT_NE(direct.out.find(" 413"), std::string::npos) << direct.out;

  EXPECT_EQ(fleet.api("GET", "/api/v1/clips").body["items"].size(), 1u);
  EXPECT_EQ(library_files(), before);  // no half-written file, no leftover spool
  EXPECT_EQ(fleet.api("GET", "/api/v1/health").status, 200);
}

TEST_F(Clips, PushedClipsReachTheStationCacheVerifiedAndCorruptionIsRepaired) {
  fleet.start_agent("pole-9");
  fleet.enroll({"pole-9"});
  ASSERT_TRUE(fleet.wait_for_state("pole-9", "online", 10000));
  // 40 s of sound: more than one 64 KiB piece on the link.
  auto added = fleet.loactl("--json clips add " + tone("ban-tin-dai.mp3", "lamemp3enc ! xingmux", 40));
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const std::string id = json::parse(added.out)[0]["id"];
  ASSERT_GT(json::parse(added.out)[0]["bytes"].get<int>(), 64 * 1024);

  auto push = fleet.loactl("clips push " + id + " --to pole-9 --pin 1");
  ASSERT_EQ(push.exit_code, 0) << push.out << fleet.agent_log("pole-9");
  EXPECT_NE(push.out.find("cached " + id), std::string::npos) << push.out;
  const auto cached = fleet.dir() + "/agent-pole-9/clips/" + id + ".opus";
  EXPECT_EQ(run_command("sha256sum " + cached).out.substr(0, 64), id);
  EXPECT_TRUE(std::filesystem::exists(fleet.dir() + "/agent-pole-9/clips/" + id + ".pin"));
  EXPECT_GE(fleet.counters()["clip_chunks_sent"].get<int>(), 2);

  // Bytes rot on the station's flash: the next push notices and fetches it again.
  auto bytes = read_file(cached);
  bytes[bytes.size() / 2] ^= 0x5a;
  write_file(cached, bytes);
  fleet.stop_agent("pole-9");  // a new run checks every clip before first use
  fleet.start_agent("pole-9");
  ASSERT_TRUE(fleet.wait_for_state("pole-9", "online", 10000));
  auto again = fleet.loactl("clips push " + id + " --to pole-9");
  ASSERT_EQ(again.exit_code, 0) << again.out << fleet.agent_log("pole-9");
  EXPECT_EQ(run_command("sha256sum " + cached).out.substr(0, 64), id);
  EXPECT_NE(fleet.agent_log("pole-9").find("corrupt clip removed: sha256=" + id), std::string::npos);

  // A clip the controller does not have is refused before anything is sent.
  EXPECT_EQ(fleet.api("POST", "/api/v1/stations/pole-9/commands", {{"type", "cache_clip"}, {"clip_id", "nope"}}).status,
            422);
}

// Content-addressed means one copy: the same WAV uploaded again (under another name) is
// the clip made the first time, and the library holds one file for it.
TEST_F(Clips, TheSameFileUploadedTwiceIsOneClip) {
  const auto wav = tone("thong-bao.wav", "wavenc", 2);
  auto first = json::parse(fleet.loactl("--json clips add " + wav).out);
  auto second = json::parse(fleet.loactl("--json clips add " + wav + " --name thong-bao-lan-2").out);
  ASSERT_EQ(first[0]["id"], second[0]["id"]) << first.dump() << second.dump();
  EXPECT_EQ(second[0]["name"], "thong-bao");
  EXPECT_EQ(fleet.api("GET", "/api/v1/clips").body["items"].size(), 1u);
  EXPECT_EQ(library_files().size(), 1u);
  // A different sound is a different clip.
  auto other = fleet.loactl("--json clips add " + tone("khac.wav", "wavenc", 1));
  ASSERT_EQ(other.exit_code, 0) << other.out;
  EXPECT_NE(json::parse(other.out)[0]["id"], first[0]["id"]);
}

TEST_F(Clips, TextIsReadAloudInVietnameseIntoAClip) {
  auto r = fleet.loactl("clips tts \"Thông báo: ngày mai có bão, bà con chú ý\" --name bao");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto items = fleet.api("GET", "/api/v1/clips").body["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["name"], "bao");
  EXPECT_GT(items[0]["duration_ms"].get<int>(), 1500);  // real speech, not an empty file
  // A text that tries to be a command-line option is only text.
  EXPECT_EQ(fleet.api("POST", "/api/v1/clips/tts", {{"text", "--help -w /etc/passwd"}}).status, 201);
  EXPECT_EQ(fleet.api("POST", "/api/v1/clips/tts", {{"text", "xin chào"}, {"voice", "vi; rm -rf /"}}).status, 422);
  EXPECT_EQ(fleet.api("POST", "/api/v1/clips/tts", {{"text", "   "}}).body["error"]["code"], "empty");
}

}  // namespace
}  // namespace loa::test
