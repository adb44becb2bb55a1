// WorkspaceControllerOptions: what the Workspace controller is configured with (Kaito's
// environment variables PRESET_REGISTRY_NAME, RELEASE_NAMESPACE, CLOUD_PROVIDER and its
// feature gates at v0.4.6), plus the twin's own knobs: how often to look again while waiting
// (the controller never blocks a worker), and the bounds of what it keeps.
//
// A plain value; copy freely. The catalogs it points at must outlive the controller (the
// defaults are process-wide immutable tables).
#ifndef KT_CONTROLLERS_WORKSPACE_OPTIONS_H_
#define KT_CONTROLLERS_WORKSPACE_OPTIONS_H_

#include <cstdint>
#include <string>

#include "base/time.h"
#include "controllers/kaito/labels.h"

namespace kt::kaito {
class PresetCatalog;
class SkuTable;
}  // namespace kt::kaito

namespace kt::workspace {

struct WorkspaceControllerOptions {
  // Image registry of the preset images: "<registry>/kaito-<preset>:<tag>"
  // (Kaito's PRESET_REGISTRY_NAME).
  std::string preset_registry_name = "mcr.microsoft.com/aks/kaito";
  // Where Kaito's default ConfigMaps live (RELEASE_NAMESPACE).
  std::string release_namespace = std::string(kaito::kDefaultReleaseNamespace);
  // "azure" adds karpenter.azure.com/sku-name to NodeClaim requirements and an AKSNodeClass
  // reference; "aws" an EC2NodeClass reference.
  std::string cloud_provider = "azure";
  // Feature gate vLLM (v0.4 default on): the runtime when kaito.sh/runtime is absent.
  bool vllm_feature_gate = true;

  // Null: the compiled-in defaults (controllers/kaito/data).
  const kaito::PresetCatalog* presets = nullptr;
  const kaito::SkuTable* skus = nullptr;

  int max_concurrent_reconciles = 5;  // Kaito's MaxConcurrentReconciles
  // ControllerRevisions kept per workspace (Kaito's MaxRevisionHistoryLimit).
  int revision_history_max = 10;

  // While NodeClaims or nodes are not ready yet, look again after this long (besides the
  // NodeClaim / Node watch events that wake the workspace up at once). Kaito HEAD: 2 s.
  Duration resource_requeue = std::chrono::seconds(2);
  // While the inference workload or tuning Job is starting (pod watch events wake it too).
  Duration workload_requeue = std::chrono::seconds(10);
  // Creation expectations expire after this long (controller-runtime's ExpectationsTimeout):
  // a NodeClaim create whose watch event never comes does not stall the workspace forever.
  Duration expectations_ttl = std::chrono::minutes(5);
  // After a node is Ready, how long nvidia.com/gpu may stay absent before the status says the
  // node plugin installation timed out (Kaito v0.4.6's NodePluginInstallTimeout). The
  // controller keeps waiting after that; only the message changes.
  Duration node_plugin_timeout = std::chrono::seconds(60);
  // Status writes retried on 409 Conflict / 5xx / 429 at most this many times.
  int status_write_attempts_max = 5;
  // NodeClaim names drawn per creation before giving up on AlreadyExists.
  int nodeclaim_name_attempts_max = 5;
  // Period of the kaito_workspace_count gauge refresh (Kaito: one minute).
  Duration metrics_period = std::chrono::minutes(1);
};

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_OPTIONS_H_
