// base/huge_page_heap.h. The arena: page-aligned ranges inside 2 MiB-aligned mappings, growth
// chunks doubling from 4 MiB to 64 MiB, a request bigger than the next growth chunk mapped
// whole, large requests on their own mapping, unsupported alignments refused, the worker's
// spare growth chunk prepared ahead and handed out (or kept when it is too small). The tcmalloc
// hook (in executables linked with tcmalloc): installed, serving the process's memory, and on
// transparent huge pages where the kernel grants them for madvised memory.
#include "base/huge_page_heap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace kt {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

std::string ReadFile(const char* path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// kB of AnonHugePages in this process (0 when the kernel does not report it).
long AnonHugePagesKb() {
  std::istringstream in(ReadFile("/proc/self/smaps_rollup"));
  std::string key;
  while (in >> key) {
    if (key == "AnonHugePages:") {
      long kb = 0;
      in >> kb;
      return kb;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

// Writes the first and last byte of [p, p + n): a range past its mapping crashes the test.
void Touch(void* p, size_t n) {
  static_cast<char*>(p)[0] = 1;
  static_cast<char*>(p)[n - 1] = 2;
}

TEST(HugePageArenaTest, RangesAreAlignedUsableAndFromGrowingChunks) {
  HugePageArena arena;
  size_t actual = 0;
  void* first = arena.Alloc(1 * kMiB, &actual, 8192);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % HugePageArena::kHugePage, 0u);
  EXPECT_EQ(actual, 1 * kMiB);
  Touch(first, actual);
  EXPECT_EQ(arena.stats().chunks, 1u);
  EXPECT_EQ(arena.stats().bytes_mapped, HugePageArena::kFirstChunk);
  void* second = arena.Alloc(1 * kMiB, &actual, 8192);
  EXPECT_EQ(static_cast<char*>(second), static_cast<char*>(first) + kMiB) << "bump allocation";
  // 2 MiB more do not fit the first 4 MiB chunk: a second chunk of 8 MiB.
  void* third = arena.Alloc(3 * kMiB, &actual, 8192);
  ASSERT_NE(third, nullptr);
  Touch(third, actual);
  EXPECT_EQ(arena.stats().chunks, 2u);
  EXPECT_EQ(arena.stats().bytes_mapped, HugePageArena::kFirstChunk * 3);
  EXPECT_EQ(arena.stats().populate_failures, 0u) << "MADV_POPULATE_WRITE needs Linux 5.14";
}

// Regression: a request bigger than the next growth chunk but under the largest chunk got the
// growth chunk's size mapped, and tcmalloc wrote past its end (crashes in several tests).
TEST(HugePageArenaTest, RequestBiggerThanTheGrowthChunkIsMappedWhole) {
  HugePageArena arena;
  size_t actual = 0;
  void* p = arena.Alloc(18 * kMiB, &actual, 8192);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(actual, 18 * kMiB);
  EXPECT_GE(arena.stats().bytes_mapped, 18 * kMiB);
  std::memset(p, 0x5a, actual);
  EXPECT_EQ(static_cast<char*>(p)[actual - 1], 0x5a);
}

TEST(HugePageArenaTest, LargeRequestGetsItsOwnMappingAndBadAlignmentIsRefused) {
  HugePageArena arena;
  size_t actual = 0;
  void* big = arena.Alloc(HugePageArena::kChunkMax + 1, &actual, 8192);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(actual, HugePageArena::kChunkMax + HugePageArena::kHugePage);
  Touch(big, actual);
  EXPECT_EQ(arena.Alloc(kMiB, &actual, 3 * 4096), nullptr) << "not a power of two";
  EXPECT_EQ(arena.Alloc(kMiB, &actual, 2 * HugePageArena::kHugePage), nullptr);
  EXPECT_EQ(arena.Alloc(0, &actual, 4096), nullptr);
  EXPECT_EQ(arena.stats().chunks, 1u);
}

// Waits (up to 10 s) until the arena's worker has prepared `n` spares.
bool WaitForSpares(const HugePageArena& arena, size_t n) {
  for (int i = 0; i < 1000 && arena.stats().spares_prepared < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return arena.stats().spares_prepared >= n;
}

TEST(HugePageArenaTest, WorkerPreparesTheNextGrowthChunkAhead) {
  HugePageArena arena(HugePageArena::Options{.populate_ahead_from = 8 * kMiB});
  size_t actual = 0;
  // The first chunk (4 MiB) is mapped by the caller; the next growth size (8 MiB) reaches
  // populate_ahead_from, so the worker prepares an 8 MiB spare.
  void* first = arena.Alloc(4 * kMiB, &actual, 8192);
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(WaitForSpares(arena, 1)) << "no spare within 10 s";
  EXPECT_EQ(arena.stats().spares_used, 0u);
  EXPECT_EQ(arena.stats().bytes_mapped, 12 * kMiB);
  void* second = arena.Alloc(8 * kMiB, &actual, 8192);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(second) % HugePageArena::kHugePage, 0u);
  EXPECT_EQ(actual, 8 * kMiB);
  std::memset(second, 0x5a, actual);
  EXPECT_EQ(arena.stats().spares_used, 1u);
  EXPECT_EQ(arena.stats().chunks, 2u) << "the spare was handed out, nothing new mapped";
  // That growth asks for the next spare (16 MiB); a request too big for it is mapped on its
  // own and leaves the spare for later.
  ASSERT_TRUE(WaitForSpares(arena, 2));
  void* big = arena.Alloc(40 * kMiB, &actual, 8192);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(actual, 40 * kMiB);
  Touch(big, actual);
  EXPECT_EQ(arena.stats().spares_used, 1u);
  EXPECT_EQ(arena.stats().populate_failures, 0u) << "MADV_POPULATE_WRITE needs Linux 5.14";
}

TEST(HugePageArenaTest, WithoutPopulateAheadNoSpareIsPrepared) {
  HugePageArena arena;
  size_t actual = 0;
  for (size_t mib : {4, 8, 16}) ASSERT_NE(arena.Alloc(mib * kMiB, &actual, 8192), nullptr);
  EXPECT_EQ(arena.stats().spares_prepared, 0u);
  EXPECT_EQ(arena.stats().spares_used, 0u);
}

class HugePageHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!GetHugePageHeapStats().installed) {
      GTEST_SKIP() << "built without the tcmalloc huge-page hook (KT_ALLOCATOR=system?)";
    }
  }
};

