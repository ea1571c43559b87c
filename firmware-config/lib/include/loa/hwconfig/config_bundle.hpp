#pragma once

#include <map>
#include <string>
#include <vector>

namespace loa::hwconfig {

// A station's hardware configuration as one unit that can be kept, sent and compared:
// its station hardware file and every profile and band plan that file names, each by
// its path relative to one common folder, so that the files name each other as they did
// where they were read. The controller keeps these, with versions; the agent writes one
// out under its state folder and runs it.
struct ConfigBundle {
  std::string main;                            // the station hardware file, e.g. "stations/pole-1.yaml"
  std::map<std::string, std::string> files;    // relative path -> text, `main` included
};

// Reads a station hardware file and the band plan and profiles it names (those that
// exist), without judging them: check_bundle does that. Throws config::ConfigError when
// the station file itself cannot be read.
[[nodiscard]] ConfigBundle read_bundle(const std::string& station_file);

// What tells two configurations apart: SHA-256 (hex) over every file's path and text.
// The same on the controller and on the station for the same files.
[[nodiscard]] std::string bundle_digest(const ConfigBundle& bundle);

// Why a bundle's paths cannot be written out safely ("" when they can): each must be
// relative, without "..", and `main` among them.
[[nodiscard]] std::string unsafe_paths(const ConfigBundle& bundle);

// Writes the files under `dir` (made as needed). Call unsafe_paths first.
void write_bundle(const ConfigBundle& bundle, const std::string& dir);

// The checks of `loa-agent check-config` on the bundle, written out under `scratch_dir`:
// one "PATH:LINE: field: problem" line per error, PATH as named in the bundle. Empty
// when it is good.
[[nodiscard]] std::vector<std::string> check_bundle(const ConfigBundle& bundle, const std::string& scratch_dir);

}  // namespace loa::hwconfig
