#include "serving/engine/block_manager.h"

#include "base/check.h"

namespace kt::serving {

BlockManager::BlockManager(int32_t num_blocks, int32_t block_size)
    : num_blocks_(num_blocks), block_size_(block_size) {
  KT_CHECK(num_blocks > 0 && block_size > 0);
  free_.reserve(static_cast<size_t>(num_blocks));
  // Highest id at the bottom, so block 0 is handed out first.
  for (int32_t b = num_blocks - 1; b >= 0; --b) free_.push_back(b);
}

double BlockManager::usage() const {
  return static_cast<double>(used_blocks()) / static_cast<double>(num_blocks_);
}

int32_t BlockManager::BlocksFor(int64_t tokens) const {
  return static_cast<int32_t>((tokens + block_size_ - 1) / block_size_);
}

int32_t BlockManager::BlocksNeeded(const BlockTable& table, int64_t tokens) const {
  int32_t want = BlocksFor(tokens);
  int32_t have = static_cast<int32_t>(table.size());
  return want > have ? want - have : 0;
}

bool BlockManager::Reserve(BlockTable& table, int64_t tokens) {
  int32_t need = BlocksNeeded(table, tokens);
  if (need > free_blocks()) return false;
  for (int32_t i = 0; i < need; ++i) {
    table.push_back(free_.back());
    free_.pop_back();
  }
  return true;
}

void BlockManager::Free(BlockTable& table) {
  for (auto it = table.rbegin(); it != table.rend(); ++it) {
    KT_CHECK(*it >= 0 && *it < num_blocks_);
    free_.push_back(*it);
  }
  KT_CHECK(free_.size() <= static_cast<size_t>(num_blocks_)) << "double free of a KV block";
  table.clear();
}

int32_t BlockManager::SlotOf(const BlockTable& table, int64_t position) const {
  int64_t idx = position / block_size_;
  KT_CHECK(idx < static_cast<int64_t>(table.size())) << "position " << position << " not reserved";
  return table[static_cast<size_t>(idx)] * block_size_ + static_cast<int32_t>(position % block_size_);
}

}  // namespace kt::serving
