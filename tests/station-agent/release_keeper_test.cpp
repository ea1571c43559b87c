#include "loa/agent/release_keeper.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.hpp"

namespace loa::agent {
namespace {

namespace fs = std::filesystem;

// The releases folder as the keeper leaves it, written by hand so each case starts
// where it needs to. This test's own program plays the installed one.
class ReleaseKeeperTest : public ::testing::Test {
 protected:
  std::string releases() const { return scratch.path() + "/releases"; }
  std::string unpack(const std::string& version) const {
    const auto bin = releases() + "/" + version + "/usr/bin";
    fs::create_directories(bin);
    fs::copy_file("/bin/true", bin + "/loa-agent", fs::copy_options::overwrite_existing);
    return fs::canonical(bin + "/loa-agent").string();
  }
  void in_force(const std::string& version, const std::string& base) const {
    fs::create_directory_symlink(version, releases() + "/current");
    test::write_file(releases() + "/base", base + "\n");
  }
  [[nodiscard]] bool has_current() const { return fs::is_symlink(releases() + "/current"); }

  test::ScratchDir scratch;
  ReleaseKeeper keeper{scratch.path(), "1.0"};
  const std::int64_t now = 1'000'000;
};

TEST_F(ReleaseKeeperTest, WithNoReleaseTheInstalledProgramRunsItselfAndIsRemembered) {
  EXPECT_EQ(keeper.program_to_run(now), "");
  EXPECT_EQ(test::read_file(releases() + "/installed-program"), fs::canonical("/proc/self/exe").string() + "\n");
}

TEST_F(ReleaseKeeperTest, AReleaseThatKeepsFailingToStartIsRolledBackAfterThreeStarts) {
  const auto program = unpack("2.0");
  in_force("2.0", "1.0");
  test::write_file(releases() + "/probation", "2.0 " + std::to_string(now + 60'000) + " installed 0\n");
  for (int start = 1; start <= ReleaseKeeper::kMaxProbationStarts; ++start) {
    EXPECT_EQ(keeper.program_to_run(now), program) << "start " << start;
    EXPECT_EQ(keeper.probation()->starts, start);
  }
  EXPECT_EQ(keeper.program_to_run(now), "");  // the fourth start: back to the installed program
  EXPECT_FALSE(has_current());
  EXPECT_FALSE(keeper.probation());
  const auto reason = keeper.take_rollback_reason();
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("release 2.0 rolled back to the installed program"), std::string::npos) << *reason;
  EXPECT_NE(reason->find("started 3 times without proving itself"), std::string::npos) << *reason;
  EXPECT_FALSE(keeper.take_rollback_reason());  // reported once
}

TEST_F(ReleaseKeeperTest, AReleasePastItsDeadlineAtAStartIsRolledBackToTheOneBefore) {
  const auto older = unpack("1.5");
  (void)unpack("2.0");
  in_force("2.0", "1.0");
  test::write_file(releases() + "/probation", "2.0 " + std::to_string(now - 1) + " 1.5 0\n");
  EXPECT_EQ(keeper.program_to_run(now), older);
  EXPECT_EQ(fs::read_symlink(releases() + "/current").string(), "1.5");
  EXPECT_NE(keeper.take_rollback_reason()->find("did not prove itself before its deadline"), std::string::npos);
}

TEST_F(ReleaseKeeperTest, APackageInstalledByHandWinsOverTheReleasesSent) {
  (void)unpack("2.0");
  in_force("2.0", "0.9");  // the installed program was 0.9 at the switch; it is 1.0 now
  EXPECT_EQ(keeper.program_to_run(now), "");
  EXPECT_FALSE(has_current());
}

TEST_F(ReleaseKeeperTest, AStagedReleaseComesIntoForceOnProbationAndARevertGoesBackWithout) {
  const auto program = unpack("2.0");
  (void)keeper.program_to_run(now);
  test::write_file(releases() + "/staged", "2.0 5000\n");
  EXPECT_EQ(keeper.staged(), "2.0");
  keeper.switch_to_staged(now);
  EXPECT_EQ(keeper.staged(), "");
  ASSERT_TRUE(keeper.probation());
  EXPECT_EQ(keeper.probation()->version, "2.0");
  EXPECT_EQ(keeper.probation()->deadline_ms, now + 5000);
  EXPECT_EQ(keeper.probation()->previous, "");
  EXPECT_EQ(test::read_file(releases() + "/base"), "1.0\n");
  EXPECT_EQ(keeper.program_to_run(now), program);
  keeper.confirm();
  EXPECT_FALSE(keeper.probation());
  EXPECT_EQ(keeper.revert().value_or(""), "installed");
  keeper.switch_to_staged(now);
  EXPECT_FALSE(keeper.probation());  // it ran here before: no probation
  EXPECT_FALSE(has_current());
  EXPECT_EQ(keeper.program_to_run(now), "");
  EXPECT_FALSE(keeper.revert());  // nothing left to go back to
}

TEST_F(ReleaseKeeperTest, TheCommandBeingCarriedOutOutlivesTheKeeper) {
  v1::Command c;
  c.set_id("cmd-1");
  c.mutable_update_agent()->set_version("2.0");
  keeper.keep_command(c);
  ReleaseKeeper again(scratch.path(), "2.0");
  ASSERT_TRUE(again.pending_command());
  EXPECT_EQ(again.pending_command()->update_agent().version(), "2.0");
  again.forget_command();
  EXPECT_FALSE(keeper.pending_command());
  EXPECT_TRUE(ReleaseKeeper::valid_version("0.1.0+next"));
  EXPECT_FALSE(ReleaseKeeper::valid_version("../etc"));
  EXPECT_FALSE(ReleaseKeeper::valid_version("installed"));
  EXPECT_FALSE(ReleaseKeeper::valid_version(""));
}

}  // namespace
}  // namespace loa::agent
