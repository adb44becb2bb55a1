// Wiring the Workspace controller into a manager (Kaito v0.4.6 SetupWithManager):
//
//   kt::workspace::WorkspaceControllerOptions options;            // options.h
//   options.preset_registry_name = "mcr.microsoft.com/aks/kaito";   // PRESET_REGISTRY_NAME
//   options.release_namespace = "kaito-workspace";                  // RELEASE_NAMESPACE
//   options.cloud_provider = "azure";                               // CLOUD_PROVIDER
//   auto ws = kt::workspace::WorkspaceController::Setup(mgr, options);  // before mgr.Start()
//   ... mgr.Start(); keep `ws` alive until mgr.Stop() ...
//
// REQUIRES: the release namespace holds Kaito's default ConfigMaps
// (kaito::DefaultConfigMaps(release_namespace), controllers/kaito/default_configmaps.h) for
// workspaces that name no config; the API server serves the Workspace and NodeClaim CRDs.
//
// Registers the controller "workspace" with max_concurrent_reconciles workers:
//   For       workspaces.kaito.sh (kind Workspace)
//   Owns      ControllerRevisions, Deployments, StatefulSets, Jobs, Services
//   Watches   NodeClaims (-> the workspace of labels kaito.sh/workspace and
//             kaito.sh/workspacenamespace; updates that only move status.lastPodEventTime are
//             ignored), Nodes (same labels, which the provisioner copies from the NodeClaim;
//             only readiness, label and nvidia.com/gpu capacity changes), Pods (label
//             kaito.sh/workspace in the pod's namespace: pod failures re-evaluate the status)
// plus the leader-only loop refreshing kaito_workspace_count{phase} every metrics_period, and
// an event recorder "workspace-controller". Informers for ConfigMaps (default config copies)
// are created up front so the first reconcile finds them synced.
//
// Thread-safety: Setup from the wiring thread, before or after Start (see Manager).
#ifndef KT_CONTROLLERS_WORKSPACE_SETUP_H_
#define KT_CONTROLLERS_WORKSPACE_SETUP_H_

#include <memory>

#include "controllers/runtime/manager.h"
#include "controllers/workspace/options.h"
#include "controllers/workspace/workspace_reconciler.h"

namespace kt::workspace {

inline constexpr std::string_view kControllerName = "workspace";
inline constexpr std::string_view kEventComponent = "workspace-controller";

class WorkspaceController {
 public:
  // `mgr` must outlive the returned object; the object must outlive mgr.Stop().
  static std::unique_ptr<WorkspaceController> Setup(ctrl::Manager& mgr,
                                                    WorkspaceControllerOptions options);

  WorkspaceReconciler& reconciler() { return *reconciler_; }
  ctrl::Controller& controller() { return *controller_; }

 private:
  WorkspaceController() = default;
  std::unique_ptr<WorkspaceReconciler> reconciler_;
  ctrl::Controller* controller_ = nullptr;  // owned by the manager
};

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_SETUP_H_
