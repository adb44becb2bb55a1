// The names the GPU provisioner reads and writes: Karpenter's NodeClaim vocabulary (labels,
// finalizer, condition types and reasons of karpenter.sh/v1) and gpu-provisioner's labels on
// AKS agent pools. Constants only; no ownership or threading concerns.
#ifndef KT_CONTROLLERS_PROVISIONER_WELL_KNOWN_H_
#define KT_CONTROLLERS_PROVISIONER_WELL_KNOWN_H_

#include <string_view>

namespace kt::controllers::provisioner {

// --- NodeClaim (karpenter.sh/v1) ---
inline constexpr std::string_view kNodeClaimKind = "NodeClaim";
inline constexpr std::string_view kNodeClaimApiVersion = "karpenter.sh/v1";
// Karpenter's termination finalizer: the NodeClaim stays until its agent pool and Node are gone.
inline constexpr std::string_view kTerminationFinalizer = "karpenter.sh/termination";
inline constexpr std::string_view kLabelNodePool = "karpenter.sh/nodepool";
inline constexpr std::string_view kNodePoolKaito = "kaito";
// Karpenter marks a Node it has registered.
inline constexpr std::string_view kLabelRegistered = "karpenter.sh/registered";
inline constexpr std::string_view kLabelInstanceType = "node.kubernetes.io/instance-type";

// A NodeClaim the provisioner serves carries one of these (gpu-provisioner's admission rule).
inline constexpr std::string_view kLabelWorkspace = "kaito.sh/workspace";
inline constexpr std::string_view kLabelRagEngine = "kaito.sh/ragengine";
// Annotation choosing the node OS image: "Ubuntu" (default) or "AzureLinux".
inline constexpr std::string_view kAnnotationNodeImageFamily = "kaito.sh/node-image-family";

// --- Labels gpu-provisioner puts on agent pools (and so on their Nodes) ---
inline constexpr std::string_view kLabelMachineType = "kaito.sh/machine-type";  // gpu | cpu
// NodeClaim creation time, "2006-01-02T15-04-05Z" (Go layout): read back by the leak GC.
inline constexpr std::string_view kLabelCreationTimestamp = "kaito.sh/creation-timestamp";
// AKS labels on every Node of a pool.
inline constexpr std::string_view kLabelAgentPool = "agentpool";
inline constexpr std::string_view kLabelAzureAgentPool = "kubernetes.azure.com/agentpool";

// --- Condition types (Karpenter v1) ---
inline constexpr std::string_view kConditionLaunched = "Launched";
inline constexpr std::string_view kConditionRegistered = "Registered";
inline constexpr std::string_view kConditionInitialized = "Initialized";
inline constexpr std::string_view kConditionReady = "Ready";

// --- Condition reasons ---
// Karpenter's status library initializes every condition to Unknown with this reason.
inline constexpr std::string_view kReasonAwaitingReconciliation = "AwaitingReconciliation";
inline constexpr std::string_view kMessageAwaitingReconciliation =
    "object is awaiting reconciliation";
// Launched=False after a create error (the error is the message).
inline constexpr std::string_view kReasonLaunchFailed = "LaunchFailed";
// Launched=False for good: the SKU is not offered (Karpenter's InsufficientCapacityError).
inline constexpr std::string_view kReasonInsufficientCapacity = "InsufficientCapacity";
// Launched=False for good: the NodeClaim cannot become an agent pool (name, labels, storage).
inline constexpr std::string_view kReasonInvalidNodeClaim = "InvalidNodeClaim";
// Registered/Initialized stay Unknown with these while waiting.
inline constexpr std::string_view kReasonNodeNotFound = "NodeNotFound";
inline constexpr std::string_view kReasonNodeNotReady = "NodeNotReady";
inline constexpr std::string_view kReasonResourcesNotRegistered = "ResourceNotRegistered";
inline constexpr std::string_view kReasonStartupTaintsExist = "StartupTaintsExist";
// Ready=False/Unknown while a dependent condition is not True.
inline constexpr std::string_view kReasonUnhealthyDependents = "UnhealthyDependents";

// Karpenter's InsufficientCapacityError text, which Kaito (<= v0.4) treats as terminal.
inline constexpr std::string_view kInstanceTypesUnavailableMessage =
    "all requested instance types were unavailable during launch";

// --- Resources a node must register before it is Initialized ---
inline constexpr std::string_view kResourceNvidiaGpu = "nvidia.com/gpu";
inline constexpr std::string_view kResourceAmdGpu = "amd.com/gpu";

}  // namespace kt::controllers::provisioner

#endif  // KT_CONTROLLERS_PROVISIONER_WELL_KNOWN_H_
