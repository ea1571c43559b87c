#include <gtest/gtest.h>

#include "loa/agent/agent_config.hpp"
#include "loa/config/config_section.hpp"
#include "loa/curve/key_pair.hpp"
#include "support/process.hpp"

namespace loa::agent {
namespace {

class AgentConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const auto path = dir.path() + "/agent.yaml";
    test::write_file(path, text);
    return path;
  }
  std::string error_of(const std::string& text) {
    try {
      (void)load_agent_config(write(text));
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
  test::ScratchDir dir;
  std::string key = curve::generate().public_z85;
};

TEST_F(AgentConfigTest, ReadsAFullConfigAndHashesIt) {
  auto c = load_agent_config(write("station_id: cam-binh-1\n"
                                   "controller:\n  endpoint: tcp://10.0.0.1:7700\n  public_key: \"" + key + "\"\n"
                                   "link:\n  heartbeat_interval_ms: 1000\n  reconnect_max_ms: 30000\n"));
  EXPECT_EQ(c.station_id, "cam-binh-1");
  EXPECT_EQ(c.controller.endpoint, "tcp://10.0.0.1:7700");
  EXPECT_EQ(c.controller.public_key, key);
  EXPECT_EQ(c.link.heartbeat_interval.count(), 1000);
  EXPECT_EQ(c.reconnect_max.count(), 30000);
  EXPECT_EQ(c.config_hash.size(), 64u);
}

TEST_F(AgentConfigTest, AStandbyPairsEndpointsWithTheirEnrollmentSocketsOnePortUp) {
  auto alone = load_agent_config(write("station_id: a\ncontroller:\n  endpoint: tcp://10.0.0.1:7700\n"
                                       "  enroll_endpoint: tcp://10.0.0.1:7800\n  public_key: \"" + key + "\"\n"));
  EXPECT_EQ(alone.controller.endpoints, std::vector<std::string>{"tcp://10.0.0.1:7700"});
  EXPECT_EQ(alone.controller.enroll_endpoints, std::vector<std::string>{"tcp://10.0.0.1:7800"});
  auto pair = load_agent_config(write("station_id: a\ncontroller:\n  endpoints: [tcp://a:7700, tcp://b:9700]\n"
                                      "  public_key: \"" + key + "\"\n"));
  EXPECT_EQ(pair.controller.endpoints, (std::vector<std::string>{"tcp://a:7700", "tcp://b:9700"}));
  EXPECT_EQ(pair.controller.enroll_endpoints, (std::vector<std::string>{"tcp://a:7701", "tcp://b:9701"}));
  EXPECT_NE(error_of("station_id: a\ncontroller:\n  endpoints: [tcp://a:7700, udp://b:1]\n  public_key: \"" + key + "\"\n")
                .find("controller.endpoints: each must be a tcp:// endpoint"),
            std::string::npos);
  EXPECT_NE(error_of("station_id: a\ncontroller:\n  endpoints: [tcp://a:7700, tcp://b:7700]\n"
                     "  enroll_endpoints: [tcp://a:7701]\n  public_key: \"" + key + "\"\n")
                .find("controller.enroll_endpoints: one for each of endpoints"),
            std::string::npos);
}

TEST_F(AgentConfigTest, ReadsTheControllerKeyFromTheFileTheControllerWrites) {
  test::write_file(dir.path() + "/controller.pub", key + "\n");
  auto c = load_agent_config(write("station_id: a\ncontroller:\n  public_key_file: " + dir.path() + "/controller.pub\n"));
  EXPECT_EQ(c.controller.public_key, key);
}

TEST_F(AgentConfigTest, BadValuesNameFileLineAndOption) {
  const auto file = dir.path() + "/agent.yaml";
  EXPECT_EQ(error_of("station_id: \"a b\"\ncontroller:\n  public_key: \"" + key + "\"\n"),
            file + ":1: station_id: must be 1-64 letters, digits, '-', '_' or '.' (got 'a b')");
  EXPECT_EQ(error_of("station_id: a\ncontroller:\n  endpoint: udp://x\n  public_key: \"" + key + "\"\n"),
            file + ":3: controller.endpoint: must be a tcp:// endpoint");
  EXPECT_EQ(error_of("station_id: a\ncontroller:\n  public_key: short\n"),
            file + ":3: controller.public_key: not a 40-character Z85 key");
  EXPECT_EQ(error_of("station_id: a\ncontroller:\n  public_key: \"" + key + "\"\nlink:\n  reconnect_min_ms: 500\n  reconnect_max_ms: 100\n"),
            file + ":6: link.reconnect_max_ms: must not be below reconnect_min_ms");
  EXPECT_EQ(error_of("station_id: a\ncontroller:\n  public_key: \"" + key + "\"\n  colour: blue\n"),
            file + ":4: controller.colour: unknown option");
  EXPECT_EQ(error_of("station_id: a\ncontroller:\n  public_key: \"" + key + "\"\nupdates:\n  release_keys: [\"" + key + "\"]\n"),
            file + ":5: updates.release_keys: '" + key + "' is not a release public key (base64 of 32 bytes)");
}

TEST_F(AgentConfigTest, ReleaseKeysAreReadForUpdates) {
  const auto config = load_agent_config(write("station_id: a\ncontroller:\n  public_key: \"" + key +
                                              "\"\nupdates:\n  release_keys: [\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"]\n"
                                              "  max_package_mib: 64\n"));
  ASSERT_EQ(config.updates.release_keys.size(), 1u);
  EXPECT_EQ(config.updates.max_package_mib, 64u);
  EXPECT_TRUE(load_agent_config(write("station_id: a\ncontroller:\n  public_key: \"" + key + "\"\n"))
                  .updates.release_keys.empty());  // none: no remote update
}

}  // namespace
}  // namespace loa::agent
