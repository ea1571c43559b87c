#pragma once

#include <mutex>

namespace loa::schedule {

// libical keeps global state (its zone table, icalerrno): every call into it holds this
// (recursive) lock. The first call also makes libical's errors non-fatal.
[[nodiscard]] std::unique_lock<std::recursive_mutex> lock_libical();

}  // namespace loa::schedule
