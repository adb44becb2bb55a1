// EndpointsController: the endpointslice and endpoints controllers for Services with a
// selector. For each such Service it takes the pods of its namespace that match the selector
// and have an IP, resolves each service port's targetPort (a number, or a container port
// name), and writes
//   - EndpointSlices (discovery.k8s.io/v1, addressType IPv4, generateName "<svc>-", labels
//     kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by, owned by the
//     Service; at most `max_endpoints_per_slice` endpoints each) with conditions ready /
//     serving / terminating, nodeName, zone and targetRef;
//   - the core/v1 Endpoints object (subsets with addresses and notReadyAddresses).
// publishNotReadyAddresses makes unready pods ready endpoints. Terminating pods appear in
// slices (ready=false, terminating=true) but not in Endpoints. Headless services work the
// same way (hostname from spec.hostname/subdomain).
//
// Thread-safety: under the ClusterLoop's lock. REQUIRES: constructed before informers start.
#ifndef KT_SIM_CLUSTER_ENDPOINTS_CONTROLLER_H_
#define KT_SIM_CLUSTER_ENDPOINTS_CONTROLLER_H_

#include <map>
#include <set>
#include <string>

#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/work_queue.h"

namespace kt::sim::cluster {

class EndpointsController {
 public:
  EndpointsController(ClusterLoop& loop, ApiServer& server, Informer& services, Informer& pods,
                      Informer& slices, Informer& endpoints, Informer& nodes,
                      int max_endpoints_per_slice = 100);
  void Stop() { queue_.Stop(); }

 private:
  void OnPod(const JsonPtr& old_pod, const JsonPtr& pod);
  ReconcileResult Reconcile(const std::string& key);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& services_;
  Informer& pods_;
  Informer& slices_;
  Informer& endpoints_;
  Informer& nodes_;
  const int max_per_slice_;
  RequestContext ctx_;
  std::map<std::string, std::set<std::string>> services_by_ns_;
  WorkQueue queue_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_ENDPOINTS_CONTROLLER_H_
