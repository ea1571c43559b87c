#pragma once

#include <optional>
#include <string>

namespace loa::updates {

// The fields of a Debian package's control file that matter here, read with dpkg-deb.
struct PackageFields {
  std::string package;
  std::string version;
  std::string architecture;
};
// nullopt when the file is not a Debian package (dpkg-deb refuses it).
[[nodiscard]] std::optional<PackageFields> read_package_fields(const std::string& path);

}  // namespace loa::updates
