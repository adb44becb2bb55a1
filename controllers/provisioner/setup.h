// Wiring the GPU provisioner into a manager (gpu-provisioner's cmd/controller: Karpenter's
// NodeClaim lifecycle controllers with the AKS cloud provider, plus the instance GC loop):
//
//   kt::controllers::provisioner::ArmAgentPoolClient arm = ...;   // or, in the twin,
//   kt::sim::cloud::InProcessAgentPoolClient arm(aks);            // the in-process fake AKS
//   auto p = kt::controllers::provisioner::Provisioner::Setup(mgr, arm, {});  // before Start
//   KT_CHECK(p.ok());
//   ... mgr.Start(); keep *p and `arm` alive until mgr.Stop() ...
//
// Registers on `mgr`:
//   - the controller "nodeclaim" (NodeClaimReconciler, max_concurrent_reconciles workers, the
//     options' back-off): For nodeclaims.karpenter.sh (cluster-scoped; status-only updates
//     filtered out: only the provisioner writes them), Watches Nodes of Kaito
//     pools (-> the NodeClaim named by the Node's kubernetes.azure.com/agentpool label; only
//     changes of readiness, labels, taints, providerID and allocatable pass);
//   - the cache index "spec.providerID" on Nodes;
//   - the leader-only runnable "agentpool-gc" (pool_gc.h) every gc_period, first after
//     gc_initial_delay;
//   - the event recorder "gpu-provisioner".
// The AgentPoolClient may be any implementation of api/cloud_client.h; the provisioner links
// api/, base/ and controllers/ only.
//
// Thread-safety: Setup from the wiring thread (see Manager). The returned object must outlive
// mgr.Stop(); `cloud` must outlive it.
#ifndef KT_CONTROLLERS_PROVISIONER_SETUP_H_
#define KT_CONTROLLERS_PROVISIONER_SETUP_H_

#include <memory>
#include <string_view>

#include "api/cloud_client.h"
#include "controllers/provisioner/nodeclaim_reconciler.h"
#include "controllers/provisioner/options.h"
#include "controllers/provisioner/pool_gc.h"
#include "controllers/runtime/manager.h"

namespace kt::controllers::provisioner {

inline constexpr std::string_view kControllerName = "nodeclaim";
inline constexpr std::string_view kGcRunnableName = "agentpool-gc";

class Provisioner {
 public:
  // AlreadyExists when `mgr` already has a provisioner (its Node index is taken).
  static Result<std::unique_ptr<Provisioner>> Setup(ctrl::Manager& mgr,
                                                    api::AgentPoolClient& cloud,
                                                    ProvisionerOptions options = {});

  NodeClaimReconciler& reconciler() { return *reconciler_; }
  ctrl::Controller& controller() { return *controller_; }
  PoolGarbageCollector& gc() { return *gc_; }

 private:
  Provisioner() = default;
  std::unique_ptr<NodeClaimReconciler> reconciler_;
  std::unique_ptr<PoolGarbageCollector> gc_;
  ctrl::Controller* controller_ = nullptr;  // owned by the manager
};

// The NodeClaim watch's event filter: updates pass when metadata (labels, annotations,
// finalizers, deletionTimestamp) or spec changed - not the provisioner's own status writes.
ctrl::Predicate NodeClaimChangedPredicate();
// The Node watch's event filter: creates and deletes pass; updates pass when readiness,
// labels, taints, providerID or allocatable changed (not heartbeats).
ctrl::Predicate NodeChangedPredicate();

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_SETUP_H_
