// Core: the garbage collector (kube-controller-manager's, run in-process). Owner references are
// indexed by the store; work items are processed on the Env loop after the write that caused
// them, so dependents disappear shortly after their owner, as on a cluster:
//   background  the owner goes at once; dependents whose owners are all gone are deleted;
//   foreground  the owner keeps a deletionTimestamp and the foregroundDeletion finalizer until
//               every dependent with blockOwnerDeletion=true is gone;
//   orphan      the orphan finalizer: dependents lose their ownerReference, then the owner goes.
// Dependents that still have another live owner only lose the reference to the gone one.
#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "sim/apiserver/core.h"

namespace kt::sim {

namespace {
constexpr char kForeground[] = "foregroundDeletion";
constexpr char kOrphan[] = "orphan";
constexpr size_t kWorkItemsPerRunMax = 100'000;

bool OwnerRefsDiffer(const Json* a, const Json* b) {
  const Json* ra = a ? api::MetaField(*a, "ownerReferences") : nullptr;
  const Json* rb = b ? api::MetaField(*b, "ownerReferences") : nullptr;
  if (ra == nullptr || rb == nullptr) return (ra == nullptr) != (rb == nullptr);
  return *ra != *rb;
}
}  // namespace

void Core::EnqueueLocked(WorkItem item) {
  if (shut_down_) return;
  KT_CHECK_LT(work_.size(), options_.controller_queue_items_max);
  work_.push_back(std::move(item));
  if (work_scheduled_) return;
  work_scheduled_ = true;
  std::weak_ptr<Core> weak = weak_from_this();
  env_.Post([weak] {
    if (auto core = weak.lock()) core->RunControllers();
  });
}

void Core::RunControllers() {
  std::lock_guard<std::mutex> lock(mu_);
  work_scheduled_ = false;
  if (shut_down_) return;
  for (size_t n = 0; n < kWorkItemsPerRunMax && !work_.empty(); ++n) {
    WorkItem item = std::move(work_.front());
    work_.pop_front();
    ProcessLocked(item);
  }
  if (!work_.empty() && !work_scheduled_) {
    work_scheduled_ = true;
    std::weak_ptr<Core> weak = weak_from_this();
    env_.Post([weak] {
      if (auto core = weak.lock()) core->RunControllers();
    });
  }
}

void Core::ProcessLocked(const WorkItem& item) {
  switch (item.kind) {
    case WorkItem::kAttemptDependent: GcAttemptDependentLocked(item.loc); break;
    case WorkItem::kForegroundOwner: GcForegroundOwnerLocked(item.loc, item.name); break;
    case WorkItem::kOrphanOwner: GcOrphanOwnerLocked(item.loc, item.name); break;
    case WorkItem::kNamespace: NamespaceCleanupLocked(item.name); break;
    case WorkItem::kCrdCleanup: CrdCleanupLocked(item.name); break;
  }
}

void Core::InternalUpdateLocked(const ObjectLocation& loc, const std::function<bool(Json&)>& mutate) {
  const StoredObject* so = store_.Get(loc.storage_key, loc.key);
  if (so == nullptr) return;
  const ResourceType* type = TypeForStorageLocked(loc.storage_key);
  if (type == nullptr) return;
  Json obj = *so->object;
  if (!mutate(obj)) return;
  CommitUpdateLocked(*type, loc.key, std::move(obj));
}

const ResourceType* Core::OwnerTypeLocked(const api::OwnerReference& ref) const {
  auto gv = api::ParseApiVersion(ref.api_version);
  if (!gv.ok()) return nullptr;
  return types_.FindByKind({gv->first, gv->second, ref.kind});
}

const Json* Core::FindOwnerLocked(const ResourceType& type, const api::OwnerReference& ref,
                                  std::string_view dependent_ns, ObjectLocation* where) const {
  ObjectLocation loc{type.storage_key, api::Key(type.namespaced ? dependent_ns : "", ref.name)};
  const Json* owner = OwnerAtLocked(loc, ref.uid);
  if (owner != nullptr && where != nullptr) *where = std::move(loc);
  return owner;
}

const Json* Core::OwnerAtLocked(const ObjectLocation& loc, std::string_view uid) const {
  const StoredObject* so = store_.Get(loc.storage_key, loc.key);
  if (so == nullptr || GetStringView(*so->object, "metadata.uid") != uid) return nullptr;
  return so->object.get();
}

void Core::GcAfterCommitLocked(const ResourceType& type, const Json* old, const Json* now) {
  if (now != nullptr) {
    const bool refs_changed = OwnerRefsDiffer(old, now);
    const bool deleting = api::IsDeleting(*now);
    if (!refs_changed && !deleting) return;
    const std::string ns = api::Namespace(*now);
    ObjectLocation loc{type.storage_key, StoreKey(ns, api::Name(*now))};
    if (refs_changed && api::MetaField(*now, "ownerReferences") != nullptr) {
      EnqueueLocked({WorkItem::kAttemptDependent, loc, ""});
    }
    if (deleting) {
      const bool was_deleting = old != nullptr && api::IsDeleting(*old);
      if (api::HasFinalizer(*now, kForeground) &&
          (!was_deleting || !api::HasFinalizer(*old, kForeground))) {
        EnqueueLocked({WorkItem::kForegroundOwner, loc, api::Uid(*now)});
      }
      if (api::HasFinalizer(*now, kOrphan) && (!was_deleting || !api::HasFinalizer(*old, kOrphan))) {
        EnqueueLocked({WorkItem::kOrphanOwner, loc, api::Uid(*now)});
      }
    }
    // A dependent that dropped an owner (or its blockOwnerDeletion) may unblock that owner.
    if (old != nullptr && refs_changed) EnqueueForegroundOwnersLocked(*old, ns);
    return;
  }
  // Removed (`old` is the final state).
  for (auto& dep : store_.Dependents(api::Uid(*old))) {
    EnqueueLocked({WorkItem::kAttemptDependent, std::move(dep), ""});
  }
  EnqueueForegroundOwnersLocked(*old, api::Namespace(*old));
}

void Core::EnqueueForegroundOwnersLocked(const Json& dependent, std::string_view ns) {
  for (const auto& ref : api::OwnerReferences(dependent)) {
    const ResourceType* type = OwnerTypeLocked(ref);
    if (type == nullptr) continue;
    ObjectLocation loc;
    const Json* owner = FindOwnerLocked(*type, ref, ns, &loc);
    if (owner != nullptr && api::HasFinalizer(*owner, kForeground)) {
      EnqueueLocked({WorkItem::kForegroundOwner, std::move(loc), ref.uid});
    }
  }
}

void Core::GcAttemptDependentLocked(const ObjectLocation& loc) {
  const StoredObject* so = store_.Get(loc.storage_key, loc.key);
  if (so == nullptr) return;
  const Json& obj = *so->object;
  if (api::IsDeleting(obj)) return;
  auto refs = api::OwnerReferences(obj);
  if (refs.empty()) return;
  const std::string dep_ns = api::Namespace(obj);
  std::vector<std::string> solid, gone, waiting;
  for (const auto& ref : refs) {
    // An owner whose kind the server does not serve cannot be looked up: kube's collector
    // leaves such a dependent alone rather than take the owner for gone.
    const ResourceType* type = OwnerTypeLocked(ref);
    if (type == nullptr) return;
    // A namespaced owner is looked for in the dependent's namespace only: one elsewhere (or a
    // namespaced owner of a cluster-scoped dependent) counts as absent.
    const Json* owner = FindOwnerLocked(*type, ref, dep_ns);
    if (owner == nullptr) gone.push_back(ref.uid);
    else if (api::IsDeleting(*owner) && api::HasFinalizer(*owner, kForeground)) {
      waiting.push_back(ref.uid);
    } else {
      solid.push_back(ref.uid);
    }
  }
  if (!solid.empty()) {
    if (gone.empty() && waiting.empty()) return;
    std::vector<std::string> drop = gone;
    drop.insert(drop.end(), waiting.begin(), waiting.end());
    InternalUpdateLocked(loc, [&](Json& o) {
      Json& list = o["metadata"]["ownerReferences"];
      Json kept = Json::array();
      for (const auto& r : list) {
        if (std::find(drop.begin(), drop.end(), GetString(r, "uid")) == drop.end()) kept.push_back(r);
      }
      list = std::move(kept);
      return true;
    });
    return;
  }
  const ResourceType* type = TypeForStorageLocked(loc.storage_key);
  if (type == nullptr) return;
  api::PropagationPolicy policy = api::PropagationPolicy::kDefault;
  if (!waiting.empty()) {
    policy = store_.Dependents(api::Uid(obj)).empty() ? api::PropagationPolicy::kBackground
                                                      : api::PropagationPolicy::kForeground;
  }
  auto r = DeleteLocked(*type, loc.key, policy, std::nullopt, false);
  if (!r.ok()) {
    KT_LOG(WARNING) << "garbage collector: deleting " << loc.key << ": " << r.status().ToString();
  }
}

void Core::GcForegroundOwnerLocked(const ObjectLocation& owner_loc, const std::string& uid) {
  const Json* owner = OwnerAtLocked(owner_loc, uid);
  if (owner == nullptr || !api::IsDeleting(*owner) || !api::HasFinalizer(*owner, kForeground)) {
    return;
  }
  bool blocked = false;
  for (auto& dep : store_.Dependents(uid)) {
    const StoredObject* ds = store_.Get(dep.storage_key, dep.key);
    if (ds == nullptr) continue;
    for (const auto& ref : api::OwnerReferences(*ds->object)) {
      if (ref.uid == uid && ref.block_owner_deletion) blocked = true;
    }
    if (!api::IsDeleting(*ds->object)) EnqueueLocked({WorkItem::kAttemptDependent, dep, ""});
  }
  if (blocked) return;
  InternalUpdateLocked(owner_loc, [](Json& o) { return api::RemoveFinalizer(o, kForeground); });
}

void Core::GcOrphanOwnerLocked(const ObjectLocation& owner_loc, const std::string& uid) {
  const Json* owner = OwnerAtLocked(owner_loc, uid);
  if (owner == nullptr || !api::IsDeleting(*owner) || !api::HasFinalizer(*owner, kOrphan)) {
    return;
  }
  for (const auto& dep : store_.Dependents(uid)) {
    InternalUpdateLocked(dep, [&](Json& o) {
      Json& list = o["metadata"]["ownerReferences"];
      Json kept = Json::array();
      for (const auto& r : list) {
        if (GetString(r, "uid") != uid) kept.push_back(r);
      }
      if (kept.empty()) o["metadata"].erase("ownerReferences");
      else list = std::move(kept);
      return true;
    });
  }
  InternalUpdateLocked(owner_loc, [](Json& o) { return api::RemoveFinalizer(o, kOrphan); });
}

}  // namespace kt::sim
