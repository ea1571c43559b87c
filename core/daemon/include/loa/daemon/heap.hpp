#pragma once

namespace loa::daemon {

// Caps the number of glibc malloc arenas, unless the environment already sets it
// (MALLOC_ARENA_MAX, or GLIBC_TUNABLES with glibc.malloc.arena_max). Call in main(),
// before any thread starts.
//
// Why: glibc gives a thread that meets a locked arena an arena of its own, up to eight a
// core, and memory freed into one arena is kept for that arena. A controller's bursts of
// allocation on many threads (an alert fanned out, a schedule pushed) then leave memory
// freed but kept in each arena, more after every burst: the soak saw resident memory grow
// by 173 MB an hour at 1,000 stations while the live heap stayed flat. With two arenas
// the memory kept freed stays at a few megabytes.
void limit_heap_arenas(int arenas);

// The allocator's own account, for /metrics.
struct HeapUse {
  long long in_use_bytes = 0;  // what live allocations hold
  long long free_bytes = 0;    // freed, kept by the allocator, not returned to the system
};
[[nodiscard]] HeapUse heap_use();

}  // namespace loa::daemon
