// Workspace condition types and reasons, spelled as Kaito v0.4.6 writes them
// (pkg/workspace/controllers/workspace_controller.go), plus the later reasons the twin's
// controller uses for the pain points Kaito fixed after v0.4 (pod failure classification,
// non-blocking waits). Constants only.
#ifndef KT_CONTROLLERS_KAITO_CONDITIONS_H_
#define KT_CONTROLLERS_KAITO_CONDITIONS_H_

#include <string_view>

namespace kt::kaito {

// Condition types.
inline constexpr std::string_view kConditionResourceReady = "ResourceReady";
inline constexpr std::string_view kConditionNodeClaimReady = "NodeClaimReady";
inline constexpr std::string_view kConditionMachineReady = "MachineReady";  // v0.1-v0.3
inline constexpr std::string_view kConditionInferenceReady = "InferenceReady";
inline constexpr std::string_view kConditionJobStarted = "JobStarted";
inline constexpr std::string_view kConditionWorkspaceSucceeded = "WorkspaceSucceeded";
// v0.1-v0.3.0 name of WorkspaceSucceeded; kept alongside it so the seed's column works.
inline constexpr std::string_view kConditionWorkspaceReady = "WorkspaceReady";
inline constexpr std::string_view kConditionWorkspaceDeleting = "WorkspaceDeleting";

// NodeClaimReady reasons and messages.
inline constexpr std::string_view kReasonCreateNodeClaimPending =
    "CreateNodeClaimPending";  // Unknown
inline constexpr std::string_view kReasonNodeClaimFailedCreation = "nodeClaimFailedCreation";
inline constexpr std::string_view kReasonCheckNodeClaimStatusFailed = "checkNodeClaimStatusFailed";
inline constexpr std::string_view kReasonInstallNodePluginsSuccess = "installNodePluginsSuccess";
inline constexpr std::string_view kMessageCreatingNodeClaimsFormat = "creating %d nodeClaims";
inline constexpr std::string_view kMessageNodePluginsInstalled =
    "nodeClaim plugins have been installed successfully";

// ResourceReady.
inline constexpr std::string_view kReasonResourceStatusFailed = "workspaceResourceStatusFailed";
inline constexpr std::string_view kReasonResourceStatusSuccess = "workspaceResourceStatusSuccess";
inline constexpr std::string_view kMessageResourceReady = "workspace resource is ready";

// InferenceReady.
inline constexpr std::string_view kReasonInferenceStatusFailed = "WorkspaceInferenceStatusFailed";
inline constexpr std::string_view kReasonInferenceStatusSuccess = "WorkspaceInferenceStatusSuccess";
inline constexpr std::string_view kMessageInferenceDeployed =
    "Inference has been deployed successfully";

// JobStarted.
inline constexpr std::string_view kReasonTuningJobStatusFailed = "WorkspaceTuningJobStatusFailed";
inline constexpr std::string_view kReasonTuningJobStatusStarted = "WorkspaceTuningJobStatusStarted";
inline constexpr std::string_view kMessageTuningJobStarted = "Tuning job has started";

// WorkspaceSucceeded.
inline constexpr std::string_view kReasonWorkspaceFailed = "workspaceFailed";
inline constexpr std::string_view kReasonWorkspacePending = "workspacePending";
inline constexpr std::string_view kReasonWorkspaceSucceeded = "workspaceSucceeded";
inline constexpr std::string_view kMessageWorkspaceSucceeds = "workspace succeeds";
inline constexpr std::string_view kMessageTuningPendingFormat =
    "workspace has not completed, tuning job has %d active pod, %d ready pod";

// WorkspaceDeleting.
inline constexpr std::string_view kReasonWorkspaceDeleted = "workspaceDeleted";
inline constexpr std::string_view kMessageWorkspaceBeingDeleted = "workspace is being deleted";

// Later Kaito (HEAD) reasons, used where the twin reproduces a post-v0.4 fix.
inline constexpr std::string_view kReasonInferenceStatusPending = "WorkspaceInferenceStatusPending";
inline constexpr std::string_view kReasonResourceStatusNotReady = "workspaceResourceStatusNotReady";
inline constexpr std::string_view kReasonNodeClaimNotReady = "NodeClaimNotReady";
inline constexpr std::string_view kReasonTuningJobStatusPending = "WorkspaceTuningJobStatusPending";
inline constexpr std::string_view kReasonImagePullError = "ImagePullError";
inline constexpr std::string_view kReasonContainerCrashLoopBackOff = "ContainerCrashLoopBackOff";
inline constexpr std::string_view kReasonContainerOOMKilled = "ContainerOOMKilled";
inline constexpr std::string_view kReasonContainerStartError = "ContainerStartError";
inline constexpr std::string_view kReasonPodEvicted = "PodEvicted";
inline constexpr std::string_view kReasonUnschedulable = "Unschedulable";

// The NodeClaim launch failure Kaito v0.4 treats as terminal.
inline constexpr std::string_view kInstanceTypesUnavailableMessage =
    "all requested instance types were unavailable during launch";

}  // namespace kt::kaito

#endif  // KT_CONTROLLERS_KAITO_CONDITIONS_H_
