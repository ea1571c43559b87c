// loa-controller's configuration as an operator writes it: the shipped file (every
// option commented out) gives the defaults, options take effect, and a mistake is
// refused naming the file, the line and the option. Generated secrets are kept.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "loa/app/controller_config.hpp"
#include "loa/app/secret_file.hpp"
#include "loa/config/config_section.hpp"
#include "support/process.hpp"

namespace loa::app {
namespace {

class ControllerConfigTest : public ::testing::Test {
 protected:
  ControllerConfig load(const std::string& text) {
    test::write_file(path, text);
    return load_controller_config(path);
  }
  std::string error_of(const std::string& text) {
    try {
      (void)load(text);
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
  test::ScratchDir dir;
  std::string path = dir.path() + "/controller.yaml";
};

TEST_F(ControllerConfigTest, TheShippedFileGivesTheDefaults) {
  const auto c = load_controller_config(LOA_SOURCE_DIR "/deploy/controller.yaml");
  const ControllerConfig defaults;
  EXPECT_EQ(c.store.backend, "sqlite");
  EXPECT_EQ(c.control.bind, defaults.control.bind);
  EXPECT_EQ(c.http.port, defaults.http.port);
  EXPECT_EQ(c.schedule.time_zone, "Asia/Ho_Chi_Minh");
  EXPECT_EQ(c.live.latency, defaults.live.latency);
  EXPECT_EQ(c.alerts.two_person_severities, (std::vector<std::string>{"extreme", "severe"}));
}

TEST_F(ControllerConfigTest, OptionsTakeEffect) {
  const auto c = load(
      "data_dir: /var/lib/loa\n"
      "store: {backend: postgresql, postgresql: 'postgresql://loa@db/loa'}\n"
      "http: {port: 9090}\n"
      "live: {latency_ms: 600}\n"
      "schedule: {time_zone: Asia/Bangkok, horizon_hours: 24}\n");
  EXPECT_EQ(c.data_dir, "/var/lib/loa");
  EXPECT_EQ(c.store.backend, "postgresql");
  EXPECT_EQ(c.store.postgresql, "postgresql://loa@db/loa");
  EXPECT_EQ(c.http.port, 9090u);
  EXPECT_EQ(c.live.latency.count(), 600);
  EXPECT_EQ(c.schedule.time_zone, "Asia/Bangkok");
  EXPECT_EQ(c.schedule.horizon_hours, 24u);
}

TEST_F(ControllerConfigTest, AMistakeIsRefusedNamingTheOptionAndItsLine) {
  auto e = error_of("store:\n  backend: mysql\n");
  EXPECT_NE(e.find("backend"), std::string::npos) << e;
  EXPECT_NE(e.find("sqlite or postgresql"), std::string::npos) << e;
  EXPECT_NE(e.find("controller.yaml:2: store.backend"), std::string::npos) << e;
  e = error_of("store: {backend: postgresql}\n");
  EXPECT_NE(e.find("connection string"), std::string::npos) << e;
  e = error_of("schedule: {time_zone: Mars/Olympus}\n");
  EXPECT_NE(e.find("time_zone"), std::string::npos) << e;
  e = error_of("http: {prot: 80}\n");  // a typo is not silently ignored
  EXPECT_NE(e.find("prot"), std::string::npos) << e;
  e = error_of("alerts: {two_person_severities: [terrible]}\n");
  EXPECT_NE(e.find("unknown severity terrible"), std::string::npos) << e;
  e = error_of("tree:\n  levels:\n    - {kind: province}\n    - {kind: province}\n");
  EXPECT_NE(e.find("tree.levels"), std::string::npos) << e;
  EXPECT_NE(e.find("given twice"), std::string::npos) << e;
}

TEST_F(ControllerConfigTest, TheTreesLevelsAreTheProvincesOwn) {
  EXPECT_EQ(app::load_controller_config("").tree.levels.size(), 4u);  // two-tier, with optional groupings
  test::write_file(path, "tree:\n  levels:\n    - {kind: province, name: Tỉnh}\n    - {kind: commune, name: Xã}\n");
  const auto c = app::load_controller_config(path);
  ASSERT_EQ(c.tree.levels.size(), 2u);
  EXPECT_EQ(c.tree.levels[1].kind, "commune");
  EXPECT_EQ(c.tree.levels[1].name, "Xã");
}

TEST(SecretFile, ASecretIsMadeOnceKeptPrivateAndReadBack) {
  test::ScratchDir dir;
  const auto path = dir.path() + "/api-token";
  const auto made = load_or_create_secret(path, 32);
  EXPECT_EQ(made.size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(load_or_create_secret(path, 32), made);  // across restarts
  EXPECT_NE(load_or_create_secret(dir.path() + "/other", 32), made);
}

}  // namespace
}  // namespace loa::app
