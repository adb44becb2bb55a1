// ReplicaSetController: kube-controller-manager's replicaset controller. For each ReplicaSet it
// counts the active pods it controls (not terminal, not being deleted), creates the missing
// ones from its template (generateName "<rs>-", a controller reference, at most
// `burst_replicas` per sync, stopping at the first error: FailedCreate event and the
// ReplicaFailure condition) or deletes the surplus (unscheduled before scheduled, Pending before
// Running, not-ready before ready, most restarts and newest first), and writes status
// (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas honouring minReadySeconds,
// observedGeneration). Expectations keep it from acting twice on a lagging cache.
// Events: SuccessfulCreate "Created pod: <name>", SuccessfulDelete "Deleted pod: <name>".
//
// Thread-safety: under the ClusterLoop's lock. REQUIRES: constructed before informers start.
#ifndef KT_SIM_CLUSTER_REPLICASET_CONTROLLER_H_
#define KT_SIM_CLUSTER_REPLICASET_CONTROLLER_H_

#include <string>

#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/owned_pods.h"
#include "sim/cluster/work_queue.h"

namespace kt::sim::cluster {

class ReplicaSetController {
 public:
  ReplicaSetController(ClusterLoop& loop, ApiServer& server, Informer& replicasets,
                       Informer& pods, EventRecorder& events, int burst_replicas = 500);
  void Stop() { queue_.Stop(); }
  uint64_t reconciles() const { return queue_.reconciles(); }

 private:
  ReconcileResult Reconcile(const std::string& key);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& rss_;
  Informer& pods_;
  EventRecorder& events_;
  const int burst_;
  RequestContext ctx_;
  EventSource source_;
  OwnedPods owned_;
  WorkQueue queue_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_REPLICASET_CONTROLLER_H_
