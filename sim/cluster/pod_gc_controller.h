// PodGcController: kube-controller-manager's pod garbage collector, for the case the cluster
// twin produces: pods bound to a node that no longer exists (its VM was deleted or evicted).
// Every `period` it looks for such orphans; one whose node has been missing for `quarantine`
// (and a direct read confirms it) is marked Failed with the DisruptionTarget condition
// (reason DeletionByPodGC, "PodGC: node no longer exists") and force-deleted (grace 0).
//
// Thread-safety: under the ClusterLoop's lock.
#ifndef KT_SIM_CLUSTER_POD_GC_CONTROLLER_H_
#define KT_SIM_CLUSTER_POD_GC_CONTROLLER_H_

#include <map>
#include <string>

#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/informer.h"

namespace kt::sim::cluster {

struct PodGcOptions {
  Duration period = std::chrono::seconds(20);
  Duration quarantine = std::chrono::seconds(40);
};

class PodGcController {
 public:
  PodGcController(ClusterLoop& loop, ApiServer& server, Informer& nodes, Informer& pods,
                  PodGcOptions options);
  ~PodGcController();
  void Start();
  void Stop();
  uint64_t collected() const { return collected_; }

 private:
  void Run();
  void Collect(const std::string& pod_key);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& nodes_;
  Informer& pods_;
  const PodGcOptions options_;
  RequestContext ctx_;
  std::map<std::string, Time> missing_since_;  // node -> first seen missing
  ClusterLoop::TimerId timer_ = ClusterLoop::kNoTimer;
  bool running_ = false;
  uint64_t collected_ = 0;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_POD_GC_CONTROLLER_H_
