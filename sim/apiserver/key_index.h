// KeyIndex: the store's point-lookup index from an object's key ("namespace/name") to the node
// that holds it in an ordered map. Open addressing with linear probing over a power-of-two
// table of (hash, node) slots kept at most half full: a lookup that misses (every create's
// AlreadyExists check) costs one probe into the table, where std::unordered_map reads a bucket,
// a node and the next node (three cache misses at 150,000 objects) and divides by a prime.
// Erase shifts the slots that follow back into place, so the table holds no tombstones.
//
// Node is a map node's value type (std::pair<const std::string, V>); the index holds pointers
// to nodes it does not own, which must not move while indexed (std::map's never do).
// Thread-safety: none; the owner synchronizes.
#ifndef KT_SIM_APISERVER_KEY_INDEX_H_
#define KT_SIM_APISERVER_KEY_INDEX_H_

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace kt::sim {

template <class Node>
class KeyIndex {
 public:
  // The node with `key`; null when absent.
  Node* Find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const size_t hash = Hash(key);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.node == nullptr) return nullptr;
      if (s.hash == hash && std::string_view(s.node->first) == key) return s.node;
    }
  }

  // Starts fetching the slot where Find(key) begins into the cache.
  void Prefetch(std::string_view key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Hash(key) & (slots_.size() - 1)]);
  }

  // REQUIRES: no node with node->first is indexed.
  void Insert(Node* node) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Place(Slot{Hash(node->first), node});
    ++size_;
  }

  // Removes the node with `key`, if indexed.
  void Erase(std::string_view key) {
    if (slots_.empty()) return;
    const size_t hash = Hash(key);
    const size_t mask = slots_.size() - 1;
    size_t hole = hash & mask;
    while (true) {
      const Slot& s = slots_[hole];
      if (s.node == nullptr) return;
      if (s.hash == hash && std::string_view(s.node->first) == key) break;
      hole = (hole + 1) & mask;
    }
    // Backward shift: each following slot moves into the hole unless its home lies cyclically
    // after the hole (then it is already as close to home as it can be).
    for (size_t next = (hole + 1) & mask; slots_[next].node != nullptr; next = (next + 1) & mask) {
      const size_t home = slots_[next].hash & mask;
      const bool movable = hole <= next ? (home <= hole || home > next)
                                        : (home <= hole && home > next);
      if (movable) {
        slots_[hole] = slots_[next];
        hole = next;
      }
    }
    slots_[hole] = Slot{};
    --size_;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    size_t hash = 0;
    Node* node = nullptr;  // null: empty
  };

  static size_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  void Place(const Slot& slot) {
    const size_t mask = slots_.size() - 1;
    size_t i = slot.hash & mask;
    while (slots_[i].node != nullptr) i = (i + 1) & mask;
    slots_[i] = slot;
  }

  void Grow() {
    std::vector<Slot> old(slots_.empty() ? kSlotsMin : slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.node != nullptr) Place(s);
    }
  }

  static constexpr size_t kSlotsMin = 16;
  std::vector<Slot> slots_;  // empty, or a power of two in size
  size_t size_ = 0;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_KEY_INDEX_H_
