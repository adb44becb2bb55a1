// NodeClaims the Workspace controller asks for (Kaito v0.4.6 pkg/utils/nodeclaim): their
// names, their manifest, and how their status reads.
//
// Name: "ws" + the first 9 hex digits of sha256(namespace + name + the creation time), so an
// AKS agent pool may carry it (^[a-z][a-z0-9]{0,11}$). A retry after AlreadyExists mixes the
// attempt number in (under SimEnv the clock does not move between two tries).
//
// Manifest (cluster-scoped karpenter.sh/v1 NodeClaim): labels karpenter.sh/nodepool=kaito,
// kaito.sh/workspace, kaito.sh/workspacenamespace and the workspace's matchLabels; annotation
// karpenter.sh/do-not-disrupt=true; taint sku=gpu:NoSchedule; requirements instance type In
// [sku], kubernetes.io/os In [linux] and, on Azure, karpenter.azure.com/sku-name In [sku];
// nodeClassRef to the cloud's node class "default"; resources.requests.storage = the preset's
// disk (1024Gi without a preset).
//
// Pure functions.
#ifndef KT_CONTROLLERS_WORKSPACE_NODECLAIM_H_
#define KT_CONTROLLERS_WORKSPACE_NODECLAIM_H_

#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/time.h"

namespace kt::workspace {

inline constexpr std::string_view kDefaultNodeClaimStorage = "1024Gi";
inline constexpr std::string_view kNodeClassName = "default";

std::string NodeClaimName(std::string_view ns, std::string_view name, Time now, int attempt);

// REQUIRES: workspace is a Workspace object (name, namespace, resource).
Json NodeClaimManifest(const Json& workspace, std::string_view name, std::string_view storage,
                       std::string_view cloud_provider);

// The label selector (string form) of a workspace's NodeClaims.
std::string NodeClaimSelector(std::string_view ws_ns, std::string_view ws_name);

// How a NodeClaim stands, from its status conditions.
struct NodeClaimState {
  bool ready = false;         // Ready=True
  bool initialized = false;   // Initialized=True
  std::string node_name;      // status.nodeName
  bool launch_failed = false; // Launched=False
  bool terminal = false;      // ... with "all requested instance types were unavailable ..."
  // The first of Launched / Registered / Initialized / Ready that is not True, with its
  // reason and message as the provisioner wrote them (empty when all are True or absent).
  std::string blocking_condition;
  std::string reason;
  std::string message;
};
NodeClaimState ReadNodeClaim(const Json& nodeclaim);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_NODECLAIM_H_
