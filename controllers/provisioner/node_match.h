// How the provisioner relates Nodes to NodeClaims (gpu-provisioner's join detection plus
// Karpenter core's registration and initialization checks).
//
//   Join (Launched): the agent pool's Nodes carry agentpool=<pool> and
//     kubernetes.azure.com/agentpool=<pool>; exactly one of them with a spec.providerID is the
//     instance (gpu-provisioner's rule; zero or several is "not joined yet").
//   Registration (Registered): the Node whose spec.providerID is the NodeClaim's
//     status.providerID. At registration the Node gets every NodeClaim label plus
//     karpenter.sh/registered=true, and the NodeClaim's taints and startupTaints that it lacks
//     (same key and effect).
//   Initialization (Initialized): the Node is Ready, its startup taints and the known ephemeral
//     taints (node.kubernetes.io/not-ready, node.kubernetes.io/unreachable,
//     node.cloudprovider.kubernetes.io/uninitialized) are gone, and every resource the instance
//     type promises is allocatable and non-zero: nvidia.com/gpu for NVIDIA GPU sizes (amd.com/gpu
//     for AMD ones) - the device plugin publishes it some time after the Node is Ready.
//
// Pure functions; thread-safe.
#ifndef KT_CONTROLLERS_PROVISIONER_NODE_MATCH_H_
#define KT_CONTROLLERS_PROVISIONER_NODE_MATCH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"
#include "base/json_fwd.h"

namespace kt::kaito {
class SkuTable;
}  // namespace kt::kaito

namespace kt::controllers::provisioner {

// "agentpool=<pool>,kubernetes.azure.com/agentpool=<pool>".
std::string PoolNodeSelector(std::string_view pool);

// Among the Nodes of a pool: exactly one with a providerID, else null and `why` says what was
// seen ("no node", "2 nodes with a providerID", ...).
const Json* FindJoinedNode(const std::vector<const Json*>& pool_nodes, std::string* why);

// The NodeClaim (= agent pool) a Node belongs to: its kubernetes.azure.com/agentpool (or
// agentpool) label, for Nodes of Kaito pools (label karpenter.sh/nodepool present).
std::optional<std::string> NodeClaimNameOfNode(const Json& node);

// What registration changes on the Node.
struct RegistrationSync {
  api::Labels labels;        // labels to add or change (empty: none)
  bool taints_changed = false;
  std::vector<Json> taints;  // when taints_changed: the whole new spec.taints
  bool empty() const;
};
RegistrationSync ComputeRegistrationSync(const Json& node, const Json& nodeclaim);

struct InitializationCheck {
  bool initialized = false;
  std::string reason;   // when not initialized
  std::string message;
};
InitializationCheck CheckInitialization(const Json& node, const Json& nodeclaim,
                                        const std::vector<std::string>& required_resources);

// Resources a Node of `vm_size` must register before it is initialized: the GPU resource for
// sizes with GPUs (Kaito's SKU table; unknown "Standard_N*" sizes are taken as NVIDIA GPUs).
std::vector<std::string> RequiredResources(std::string_view vm_size, const kaito::SkuTable& skus);

bool IsNodeReady(const Json& node);

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_NODE_MATCH_H_
