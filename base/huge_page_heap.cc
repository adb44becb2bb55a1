#include "base/huge_page_heap.h"

#include <sys/mman.h>

#include <algorithm>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace kt {
namespace {

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

void* HugePageArena::Alloc(size_t size, size_t* actual_size, size_t alignment) {
  std::lock_guard<std::mutex> lock(mu_);
  alignment = std::max<size_t>(alignment, 4096);
  if (alignment > kHugePage || (alignment & (alignment - 1)) != 0 || size == 0) return nullptr;
  const size_t need = RoundUp(size, alignment);
  if (need > kChunkMax) {
    // Large, possibly sparse (a KV cache): its own mapping, not pre-faulted.
    const size_t bytes = RoundUp(need, kHugePage);
    void* p = Map(bytes, /*populate=*/false);
    if (p != nullptr && actual_size != nullptr) *actual_size = bytes;
    return p;
  }
  uintptr_t p = RoundUp(next_, alignment);
  if (next_ == 0 || p + need > end_) {
    // The next growth chunk, or a bigger one when the request does not fit in it.
    const size_t bytes = std::max(chunk_size_, RoundUp(need, kHugePage));
    void* chunk = Map(bytes, /*populate=*/true);
    if (chunk == nullptr) return nullptr;
    next_ = reinterpret_cast<uintptr_t>(chunk);
    end_ = next_ + bytes;
    chunk_size_ = std::min(chunk_size_ * 2, kChunkMax);
    p = RoundUp(next_, alignment);
  }
  next_ = p + need;
  if (actual_size != nullptr) *actual_size = need;
  return reinterpret_cast<void*>(p);
}

void* HugePageArena::Map(size_t bytes, bool populate) {
  void* raw = mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = RoundUp(start, kHugePage);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t tail = aligned + bytes;
  const uintptr_t raw_end = start + bytes + kHugePage;
  if (raw_end > tail) munmap(reinterpret_cast<void*>(tail), raw_end - tail);
  void* p = reinterpret_cast<void*>(aligned);
  madvise(p, bytes, MADV_HUGEPAGE);
  if (populate && madvise(p, bytes, MADV_POPULATE_WRITE) != 0) ++stats_.populate_failures;
  ++stats_.chunks;
  stats_.bytes_mapped += bytes;
  return p;
}

HugePageHeapStats HugePageArena::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

// Executables without the hook (KT_ALLOCATOR=system, fuzz builds): weak, so
// huge_page_heap_hook.cc's definition wins where it is linked.
__attribute__((weak)) HugePageHeapStats GetHugePageHeapStats() { return {}; }

}  // namespace kt
