#include "loa/daemon/heap.hpp"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace loa::daemon {

void limit_heap_arenas(int arenas) {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  if (const char* tunables = std::getenv("GLIBC_TUNABLES"); tunables && std::strstr(tunables, "arena_max")) return;
  mallopt(M_ARENA_MAX, arenas);
}

void map_large_blocks(std::size_t from_bytes) {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) return;
  if (const char* tunables = std::getenv("GLIBC_TUNABLES"); tunables && std::strstr(tunables, "mmap_threshold")) return;
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(from_bytes));
}

HeapUse heap_use() {
  const auto heap = mallinfo2();
  return {static_cast<long long>(heap.uordblks + heap.hblkhd), static_cast<long long>(heap.fordblks)};
}

long long trim_heap(long long keep_bytes) {
  const auto kept = static_cast<long long>(mallinfo2().fordblks);
  if (kept <= keep_bytes) return 0;
  malloc_trim(0);
  return kept;
}

}  // namespace loa::daemon
