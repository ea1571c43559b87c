// The upstream feeds' formats: CAP index feeds (Atom and RSS) and the plain bulletin
// feed, with the entries a hostile or careless feed may hold.
#include <gtest/gtest.h>

#include "loa/feeds/feed_formats.hpp"

namespace loa::feeds {
namespace {

TEST(CapIndex, AtomEntriesLinkToTheirCapMessagesMadeAbsolute) {
  const auto entries = parse_cap_index(
      R"(<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry><id>urn:1</id><link rel="self" href="/self"/><link href="a.xml" type="application/cap+xml"/></entry>
  <entry><id>urn:2</id><link href="https://other.example/b.xml"/></entry>
  <entry><id>urn:1</id><link href="again.xml" type="application/cap+xml"/></entry>
  <entry><id>urn:3</id></entry>
</feed>)",
      "https://warnings.example/cap/index.atom");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].id, "urn:1");
  EXPECT_EQ(entries[0].link, "https://warnings.example/cap/a.xml");
  EXPECT_EQ(entries[1].link, "https://other.example/b.xml");
}

TEST(CapIndex, RssItemsUseTheirLinkAndGuid) {
  const auto entries = parse_cap_index(
      R"(<rss version="2.0"><channel><title>x</title>
  <item><link>/cap/1.xml</link><guid>g-1</guid></item>
  <item><link>http://h.example/2.xml</link></item>
</channel></rss>)",
      "http://h.example/feeds/rss.xml");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].link, "http://h.example/cap/1.xml");
  EXPECT_EQ(entries[0].id, "g-1");
  EXPECT_EQ(entries[1].id, "http://h.example/2.xml");
}

TEST(CapIndex, WhatIsNoFeedIsRefusedWithWhy) {
  EXPECT_THROW((void)parse_cap_index("not xml at all <", "http://h/x"), std::runtime_error);
  try {
    (void)parse_cap_index("<html><body/></html>", "http://h/x");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("neither an Atom"), std::string::npos) << e.what();
  }
  // An entity from outside is never fetched nor expanded.
  const auto entries = parse_cap_index(
      R"(<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed><entry><id>&x;</id><link href="a"/></entry></feed>)",
      "http://h/f");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].id.find("root"), std::string::npos);
}

TEST(BulletinFeed, GoodEntriesAreTakenAndBadOnesRefusedOneByOne) {
  const auto feed = parse_bulletin_feed(
      R"({"bulletins": [
        {"id": "b1", "level": "priority", "text": "t", "valid_until": "2030-01-01T00:00:00+07:00",
         "area": ["ISO3166-2=VN-42", "ha-tinh"], "audio_url": "audio/b1.mp3"},
        {"id": "b2", "level": "urgent", "text": "t", "valid_until": "2030-01-01T00:00:00Z"},
        {"id": "b3", "level": "normal", "valid_until": "2030-01-01T00:00:00Z"},
        {"id": "b4", "level": "normal", "text": "t", "valid_until": "tomorrow"},
        {"level": "normal", "text": "t", "valid_until": "2030-01-01T00:00:00Z"},
        {"id": "b6", "level": "emergency", "title": "only a title", "text": "x", "valid_from": "2029-12-31T00:00:00Z",
         "valid_until": "2030-01-01T00:00:00Z"}
      ]})",
      "https://radio.example/feeds/bulletins.json");
  ASSERT_EQ(feed.bulletins.size(), 2u);
  EXPECT_EQ(feed.bulletins[0].id, "b1");
  EXPECT_EQ(feed.bulletins[0].audio_url, "https://radio.example/feeds/audio/b1.mp3");
  EXPECT_EQ(feed.bulletins[0].valid_until_ms, 1893456000000 - 7 * 3600 * 1000);
  EXPECT_EQ(feed.bulletins[0].areas.size(), 2u);
  EXPECT_EQ(feed.bulletins[1].valid_from_ms, 1893369600000);
  ASSERT_EQ(feed.refused.size(), 4u);
  EXPECT_NE(feed.refused[0].find("b2: level"), std::string::npos) << feed.refused[0];
  EXPECT_NE(feed.refused[1].find("b3: text or audio_url"), std::string::npos) << feed.refused[1];
  EXPECT_NE(feed.refused[2].find("b4: valid_until"), std::string::npos) << feed.refused[2];
  EXPECT_NE(feed.refused[3].find("(no id)"), std::string::npos) << feed.refused[3];
}

TEST(BulletinFeed, WhatIsNoBulletinFeedIsRefused) {
  EXPECT_THROW((void)parse_bulletin_feed("[1,2]", "http://h/x"), std::runtime_error);
  EXPECT_THROW((void)parse_bulletin_feed("{\"bulletins\": 3}", "http://h/x"), std::runtime_error);
  EXPECT_THROW((void)parse_bulletin_feed("{", "http://h/x"), std::runtime_error);
}

}  // namespace
}  // namespace loa::feeds