TEST_F(HugePageHookTest, ServesTheProcessMemory) {
  const HugePageHeapStats before = GetHugePageHeapStats();
  std::vector<std::unique_ptr<char[]>> blocks;
  constexpr size_t kBlock = 512, kBlocks = 300'000;  // ~150 MB
  for (size_t i = 0; i < kBlocks; ++i) {
    blocks.emplace_back(new char[kBlock]);
    std::memset(blocks.back().get(), static_cast<int>(i & 0xff), kBlock);
  }
  for (size_t i = 0; i < kBlocks; i += 997) {
    ASSERT_EQ(blocks[i][kBlock - 1], static_cast<char>(i & 0xff));
  }
  EXPECT_GE(GetHugePageHeapStats().bytes_mapped - before.bytes_mapped, kBlock * kBlocks);
}

TEST_F(HugePageHookTest, ChunksAreOnHugePagesWhereTheKernelAllowsIt) {
  const std::string thp = ReadFile("/sys/kernel/mm/transparent_hugepage/enabled");
  if (thp.empty() || thp.find("[never]") != std::string::npos) {
    GTEST_SKIP() << "transparent huge pages are off on this machine";
  }
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 100'000; ++i) blocks.emplace_back(new char[256]);
  EXPECT_GT(AnonHugePagesKb(), 0) << "THP: " << thp;
}

}  // namespace
}  // namespace kt
