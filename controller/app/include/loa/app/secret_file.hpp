#pragma once

#include <string>

namespace loa::app {

// Reads a secret (API token, first admin password) from `path`, or makes a random one
// (`length` URL-safe characters) and writes it there with mode 0600. Lets a fresh
// install run without anyone choosing secrets, and keeps them across restarts.
[[nodiscard]] std::string load_or_create_secret(const std::string& path, std::size_t length);

}  // namespace loa::app
