#include "base/huge_page_heap.h"

#include <sys/mman.h>

#include <algorithm>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace kt {
namespace {

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

constexpr size_t kPopulateStep = size_t{4} << 20;

}  // namespace

HugePageArena::HugePageArena(Options options) : options_(options) {
  if (options_.populate_ahead_from != 0) worker_ = std::thread([this] { PopulateAhead(); });
}

HugePageArena::~HugePageArena() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void HugePageArena::PopulateAhead() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || (spare_wanted_ != 0 && spare_ == 0); });
    if (stopping_) return;
    const size_t bytes = spare_wanted_;
    spare_wanted_ = 0;
    lock.unlock();
    bool populate_failed = false;
    void* p = MapRaw(bytes, /*populate=*/false, &populate_failed);
    // Faulted in a few huge pages at a time, so that the address-space lock this takes is
    // free in between for the allocating thread's own mmap calls.
    for (size_t off = 0; p != nullptr && off < bytes && !populate_failed; off += kPopulateStep) {
      char* at = static_cast<char*>(p) + off;
      populate_failed = madvise(at, std::min(kPopulateStep, bytes - off), MADV_POPULATE_WRITE) != 0;
    }
    lock.lock();
    if (p == nullptr) continue;  // the allocating thread maps its own chunk when it needs one
    if (populate_failed) ++stats_.populate_failures;
    ++stats_.chunks;
    stats_.bytes_mapped += bytes;
    ++stats_.spares_prepared;
    spare_ = reinterpret_cast<uintptr_t>(p);
    spare_bytes_ = bytes;
  }
}

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
    // The next growth chunk (the worker's spare when it has one that fits), or a bigger one
    // when the request does not fit in it.
    size_t bytes = std::max(chunk_size_, RoundUp(need, kHugePage));
    uintptr_t chunk = 0;
    if (spare_ != 0 && spare_bytes_ >= bytes) {
      chunk = spare_;
      bytes = spare_bytes_;
      spare_ = 0;
      ++stats_.spares_used;
    } else {
      chunk = reinterpret_cast<uintptr_t>(Map(bytes, /*populate=*/true));
      if (chunk == 0) return nullptr;
    }
    next_ = chunk;
    end_ = chunk + bytes;
    chunk_size_ = std::min(chunk_size_ * 2, kChunkMax);
    p = RoundUp(next_, alignment);
    if (options_.populate_ahead_from != 0 && chunk_size_ >= options_.populate_ahead_from) {
      spare_wanted_ = chunk_size_;
      wake_.notify_one();  // a futex wake: no allocation under tcmalloc's lock
    }
  }
  next_ = p + need;
  if (actual_size != nullptr) *actual_size = need;
  return reinterpret_cast<void*>(p);
}

void* HugePageArena::Map(size_t bytes, bool populate) {
  bool populate_failed = false;
  void* p = MapRaw(bytes, populate, &populate_failed);
  if (p == nullptr) return nullptr;
  if (populate_failed) ++stats_.populate_failures;
  ++stats_.chunks;
  stats_.bytes_mapped += bytes;
  return p;
}

void* HugePageArena::MapRaw(size_t bytes, bool populate, bool* populate_failed) {
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
  if (populate && madvise(p, bytes, MADV_POPULATE_WRITE) != 0) *populate_failed = true;
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
