// DeploymentController: kube-controller-manager's deployment controller.
//   - One ReplicaSet per pod template: "<deployment>-<pod-template-hash>", the hash also as the
//     pod-template-hash label on the ReplicaSet, its selector and its pods' template; a hash
//     collision bumps status.collisionCount.
//   - deployment.kubernetes.io/revision on the Deployment and its ReplicaSets (a new template
//     gets max+1; rolling back to an old template renumbers that ReplicaSet), plus
//     desired-replicas and max-replicas annotations on the ReplicaSets.
//   - RollingUpdate honouring maxSurge (rounded up) and maxUnavailable (rounded down; 1 when
//     both are 0): scale the new ReplicaSet up within replicas+maxSurge, clean up unhealthy old
//     replicas, then scale old ReplicaSets down (oldest first) while availability stays above
//     replicas-maxUnavailable. Recreate: old ReplicaSets to 0, wait until their pods are gone,
//     then scale the new one up. Paused deployments are not rolled.
//   - Status: observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas,
//     unavailableReplicas, collisionCount and the conditions Available
//     (MinimumReplicasAvailable / MinimumReplicasUnavailable) and Progressing
//     (NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated, NewReplicaSetAvailable,
//     ProgressDeadlineExceeded after progressDeadlineSeconds without progress).
//   - Old ReplicaSets beyond revisionHistoryLimit (scaled to 0) are deleted.
// Events: ScalingReplicaSet "Scaled up replica set <rs> from <a> to <b>" / "Scaled down ...".
//
// Thread-safety: under the ClusterLoop's lock. REQUIRES: constructed before informers start.
#ifndef KT_SIM_CLUSTER_DEPLOYMENT_CONTROLLER_H_
#define KT_SIM_CLUSTER_DEPLOYMENT_CONTROLLER_H_

#include <map>
#include <string>
#include <vector>

#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/work_queue.h"

namespace kt::sim::cluster {

class DeploymentController {
 public:
  DeploymentController(ClusterLoop& loop, ApiServer& server, Informer& deployments,
                       Informer& replicasets, Informer& pods, EventRecorder& events);
  void Stop() { queue_.Stop(); }
  uint64_t reconciles() const { return queue_.reconciles(); }

 private:
  struct Rs {
    JsonPtr obj;
    std::string name;
    int64_t spec_replicas = 0;
    int64_t replicas = 0, ready = 0, available = 0;
    int64_t revision = 0;
    std::string created;
  };
  ReconcileResult Reconcile(const std::string& key);
  // Scales `rs` to `to` (and refreshes its annotations). Records the event.
  Status Scale(const Json& d, Rs& rs, int64_t to, int64_t max_surge);
  Result<Rs> CreateNewRs(const Json& d, const std::string& hash, int64_t revision,
                         int64_t replicas, int64_t max_surge);
  void EnqueueOwner(const Json& obj);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& deployments_;
  Informer& rss_;
  Informer& pods_;
  EventRecorder& events_;
  RequestContext ctx_;
  EventSource source_;
  std::map<std::string, std::string> key_by_uid_;  // Deployment uid -> key
  WorkQueue queue_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_DEPLOYMENT_CONTROLLER_H_
