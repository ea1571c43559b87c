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
