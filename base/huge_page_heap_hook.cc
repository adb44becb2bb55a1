// The tcmalloc SysAllocator over a HugePageArena (see huge_page_heap.h). Compiled only into
// executables linked with tcmalloc (kt_link_allocator in cmake/KtHelpers.cmake).
#include <gperftools/malloc_extension.h>

#include "base/huge_page_heap.h"

namespace kt {
namespace {

class HugePageAllocator final : public SysAllocator {
 public:
  explicit HugePageAllocator(SysAllocator* fallback) : fallback_(fallback) {}

  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    void* p = arena.Alloc(size, actual_size, alignment);
    return p != nullptr ? p : fallback_->Alloc(size, actual_size, alignment);
  }

  // Growth chunks of 32 MiB and up are prepared ahead on a worker thread (the process has
  // grown past ~28 MiB by then; smaller processes never start populating ahead).
  HugePageArena arena{HugePageArena::Options{.populate_ahead_from = size_t{32} << 20}};

 private:
  SysAllocator* fallback_;
};

// Installed before main(); allocations made earlier came from tcmalloc's default allocator.
// Lives as long as the process.
HugePageAllocator* const g_allocator = []() -> HugePageAllocator* {
  MallocExtension* ext = MallocExtension::instance();
  SysAllocator* fallback = ext->GetSystemAllocator();
  if (fallback == nullptr) return nullptr;
  auto* a = new HugePageAllocator(fallback);
  ext->SetSystemAllocator(a);
  return a;
}();

}  // namespace

HugePageHeapStats GetHugePageHeapStats() {
  if (g_allocator == nullptr) return {};
  HugePageHeapStats s = g_allocator->arena.stats();
  s.installed = true;
  return s;
}

}  // namespace kt
