// The inference workload of a workspace (Kaito v0.4.6 pkg/workspace/inference,
// manifests.GenerateDeploymentManifest / GenerateStatefulSetManifest /
// GenerateDeploymentManifestWithPodTemplate), with the later fixes the twin carries.
//
// Preset workspaces: a Deployment "<ws>" (replicas = resource.count, RollingUpdate maxSurge 0
// maxUnavailable 1) or, for presets that support distributed inference, a StatefulSet "<ws>"
// (Parallel, serviceName "<ws>-headless"); annotation workspace.kaito.io/revision; pod label
// kaito.sh/workspace=<ws>; one container named after the workspace with
//   image      <registry>/kaito-<preset>:<tag> (presetOptions.image for private presets)
//   command    see inference_command.h
//   resources  requests = limits = nvidia.com/gpu: <GPUs of ONE node> (Kaito #1335)
//   probes     liveness and readiness HTTP GET :5000/health (readiness after 30 s, both every
//              10 s) and a startupProbe that allows the preset's ReadinessTimeout for loading
//              (Kaito PR #1796: before it, liveness killed large models mid-load)
//   volumes    config-volume (/mnt/config), dshm (/dev/shm), adapter-volume (/mnt/adapter)
//   env        HF_TOKEN from presetOptions.modelAccessSecret (download-at-runtime presets),
//              <adapter name>=<strength> per adapter with a strength
// plus one init container "puller-<adapter>" per adapter (and a docker-config volume for its
// pull secrets), the adapters' imagePullSecrets, Kaito's tolerations and a required node
// affinity from labelSelector.matchLabels.
// Template workspaces: a Deployment "<ws>" from a copy of inference.template with the label
// kaito.sh/workspace added, the node affinity replaced by the matchLabels one, Kaito's
// tolerations appended and replicas = resource.count; no GPU request is injected.
//
// Pure functions.
#ifndef KT_CONTROLLERS_WORKSPACE_INFERENCE_MANIFEST_H_
#define KT_CONTROLLERS_WORKSPACE_INFERENCE_MANIFEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "controllers/kaito/preset_catalog.h"
#include "controllers/kaito/workspace.h"

namespace kt::workspace {

struct InferenceParams {
  const Json* workspace = nullptr;          // REQUIRED: the Workspace object
  const kaito::Workspace* typed = nullptr;  // REQUIRED: its decoded form
  const kaito::Preset* preset = nullptr;    // REQUIRED for PresetWorkloadManifest
  kaito::RuntimeName runtime = kaito::RuntimeName::kVllm;
  int64_t gpus_per_node = 1;
  std::optional<int64_t> gpu_memory_per_gpu_gib;
  std::string revision;        // workspace.kaito.io/revision
  std::string registry;        // PRESET_REGISTRY_NAME
  std::string config_map;      // the inference ConfigMap in the workspace's namespace
};

// "Deployment" or "StatefulSet" (distributed presets).
Json PresetWorkloadManifest(const InferenceParams& p);
Json TemplateDeploymentManifest(const Json& workspace, std::string_view revision);

// The pod template fields an adapter (or template) change must carry into an existing
// workload: copies env and volumeMounts of every container, initContainers, volumes and
// imagePullSecrets of `desired` into `existing` (both Deployment/StatefulSet objects), and the
// revision annotation. Returns true when anything changed.
bool ApplyWorkloadUpdate(Json& existing, const Json& desired);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_INFERENCE_MANIFEST_H_
