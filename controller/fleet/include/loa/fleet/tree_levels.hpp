#pragma once

#include <optional>
#include <string>
#include <vector>

namespace loa::fleet {

// The levels of the province's tree, top down, as the province configures them: each is
// a zone kind (province → commune today, with a former district as an optional grouping
// between, and villages below). A zone of one level hangs from a zone of a level above
// it, skipping only optional levels. "custom" is a free grouping (a coastal belt, the
// stations by one river) allowed anywhere.
class TreeLevels {
 public:
  struct Level {
    std::string kind;   // what zones of this level are: "province", "commune", ...
    std::string name;   // what people call it ("Xã/Phường")
    bool optional = false;  // the level below may hang straight from the level above
  };
  static constexpr const char* kFreeGrouping = "custom";

  // Levels as Vietnam's two-tier local government has them since 1 July 2025.
  [[nodiscard]] static TreeLevels two_tier();
  // Throws std::invalid_argument for an empty list, a repeated or malformed kind, or "custom".
  explicit TreeLevels(std::vector<Level> levels);

  [[nodiscard]] const std::vector<Level>& levels() const { return levels_; }
  // A configured level's kind, or "custom".
  [[nodiscard]] bool knows(const std::string& kind) const;
  // Why a zone of `kind` may not hang from a zone of `parent_kind` ("" for the top), or
  // nothing when it may.
  [[nodiscard]] std::optional<std::string> misplaced(const std::string& kind, const std::string& parent_kind) const;
  // The list of kinds, for messages: "province, district, commune, village or custom".
  [[nodiscard]] std::string kinds_text() const;

 private:
  [[nodiscard]] int depth(const std::string& kind) const;  // -1: custom or unknown
  std::vector<Level> levels_;
};

}  // namespace loa::fleet
