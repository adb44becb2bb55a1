#include "sim/apiserver/object_store.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"

namespace kt::sim {

std::string StoreKey(std::string_view ns, std::string_view name) {
  if (ns.empty()) return std::string(name);
  std::string k;
  k.reserve(ns.size() + name.size() + 1);
  k += ns;
  k += '/';
  k += name;
  return k;
}

const ObjectStore::Bucket* ObjectStore::FindBucket(std::string_view storage_key) const {
  auto it = buckets_.find(storage_key);
  return it == buckets_.end() ? nullptr : &it->second;
}

const StoredObject* ObjectStore::Get(std::string_view storage_key, std::string_view key) const {
  const Bucket* b = FindBucket(storage_key);
  if (b == nullptr) return nullptr;
  auto it = b->find(key);
  return it == b->end() ? nullptr : &it->second;
}

namespace {
std::vector<std::string> OwnerUids(const Json* obj) {
  std::vector<std::string> out;
  if (obj == nullptr) return out;
  const Json* refs = FindPath(*obj, "metadata.ownerReferences");
  if (refs == nullptr || !refs->is_array()) return out;
  for (const auto& r : *refs) {
    std::string uid = GetString(r, "uid");
    if (!uid.empty()) out.push_back(std::move(uid));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}
}  // namespace

void ObjectStore::IndexOwners(const ObjectLocation& loc, const Json* before, const Json* after) {
  std::vector<std::string> old_uids = OwnerUids(before);
  std::vector<std::string> new_uids = OwnerUids(after);
  if (old_uids == new_uids) return;
  for (const auto& u : old_uids) {
    if (std::binary_search(new_uids.begin(), new_uids.end(), u)) continue;
    auto it = dependents_.find(u);
    if (it == dependents_.end()) continue;
    it->second.erase(loc);
    if (it->second.empty()) dependents_.erase(it);
  }
  for (const auto& u : new_uids) {
    if (std::binary_search(old_uids.begin(), old_uids.end(), u)) continue;
    dependents_[u].insert(loc);
  }
}

void ObjectStore::Put(const std::string& storage_key, const std::string& key, StoredObject stored) {
  Bucket& b = buckets_[storage_key];
  auto it = b.find(key);
  const Json* before = nullptr;
  std::shared_ptr<const Json> keep;
  if (it != b.end()) {
    keep = it->second.object;
    before = keep.get();
  }
  const Json* after = stored.object.get();
  std::string old_uid = before ? api::Uid(*before) : "";
  std::string new_uid = api::Uid(*after);
  bool indexes_needed = before == nullptr || old_uid != new_uid ||
                        FindPath(*before, "metadata.ownerReferences") != nullptr ||
                        FindPath(*after, "metadata.ownerReferences") != nullptr;
  if (indexes_needed) {
    ObjectLocation loc{storage_key, key};
    IndexOwners(loc, before, after);
    if (old_uid != new_uid) {
      if (!old_uid.empty()) by_uid_.erase(old_uid);
      if (!new_uid.empty()) by_uid_[new_uid] = loc;
    }
  }
  if (it == b.end()) {
    b.emplace(key, std::move(stored));
    ++size_;
  } else {
    it->second = std::move(stored);
  }
}

void ObjectStore::Erase(std::string_view storage_key, std::string_view key) {
  auto bit = buckets_.find(storage_key);
  if (bit == buckets_.end()) return;
  auto it = bit->second.find(key);
  if (it == bit->second.end()) return;
  const Json* before = it->second.object.get();
  ObjectLocation loc{std::string(storage_key), std::string(key)};
  IndexOwners(loc, before, nullptr);
  std::string uid = api::Uid(*before);
  if (!uid.empty()) by_uid_.erase(uid);
  bit->second.erase(it);
  --size_;
  if (bit->second.empty()) buckets_.erase(bit);
}

const ObjectLocation* ObjectStore::FindUid(std::string_view uid) const {
  auto it = by_uid_.find(std::string(uid));
  return it == by_uid_.end() ? nullptr : &it->second;
}

std::vector<ObjectLocation> ObjectStore::Dependents(std::string_view owner_uid) const {
  auto it = dependents_.find(std::string(owner_uid));
  if (it == dependents_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> ObjectStore::StorageKeys() const {
  std::vector<std::string> out;
  out.reserve(buckets_.size());
  for (const auto& [k, v] : buckets_) out.push_back(k);
  return out;
}

}  // namespace kt::sim
