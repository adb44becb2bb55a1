// The object type behind kt::Json: an object's members in one array sorted by key, in place of
// std::map's one heap node per member. Iteration order is std::map's (keys by byte value), so
// serialization, comparison and hashing are unchanged. A lookup scans a small object (at most
// 8 members) and bisects a larger one, over adjacent memory; copying an object is one
// allocation, and so is freeing it.
//
// The price is std::vector's rule on references: inserting a member into an object, or erasing
// one from it, invalidates every reference, pointer and iterator to that object's members. Take a
// member's reference after the last insert into its parent, or look it up again. (Members of
// other objects, nested ones included, are unaffected: they live in their own arrays.)
// KT_JSON_OBJECT_MAP_CHECKED (set in fuzz builds, which run under AddressSanitizer) makes every
// insert and erase move the members to a fresh array, so that AddressSanitizer reports a stale
// reference the first time it is used instead of letting it read a shifted neighbour.
#ifndef KT_BASE_JSON_OBJECT_MAP_H_
#define KT_BASE_JSON_OBJECT_MAP_H_

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace kt {

// Byte-wise three-way comparison of object keys (std::string_view's order), written out so that
// it stays inline: keys are short and mostly differ in their first bytes, where a call into the
// C library's memcmp costs more than the comparison itself. Eight bytes at a time (read as
// big-endian words, whose order is the bytes' order), then byte by byte: a lookup that finds its
// key compares it whole, and Kubernetes keys ("resourceVersion", "ownerReferences") are long.
inline int CompareKeys(std::string_view a, std::string_view b) noexcept {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) {
      if constexpr (std::endian::native == std::endian::little) {
        x = __builtin_bswap64(x);
        y = __builtin_bswap64(y);
      }
      return x < y ? -1 : 1;
    }
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) {
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
    }
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// Byte equality of two keys (or string values), lengths first: most keys differ in length.
// Eight bytes at a time, the last eight overlapping the ones before (no byte loop for the
// tail); a key of 4-7 bytes is two overlapping four-byte words.
inline bool SameText(std::string_view a, std::string_view b) noexcept {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a.data() + n - 8, 8);
    std::memcpy(&y, b.data() + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x, y, u, v;
    std::memcpy(&x, a.data(), 4);
    std::memcpy(&y, b.data(), 4);
    std::memcpy(&u, a.data() + n - 4, 4);
    std::memcpy(&v, b.data() + n - 4, 4);
    return x == y && u == v;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// The template signature is the one nlohmann::basic_json expects of its ObjectType; the
// comparator and allocator it passes are replaced by byte-wise key order and std::allocator.
template <class Key, class T, class IgnoredLess, class IgnoredAllocator>
class JsonObjectMap : public std::vector<std::pair<Key, T>> {
  using Base = std::vector<std::pair<Key, T>>;

 public:
  using key_type = Key;
  using mapped_type = T;
  using key_compare = std::less<>;
  using value_type = typename Base::value_type;
  using size_type = typename Base::size_type;
  using iterator = typename Base::iterator;
  using const_iterator = typename Base::const_iterator;

  JsonObjectMap() = default;
  // Any range of (key, value) pairs, sorted or not; the first of duplicate keys wins, as for
  // std::map's range constructor.
  template <std::input_iterator It>
  JsonObjectMap(It first, It last) {
    if constexpr (std::forward_iterator<It>) Base::reserve(std::distance(first, last));
    insert(first, last);
  }
  JsonObjectMap(std::initializer_list<value_type> init) : JsonObjectMap(init.begin(), init.end()) {}

  template <class K>
    requires std::convertible_to<const K&, std::string_view>
  iterator find(const K& key) {
    const std::string_view k(key);
    if (Base::size() <= kLinearFindMax) {
      // A short scan on the key's length first: most keys differ in length, so this is a few
      // predictable branches where a binary search's are not.
      for (auto it = Base::begin(); it != Base::end(); ++it) {
        if (SameText(it->first, k)) return it;
      }
      return Base::end();
    }
    const auto [it, found] = Search(k);
    return found ? it : Base::end();
  }
  template <class K>
    requires std::convertible_to<const K&, std::string_view>
  const_iterator find(const K& key) const {
    return const_cast<JsonObjectMap*>(this)->find(key);
  }

  template <class K>
    requires std::convertible_to<const K&, std::string_view>
  size_type count(const K& key) const {
    return find(key) == Base::end() ? 0 : 1;
  }

  template <class K>
    requires std::convertible_to<const K&, std::string_view>
  T& at(const K& key) {
    auto it = find(key);
    if (it == Base::end()) throw std::out_of_range("key not found");
    return it->second;
  }
  template <class K>
    requires std::convertible_to<const K&, std::string_view>
  const T& at(const K& key) const {
    return const_cast<JsonObjectMap*>(this)->at(key);
  }

  // Inserts (key, T(args...)) unless the key is present; like std::map::try_emplace.
  template <class K, class... Args>
    requires std::convertible_to<const K&, std::string_view>
  std::pair<iterator, bool> emplace(K&& key, Args&&... args) {
    const std::string_view k(key);
    auto it = Base::end();
    // Parsed and built objects mostly arrive in key order: appending needs no search.
    if (!Base::empty() && CompareKeys(Base::back().first, k) >= 0) {
      bool found = false;
      std::tie(it, found) = Search(k);
      if (found) return {it, false};
    }
    const auto index = it - Base::begin();
    Reallocate();
    it = Base::emplace(Base::begin() + index, std::piecewise_construct,
                       std::forward_as_tuple(std::forward<K>(key)),
                       std::forward_as_tuple(std::forward<Args>(args)...));
    return {it, true};
  }

  std::pair<iterator, bool> insert(const value_type& member) {
    return emplace(member.first, member.second);
  }
  std::pair<iterator, bool> insert(value_type&& member) {
    return emplace(std::move(member.first), std::move(member.second));
  }
  template <std::input_iterator It>
  void insert(It first, It last) {
    for (; first != last; ++first) emplace(first->first, first->second);
  }

  template <class K>
    requires std::convertible_to<const K&, std::string_view>
  T& operator[](K&& key) {
    return emplace(std::forward<K>(key)).first->second;
  }

  template <class K>
    requires std::convertible_to<const K&, std::string_view>
  size_type erase(const K& key) {
    auto it = find(key);
    if (it == Base::end()) return 0;
    erase(it);
    return 1;
  }
  iterator erase(const_iterator pos) { return erase(pos, std::next(pos)); }
  iterator erase(iterator pos) { return erase(const_iterator(pos)); }
  iterator erase(const_iterator first, const_iterator last) {
    const auto index = first - Base::cbegin();
    const auto count = last - first;
    Reallocate();
    return Base::erase(Base::cbegin() + index, Base::cbegin() + index + count);
  }

 private:
  // Objects with at most this many members are searched front to back by find().
  static constexpr size_t kLinearFindMax = 8;

  // The first member whose key is not less than k, and whether its key is k.
  std::pair<iterator, bool> Search(std::string_view k) {
    auto first = Base::begin();
    auto count = Base::size();
    while (count > 0) {
      const auto half = count / 2;
      const auto mid = first + half;
      const int c = CompareKeys(mid->first, k);
      if (c == 0) return {mid, true};  // keys are unique
      if (c < 0) {
        first = mid + 1;
        count -= half + 1;
      } else {
        count = half;
      }
    }
    return {first, false};
  }

  // In checked builds, moves the members to a fresh array before every insert and erase, so
  // that the old one is freed and any reference still held into it is caught on its next use.
  void Reallocate() {
#ifdef KT_JSON_OBJECT_MAP_CHECKED
    Base moved;
    moved.reserve(Base::size() + 1);
    for (auto& member : *this) moved.push_back(std::move(member));
    Base::swap(moved);
#endif
  }
};

}  // namespace kt

#endif  // KT_BASE_JSON_OBJECT_MAP_H_
