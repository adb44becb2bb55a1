// WorkspaceReconciler: Kaito's Workspace controller (v0.4.6 behaviour with the later fixes:
// non-blocking waits with creation expectations and requeues, status recomputed from the
// observed objects on every reconcile, pod failures classified, NodeClaim launch errors
// surfaced). Level-based: each Reconcile reads the workspace and everything it owns from the
// informer cache, writes the difference through the client, and recomputes the status.
//
// One reconcile of a live workspace:
//   1. finalizer workspace.finalizer.kaito.sh (JSON patch);
//   2. ControllerRevision "<ws>-<hash[:5]>" and the workspace's revision/hash annotations
//      (revision.h);
//   3. resources: qualified and selected nodes (node_selection.h); NodeClaims for what is
//      missing (nodeclaim.h), remembered as creation expectations until the cache shows them;
//      for GPU SKUs the accelerator=nvidia label and nvidia.com/gpu capacity on every selected
//      node; status.workerNodes; NodeClaimReady and ResourceReady. While anything is pending
//      the reconcile returns RequeueAfter instead of waiting; NodeClaim, Node and Pod watch
//      events wake it earlier. A NodeClaim whose launch failed with "all requested instance
//      types were unavailable during launch" ends it with a TerminalError.
//   4. tuning: training ConfigMap, Job (replaced when the revision changed), JobStarted and
//      WorkspaceSucceeded from the Job; inference: inference ConfigMap, Service(s), Deployment
//      or StatefulSet (updated when the revision changed), InferenceReady from the workload and
//      its pods' failures, WorkspaceSucceeded (+ WorkspaceReady).
// A deleting workspace gets WorkspaceDeleting=True, its NodeClaims deleted and the finalizer
// released; owned objects go by garbage collection.
// Errors become WorkspaceSucceeded=False/workspaceFailed with the message and are returned
// (retried with back-off). Condition transitions are recorded as Events.
//
// Thread-safety: Reconcile may run on several workers at once (never twice for one key); the
// reconciler's own state (expectations) is internally locked.
#ifndef KT_CONTROLLERS_WORKSPACE_WORKSPACE_RECONCILER_H_
#define KT_CONTROLLERS_WORKSPACE_WORKSPACE_RECONCILER_H_

#include <string>
#include <vector>

#include "api/kube_client.h"
#include "base/env.h"
#include "base/json_fwd.h"
#include "controllers/kaito/preset_catalog.h"
#include "controllers/kaito/sku_table.h"
#include "controllers/kaito/workspace.h"
#include "controllers/runtime/cache.h"
#include "controllers/runtime/event_recorder.h"
#include "controllers/runtime/reconciler.h"
#include "controllers/workspace/expectations.h"
#include "controllers/workspace/options.h"
#include "controllers/workspace/status_update.h"

namespace kt::workspace {

class WorkspaceReconciler final : public ctrl::Reconciler {
 public:
  // `events` may be null (no Events written). Everything passed must outlive the reconciler.
  WorkspaceReconciler(Env& env, api::KubeClient& client, ctrl::Cache& cache,
                      ctrl::EventRecorder* events, WorkspaceControllerOptions options);

  ctrl::ReconcileResult Reconcile(const ctrl::Request& request) override;

  const WorkspaceControllerOptions& options() const { return options_; }
  CreationExpectations& expectations() { return expectations_; }
  const kaito::PresetCatalog& presets() const { return *presets_; }
  const kaito::SkuTable& skus() const { return *skus_; }

 private:
  // What a stage of the reconcile concluded.
  struct Outcome {
    enum Kind { kReady, kWaiting, kFailed, kTerminal };
    Kind kind = kReady;
    Duration requeue{0};  // kWaiting: look again after this (0: wait for watch events)
    Status error;         // kFailed / kTerminal
    static Outcome Ready() { return {}; }
    static Outcome Wait(Duration d) { return {kWaiting, d, Status::Ok()}; }
    static Outcome Fail(Status s) { return {kFailed, Duration(0), std::move(s)}; }
    static Outcome Terminal(Status s) { return {kTerminal, Duration(0), std::move(s)}; }
  };

  ctrl::ReconcileResult ReconcileLive(const Json& ws, const kaito::Workspace& typed,
                                      StatusUpdate& st);
  ctrl::ReconcileResult ReconcileDeletion(const Json& ws);
  Status EnsureFinalizer(const Json& ws);
  // Returns the revision number the workspace is at.
  Result<std::string> SyncRevision(const Json& ws);

  // reconcile_resource.cc
  Outcome ReconcileResource(const Json& ws, const kaito::Workspace& typed, StatusUpdate& st);
  Outcome CreateNodeClaims(const Json& ws, const kaito::Workspace& typed, int64_t n,
                           StatusUpdate& st);
  Outcome EnsureNodePlugins(const std::vector<const Json*>& nodes, StatusUpdate& st);

  // reconcile_inference.cc
  Outcome ReconcileInference(const Json& ws, const kaito::Workspace& typed,
                             const std::string& revision, bool resources_ready,
                             StatusUpdate& st);
  Outcome EnsureServices(const Json& ws, const kaito::Preset* preset);
  // Observes the workload and its pods; sets InferenceReady. `fresh`: created or updated by
  // this reconcile.
  Outcome ObserveInference(const Json& ws, const Json* workload, bool fresh, StatusUpdate& st);

  // reconcile_tuning.cc
  Outcome ReconcileTuning(const Json& ws, const kaito::Workspace& typed,
                          const std::string& revision, StatusUpdate& st);

  // Ensures the ConfigMap a workload mounts exists in the workspace's namespace: the user's
  // (`user_config`, NotFound when missing) or a copy of `default_name` from the release
  // namespace. Returns its name and the value of `key`.
  Result<std::pair<std::string, std::string>> EnsureConfigMap(const Json& ws,
                                                             const std::string& user_config,
                                                             std::string_view default_name,
                                                             std::string_view key);
  // GPUs per pod: the SKU's count (when no preferred nodes), else the first of
  // `worker_nodes` (this reconcile's selection) with nvidia.com/gpu capacity, else the
  // preset's requirement.
  int64_t GpusPerNode(const kaito::Workspace& typed, const std::vector<std::string>& worker_nodes,
                      int64_t preset_gpus);

  void RecordTransitions(const Json& ws, const std::vector<api::Condition>& changed);
  void Event(const Json& ws, ctrl::EventType type, std::string_view reason,
             std::string_view message);

  Env& env_;
  api::KubeClient& client_;
  ctrl::Cache& cache_;
  ctrl::EventRecorder* events_;
  WorkspaceControllerOptions options_;
  const kaito::PresetCatalog* presets_;
  const kaito::SkuTable* skus_;
  CreationExpectations expectations_;
};

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_WORKSPACE_RECONCILER_H_
