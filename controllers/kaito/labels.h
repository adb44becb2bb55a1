// Kaito's label, annotation, finalizer and well-known names (api/v1beta1/labels.go,
// workspace_validation.go and the controller at v0.4.6), shared by the Workspace controller, the
// webhook and the twin. Constants only; no ownership or threading concerns.
#ifndef KT_CONTROLLERS_KAITO_LABELS_H_
#define KT_CONTROLLERS_KAITO_LABELS_H_

#include <string_view>

namespace kt::kaito {

// API group, kind and versions. Both versions are served; v1beta1 is the storage version at
// v0.4.6.
inline constexpr std::string_view kGroup = "kaito.sh";
inline constexpr std::string_view kWorkspaceKind = "Workspace";
inline constexpr std::string_view kWorkspaceResource = "workspaces";
inline constexpr std::string_view kApiVersionV1alpha1 = "kaito.sh/v1alpha1";
inline constexpr std::string_view kApiVersionV1beta1 = "kaito.sh/v1beta1";

// Labels Kaito puts on NodeClaims, nodes and workloads.
inline constexpr std::string_view kLabelWorkspace = "kaito.sh/workspace";
inline constexpr std::string_view kLabelWorkspaceNamespace = "kaito.sh/workspacenamespace";
inline constexpr std::string_view kLabelMachineType = "kaito.sh/machine-type";  // gpu|cpu
inline constexpr std::string_view kLabelCreationTimestamp = "kaito.sh/creation-timestamp";
inline constexpr std::string_view kLabelNodePool = "karpenter.sh/nodepool";  // "kaito"
inline constexpr std::string_view kNodePoolKaito = "kaito";
inline constexpr std::string_view kLabelAccelerator = "accelerator";  // "nvidia"
inline constexpr std::string_view kAcceleratorNvidia = "nvidia";
inline constexpr std::string_view kLabelInstanceType = "node.kubernetes.io/instance-type";
inline constexpr std::string_view kLabelAzureSkuName = "karpenter.azure.com/sku-name";
inline constexpr std::string_view kLabelAgentPool = "agentpool";
inline constexpr std::string_view kLabelAzureAgentPool = "kubernetes.azure.com/agentpool";
// ControllerRevision label naming the workspace.
inline constexpr std::string_view kLabelRevisionWorkspaceName = "workspace.kaito.io/name";

// Annotations.
inline constexpr std::string_view kAnnotationEnableLb =
    "kaito.sh/enablelb";  // "True" -> LB Service
inline constexpr std::string_view kAnnotationRevision = "workspace.kaito.io/revision";
inline constexpr std::string_view kAnnotationHash = "workspace.kaito.io/hash";
inline constexpr std::string_view kAnnotationRuntime = "kaito.sh/runtime";  // vllm|transformers
// Present (any value) -> the webhook's GPU fit checks become warnings.
inline constexpr std::string_view kAnnotationBypassResourceChecks =
    "kaito.sh/bypass-resource-checks";
inline constexpr std::string_view kAnnotationDoNotDisrupt = "karpenter.sh/do-not-disrupt";

inline constexpr std::string_view kWorkspaceFinalizer = "workspace.finalizer.kaito.sh";

// Taint on Kaito's GPU nodes and the tolerations its workloads carry.
inline constexpr std::string_view kTaintSkuKey = "sku";
inline constexpr std::string_view kTaintSkuValue = "gpu";
inline constexpr std::string_view kResourceNvidiaGpu = "nvidia.com/gpu";

// Default ConfigMaps in the release namespace (charts/kaito/workspace/templates/*-params.yaml)
// and the keys the runtimes read.
inline constexpr std::string_view kDefaultInferenceConfigTemplate = "inference-params-template";
inline constexpr std::string_view kDefaultLoraConfigTemplate = "lora-params-template";
inline constexpr std::string_view kDefaultQloraConfigTemplate = "qlora-params-template";
inline constexpr std::string_view kInferenceConfigKey = "inference_config.yaml";
inline constexpr std::string_view kTrainingConfigKey = "training_config.yaml";
// The namespace Kaito's Helm chart installs into; a deployment may choose another.
inline constexpr std::string_view kDefaultReleaseNamespace = "kaito-workspace";

// Limits enforced by the webhook.
inline constexpr int kAdaptersMax = 10;  // MaxAdaptersNumber
// Tuning methods (compared case-insensitively).
inline constexpr std::string_view kTuningMethodLora = "lora";
inline constexpr std::string_view kTuningMethodQlora = "qlora";
// Preset access modes (v1alpha1).
inline constexpr std::string_view kAccessModePublic = "public";
inline constexpr std::string_view kAccessModePrivate = "private";

// Instance-type prefixes: the controller treats names containing "Standard_N" as GPU SKUs; on
// Azure the webhook lets unknown Standard_N*/Standard_D* names through without GPU checks.
inline constexpr std::string_view kAzureNSeriesPrefix = "Standard_N";
inline constexpr std::string_view kAzureDSeriesPrefix = "Standard_D";
inline constexpr std::string_view kCloudProviderAzure = "azure";

}  // namespace kt::kaito

#endif  // KT_CONTROLLERS_KAITO_LABELS_H_
