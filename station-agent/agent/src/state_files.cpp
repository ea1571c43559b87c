#include "state_files.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace loa::agent::state_files {

namespace fs = std::filesystem;

std::string read_small(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_atomically(const fs::path& path, const std::string& text) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  fs::rename(tmp, path);
}

std::optional<std::string> take(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  auto text = read_small(path);
  fs::remove(path, ec);
  return text;
}

void point_link_at(const fs::path& link, const std::string& target) {
  const fs::path next = link.string() + ".next";
  std::error_code ec;
  fs::remove(next, ec);
  if (target.empty()) {
    fs::remove(link, ec);
    return;
  }
  fs::create_directory_symlink(target, next);
  fs::rename(next, link);  // the switch itself: one rename
}

}  // namespace loa::agent::state_files
