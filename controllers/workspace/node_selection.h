// Node selection for a workspace (Kaito v0.4.6 getAllQualifiedNodes + SelectNodes): which
// existing nodes may host the workspace, and which `count` of them it uses.
//
// Qualified: the node matches every labelSelector.matchLabels pair, is not being deleted, is
// Ready=True, and either is named in preferredNodes or carries
// node.kubernetes.io/instance-type == resource.instanceType.
// Ranked: preferred nodes first, then nodes the workspace selected before (status.workerNodes),
// then nodes made by a provisioner (label kaito.sh/machine-type from gpu-provisioner, or
// karpenter.sh/nodepool from Karpenter), then by name.
//
// Pure functions over JSON Node objects; the pointers must stay valid while the result is used.
#ifndef KT_CONTROLLERS_WORKSPACE_NODE_SELECTION_H_
#define KT_CONTROLLERS_WORKSPACE_NODE_SELECTION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"
#include "base/json_fwd.h"

namespace kt::workspace {

// What selection needs from the workspace.
struct NodeRequirements {
  api::Labels match_labels;
  std::string instance_type;
  std::vector<std::string> preferred_nodes;
};
NodeRequirements NodeRequirementsOf(const Json& workspace);

bool IsNodeReady(const Json& node);
// The node's status.capacity[resource] as whole units (0 when absent or unparsable).
int64_t NodeCapacity(const Json& node, std::string_view resource);

// The nodes (in input order) that may host the workspace.
std::vector<const Json*> QualifiedNodes(const std::vector<const Json*>& nodes,
                                        const NodeRequirements& req);

// The first `count` of `qualified` by Kaito's ranking (all of them when there are fewer).
std::vector<const Json*> SelectNodes(std::vector<const Json*> qualified,
                                     const std::vector<std::string>& preferred,
                                     const std::vector<std::string>& previous, int64_t count);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_NODE_SELECTION_H_
