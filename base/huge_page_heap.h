// The memory tcmalloc takes from the system, on huge pages.
//
// Executables linked with tcmalloc (KT_ALLOCATOR=tcmalloc, the default) also link
// huge_page_heap_hook.cc, which installs at start-up a tcmalloc SysAllocator over a
// HugePageArena: 2 MiB-aligned mappings that ask for transparent huge pages (madvise
// MADV_HUGEPAGE; effective when /sys/kernel/mm/transparent_hugepage/enabled is "madvise" or
// "always"), with the growth chunks faulted in by one call (MADV_POPULATE_WRITE, Linux 5.14+).
// The object store grows by millions of small nodes, and on the 2-vCPU VM first-touch page
// faults and tcmalloc's span population were a third of a create-heavy run; with huge pages
// in-process creates ran about 1.9x faster (bench/RESULTS.md).
//
// Growth chunks start at 4 MiB and double up to 64 MiB, so a small process commits little; a
// request that does not fit the next growth chunk gets a chunk of its own size. A request
// larger than the biggest chunk (model weights, a host KV cache) gets its own mapping,
// huge-page advised but not pre-faulted. Memory tcmalloc releases goes back to the system as
// before (tcmalloc madvises it away itself).
//
// Populating ahead: faulting memory in is the kernel clearing it, and on the paravirtualized
// CI-sized VM that ran at about 0.4 GB/s, a fifth of the 5,000-node cluster bench. With
// `populate_ahead_from` set (the hook sets 32 MiB), once the growth chunks reach that size a
// worker thread maps and faults in the next growth chunk while the process uses the current
// one, so the clearing runs on another core. The allocating thread never waits for it: when
// the spare is not ready it maps and faults in its chunk itself, as without the worker. At
// most one spare chunk (64 MiB) is held beyond what tcmalloc asked for. The worker only calls
// mmap and madvise (never malloc: the arena runs under tcmalloc's lock) and touches nothing
// the simulation can observe, so simulations stay deterministic.
#ifndef KT_BASE_HUGE_PAGE_HEAP_H_
#define KT_BASE_HUGE_PAGE_HEAP_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

namespace kt {

struct HugePageHeapStats {
  bool installed = false;        // the tcmalloc hook is in place
  size_t chunks = 0;             // mappings made
  size_t bytes_mapped = 0;       // their total size
  size_t populate_failures = 0;  // MADV_POPULATE_WRITE refused (older kernel): faults on demand
  size_t spares_prepared = 0;    // growth chunks the worker mapped and faulted in ahead
  size_t spares_used = 0;        // of those, handed out (the rest were not needed yet)
};

// Hands out page-aligned ranges of huge-page mappings; never frees (tcmalloc keeps and
// releases what it got). Thread-safe.
class HugePageArena {
 public:
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kFirstChunk = size_t{4} << 20;
  static constexpr size_t kChunkMax = size_t{64} << 20;

  struct Options {
    // Growth chunk size from which a worker prepares the next chunk ahead; 0: never (no
    // worker thread is started).
    size_t populate_ahead_from = 0;
  };

  HugePageArena() : HugePageArena(Options{}) {}
  explicit HugePageArena(Options options);
  // Stops the worker; the mappings stay (tcmalloc may still hold them).
  ~HugePageArena();
  HugePageArena(const HugePageArena&) = delete;
  HugePageArena& operator=(const HugePageArena&) = delete;

  // At least `size` bytes aligned to `alignment` (a power of two up to kHugePage; at least a
  // page is used); *actual_size gets the usable size. nullptr when the mapping fails or the
  // alignment is unsupported: the caller falls back to its own allocator.
  void* Alloc(size_t size, size_t* actual_size, size_t alignment);
  HugePageHeapStats stats() const;

 private:
  // A mapping of `bytes` (a multiple of kHugePage) starting on a huge-page boundary, huge-page
  // advised, faulted in when `populate` is set; nullptr when mmap fails. Needs no lock.
  static void* MapRaw(size_t bytes, bool populate, bool* populate_failed);
  // MapRaw and the stats. REQUIRES: mu_ held.
  void* Map(size_t bytes, bool populate);
  // The worker: prepares a spare of spare_wanted_ bytes whenever one is wanted and none is held.
  void PopulateAhead();

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  size_t chunk_size_ = kFirstChunk;
  uintptr_t next_ = 0, end_ = 0;
  // The chunk the worker prepared (0 when none), and the size wanted next (0 when none).
  uintptr_t spare_ = 0;
  size_t spare_bytes_ = 0;
  size_t spare_wanted_ = 0;
  bool stopping_ = false;
  HugePageHeapStats stats_;
  std::thread worker_;  // last: started once the members it reads exist
};

// What the process's tcmalloc hook has done so far; all zero when it is not linked in.
HugePageHeapStats GetHugePageHeapStats();

}  // namespace kt

#endif  // KT_BASE_HUGE_PAGE_HEAP_H_
