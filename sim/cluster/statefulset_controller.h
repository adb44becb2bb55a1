// StatefulSetController: kube-controller-manager's statefulset controller.
//   - Pods "<set>-<ordinal>" for ordinals 0..replicas-1, with hostname = pod name and
//     subdomain = spec.serviceName (the headless service), labels
//     controller-revision-hash=<set>-<hash>, statefulset.kubernetes.io/pod-name and
//     apps.kubernetes.io/pod-index.
//   - podManagementPolicy OrderedReady: ordinal i is created only when 0..i-1 are Running and
//     Ready, scale-down removes the highest ordinal first, one at a time; Parallel: all at once.
//   - A ControllerRevision "<set>-<hash>" per template (revision numbers increasing);
//     updateStrategy RollingUpdate replaces pods of the old revision from the highest ordinal
//     down to the partition, one at a time, each after the others are Running and Ready;
//     OnDelete leaves them alone. Failed pods are deleted and recreated.
//   - Status: observedGeneration, replicas, readyReplicas, currentReplicas, updatedReplicas,
//     availableReplicas, currentRevision, updateRevision, collisionCount.
// Not modelled: volumeClaimTemplates (no PersistentVolumeClaims are created), maxUnavailable,
// start ordinals.
// Events: SuccessfulCreate "create Pod web-0 in StatefulSet web successful",
// SuccessfulDelete "delete Pod web-1 in StatefulSet web successful".
//
// Thread-safety: under the ClusterLoop's lock. REQUIRES: constructed before informers start.
#ifndef KT_SIM_CLUSTER_STATEFULSET_CONTROLLER_H_
#define KT_SIM_CLUSTER_STATEFULSET_CONTROLLER_H_

#include <string>

#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/owned_pods.h"
#include "sim/cluster/work_queue.h"

namespace kt::sim::cluster {

class StatefulSetController {
 public:
  StatefulSetController(ClusterLoop& loop, ApiServer& server, Informer& statefulsets,
                        Informer& pods, Informer& revisions, EventRecorder& events);
  void Stop() { queue_.Stop(); }

 private:
  ReconcileResult Reconcile(const std::string& key);
  Result<std::string> EnsureRevision(const Json& set, const std::string& hash);
  void Enqueue(const Json& obj);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& sets_;
  Informer& pods_;
  Informer& revisions_;
  EventRecorder& events_;
  RequestContext ctx_;
  EventSource source_;
  OwnedPods owned_;
  WorkQueue queue_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_STATEFULSET_CONTROLLER_H_
