#pragma once

#include <filesystem>
#include <optional>
#include <string>

// Small files of the agent's state folder that must survive a power cut whole: what the
// configuration and release keepers record about what is in force and what comes next.
namespace loa::agent::state_files {

// The whole file, or "" when it is missing.
[[nodiscard]] std::string read_small(const std::filesystem::path& path);
// Written whole or not at all: a power cut leaves the old file or the new one.
void write_atomically(const std::filesystem::path& path, const std::string& text);
// The text of a file that reports something once (a rollback's reason), removing it;
// nullopt when there is none.
[[nodiscard]] std::optional<std::string> take(const std::filesystem::path& path);
// Points the symbolic link `link` at `target` (relative to the link's folder) with one
// rename; an empty target removes the link.
void point_link_at(const std::filesystem::path& link, const std::string& target);

}  // namespace loa::agent::state_files
