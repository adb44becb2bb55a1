// Core: namespace lifecycle (kube-controller-manager's namespace controller, in-process).
// A Namespace is created Active with the "kubernetes" spec finalizer; deleting it marks it
// Terminating, after which its contents are deleted (finalizers and grace periods respected)
// and, once nothing is left in it, the spec finalizer goes and the Namespace with it. Creating
// in a missing namespace is 404, in a terminating one 403.
#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "sim/apiserver/core.h"

namespace kt::sim {

Status Core::CheckNamespaceForCreateLocked(const std::string& ns) const {
  const StoredObject* so = store_.Get(namespaces_->storage_key, ns);
  if (so == nullptr) return NotFound("namespaces \"" + ns + "\" not found");
  if (api::IsDeleting(*so->object)) {
    return Forbidden("unable to create new content in namespace " + ns +
                     " because it is being terminated");
  }
  return Status::Ok();
}

void Core::NamespaceAfterCommitLocked(const ResourceType& type, const Json* old, const Json* now) {
  if (type.gvr.group.empty() && type.gvr.resource == "namespaces") {
    if (now != nullptr && api::IsDeleting(*now) && (old == nullptr || !api::IsDeleting(*old))) {
      std::string name = api::Name(*now);
      if (namespaces_queued_.insert(name).second) EnqueueLocked({WorkItem::kNamespace, {}, name});
    }
    return;
  }
  if (now != nullptr || !type.namespaced || old == nullptr) return;
  // Something left a namespace: if it is terminating, it may be empty now.
  std::string ns = api::Namespace(*old);
  const StoredObject* so = store_.Get(namespaces_->storage_key, ns);
  if (so != nullptr && api::IsDeleting(*so->object) && namespaces_queued_.insert(ns).second) {
    EnqueueLocked({WorkItem::kNamespace, {}, ns});
  }
}

void Core::NamespaceCleanupLocked(const std::string& ns) {
  namespaces_queued_.erase(ns);
  const StoredObject* so = store_.Get(namespaces_->storage_key, ns);
  if (so == nullptr || !api::IsDeleting(*so->object)) return;
  bool remaining = false;
  for (const std::string& sk : store_.StorageKeys()) {
    const ResourceType* type = TypeForStorageLocked(sk);
    if (type == nullptr || !type->namespaced) continue;
    std::vector<std::string> keys;
    store_.ForEachIn(sk, ns, [&](const std::string& k, const StoredObject&) { keys.push_back(k); });
    for (const auto& k : keys) {
      const StoredObject* o = store_.Get(sk, k);
      if (o == nullptr) continue;
      if (!api::IsDeleting(*o->object)) {
        auto r = DeleteLocked(*type, k, api::PropagationPolicy::kBackground, std::nullopt, false);
        if (!r.ok()) {
          KT_LOG(WARNING) << "namespace controller: deleting " << k << ": " << r.status().ToString();
        }
      }
      if (store_.Get(sk, k) != nullptr) remaining = true;
    }
  }
  if (remaining) return;  // re-queued when the last of them goes
  InternalUpdateLocked(ObjectLocation{namespaces_->storage_key, ns}, [](Json& o) {
    Json* sf = o.contains("spec") ? &o["spec"] : nullptr;
    if (sf == nullptr || !sf->contains("finalizers")) return false;
    Json kept = Json::array();
    for (const auto& f : (*sf)["finalizers"]) {
      if (f != "kubernetes") kept.push_back(f);
    }
    (*sf)["finalizers"] = std::move(kept);
    return true;
  });
}

}  // namespace kt::sim
