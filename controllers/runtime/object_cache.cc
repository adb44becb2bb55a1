#include "controllers/runtime/object_cache.h"

#include <mutex>

#include "api/object.h"
#include "base/json.h"

namespace kt::ctrl {

IndexFunc IndexByLabel(std::string label_key) {
  return [label_key = std::move(label_key)](const Json& obj) {
    std::vector<std::string> out;
    if (auto v = api::Label(obj, label_key)) out.push_back(*v);
    return out;
  };
}

IndexFunc IndexByOwnerUid() {
  return [](const Json& obj) {
    std::vector<std::string> out;
    for (const auto& ref : api::OwnerReferences(obj)) {
      if (!ref.uid.empty()) out.push_back(ref.uid);
    }
    return out;
  };
}

IndexFunc IndexByControllerUid() {
  return [](const Json& obj) {
    std::vector<std::string> out;
    if (auto ref = api::ControllerOf(obj); ref && !ref->uid.empty()) out.push_back(ref->uid);
    return out;
  };
}

ObjectCache::ObjectCache() {
  indexes_.emplace(std::string(kNamespaceIndex), Index{[](const Json& obj) {
                     return std::vector<std::string>{api::Namespace(obj)};
                   }, {}});
}

Status ObjectCache::AddIndex(std::string name, IndexFunc fn) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (indexes_.count(name)) return AlreadyExists("index \"" + name + "\" already exists");
  Index& index = indexes_.emplace(name, Index{std::move(fn), {}}).first->second;
  for (const auto& [key, obj] : objects_) {
    for (auto& v : index.fn(*obj)) index.keys_by_value[v].insert(key);
  }
  return Status::Ok();
}

ObjectPtr ObjectCache::Get(std::string_view key) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> ObjectCache::List() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [key, obj] : objects_) out.push_back(obj);
  return out;
}

std::vector<ObjectPtr> ObjectCache::ListNamespace(std::string_view ns) const {
  auto r = ByIndex(kNamespaceIndex, ns);
  return r.ok() ? std::move(r).value() : std::vector<ObjectPtr>{};
}

Result<std::vector<ObjectPtr>> ObjectCache::ByIndex(std::string_view index,
                                                    std::string_view value) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = indexes_.find(index);
  if (it == indexes_.end()) return NotFound("no index named \"" + std::string(index) + "\"");
  std::vector<ObjectPtr> out;
  auto vit = it->second.keys_by_value.find(value);
  if (vit == it->second.keys_by_value.end()) return out;
  for (const auto& key : vit->second) {
    auto oit = objects_.find(key);
    if (oit != objects_.end()) out.push_back(oit->second);
  }
  return out;
}

std::vector<std::string> ObjectCache::Keys() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [key, obj] : objects_) out.push_back(key);
  return out;
}

size_t ObjectCache::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return objects_.size();
}

void ObjectCache::IndexLocked(const std::string& key, const Json& obj) {
  for (auto& [name, index] : indexes_) {
    for (auto& v : index.fn(obj)) index.keys_by_value[v].insert(key);
  }
}

void ObjectCache::UnindexLocked(const std::string& key, const Json& obj) {
  for (auto& [name, index] : indexes_) {
    for (auto& v : index.fn(obj)) {
      auto it = index.keys_by_value.find(v);
      if (it == index.keys_by_value.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.keys_by_value.erase(it);
    }
  }
}

ObjectPtr ObjectCache::Upsert(ObjectPtr obj) {
  std::string key = api::KeyOf(*obj);
  std::unique_lock<std::shared_mutex> lock(mu_);
  ObjectPtr old;
  auto it = objects_.find(key);
  if (it != objects_.end()) {
    old = it->second;
    UnindexLocked(key, *old);
    it->second = obj;
  } else {
    objects_.emplace(key, obj);
  }
  IndexLocked(key, *obj);
  return old;
}

ObjectPtr ObjectCache::Remove(std::string_view key) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return nullptr;
  ObjectPtr old = it->second;
  UnindexLocked(it->first, *old);
  objects_.erase(it);
  return old;
}

void ObjectCache::Replace(std::map<std::string, ObjectPtr> objects,
                          std::map<std::string, ObjectPtr>* old_out) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (auto& [name, index] : indexes_) index.keys_by_value.clear();
  std::map<std::string, ObjectPtr, std::less<>> next(objects.begin(), objects.end());
  if (old_out) old_out->insert(objects_.begin(), objects_.end());
  objects_.swap(next);
  for (const auto& [key, obj] : objects_) IndexLocked(key, *obj);
}

}  // namespace kt::ctrl
