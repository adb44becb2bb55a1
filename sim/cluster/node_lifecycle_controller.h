// NodeLifecycleController: kube-controller-manager's node lifecycle controller.
//   - Health: a node is heard from when its Lease (kube-node-lease) is renewed or its Ready
//     condition's heartbeat moves; every `monitor_period` it checks each node, and one silent
//     for longer than `monitor_grace_period` (40 s) gets every condition set to Unknown
//     ("NodeStatusUnknown", "Kubelet stopped posting node status."), a NodeNotReady event,
//     and its pods marked Ready=False (with a NodeNotReady event each).
//   - Taints (TaintNodesByCondition + taint-based eviction): Ready=False ->
//     node.kubernetes.io/not-ready, Ready=Unknown -> node.kubernetes.io/unreachable, each as
//     NoSchedule and NoExecute (with timeAdded); spec.unschedulable ->
//     node.kubernetes.io/unschedulable:NoSchedule; removed again when the node recovers.
// Pod eviction for NoExecute taints is the TaintEvictionController's job.
//
// Thread-safety: under the ClusterLoop's lock. REQUIRES: constructed before informers start.
#ifndef KT_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_
#define KT_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_

#include <map>
#include <string>

#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/work_queue.h"

namespace kt::sim::cluster {

struct NodeLifecycleOptions {
  Duration monitor_period = std::chrono::seconds(5);
  Duration monitor_grace_period = std::chrono::seconds(40);
  // A node that never reported gets this long after it was first seen.
  Duration startup_grace_period = std::chrono::seconds(60);
};

class NodeLifecycleController {
 public:
  NodeLifecycleController(ClusterLoop& loop, ApiServer& server, Informer& nodes,
                          Informer& leases, Informer& pods, EventRecorder& events,
                          NodeLifecycleOptions options);
  ~NodeLifecycleController();
  void Start();
  void Stop();

 private:
  struct Health {
    Time last_heard;
    std::string last_lease_renew;
    std::string last_heartbeat;
  };
  void Heard(const std::string& node);
  void OnNode(const JsonPtr& node);
  void OnLease(const JsonPtr& lease);
  void Monitor();
  Status MarkUnknown(const std::string& node);
  void MarkPodsNotReady(const std::string& node);
  ReconcileResult ReconcileTaints(const std::string& node);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& nodes_;
  Informer& leases_;
  Informer& pods_;
  EventRecorder& events_;
  const NodeLifecycleOptions options_;
  RequestContext ctx_;
  EventSource source_;
  std::map<std::string, Health> health_;
  WorkQueue taints_;
  ClusterLoop::TimerId monitor_timer_ = ClusterLoop::kNoTimer;
  bool running_ = false;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_
