#include "loa/agent/config_keeper.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "loa/hwconfig/config_bundle.hpp"
#include "loa/log/log.hpp"
#include "state_files.hpp"

namespace loa::agent {
namespace {

namespace fs = std::filesystem;
const log::Logger kLog("config");

constexpr std::uint32_t kDefaultConfirmMs = 120'000;

using state_files::read_small;
using state_files::write_atomically;

}  // namespace

ConfigKeeper::ConfigKeeper(std::string state_dir, std::string configured_station_file)
    : state_dir_(std::move(state_dir)), configured_(std::move(configured_station_file)) {}

std::string ConfigKeeper::station_file() const {
  const fs::path current = fs::path(dir()) / "current";
  std::error_code ec;
  if (!fs::is_symlink(current, ec)) return configured_;
  const auto main = read_small(current / ".main");
  return main.empty() ? configured_ : (current / main).string();
}

std::uint32_t ConfigKeeper::version() const {
  std::error_code ec;
  const auto target = fs::read_symlink(fs::path(dir()) / "current", ec);
  if (ec) return 0;
  // "v<N>" as the keeper names them; anything else (a link made by hand) is no version.
  const auto name = target.filename().string();
  if (name.size() < 2 || name.size() > 10 || name[0] != 'v' ||
      name.find_first_not_of("0123456789", 1) != std::string::npos) {
    return 0;
  }
  return static_cast<std::uint32_t>(std::stoul(name.substr(1)));
}

std::string ConfigKeeper::digest() const {
  const auto file = station_file();
  if (file.empty()) return {};
  try {
    return hwconfig::bundle_digest(hwconfig::read_bundle(file));
  } catch (const std::exception&) {
    return {};  // a broken file runs nothing; the hardware watch says why
  }
}

ConfigKeeper::Outcome ConfigKeeper::apply(const v1::ApplyConfig& config) {
  hwconfig::ConfigBundle bundle;
  bundle.main = config.main();
  for (const auto& f : config.files()) bundle.files[f.path()] = f.text();
  if (config.version() == 0) return {false, "a configuration needs a version above 0"};
  if (!config.digest().empty() && hwconfig::bundle_digest(bundle) != config.digest()) {
    return {false, "the files do not match their digest"};
  }
  fs::create_directories(dir());
  // The station checks it again: its own library, its own disk.
  auto errors = hwconfig::check_bundle(bundle, dir() + "/checking");
  if (!errors.empty()) {
    std::string detail;
    for (const auto& e : errors) detail += (detail.empty() ? "" : "; ") + e;
    return {false, detail};
  }
  const std::string name = "v" + std::to_string(config.version());
  const fs::path target = fs::path(dir()) / name;
  std::error_code ec;
  fs::remove_all(target, ec);
  hwconfig::write_bundle(bundle, target.string());
  write_atomically(target / ".main", bundle.main);
  const auto confirm_ms = config.confirm_within_ms() ? config.confirm_within_ms() : kDefaultConfirmMs;
  // Kept on disk: a restart before the switch makes it at start.
  write_atomically(fs::path(dir()) / "staged", std::to_string(config.version()) + " " + std::to_string(confirm_ms) + "\n");
  kLog.info("configuration v{} checked and kept: main={} files={}; in force once nothing is on air", config.version(),
            bundle.main, bundle.files.size());
  return {true, "configuration v" + std::to_string(config.version()) +
                    " checked and kept; the hardware watch restarts on it once nothing is on air"};
}

bool ConfigKeeper::staged() const {
  std::error_code ec;
  return fs::exists(fs::path(dir()) / "staged", ec);
}

void ConfigKeeper::switch_to_staged(std::int64_t now_ms) {
  std::istringstream in(read_small(fs::path(dir()) / "staged"));
  std::uint32_t version = 0;
  std::int64_t confirm_ms = 0;
  if (!(in >> version >> confirm_ms)) return;
  const std::string name = "v" + std::to_string(version);
  // What to go back to: the version in force, or the agent's own file.
  std::error_code ec;
  const auto previous = fs::read_symlink(fs::path(dir()) / "current", ec);
  write_atomically(fs::path(dir()) / "probation", std::to_string(version) + " " + std::to_string(now_ms + confirm_ms) +
                                                       " " + (ec ? std::string("-") : previous.string()) + "\n");
  point_current_at(name);
  fs::remove(fs::path(dir()) / "staged", ec);
  kLog.info("configuration v{} in force, on probation for {} ms", version, confirm_ms);
}

void ConfigKeeper::point_current_at(const std::string& target) {
  state_files::point_link_at(fs::path(dir()) / "current", target);
}

std::optional<ConfigKeeper::Probation> ConfigKeeper::probation() const {
  auto p = read_probation();
  if (!p) return std::nullopt;
  return p->first;
}

// The probation file: version, deadline, and what it replaced ("-": the agent's own file).
std::optional<std::pair<ConfigKeeper::Probation, std::string>> ConfigKeeper::read_probation() const {
  std::istringstream in(read_small(fs::path(dir()) / "probation"));
  Probation p;
  std::string previous;
  if (!(in >> p.version >> p.deadline_ms >> previous)) return std::nullopt;
  return std::pair{p, previous};
}

void ConfigKeeper::confirm() {
  std::error_code ec;
  fs::remove(fs::path(dir()) / "probation", ec);
  kLog.info("configuration v{} confirmed", version());
}

void ConfigKeeper::roll_back(const std::string& reason) {
  const auto probation = read_probation();
  if (!probation) return;
  const auto version = probation->first.version;
  const auto& previous = probation->second;
  point_current_at(previous == "-" ? "" : previous);
  write_atomically(fs::path(dir()) / "rolled-back", "configuration v" + std::to_string(version) +
                                                        " rolled back to " +
                                                        (previous == "-" ? "the station's own file" : previous) +
                                                        ": " + reason);
  std::error_code ec;
  fs::remove(fs::path(dir()) / "probation", ec);
  kLog.warn("configuration v{} rolled back: reason={}", version, reason);
}

std::optional<std::string> ConfigKeeper::take_rollback_reason() {
  return state_files::take(fs::path(dir()) / "rolled-back");
}

}  // namespace loa::agent
