#include "controllers/workspace/setup.h"

#include "api/object.h"
#include "base/json.h"
#include "controllers/kaito/labels.h"
#include "controllers/workspace/node_selection.h"
#include "controllers/workspace/workspace_metrics.h"

namespace kt::workspace {
namespace {

std::vector<ctrl::Request> ByWorkspaceLabels(const Json& obj) {
  auto ws = api::Label(obj, kaito::kLabelWorkspace);
  auto ns = api::Label(obj, kaito::kLabelWorkspaceNamespace);
  if (!ws || !ns) return {};
  return {ctrl::Request{*ns, *ws}};
}

std::vector<ctrl::Request> PodToWorkspace(const Json& pod) {
  auto ws = api::Label(pod, kaito::kLabelWorkspace);
  if (!ws) return {};
  return {ctrl::Request{api::Namespace(pod), *ws}};
}

// NodeClaim updates that only move status.lastPodEventTime say nothing to the workspace.
bool NodeClaimChanged(const Json& old_obj, const Json& new_obj) {
  Json a = old_obj;
  Json b = new_obj;
  for (Json* j : {&a, &b}) {
    if (j->contains("status") && (*j)["status"].is_object()) (*j)["status"].erase("lastPodEventTime");
    if (j->contains("metadata") && (*j)["metadata"].is_object()) {
      (*j)["metadata"].erase("resourceVersion");
      (*j)["metadata"].erase("managedFields");
    }
  }
  return a != b;
}

bool NodeChanged(const Json& old_obj, const Json& new_obj) {
  return IsNodeReady(old_obj) != IsNodeReady(new_obj) ||
         api::GetLabels(old_obj) != api::GetLabels(new_obj) ||
         NodeCapacity(old_obj, kaito::kResourceNvidiaGpu) !=
             NodeCapacity(new_obj, kaito::kResourceNvidiaGpu) ||
         api::IsDeleting(old_obj) != api::IsDeleting(new_obj);
}

}  // namespace

std::unique_ptr<WorkspaceController> WorkspaceController::Setup(
    ctrl::Manager& mgr, WorkspaceControllerOptions options) {
  std::unique_ptr<WorkspaceController> wc(new WorkspaceController());
  const int workers = options.max_concurrent_reconciles;
  const Duration metrics_period = options.metrics_period;
  ctrl::EventRecorder& events = mgr.GetEventRecorderFor(std::string(kEventComponent));
  wc->reconciler_ = std::make_unique<WorkspaceReconciler>(mgr.env(), mgr.client(), mgr.cache(),
                                                          &events, std::move(options));
  ctrl::Controller& c = mgr.NewController(
      {.name = std::string(kControllerName), .max_concurrent_reconciles = workers},
      *wc->reconciler_);
  ctrl::Predicate nodeclaim_pred;
  nodeclaim_pred.update = NodeClaimChanged;
  ctrl::Predicate node_pred;
  node_pred.update = NodeChanged;
  c.For({api::resources::kWorkspaces, std::string(kaito::kWorkspaceKind)})
      .Owns(api::resources::kControllerRevisions)
      .Owns(api::resources::kDeployments)
      .Owns(api::resources::kStatefulSets)
      .Owns(api::resources::kJobs)
      .Owns(api::resources::kServices)
      .Watches(api::resources::kNodeClaims, ByWorkspaceLabels, nodeclaim_pred)
      .Watches(api::resources::kNodes, ByWorkspaceLabels, node_pred)
      .Watches(api::resources::kPods, PodToWorkspace);
  mgr.cache().InformerFor(api::resources::kConfigMaps);
  mgr.Complete(c);
  wc->controller_ = &c;

  ctrl::Manager* m = &mgr;
  mgr.Add(std::make_unique<ctrl::PeriodicRunnable>(
      mgr.env(), "workspace-count-metrics", metrics_period, [m] {
        auto list = m->cache().List(api::resources::kWorkspaces, "");
        if (!list.ok()) return;
        std::vector<const Json*> ws;
        for (const auto& w : *list) ws.push_back(w.get());
        PublishWorkspaceCounts(m->metrics(), CountWorkspacePhases(ws));
      }));
  return wc;
}

}  // namespace kt::workspace
