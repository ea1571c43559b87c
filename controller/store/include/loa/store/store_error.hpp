#pragma once

#include <stdexcept>
#include <string>

namespace loa::store {

// What every store method throws when the backend fails (disk full, I/O error); callers
// answer the request with an error and lose nothing already committed.
class StoreError : public std::runtime_error {
 public:
  explicit StoreError(const std::string& message, bool disk_problem = false)
      : std::runtime_error(message), disk_problem_(disk_problem) {}
  // The disk is full or failing (not a constraint or a lost connection): reads may
  // still work, writes will not until someone makes room.
  [[nodiscard]] bool is_disk_problem() const { return disk_problem_; }

 private:
  bool disk_problem_;
};

}  // namespace loa::store
