#include "loa/fleet/tree_levels.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace loa::fleet {

TreeLevels TreeLevels::two_tier() {
  return TreeLevels({{"province", "Tỉnh, thành phố", false},
                     {"district", "Huyện cũ (nhóm)", true},
                     {"commune", "Xã, phường, đặc khu", false},
                     {"village", "Thôn, tổ dân phố", true}});
}

TreeLevels::TreeLevels(std::vector<Level> levels) : levels_(std::move(levels)) {
  if (levels_.empty()) throw std::invalid_argument("the tree needs at least one level");
  std::set<std::string> seen;
  for (const auto& l : levels_) {
    const bool valid = !l.kind.empty() && l.kind.size() <= 32 && std::all_of(l.kind.begin(), l.kind.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    if (!valid) throw std::invalid_argument("level kind '" + l.kind + "': 1-32 of a-z, 0-9, '_' and '-'");
    if (l.kind == kFreeGrouping) throw std::invalid_argument("\"custom\" is the free grouping, not a level");
    if (!seen.insert(l.kind).second) throw std::invalid_argument("level kind '" + l.kind + "' given twice");
  }
}

int TreeLevels::depth(const std::string& kind) const {
  for (std::size_t i = 0; i < levels_.size(); ++i) {
    if (levels_[i].kind == kind) return static_cast<int>(i);
  }
  return -1;
}

bool TreeLevels::knows(const std::string& kind) const { return kind == kFreeGrouping || depth(kind) >= 0; }

std::optional<std::string> TreeLevels::misplaced(const std::string& kind, const std::string& parent_kind) const {
  if (!knows(kind)) return "kind must be " + kinds_text();
  const int child = depth(kind);
  if (child < 0) return std::nullopt;  // a free grouping goes anywhere
  // At the top (a controller may serve part of a province) or under a free grouping,
  // any level may stand; under a level, only one further down, skipping optional ones.
  const int parent = parent_kind.empty() ? -1 : depth(parent_kind);
  if (parent >= child) {
    return "a " + kind + " cannot be under a " + parent_kind + ": levels go " + levels_.front().kind + " down to " +
           levels_.back().kind;
  }
  if (parent_kind.empty() || parent_kind == kFreeGrouping) return std::nullopt;
  for (int between = parent + 1; between < child; ++between) {
    if (!levels_[static_cast<std::size_t>(between)].optional) {
      return "a " + kind + " under a " + parent_kind + " skips the " + levels_[static_cast<std::size_t>(between)].kind +
             " level, which is not optional";
    }
  }
  return std::nullopt;
}

std::string TreeLevels::kinds_text() const {
  std::string out;
  for (const auto& l : levels_) out += (out.empty() ? "" : ", ") + l.kind;
  return out + " or " + kFreeGrouping;
}

}  // namespace loa::fleet
