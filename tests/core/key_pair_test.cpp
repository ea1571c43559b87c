#include <gtest/gtest.h>

#include <sys/stat.h>

#include "loa/curve/key_pair.hpp"
#include "support/process.hpp"

namespace loa::curve {
namespace {

TEST(KeyPair, IsMadeOnceWithOwnerOnlyModeAndKept) {
  test::ScratchDir dir;
  const auto path = dir.path() + "/agent.key";
  auto first = load_or_create(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = load_or_create(path);
  EXPECT_EQ(first.public_z85, again.public_z85);
  EXPECT_EQ(first.secret_z85, again.secret_z85);
  EXPECT_TRUE(is_valid_key(first.public_z85));
}

TEST(KeyPair, RefusesAKeyFileOthersCanRead) {
  test::ScratchDir dir;
  const auto path = dir.path() + "/controller.key";
  (void)load_or_create(path);
  ::chmod(path.c_str(), 0644);
  EXPECT_THROW((void)load(path), KeyError);
}

TEST(KeyPair, RefusesATamperedKeyFile) {
  test::ScratchDir dir;
  const auto path = dir.path() + "/agent.key";
  auto pair = generate();
  auto other = generate();
  test::write_file(path, "public=" + other.public_z85 + "\nsecret=" + pair.secret_z85 + "\n");
  ::chmod(path.c_str(), 0600);
  EXPECT_THROW((void)load(path), KeyError);
}

TEST(KeyPair, FingerprintIsStableAndTheSameForTextAndRawKeys) {
  auto pair = generate();
  auto fp = fingerprint(pair.public_z85);
  EXPECT_EQ(fp.rfind("SHA256:", 0), 0u);
  EXPECT_EQ(fp.size(), 7u + 16 * 3 - 1);
  EXPECT_EQ(fp, fingerprint(pair.public_z85));
  EXPECT_NE(fp, fingerprint(generate().public_z85));
  EXPECT_EQ(fingerprint("not a key"), "invalid-key");
}

}  // namespace
}  // namespace loa::curve
