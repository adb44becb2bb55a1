// The block manager hands out each block once, grows tables only when a new block is needed,
// refuses (without partial allocation) when too few blocks are free, maps positions to slots
// through the table, and gets every block back on Free.
#include "serving/engine/block_manager.h"

#include <gtest/gtest.h>

#include <set>

namespace kt::serving {
namespace {

TEST(BlockManagerTest, ReserveGrowsByWholeBlocksAndFreeReturnsThem) {
  BlockManager m(8, 4);
  BlockTable a, b;
  EXPECT_TRUE(m.Reserve(a, 1));
  EXPECT_EQ(a.size(), 1u);
  EXPECT_TRUE(m.Reserve(a, 4));
  EXPECT_EQ(a.size(), 1u);
  EXPECT_TRUE(m.Reserve(a, 5));
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(m.Reserve(b, 24));
  EXPECT_EQ(m.free_blocks(), 0);
  EXPECT_DOUBLE_EQ(m.usage(), 1.0);
  std::set<int32_t> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 8u) << "no block handed out twice";
  m.Free(a);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(m.free_blocks(), 2);
}

TEST(BlockManagerTest, RefusalAllocatesNothing) {
  BlockManager m(3, 2);
  BlockTable a;
  EXPECT_FALSE(m.Reserve(a, 7));
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(m.free_blocks(), 3);
  EXPECT_EQ(m.BlocksNeeded(a, 6), 3);
}

TEST(BlockManagerTest, SlotsFollowTheTable) {
  BlockManager m(4, 4);
  BlockTable skip, a;
  ASSERT_TRUE(m.Reserve(skip, 4));  // block 0
  ASSERT_TRUE(m.Reserve(a, 6));     // blocks 1, 2
  EXPECT_EQ(m.SlotOf(a, 0), a[0] * 4);
  EXPECT_EQ(m.SlotOf(a, 5), a[1] * 4 + 1);
}

}  // namespace
}  // namespace kt::serving
