// CAP 1.2 parsing and validation against the compiled-in schema: the kinds of message
// the specification shows are read; broken ones are refused with line and element.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/cap_examples.hpp"
#include "loa/alerts/cap_message.hpp"

namespace loa::alerts {
namespace {

using test::cap_example;

CapError refusal(const std::string& xml) {
  try {
    (void)parse_cap(xml);
  } catch (const CapError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << xml;
  return CapError("", 0, "");
}

TEST(CapMessage, AWarningWithGeocodeAndPolygonIsRead) {
  auto m = parse_cap(cap_example("thunderstorm-warning.xml"));
  EXPECT_EQ(m.identifier, "KSTO1055887203");
  EXPECT_EQ(m.sender, "KSTO@NWS.NOAA.GOV");
  EXPECT_EQ(m.status, "Actual");
  EXPECT_EQ(m.msg_type, "Alert");
  ASSERT_EQ(m.infos.size(), 1u);
  const auto& info = m.infos[0];
  EXPECT_EQ(info.language, "en-US");  // CAP's default
  EXPECT_EQ(info.severity, "Severe");
  EXPECT_EQ(info.urgency, "Immediate");
  EXPECT_EQ(info.certainty, "Observed");
  EXPECT_EQ(info.headline, "SEVERE THUNDERSTORM WARNING");
  ASSERT_EQ(info.areas.size(), 1u);
  ASSERT_EQ(info.areas[0].geocodes.size(), 1u);
  EXPECT_EQ(info.areas[0].geocodes[0], std::make_pair(std::string("SAME"), std::string("006109")));
  EXPECT_EQ(parse_cap_time(info.expires), std::int64_t{1921710600000});  // 2030-11-24T00:30:00Z
}

TEST(CapMessage, UpdatesAndCancelsNameWhatTheyReferTo) {
  auto update = parse_cap(cap_example("thunderstorm-update.xml"));
  EXPECT_EQ(update.msg_type, "Update");
  ASSERT_EQ(update.references.size(), 1u);
  EXPECT_EQ(update.references[0].identifier, "KSTO1055887203");
  auto cancel = parse_cap(cap_example("thunderstorm-cancel.xml"));
  EXPECT_EQ(cancel.msg_type, "Cancel");
  EXPECT_TRUE(cancel.infos.empty());  // a Cancel needs no info
  EXPECT_EQ(cancel.references[0].sender, "KSTO@NWS.NOAA.GOV");
}

TEST(CapMessage, SeveralLanguagesAndATestAreRead) {
  auto flood = parse_cap(cap_example("flood-multilingual.xml"));
  ASSERT_EQ(flood.infos.size(), 2u);
  EXPECT_EQ(flood.infos[1].language, "vi-VN");
  EXPECT_EQ(flood.infos[1].headline, "Cảnh báo lũ trên sông Ngàn Sâu");
  EXPECT_EQ(parse_cap(cap_example("advisory-test.xml")).status, "Test");
}

TEST(CapMessage, MalformedXmlIsRefusedWithItsLine) {
  auto xml = cap_example("thunderstorm-warning.xml");
  xml.replace(xml.find("</headline>"), 11, "</headlin>");
  auto e = refusal(xml);
  EXPECT_NE(std::string(e.what()).find("malformed XML"), std::string::npos) << e.what();
  EXPECT_EQ(e.line(), 22) << e.what();
}

TEST(CapMessage, AWrongNamespaceIsRefused) {
  auto xml = cap_example("thunderstorm-warning.xml");
  xml.replace(xml.find("cap:1.2"), 7, "cap:1.1");
  auto e = refusal(xml);
  EXPECT_NE(std::string(e.what()).find("urn:oasis:names:tc:emergency:cap:1.1"), std::string::npos) << e.what();
  EXPECT_EQ(e.element(), "alert");
}

TEST(CapMessage, AnAlertWithoutInfoIsRefused) {
  auto xml = cap_example("thunderstorm-warning.xml");
  xml.erase(xml.find("<info>"), xml.find("</info>") + 7 - xml.find("<info>"));
  auto e = refusal(xml);
  EXPECT_NE(std::string(e.what()).find("at least one <info>"), std::string::npos) << e.what();
}

TEST(CapMessage, ASchemaViolationNamesTheElementAndLine) {
  auto xml = cap_example("thunderstorm-warning.xml");
  xml.replace(xml.find("<severity>Severe"), 16, "<severity>Huge");
  auto e = refusal(xml);
  EXPECT_EQ(e.element(), "severity") << e.what();
  EXPECT_EQ(e.line(), 14) << e.what();
  // A required element missing.
  auto no_sender = cap_example("thunderstorm-warning.xml");
  no_sender.erase(no_sender.find("  <sender>"), no_sender.find("</sender>") + 10 - no_sender.find("  <sender>"));
  auto m = refusal(no_sender);
  EXPECT_NE(std::string(m.what()).find("sender"), std::string::npos) << m.what();
}

TEST(CapMessage, ADtdOrEntityIsRefused) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE alert [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&x;</identifier></alert>";
  auto e = refusal(xml);
  EXPECT_NE(std::string(e.what()).find("DTD"), std::string::npos) << e.what();
}

TEST(CapMessage, GarbageIsRefused) {
  EXPECT_NE(std::string(refusal("").what()).find("malformed"), std::string::npos);
  EXPECT_NE(std::string(refusal("\x01\x02 not xml").what()).find("malformed"), std::string::npos);
}

}  // namespace
}  // namespace loa::alerts
