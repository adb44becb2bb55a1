// TaintEvictionController: evicts pods from nodes with NoExecute taints they do not tolerate
// (kube-controller-manager's taint-eviction-controller). A pod that tolerates every such taint
// for a limited time (tolerationSeconds; admission gives every pod 300 s for not-ready and
// unreachable) is evicted when the shortest of those runs out, counted from the taint's
// timeAdded; one that does not tolerate a taint is evicted at once. Eviction = the
// DisruptionTarget condition (reason DeletionByTaintManager), a TaintManagerEviction event,
// then a normal (graceful) delete. A scheduled eviction is cancelled when the taint goes away.
//
// Thread-safety: under the ClusterLoop's lock. REQUIRES: constructed before informers start.
#ifndef KT_SIM_CLUSTER_TAINT_EVICTION_CONTROLLER_H_
#define KT_SIM_CLUSTER_TAINT_EVICTION_CONTROLLER_H_

#include <map>
#include <string>

#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/informer.h"

namespace kt::sim::cluster {

class TaintEvictionController {
 public:
  TaintEvictionController(ClusterLoop& loop, ApiServer& server, Informer& nodes, Informer& pods,
                          EventRecorder& events);
  ~TaintEvictionController();
  void Stop();

  size_t scheduled() const { return scheduled_.size(); }

 private:
  struct Scheduled {
    Time due;
    ClusterLoop::TimerId timer = ClusterLoop::kNoTimer;
  };
  void ReconcileNode(const std::string& node);
  void ReconcilePod(const std::string& pod_key);
  void Cancel(const std::string& pod_key);
  void Evict(const std::string& pod_key);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& nodes_;
  Informer& pods_;
  EventRecorder& events_;
  RequestContext ctx_;
  EventSource source_;
  std::map<std::string, Scheduled> scheduled_;  // by pod key
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_TAINT_EVICTION_CONTROLLER_H_
