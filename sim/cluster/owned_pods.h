// OwnedPods: what a pod-owning controller (ReplicaSet, StatefulSet, Job) keeps of its owners
// and their pods, as kube-controller-manager's controllers do: each owner's key by uid, so a
// pod event finds its controller through the pod's controller reference, and the owner's
// expectations, which every pod event settles.
//
// Thread-safety: as its controller (the ClusterLoop's lock).
#ifndef KT_SIM_CLUSTER_OWNED_PODS_H_
#define KT_SIM_CLUSTER_OWNED_PODS_H_

#include <functional>
#include <map>
#include <string>

#include "sim/cluster/controller_util.h"
#include "sim/cluster/informer.h"

namespace kt::sim::cluster {

class OwnedPods {
 public:
  // Handlers for the owners' informer. Add and delete keep the uid -> key map (delete forgets
  // the owner's expectations too); `enqueue` gets the key of an owner that was added or whose
  // generation, deletion or (with `labels_matter`) labels changed: a status-only change is the
  // controller's own write. `deleted`, if set, sees each deleted owner after that.
  Informer::Handlers OwnerHandlers(std::function<void(const std::string& key)> enqueue,
                                   bool labels_matter = false,
                                   std::function<void(const JsonPtr& owner)> deleted = {});

  // Handlers for the pods' informer. A pod whose controller is a known owner settles that
  // owner's expectations (seen created; seen deleted once it is being deleted or gone) and its
  // owner's key goes to `enqueue`; pods whose controller is not (or no longer) known go to
  // `unowned`, if set. Pods without a controller reference are ignored.
  Informer::Handlers PodHandlers(
      std::function<void(const std::string& owner_key)> enqueue,
      std::function<void(const JsonPtr& pod, bool deleted)> unowned = {});

  // Whether `pod`'s controller reference names a known owner.
  bool HasKnownOwner(const Json& pod) const;

  Expectations& expectations() { return expectations_; }

 private:
  std::map<std::string, std::string> key_by_uid_;
  Expectations expectations_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_OWNED_PODS_H_
