// The Prometheus scrape config, alerting rules and Grafana dashboard shipped in
// deploy/monitoring ask only for metrics a real controller serves: a dashboard panel
// on a misspelt name stays empty forever, and nobody notices until a typhoon.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "support/devsim.hpp"
#include "support/fleet.hpp"

namespace loa::test {
namespace {

// Names of the metric families in a Prometheus text exposition ("# TYPE name kind").
std::set<std::string> families(const std::string& exposition) {
  std::set<std::string> out;
  std::regex type_line(R"(# TYPE (\w+) (\w+))");
  for (std::sregex_iterator it(exposition.begin(), exposition.end(), type_line), end; it != end; ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

// Every loa_* metric a PromQL expression names, with the histogram suffixes taken off.
void names_in(const std::string& expr, std::set<std::string>& out) {
  std::regex metric(R"(\bloa_[a-z_]+)");
  for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
    auto name = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (name.ends_with(suffix)) name = name.substr(0, name.size() - std::string(suffix).size());
    }
    out.insert(name);
  }
}

TEST(Monitoring, DashboardsAndRulesAskOnlyForMetricsTheControllerServes) {
  const std::string dir = std::string(LOA_SOURCE_DIR) + "/deploy/monitoring";
  // A controller watching one station with a simulated amplifier, so device gauges exist.
  Fleet fleet;
  const std::string firmware = std::string(LOA_SOURCE_DIR) + "/firmware-config";
  Devsim amp(fleet.dir(), "amp", firmware + "/profiles/fm-amplifier-generic.yaml");
  write_file(fleet.dir() + "/st-hw.yaml",
             "kind: fm\nband_plan: " + firmware + "/bandplans/vn-commune-fm.yaml\n"
             "licence: {assigned_khz: 64500, tolerance_khz: 10, max_power_w: 30, expires: 2099-12-31}\n"
             "devices:\n  - {id: amp, profile: " + firmware + "/profiles/fm-amplifier-generic.yaml, tcp: \"127.0.0.1:" +
                 std::to_string(amp.port) + "\", unit_id: 2, poll_interval_ms: 200}\n");
  fleet.start_controller();
  fleet.set_agent_hardware("st-1", fleet.dir() + "/st-hw.yaml");
  fleet.start_agent("st-1");
  fleet.enroll({"st-1"});
  ASSERT_TRUE(fleet.wait_for_state("st-1", "online", 10000));
  std::string exposition;
  ASSERT_TRUE(eventually([&] {
    exposition = fleet.metrics();
    return exposition.find("loa_device_temperature_c{station=\"st-1\"") != std::string::npos;
  }, std::chrono::seconds(10))) << exposition;
  const auto served = families(exposition);

  // The scrape config points at /metrics and loads the rules file.
  const auto prometheus = YAML::LoadFile(dir + "/prometheus.yml");
  EXPECT_EQ(prometheus["scrape_configs"][0]["metrics_path"].as<std::string>(), "/metrics");
  EXPECT_EQ(prometheus["rule_files"][0].as<std::string>(), "loa-rules.yml");

  std::set<std::string> asked;
  const auto rules = YAML::LoadFile(dir + "/loa-rules.yml");
  int rule_count = 0;
  for (const auto& group : rules["groups"]) {
    for (const auto& rule : group["rules"]) {
      ASSERT_TRUE(rule["alert"] && rule["expr"]);
      names_in(rule["expr"].as<std::string>(), asked);
      ++rule_count;
    }
  }
  EXPECT_GE(rule_count, 5);

  const auto dashboard = nlohmann::json::parse(read_file(dir + "/grafana-loa.json"));
  int panel_count = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) names_in(target["expr"].get<std::string>(), asked);
    ++panel_count;
  }
  EXPECT_GE(panel_count, 10);

  ASSERT_FALSE(asked.empty());
  for (const auto& name : asked) EXPECT_TRUE(served.contains(name)) << name << " is not served by /metrics";
}

}  // namespace
}  // namespace loa::test
