// The XML Signature check of CAP messages on its own: which key verified a message,
// and every way a signature can fail to vouch for the whole of it.
#include <gtest/gtest.h>

#include "cap_signature.hpp"
#include "support/cap_examples.hpp"
#include "support/cap_signer.hpp"
#include "support/process.hpp"

namespace loa::alerts {
namespace {

using Outcome = CapSignatureVerifier::Result::Outcome;

using test::read_file;

class Verifier : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::ScratchDir();
    test::make_signing_key(dir->path() + "/a");
    test::make_signing_key(dir->path() + "/b");
  }
  static void TearDownTestSuite() { delete dir; }
  static std::string key(const std::string& who, const std::string& file) { return dir->path() + "/" + who + "/" + file; }
  static inline test::ScratchDir* dir = nullptr;
  const std::string message = test::cap_example("thunderstorm-warning.xml");
};

TEST_F(Verifier, NamesTheSourceWhoseKeySignedIt) {
  // One source gives a bare public key, the other a certificate.
  CapSignatureVerifier v({{"a", read_file(key("a", "public.pem"))}, {"b", read_file(key("b", "cert.pem"))}});
  auto by_a = v.verify(test::sign_cap(message, key("a", "key.pem")));
  EXPECT_EQ(by_a.outcome, Outcome::verified) << by_a.detail;
  EXPECT_EQ(by_a.source, "a");
  auto by_b = v.verify(test::sign_cap(message, key("b", "key.pem")));
  EXPECT_EQ(by_b.outcome, Outcome::verified) << by_b.detail;
  EXPECT_EQ(by_b.source, "b");
  EXPECT_EQ(v.verify(message).outcome, Outcome::unsigned_message);
}

TEST_F(Verifier, RefusesAChangedMessageAnotherKeyAPartialSignatureAndGarbage) {
  CapSignatureVerifier v({{"a", read_file(key("a", "public.pem"))}});
  auto changed = test::sign_cap(message, key("a", "key.pem"));
  changed.replace(changed.find("Take cover"), 10, "Stay calm.");
  EXPECT_EQ(v.verify(changed).outcome, Outcome::invalid);
  EXPECT_EQ(v.verify(test::sign_cap(message, key("b", "key.pem"))).outcome, Outcome::invalid);
  EXPECT_EQ(v.verify(test::sign_cap(message, key("a", "key.pem"), /*sender_only=*/true)).outcome, Outcome::invalid);
  // Its signature moved deeper than a child of <alert>.
  auto nested = test::sign_cap(message, key("a", "key.pem"));
  const auto begin = nested.find("<Signature");
  const auto end = nested.find("</Signature>") + 12;
  const auto signature = nested.substr(begin, end - begin);
  nested.erase(begin, end - begin);
  nested.insert(nested.find("</info>"), signature);
  const auto moved = v.verify(nested);
  EXPECT_EQ(moved.outcome, Outcome::invalid);
  EXPECT_NE(moved.detail.find("enveloped"), std::string::npos) << moved.detail;
  EXPECT_EQ(v.verify("<alert xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:Signature>").outcome, Outcome::invalid);
  // Signed, but no source has a key: not trusted, and said so.
  CapSignatureVerifier none({});
  EXPECT_EQ(none.verify(test::sign_cap(message, key("a", "key.pem"))).outcome, Outcome::invalid);
}

TEST_F(Verifier, AKeyThatDoesNotLoadIsAnErrorNamingItsSource) {
  try {
    const std::vector<CapSignatureVerifier::SourceKey> keys{{"feed-x", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}};
    CapSignatureVerifier v(keys);
    FAIL() << "loaded a key from nothing";
  } catch (const CapKeyError& e) {
    EXPECT_NE(std::string(e.what()).find("feed-x"), std::string::npos);
  }
}

}  // namespace
}  // namespace loa::alerts
