#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "loa/digest/random.hpp"
#include "loa/digest/sha256.hpp"
#include "support/process.hpp"

namespace loa::digest {
namespace {

TEST(Sha256, KnownVectorsOfBytesAndOfAFile) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  test::ScratchDir dir;
  const auto path = dir.path() + "/million-a";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(1'000'000, 'a');  // read in pieces, hashed as one
  }
  EXPECT_EQ(sha256_file_hex(path), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(sha256_file_hex(dir.path() + "/missing"), std::nullopt);
}

TEST(Sha256, OnlySixtyFourLowercaseHexDigitsAreAClipId) {
  EXPECT_TRUE(is_sha256_hex(sha256_hex("x")));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'A')));
  EXPECT_FALSE(is_sha256_hex("../../etc/passwd" + std::string(48, 'a')));
}

TEST(RandomHex, TwoDigitsPerByteAndNoRepeats) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = random_hex(8);
    ASSERT_EQ(id.size(), 16u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace loa::digest
