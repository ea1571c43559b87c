#include "package_check.hpp"

#include <sstream>

#include "loa/process/run_program.hpp"

namespace loa::updates {

std::optional<PackageFields> read_package_fields(const std::string& path) {
  const auto ran = process::run_program(
      {"dpkg-deb", "--show", "--showformat=${Package}\\n${Version}\\n${Architecture}\\n", path});
  if (!ran.ok) return std::nullopt;
  std::istringstream in(ran.output);
  PackageFields f;
  if (!std::getline(in, f.package) || !std::getline(in, f.version) || !std::getline(in, f.architecture)) {
    return std::nullopt;
  }
  return f;
}

}  // namespace loa::updates
