#include <gtest/gtest.h>

#include "loa/config/config_section.hpp"
#include "loa/link/link_config.hpp"
#include "loa/log/log_config.hpp"

namespace loa::config {
namespace {

link::LinkSettings read_link(const std::string& text) {
  auto root = ConfigSection::load_text(text, "agent.yaml");
  auto section = root.section("link");
  link::LinkSettings s;
  link::read_link_options(section, s);
  section.finish();
  root.finish();
  return s;
}

std::string error_of(const std::string& text) {
  try {
    (void)read_link(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ConfigSection, AbsentOptionsKeepTheirDefaults) {
  auto s = read_link("");
  EXPECT_EQ(s.heartbeat_interval.count(), 5000);
  EXPECT_EQ(s.missed_heartbeats, 3u);
}

TEST(ConfigSection, ReadsNestedOptions) {
  auto s = read_link("link:\n  heartbeat_interval_ms: 250\n  missed_heartbeats: 4\n");
  EXPECT_EQ(s.heartbeat_interval.count(), 250);
  EXPECT_EQ(s.dead_after().count(), 1000);
}

TEST(ConfigSection, WrongTypeNamesFileLineAndOption) {
  EXPECT_EQ(error_of("# comment\nlink:\n  heartbeat_interval_ms: often\n"),
            "agent.yaml:3: link.heartbeat_interval_ms: expected an integer, got 'often'");
}

TEST(ConfigSection, OutOfRangeNamesTheLimits) {
  EXPECT_EQ(error_of("link:\n  missed_heartbeats: 1\n"),
            "agent.yaml:2: link.missed_heartbeats: must be between 2 and 100, got 1");
}

TEST(ConfigSection, MisspeltOptionIsAnError) {
  EXPECT_EQ(error_of("link:\n  heartbeat_interval: 100\n"), "agent.yaml:2: link.heartbeat_interval: unknown option");
  EXPECT_EQ(error_of("lnik:\n  x: 1\n"), "agent.yaml:1: lnik: unknown option");
}

// Found by fuzz_config: a key that is itself a list escaped as yaml-cpp's exception.
TEST(ConfigSection, AKeyThatIsNotAWordIsAConfigError) {
  EXPECT_EQ(error_of("link:\n  ? [a, b]\n  : 1\n"), "agent.yaml:2: link.?: an option's name must be a word");
  EXPECT_EQ(error_of("? {x: 1}\n: 2\n"), "agent.yaml:1: ?: an option's name must be a word");
}

TEST(ConfigSection, YamlSyntaxErrorNamesTheLine) {
  auto e = error_of("link:\n  heartbeat_interval_ms: [1,\n");
  EXPECT_EQ(e.rfind("agent.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find("YAML syntax"), std::string::npos) << e;
}

TEST(ConfigSection, SectionThatIsNotAMappingIsAnError) {
  EXPECT_EQ(error_of("link: 5\n"), "agent.yaml:1: link: expected a mapping of options");
}

TEST(ConfigSection, LogLevelIsChecked) {
  auto root = ConfigSection::load_text("log:\n  level: loud\n", "c.yaml");
  log::Level level = log::Level::info;
  log::Target target = log::Target::stderr_stream;
  try {
    log::read_log_options(root.section("log"), level, target);
    FAIL() << "accepted a bad level";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.option(), "log.level");
  }
}

TEST(ConfigSection, MissingFileIsAClearError) {
  try {
    (void)ConfigSection::load_file("/nonexistent/loa.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/loa.yaml:0: cannot open the file");
  }
}

}  // namespace
}  // namespace loa::config
