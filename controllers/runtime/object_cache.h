// ObjectCache: the informer's store, an indexed map from "namespace/name" to an immutable
// object snapshot (client-go's thread-safe store + indexer).
//
// Ownership rule: objects are held as std::shared_ptr<const Json>. A reader gets a snapshot
// that stays valid and unchanged for as long as it holds the pointer, even after the cache
// has moved on (an update replaces the pointer; nothing is mutated in place). To change an
// object, copy it (`Json copy = *obj;`) and write the copy through the KubeClient.
//
// Indexes: "namespace" is built in; AddIndex registers a function mapping an object to the
// index values it should be found under (a label's value, owner uids, ...). An index added
// after objects exist is built over them at once.
//
// Thread-safety: reads take a shared lock and may run on any thread; writes are the
// informer's (one writer) and take the exclusive lock.
#ifndef KT_CONTROLLERS_RUNTIME_OBJECT_CACHE_H_
#define KT_CONTROLLERS_RUNTIME_OBJECT_CACHE_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::ctrl {

using ObjectPtr = std::shared_ptr<const Json>;
using IndexFunc = std::function<std::vector<std::string>(const Json& obj)>;

inline constexpr std::string_view kNamespaceIndex = "namespace";

// Common index functions.
IndexFunc IndexByLabel(std::string label_key);   // the label's value, when present
IndexFunc IndexByOwnerUid();                     // every ownerReferences[].uid
IndexFunc IndexByControllerUid();                // the controller owner's uid

class ObjectCache {
 public:
  ObjectCache();

  // AlreadyExists when the name is taken.
  Status AddIndex(std::string name, IndexFunc fn);

  ObjectPtr Get(std::string_view key) const;  // null when absent
  std::vector<ObjectPtr> List() const;        // sorted by key
  std::vector<ObjectPtr> ListNamespace(std::string_view ns) const;
  // NotFound when no such index.
  Result<std::vector<ObjectPtr>> ByIndex(std::string_view index, std::string_view value) const;
  std::vector<std::string> Keys() const;
  size_t size() const;

  // Writer side. Each returns the previous object (null when there was none).
  ObjectPtr Upsert(ObjectPtr obj);
  ObjectPtr Remove(std::string_view key);
  // Replaces everything; `old_out` receives what was there.
  void Replace(std::map<std::string, ObjectPtr> objects, std::map<std::string, ObjectPtr>* old_out);

 private:
  struct Index {
    IndexFunc fn;
    std::map<std::string, std::set<std::string>, std::less<>> keys_by_value;
  };
  void IndexLocked(const std::string& key, const Json& obj);
  void UnindexLocked(const std::string& key, const Json& obj);

  mutable std::shared_mutex mu_;
  std::map<std::string, ObjectPtr, std::less<>> objects_;  // guarded by mu_
  std::map<std::string, Index, std::less<>> indexes_;       // guarded by mu_
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_OBJECT_CACHE_H_
