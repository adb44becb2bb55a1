// BlockManager: the paged KV cache's allocator. The cache is num_blocks blocks of block_size
// token slots; each sequence holds a block table (block ids in order) covering its cached
// tokens, so slot(position) = table[position / block_size] * block_size + position %
// block_size. Blocks come from a free list (LIFO, so recently freed blocks are reused first)
// and go back when a sequence finishes or is preempted.
//
// Not thread-safe (owned by the scheduler).
#ifndef KT_SERVING_ENGINE_BLOCK_MANAGER_H_
#define KT_SERVING_ENGINE_BLOCK_MANAGER_H_

#include <cstdint>
#include <vector>

namespace kt::serving {

using BlockTable = std::vector<int32_t>;

class BlockManager {
 public:
  BlockManager(int32_t num_blocks, int32_t block_size);

  int32_t num_blocks() const { return num_blocks_; }
  int32_t block_size() const { return block_size_; }
  int32_t free_blocks() const { return static_cast<int32_t>(free_.size()); }
  int32_t used_blocks() const { return num_blocks_ - free_blocks(); }
  // Fraction of blocks in use, [0, 1].
  double usage() const;

  // Blocks a table must have to hold `tokens` tokens.
  int32_t BlocksFor(int64_t tokens) const;
  // Extra blocks `table` needs to hold `tokens` tokens (0 when it already does).
  int32_t BlocksNeeded(const BlockTable& table, int64_t tokens) const;
  // Grows `table` to hold `tokens` tokens. False (and no change) when too few blocks are free.
  bool Reserve(BlockTable& table, int64_t tokens);
  // Returns every block of `table` to the free list and clears it.
  void Free(BlockTable& table);
  int32_t SlotOf(const BlockTable& table, int64_t position) const;

 private:
  int32_t num_blocks_;
  int32_t block_size_;
  std::vector<int32_t> free_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_ENGINE_BLOCK_MANAGER_H_
