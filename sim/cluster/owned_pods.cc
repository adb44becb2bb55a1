#include "sim/cluster/owned_pods.h"

#include <utility>

#include "api/object.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

Informer::Handlers OwnedPods::OwnerHandlers(std::function<void(const std::string& key)> enqueue,
                                            bool labels_matter,
                                            std::function<void(const JsonPtr& owner)> deleted) {
  return {[this, enqueue](const JsonPtr& o) {
            key_by_uid_[api::Uid(*o)] = Informer::KeyOf(*o);
            enqueue(Informer::KeyOf(*o));
          },
          [enqueue, labels_matter](const JsonPtr& old_o, const JsonPtr& o) {
            if (api::Generation(*old_o) == api::Generation(*o) &&
                api::IsDeleting(*old_o) == api::IsDeleting(*o) &&
                (!labels_matter || api::GetLabels(*old_o) == api::GetLabels(*o))) {
              return;
            }
            enqueue(Informer::KeyOf(*o));
          },
          [this, deleted = std::move(deleted)](const JsonPtr& o) {
            key_by_uid_.erase(api::Uid(*o));
            expectations_.Forget(Informer::KeyOf(*o));
            if (deleted) deleted(o);
          }};
}

Informer::Handlers OwnedPods::PodHandlers(
    std::function<void(const std::string& owner_key)> enqueue,
    std::function<void(const JsonPtr& pod, bool deleted)> unowned) {
  auto on_pod = [this, enqueue = std::move(enqueue), unowned = std::move(unowned)](
                    const JsonPtr& p, bool deleted) {
    const std::string owner = ControllerUid(*p);
    if (owner.empty()) return;
    auto it = key_by_uid_.find(owner);
    if (it == key_by_uid_.end()) {
      if (unowned) unowned(p, deleted);
      return;
    }
    const std::string name = api::Name(*p);
    if (deleted || IsPodDeleting(*p)) expectations_.Deleted(it->second, name);
    if (!deleted) expectations_.Created(it->second, name);
    enqueue(it->second);
  };
  return {[on_pod](const JsonPtr& p) { on_pod(p, false); },
          [on_pod](const JsonPtr&, const JsonPtr& p) { on_pod(p, false); },
          [on_pod](const JsonPtr& p) { on_pod(p, true); }};
}

bool OwnedPods::HasKnownOwner(const Json& pod) const {
  return key_by_uid_.count(ControllerUid(pod)) != 0;
}

}  // namespace kt::sim::cluster
