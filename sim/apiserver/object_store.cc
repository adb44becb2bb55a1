#include "sim/apiserver/object_store.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"

namespace kt::sim {

std::string StoreKey(std::string_view ns, std::string_view name) { return api::Key(ns, name); }

const ObjectStore::Shelf* ObjectStore::FindShelf(std::string_view storage_key) const {
  auto it = shelves_.find(storage_key);
  return it == shelves_.end() ? nullptr : &it->second;
}

const ObjectStore::Bucket* ObjectStore::FindBucket(std::string_view storage_key) const {
  const Shelf* s = FindShelf(storage_key);
  return s == nullptr ? nullptr : &s->ordered;
}

const StoredObject* ObjectStore::Get(std::string_view storage_key, std::string_view key) const {
  const Shelf* s = FindShelf(storage_key);
  if (s == nullptr) return nullptr;
  const Bucket::value_type* entry = s->by_key.Find(key);
  return entry == nullptr ? nullptr : &entry->second;
}

void ObjectStore::Prefetch(std::string_view storage_key, std::string_view key) const {
  if (const Shelf* s = FindShelf(storage_key)) s->by_key.Prefetch(key);
}

namespace {
std::vector<std::string> OwnerUids(const Json* obj) {
  std::vector<std::string> out;
  if (obj == nullptr) return out;
  const Json* refs = api::MetaField(*obj, "ownerReferences");
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

std::shared_ptr<const Json> ObjectStore::Put(const std::string& storage_key, const std::string& key,
                                             StoredObject stored) {
  auto sit = shelves_.try_emplace(storage_key).first;
  Shelf& shelf = sit->second;
  Bucket::value_type* entry = shelf.by_key.Find(key);
  // Moved out, not copied (its count is shared across threads, so every copy is an atomic
  // increment); alive at least until the indexes are updated.
  std::shared_ptr<const Json> replaced =
      entry != nullptr ? std::move(entry->second.object) : nullptr;
  const Json* before = replaced.get();
  const Json* after = stored.object.get();
  const bool owned_before = entry != nullptr && entry->second.owned;
  stored.owned = api::MetaField(*after, "ownerReferences") != nullptr;
  const bool owners_involved = owned_before || stored.owned;
  if (entry == nullptr) {
    entry = &*shelf.ordered.emplace(key, std::move(stored)).first;
    shelf.by_key.Insert(entry);
    ++size_;
  } else {
    entry->second = std::move(stored);
  }
  if (owners_involved) IndexOwners(ObjectLocation{storage_key, key}, before, after);
  return replaced;
}

void ObjectStore::Erase(std::string_view storage_key, std::string_view key) {
  auto sit = shelves_.find(storage_key);
  if (sit == shelves_.end()) return;
  Shelf& shelf = sit->second;
  auto it = shelf.ordered.find(key);
  if (it == shelf.ordered.end()) return;
  if (it->second.owned) {
    IndexOwners(ObjectLocation{std::string(storage_key), std::string(key)},
                it->second.object.get(), nullptr);
  }
  shelf.by_key.Erase(it->first);
  shelf.ordered.erase(it);
  --size_;
  if (shelf.ordered.empty()) shelves_.erase(sit);
}

std::vector<ObjectLocation> ObjectStore::Dependents(std::string_view owner_uid) const {
  auto it = dependents_.find(std::string(owner_uid));
  if (it == dependents_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> ObjectStore::StorageKeys() const {
  std::vector<std::string> out;
  out.reserve(shelves_.size());
  for (const auto& [k, v] : shelves_) out.push_back(k);
  return out;
}

}  // namespace kt::sim
