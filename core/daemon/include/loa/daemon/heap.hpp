#pragma once

#include <cstddef>

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

// Serves every allocation of `from_bytes` or more from a mapping of its own, which goes
// back to the system whole when it is freed, unless the environment already sets the
// threshold (MALLOC_MMAP_THRESHOLD_, or GLIBC_TUNABLES with glibc.malloc.mmap_threshold).
// Call in main(), before any thread starts.
//
// Why: libzmq keeps each connection's queues in chunks of 256 messages (16,400 bytes),
// allocating a new one and freeing an old one every 256 messages, each chunk living for
// minutes; a burst (a /metrics scrape, a fleet listed) makes and frees blocks of 16 KB
// and more among allocations that outlive it. In the heap those leave holes whose partly
// used pages stay resident even after a trim: the soak at 1,000 stations saw the floor
// of resident memory rise half a megabyte a minute while the live heap stayed flat.
// glibc's own threshold rises past such blocks once a larger one is freed, so it is
// fixed here.
void map_large_blocks(std::size_t from_bytes);

// The allocator's own account, for /metrics.
struct HeapUse {
  long long in_use_bytes = 0;  // what live allocations hold
  long long free_bytes = 0;    // freed, kept by the allocator, not returned to the system
};
[[nodiscard]] HeapUse heap_use();

// Gives back to the system the memory the allocator keeps freed (malloc_trim), when it
// keeps more than `keep_bytes`. Returns how much it kept before, 0 when nothing was done.
//
// Why: a controller's bursts (an alert fanned out to every station, a schedule handed to
// them) allocate and free tens of megabytes in a moment, and glibc keeps what was freed
// for later. Two arenas stop that from growing with every burst, but what one burst
// left stays resident: the soak at 1,000 stations saw 34 MB of it beside a flat live
// heap. The controller calls this once a minute.
long long trim_heap(long long keep_bytes);

}  // namespace loa::daemon
