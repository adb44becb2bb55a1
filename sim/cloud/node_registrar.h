// NodeRegistrar: a VmObserver that registers and removes Node objects through an
// api::KubeClient, standing in for the kubelet until sim/cluster takes over (sim/cluster will
// own heartbeats, Leases, NotReady handling and the device plugin; NodeRegistrar writes one
// Ready Node per booted VM and nothing after).
//
// VmBooted creates the Node AKS's kubelet would register: the VM's labels, taints and
// providerID, capacity/allocatable from the SKU (no nvidia.com/gpu), Ready/MemoryPressure/
// DiskPressure/PIDPressure conditions, InternalIP/Hostname addresses, a complete nodeInfo
// (python3-kubernetes refuses partial ones) and the kubelet endpoint. VmDeleted and VmEvicted
// delete it. Failed writes are retried with exponential back-off (attempts_max), and a retry
// always applies the latest wish for that VM, so a Node is never re-created for a VM that went
// away in between.
//
// Thread-safety: safe from any thread (observer calls arrive serialized; retries run on Env
// timers). REQUIRES: `kube` outlives the registrar; under RealEnv destroy it after the Env's
// loop stopped.
#ifndef KT_SIM_CLOUD_NODE_REGISTRAR_H_
#define KT_SIM_CLOUD_NODE_REGISTRAR_H_

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "api/kube_client.h"
#include "base/env.h"
#include "sim/cloud/vm_observer.h"

namespace kt::sim::cloud {

class NodeRegistrar final : public VmObserver {
 public:
  struct Options {
    int attempts_max = 10;
    Duration backoff_initial = std::chrono::seconds(1);
    Duration backoff_max = std::chrono::seconds(60);
  };

  NodeRegistrar(Env& env, api::KubeClient& kube) : NodeRegistrar(env, kube, Options{}) {}
  NodeRegistrar(Env& env, api::KubeClient& kube, Options options);
  ~NodeRegistrar() override;

  void VmBooted(const VmInfo& vm) override;
  void VmDeleted(const VmInfo& vm) override;
  void VmEvicted(const VmInfo& vm) override;

  // The Node a kubelet registers for `vm` at `now` (sim/cluster can start from it).
  static Json NodeObject(const VmInfo& vm, Time now);

  // VMs whose Node write is still being retried.
  size_t retries_pending() const;
  // Writes that gave up after attempts_max (each traced as "cloud.node" "gave_up").
  uint64_t failures() const;

 private:
  struct Wish {
    bool present = false;
    VmInfo vm;
    int attempt = 0;
    Env::TimerId retry = Env::kNoTimer;
  };
  void Apply(const std::string& vm_name);
  Status CreateNode(const VmInfo& vm);
  Status DeleteNode(const std::string& name);
  void Want(const VmInfo& vm, bool present);

  Env& env_;
  api::KubeClient& kube_;
  Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Wish> wishes_;  // guarded by mu_; VMs with a write not yet done
  std::set<Env::TimerId> timers_;       // guarded by mu_
  uint64_t failures_ = 0;               // guarded by mu_
};

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_NODE_REGISTRAR_H_
