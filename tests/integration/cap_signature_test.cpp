// CAP sources that sign their messages (XML Signature, as Canada's NAADS feed does): a
// message signed with the source's key is issued at once whoever relays it; one altered
// after signing, signed with another key, or signed over less than the whole message is
// a draft waiting for a person, and counted. What was issued is checked on the station.
#include <gtest/gtest.h>

#include <filesystem>

#include <fstream>
#include <sstream>

#include "support/cap_examples.hpp"
#include "support/cap_signer.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The message with another identifier, so that each case is a new message.
std::string numbered(std::string xml, const std::string& suffix) {
  const auto at = xml.find("</identifier>");
  return xml.insert(at, "-" + suffix);
}

class CapSignature : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys = new std::string(make_signing_key(ScratchDir().path() + "-keys"));
    other_keys = new std::string(make_signing_key(*keys + "-other"));
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    std::filesystem::remove_all(*keys, ignored);
    std::filesystem::remove_all(*other_keys, ignored);
    delete keys;
    delete other_keys;
  }
  void SetUp() override {
    FleetOptions o;
    // The province's feed signs with a certificate; it has no token.
    o.controller_alerts =
        "  cap_sources:\n"
        "    - name: ha-tinh\n"
        "      signing_key_file: " + *keys + "/cert.pem\n"
        "      senders: [canhbao@hatinh.gov.vn]\n"
        "      issue_at_once: true\n";
    fleet = std::make_unique<Fleet>(o);
    fleet->start_controller();
    fleet->set_agent_audio_dir("xa-1", fleet->dir() + "/audio-xa-1");
    fleet->start_agent("xa-1");
    fleet->enroll({"xa-1"});
    ASSERT_TRUE(fleet->wait_for_state("xa-1", "online", 10000));
    ASSERT_EQ(fleet->api("PUT", "/api/v1/zones/cam-binh", {{"stations", {"xa-1"}}, {"cap_areas", {"ISO3166-2=VN-23"}}}).status,
              200);
  }
  ApiReply post(const std::string& xml) { return fleet->post_text("/api/v1/cap", xml, "application/cap+xml"); }
  void expect_draft(const ApiReply& r, const std::string& why) {
    ASSERT_EQ(r.status, 200) << r.body.dump();
    EXPECT_EQ(r.body["result"], "draft") << r.body.dump();
    EXPECT_NE(r.body.value("detail", "").find(why), std::string::npos) << r.body.dump();
    EXPECT_EQ(r.body["alert"]["state"], "draft") << r.body.dump();
  }

  static std::string* keys;
  static std::string* other_keys;
  std::unique_ptr<Fleet> fleet;
};
std::string* CapSignature::keys = nullptr;
std::string* CapSignature::other_keys = nullptr;

TEST_F(CapSignature, ASignedMessageIsIssuedAndATamperedOrForeignOneWaitsForAPerson) {
  const auto flood = cap_example("flood-multilingual.xml");
  // Unsigned, posted by a person with the emergency role: only text, a draft.
  expect_draft(post(numbered(flood, "plain")), "credential");

  // Signed, then changed: the headline people would hear is not what was signed.
  auto tampered = sign_cap(numbered(flood, "tampered"), *keys + "/key.pem");
  tampered.replace(tampered.find("Cảnh báo lũ"), std::string("Cảnh báo lũ").size(), "Tin giả");
  expect_draft(post(tampered), "signature");

  // Signed with a key that is not the source's.
  expect_draft(post(sign_cap(numbered(flood, "foreign"), *other_keys + "/key.pem")), "signature");

  // A signature that covers the <sender> alone (an XPath transform), so that the
  // headline could be anything; and one tucked inside <info> rather than enveloping
  // the alert, where the CAP schema has no room for it.
  auto partial = sign_cap(numbered(flood, "partial"), *keys + "/key.pem", /*sender_only=*/true);
  partial.replace(partial.find("Cảnh báo lũ"), std::string("Cảnh báo lũ").size(), "Tin giả");
  expect_draft(post(partial), "signature");
  auto nested = sign_cap(numbered(flood, "nested"), *keys + "/key.pem");
  const auto sig_begin = nested.find("<Signature");
  const auto sig_end = nested.find("</Signature>") + std::string("</Signature>").size();
  const auto signature = nested.substr(sig_begin, sig_end - sig_begin);
  nested.erase(sig_begin, sig_end - sig_begin);
  nested.insert(nested.find("</info>"), signature);
  const auto refused = post(nested);  // CAP has no room for it there: not even a draft
  EXPECT_EQ(refused.status, 400) << refused.body.dump();

  // Counted where the district's monitoring looks.
  const auto metrics = fleet->metrics();
  EXPECT_NE(metrics.find("loa_alert_events_total{kind=\"cap_bad_signature\"} 3"), std::string::npos) << metrics;
  EXPECT_EQ(fleet->api("GET", "/api/v1/stations/xa-1/asrun").body["items"].size(), 0u);  // nothing sounded

  // Signed with the source's key: issued at once, relayed by whoever holds it, and it
  // plays on the station of the zone its geocode names.
  const auto r = post(sign_cap(numbered(flood, "signed"), *keys + "/key.pem"));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["result"], "issued") << r.body.dump();
  const std::string id = r.body["alert"]["id"];
  EXPECT_EQ(r.body["alert"]["targets"], json({"zone:cam-binh"}));
  EXPECT_EQ(r.body["alert"]["headline"], "Cảnh báo lũ trên sông Ngàn Sâu");
  ASSERT_TRUE(eventually([&] {
    const auto rows = fleet->api("GET", "/api/v1/stations/xa-1/asrun").body["items"];
    for (const auto& row : rows) {
      if (row["broadcast_id"].get<std::string>().rfind(id, 0) == 0 && row["outcome"] == "played") return true;
    }
    return false;
  }, 30s)) << fleet->api("GET", "/api/v1/stations/xa-1/asrun").body.dump();
}

// A controller given a key file that holds no key does not start, and says which.
TEST(CapSignatureConfig, AnUnreadableSigningKeyStopsTheControllerWithItsName) {
  FleetOptions o;
  ScratchDir dir;
  std::ofstream(dir.path() + "/junk.pem") << "-----BEGIN CERTIFICATE-----\nbm90IGEga2V5\n-----END CERTIFICATE-----\n";
  o.controller_alerts =
      "  cap_sources:\n"
      "    - name: broken-feed\n"
      "      signing_key_file: " + dir.path() + "/junk.pem\n"
      "      senders: [x@example.org]\n";
  Fleet fleet(o);
  try {
    fleet.start_controller();
    ADD_FAILURE() << "the controller started with a signing key that holds no key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("broken-feed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace loa::test
