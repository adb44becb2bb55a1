// ObjectStore: the API server's storage. One ordered bucket per storage key (all served versions
// of a kind share one), objects keyed "namespace/name" (or "name" when cluster-scoped), held as
// shared immutable JSON so lists, watch events and snapshots share them without copying.
// A bucket is ordered for lists and prefix scans and hashed for the point lookups of every
// write (a 150k-object map costs ~18 string comparisons, each a cache miss at that size).
// Keeps one index in step with every Put/Erase: owner uid -> dependents (from
// metadata.ownerReferences), which the garbage collector reads. There is no uid index: the
// collector finds an owner as kube's does, by kind and name, then checks its uid.
//
// Owner: the ApiServer core. Thread-safety: none; the core's mutex guards it.
#ifndef KT_SIM_APISERVER_OBJECT_STORE_H_
#define KT_SIM_APISERVER_OBJECT_STORE_H_

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/json_fwd.h"
#include "sim/apiserver/key_index.h"

namespace kt::sim {

struct StoredObject {
  std::shared_ptr<const Json> object;
  uint64_t rv = 0;
  // Whether `object` has metadata.ownerReferences; set by Put, so that replacing or erasing
  // the object knows whether the owner index is involved without looking again.
  bool owned = false;
};

struct ObjectLocation {
  std::string storage_key;
  std::string key;
  auto operator<=>(const ObjectLocation&) const = default;
};

// "ns/name" or "name".
std::string StoreKey(std::string_view ns, std::string_view name);

class ObjectStore {
 public:
  using Bucket = std::map<std::string, StoredObject, std::less<>>;

  const Bucket* FindBucket(std::string_view storage_key) const;
  const StoredObject* Get(std::string_view storage_key, std::string_view key) const;
  // Starts fetching what Get(storage_key, key) reads first (a hint; no effect on results).
  void Prefetch(std::string_view storage_key, std::string_view key) const;
  // Inserts or replaces; returns the object replaced (null on insert).
  std::shared_ptr<const Json> Put(const std::string& storage_key, const std::string& key,
                                  StoredObject stored);
  void Erase(std::string_view storage_key, std::string_view key);

  // Objects whose ownerReferences name `owner_uid` (empty when none).
  std::vector<ObjectLocation> Dependents(std::string_view owner_uid) const;
  // Storage keys with at least one object, in order.
  std::vector<std::string> StorageKeys() const;
  // The objects of a bucket within namespace `ns` ("" = all), in key order.
  template <typename Fn>
  void ForEachIn(std::string_view storage_key, std::string_view ns, Fn&& fn) const;

  size_t size() const { return size_; }

 private:
  // One storage key's objects: `ordered` owns them; `by_key` points at its nodes (whose keys
  // and values never move while they are in the map).
  struct Shelf {
    Bucket ordered;
    KeyIndex<Bucket::value_type> by_key;
  };

  const Shelf* FindShelf(std::string_view storage_key) const;
  void IndexOwners(const ObjectLocation& loc, const Json* before, const Json* after);

  std::map<std::string, Shelf, std::less<>> shelves_;
  std::unordered_map<std::string, std::set<ObjectLocation>> dependents_;
  size_t size_ = 0;
};

template <typename Fn>
void ObjectStore::ForEachIn(std::string_view storage_key, std::string_view ns, Fn&& fn) const {
  const Bucket* b = FindBucket(storage_key);
  if (b == nullptr) return;
  if (ns.empty()) {
    for (const auto& [k, v] : *b) fn(k, v);
    return;
  }
  std::string prefix(ns);
  prefix += '/';
  for (auto it = b->lower_bound(prefix); it != b->end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    fn(it->first, it->second);
  }
}

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_OBJECT_STORE_H_
