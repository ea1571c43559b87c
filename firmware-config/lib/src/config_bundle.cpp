#include "loa/hwconfig/config_bundle.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loa/config/config_section.hpp"
#include "loa/digest/sha256.hpp"
#include "loa/hwconfig/check_config.hpp"

namespace loa::hwconfig {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config::ConfigError(path, 1, "", "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The deepest folder holding every one of `paths`.
fs::path common_folder(const std::vector<fs::path>& paths) {
  fs::path common = paths.front().parent_path();
  for (const auto& p : paths) {
    while (!common.empty() && std::mismatch(common.begin(), common.end(), p.begin(), p.end()).first != common.end()) {
      common = common.parent_path();
    }
  }
  return common;
}

// The files a station file names (band plan, profiles), where it names them. Empty
// when it cannot be read as YAML: its own check says where.
struct Reference {
  std::string path;
  int line = 0;
  std::string field;
};
std::vector<Reference> references_of(const std::string& station_file) {
  std::vector<Reference> out;
  try {
    auto root = config::ConfigSection::load_file(station_file);
    std::string plan;
    root.read("band_plan", plan);
    if (!plan.empty()) out.push_back({plan, root.line_of("band_plan"), "band_plan"});
    int i = 0;
    for (auto& device : root.sections("devices")) {
      std::string profile;
      device.read("profile", profile);
      if (!profile.empty()) {
        out.push_back({profile, device.line_of("profile"), "devices[" + std::to_string(i) + "].profile"});
      }
      ++i;
    }
  } catch (const config::ConfigError&) {
  }
  return out;
}

}  // namespace

ConfigBundle read_bundle(const std::string& station_file) {
  // Only what the file names is looked for here, not whether it is right: a broken
  // configuration still travels whole to where it is checked and refused line by line.
  const fs::path station = fs::weakly_canonical(station_file);
  std::vector<fs::path> paths{station};
  for (const auto& r : references_of(station.string())) {
    const fs::path p(r.path);
    const auto resolved = fs::weakly_canonical(p.is_absolute() ? p : station.parent_path() / p);
    if (std::find(paths.begin(), paths.end(), resolved) == paths.end() && fs::exists(resolved)) paths.push_back(resolved);
  }
  const auto root = common_folder(paths);
  ConfigBundle bundle;
  bundle.main = paths.front().lexically_relative(root).generic_string();
  for (const auto& p : paths) bundle.files[p.lexically_relative(root).generic_string()] = read_text(p.string());
  return bundle;
}

std::string bundle_digest(const ConfigBundle& bundle) {
  std::string all = "main " + bundle.main + "\n";
  for (const auto& [path, text] : bundle.files) all += path + " " + std::to_string(text.size()) + "\n" + text;
  return digest::sha256_hex(all);
}

std::string unsafe_paths(const ConfigBundle& bundle) {
  if (bundle.files.empty()) return "no files";
  if (!bundle.files.contains(bundle.main)) return "the station file '" + bundle.main + "' is not among the files";
  for (const auto& [path, text] : bundle.files) {
    const fs::path p(path);
    if (path.empty() || p.is_absolute()) return "'" + path + "': paths must be relative";
    for (const auto& part : p) {
      if (part == ".." || part == ".") return "'" + path + "': paths must not hold '.' or '..'";
    }
  }
  return {};
}

void write_bundle(const ConfigBundle& bundle, const std::string& dir) {
  for (const auto& [path, text] : bundle.files) {
    const fs::path target = fs::path(dir) / path;
    fs::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + target.string());
  }
}

std::vector<std::string> check_bundle(const ConfigBundle& bundle, const std::string& scratch_dir) {
  if (auto why = unsafe_paths(bundle); !why.empty()) return {bundle.main + ":1: " + why};
  std::error_code ec;
  fs::remove_all(scratch_dir, ec);
  write_bundle(bundle, scratch_dir);
  const auto main = (fs::path(scratch_dir) / bundle.main).string();
  auto errors = check_config_files({main});
  // A station runs what travels with its configuration, not files that happen to lie
  // at the same place on the controller.
  for (const auto& r : references_of(main)) {
    if (fs::path(r.path).is_absolute()) {
      errors.push_back(main + ":" + std::to_string(r.line) + ": " + r.field +
                       ": a configuration sent to stations names its files by relative path ('" + r.path + "')");
    }
  }
  // Named as the person who sent them knows them, not by where they were checked.
  const auto prefix = (fs::path(scratch_dir) / "").string();
  for (auto& e : errors) {
    for (auto at = e.find(prefix); at != std::string::npos; at = e.find(prefix)) e.erase(at, prefix.size());
  }
  fs::remove_all(scratch_dir, ec);
  return errors;
}

}  // namespace loa::hwconfig
