// NodeClaimReconciler: the NodeClaim lifecycle Karpenter core runs with gpu-provisioner as its
// cloud provider - one AKS agent pool of one VM per NodeClaim - as a level-based reconciler
// that never blocks a worker on the cloud.
//
// Per reconcile of a NodeClaim (cluster-scoped, karpenter.sh/v1), read from the cache:
//   0. Not ours (spec.nodeClassRef.group not in options.node_class_groups): nothing.
//   1. Finalizer karpenter.sh/termination is added; missing conditions are initialized
//      Unknown/AwaitingReconciliation.
//   2. Launch (until Launched=True):
//        - the agent-pool body (agent_pool_body.h); a NodeClaim that breaks its rules gets
//          Launched=False/InvalidNodeClaim and a terminal error;
//        - PUT the pool (BeginCreateOrUpdate), then poll the operation once per reconcile and
//          requeue after max(Retry-After, operation_poll_interval); Launched=Unknown/
//          AgentPoolCreating meanwhile (clearing an earlier failure's message);
//        - "in progress create node pool operation" (409): someone - we, before a restart -
//          already creates it: keep waiting, watching the pool's provisioningState by GET;
//        - errors: Launched=False with reason LaunchFailed and message
//          `agentPool.BeginCreateOrUpdate for "<name>" failed: <ARM message>`, a Warning event,
//          and a retry with back-off (1 s doubling to 5 min; 429s after their Retry-After);
//          SkuNotAvailable is terminal: Launched=False/InsufficientCapacity with "all requested
//          instance types were unavailable during launch: ..." (what Kaito stops on);
//        - once the pool succeeded, join detection (node_match.h) every join_retry_interval,
//          at most join_attempts_max times (else LaunchFailed and retry); then Launched=True and
//          status.providerID.
//   3. Register: the Node with that providerID; it gets the NodeClaim's labels,
//      karpenter.sh/registered=true and the NodeClaim's (startup) taints; status.nodeName;
//      Registered=True. Until then Registered=Unknown/NodeNotFound.
//   4. Initialize: Node Ready, startup/ephemeral taints gone, GPU resource allocatable;
//      status.capacity/allocatable from the Node, label karpenter.sh/initialized=true,
//      Initialized=True. Until then Initialized=Unknown with the reason.
//   5. Ready from the three (nodeclaim_status.h).
//   6. Liveness: Registered not True registration_ttl after it was initialized -> the NodeClaim
//      is deleted (Warning event RegistrationTimeout) - unless its launch failed terminally,
//      which stays for Kaito to read. Otherwise a requeue at the deadline.
//   7. The status is written (status subresource) only when it changed.
// Deletion (deletionTimestamp set, our finalizer present): GET the pool; skip the DELETE when
// it is already Deleting; BeginDelete and poll like a create; NotFound is success. Then the
// pool's Nodes are deleted and the finalizer removed.
//
// Node watch events (the pool's Node appears, turns Ready, gets its GPUs) wake the NodeClaim
// up, so polls are the fallback, not the critical path. Every cloud call is one synchronous
// client call; waiting happens between reconciles.
//
// Thread-safety: Reconcile may run concurrently for different NodeClaims (RealEnv workers).
// REQUIRES: `mgr` and `cloud` outlive the reconciler; a "spec.providerID" index on Nodes exists
// in mgr.cache() (Setup adds it).
#ifndef KT_CONTROLLERS_PROVISIONER_NODECLAIM_RECONCILER_H_
#define KT_CONTROLLERS_PROVISIONER_NODECLAIM_RECONCILER_H_

#include <string>
#include <string_view>

#include "api/cloud_client.h"
#include "base/json_fwd.h"
#include "controllers/provisioner/operation_tracker.h"
#include "controllers/provisioner/options.h"
#include "controllers/runtime/manager.h"
#include "controllers/runtime/reconciler.h"

namespace kt::kaito {
class SkuTable;
}  // namespace kt::kaito

namespace kt::controllers::provisioner {

inline constexpr std::string_view kProviderIdIndex = "spec.providerID";
inline constexpr std::string_view kEventComponent = "gpu-provisioner";

class NodeClaimReconciler final : public ctrl::Reconciler {
 public:
  NodeClaimReconciler(ctrl::Manager& mgr, api::AgentPoolClient& cloud, ProvisionerOptions options);

  ctrl::ReconcileResult Reconcile(const ctrl::Request& request) override;

  bool IsManaged(const Json& nodeclaim) const;
  const OperationTracker& tracker() const { return tracker_; }
  const ProvisionerOptions& options() const { return options_; }

 private:
  // Each step edits `next` (the NodeClaim whose status will be written) and, when it cannot
  // finish now, sets `result` (requeue, error, terminal) and returns false.
  bool Launch(const Json& current, Json& next, ctrl::ReconcileResult& result);
  bool PollCreate(const Json& current, TrackedOperation& entry, Json& next,
                  ctrl::ReconcileResult& result);
  bool WatchAdoptedCreate(const Json& current, TrackedOperation& entry, Json& next,
                          ctrl::ReconcileResult& result);
  bool BeginCreate(const Json& current, const Json& body, Json& next,
                   ctrl::ReconcileResult& result);
  bool DetectJoin(const Json& current, TrackedOperation& entry, Json& next,
                  ctrl::ReconcileResult& result);
  void RecordLaunchFailure(const Json& current, const Status& error, Json& next,
                           ctrl::ReconcileResult& result);
  void MarkCreating(Json& next, std::string_view vm_size);

  bool Register(const Json& current, Json& next, ctrl::ReconcileResult& result);
  bool Initialize(const Json& current, Json& next, ctrl::ReconcileResult& result);
  // The Node whose spec.providerID is `provider_id` (null when none).
  Result<ctrl::ObjectPtr> NodeByProviderId(const std::string& provider_id);
  // The Node that `next`'s providerID names. nullptr when the lookup failed (`result` carries
  // the error) or no such Node has joined yet (`condition` says so, Unknown NodeNotFound).
  ctrl::ObjectPtr JoinedNodeOrExplain(Json& next, std::string_view condition,
                                      ctrl::ReconcileResult& result);

  ctrl::ReconcileResult Terminate(const Json& nodeclaim);
  Status DeletePoolNodes(const Json& nodeclaim);

  // Registration TTL: deletes the NodeClaim when it is due (returns true), else tightens
  // `result` to requeue by the deadline.
  bool CheckLiveness(const Json& next, ctrl::ReconcileResult& result);
  Status WriteStatus(const Json& current, const Json& next);

  Duration PollDelay(int retry_after_seconds) const;

  ctrl::Manager& mgr_;
  api::AgentPoolClient& cloud_;
  const ProvisionerOptions options_;
  const kaito::SkuTable& skus_;
  ctrl::EventRecorder& events_;
  OperationTracker tracker_;
};

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_NODECLAIM_RECONCILER_H_
