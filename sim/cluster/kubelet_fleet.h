// KubeletFleet: every simulated kubelet of the cluster, and the VmObserver the fake AKS reports
// VMs to (sim/cloud/vm_observer.h): a booted VM gets a Kubelet that registers its Node at once
// (so "operation Succeeded => Node exists" holds), a deleted or evicted VM's kubelet stops and
// its Node is deleted (as AKS's cloud node manager does; PodGC then removes its pods).
//
// Scale: one shared pod watch (the pod informer) routes changes to the kubelet of the pod's
// node - not 5,000 watches with field selectors - and heartbeats run on `heartbeat_slots`
// timers per lease interval, each renewing the leases of its share of the nodes, instead of a
// timer per node.
//
// Thread-safety: VmObserver calls and public methods take the ClusterLoop's lock.
#ifndef KT_SIM_CLUSTER_KUBELET_FLEET_H_
#define KT_SIM_CLUSTER_KUBELET_FLEET_H_

#include <map>
#include <memory>
#include <string>

#include "sim/cloud/vm_observer.h"
#include "sim/cluster/kubelet.h"

namespace kt::sim::cluster {

class KubeletFleet final : public cloud::VmObserver {
 public:
  KubeletFleet(ClusterLoop& loop, ApiServer& server, Informer& pods, Informer& nodes,
               EventRecorder& events, const ImageCatalog& images, KubeletOptions options);
  ~KubeletFleet() override;

  void Start();
  void Stop();

  // VmObserver (from the fake AKS).
  void VmBooted(const cloud::VmInfo& vm) override;
  void VmDeleted(const cloud::VmInfo& vm) override;
  void VmEvicted(const cloud::VmInfo& vm) override;

  // A node without the fake AKS (tests, benchmarks): same as VmBooted, with the registration
  // result (registration is retried on heartbeats when it failed).
  Status AddNode(const cloud::VmInfo& vm);
  // Stops a kubelet (`down_for` 0: until StartKubelet).
  Status StopKubelet(const std::string& node, Duration down_for = Duration(0));
  Status StartKubelet(const std::string& node);

  Kubelet* Find(const std::string& node);
  size_t size() const { return kubelets_.size(); }
  const KubeletOptions& options() const { return options_; }

 private:
  void RemoveVm(const cloud::VmInfo& vm, const char* why);
  void Route(const JsonPtr& pod);
  void Tick();

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& pods_;
  const KubeletOptions options_;
  KubeletShared shared_;
  RequestContext ctx_;
  std::map<std::string, std::unique_ptr<Kubelet>> kubelets_;
  std::map<int, std::map<std::string, Kubelet*>> slots_;  // slot -> kubelets (by name)
  int next_index_ = 0;
  int64_t tick_ = 0;
  ClusterLoop::TimerId tick_timer_ = ClusterLoop::kNoTimer;
  bool running_ = false;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_KUBELET_FLEET_H_
