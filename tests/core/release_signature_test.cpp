#include "loa/signing/release_signature.hpp"

#include <gtest/gtest.h>

#include "support/process.hpp"

namespace loa::signing {
namespace {

class ReleaseSignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    package = scratch.path() + "/loa-agent.deb";
    test::write_file(package, std::string(200'000, 'x') + "the package's last bytes");
  }
  test::ScratchDir scratch;
  std::string package;
  ReleaseKey key = generate_release_key();
};

TEST_F(ReleaseSignatureTest, ASignatureVerifiesAgainstItsKeyAmongOthers) {
  const auto signature = sign_file(package, key.secret_key);
  const auto other = generate_release_key();
  const auto verdict = verify_file(package, signature, {other.public_key, key.public_key});
  EXPECT_TRUE(verdict.ok) << verdict.reason;
  EXPECT_EQ(verdict.key_id, key_id(key.public_key));
  EXPECT_EQ(verdict.key_id.size(), 16u);
  EXPECT_TRUE(is_public_key(key.public_key));
  EXPECT_FALSE(is_public_key(key.secret_key));
}

TEST_F(ReleaseSignatureTest, AChangedByteAnotherKeyNoSignatureOrNoTrustedKeyIsRefusedWithTheReason) {
  const auto signature = sign_file(package, key.secret_key);
  const auto other = generate_release_key();
  EXPECT_EQ(verify_file(package, signature, {other.public_key}).reason,
            "the signature does not verify against any trusted release key");
  test::write_file(package, std::string(200'000, 'x') + "the package's last bytez");
  EXPECT_FALSE(verify_file(package, signature, {key.public_key}).ok);
  EXPECT_EQ(verify_file(package, "", {key.public_key}).reason, "the package is not signed");
  EXPECT_EQ(verify_file(package, "not base64 at all!", {key.public_key}).reason,
            "the signature is not base64 of 64 bytes");
  EXPECT_EQ(verify_file(package, signature, {}).reason, "no release key is trusted (updates.release_keys)");
  EXPECT_EQ(verify_file(scratch.path() + "/missing.deb", signature, {key.public_key}).reason,
            "cannot read the package");
}

TEST_F(ReleaseSignatureTest, AMalformedSecretKeyOrAMissingFileCannotBeSigned) {
  EXPECT_THROW((void)sign_file(package, "c2hvcnQ="), SigningError);
  EXPECT_THROW((void)sign_file(scratch.path() + "/missing.deb", key.secret_key), SigningError);
}

}  // namespace
}  // namespace loa::signing
