#include "controllers/workspace/workspace_reconciler.h"

#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "base/log.h"
#include "controllers/kaito/conditions.h"
#include "controllers/kaito/labels.h"
#include "controllers/workspace/nodeclaim.h"
#include "controllers/workspace/revision.h"

namespace kt::workspace {

using ctrl::ReconcileResult;

WorkspaceReconciler::WorkspaceReconciler(Env& env, api::KubeClient& client, ctrl::Cache& cache,
                                         ctrl::EventRecorder* events,
                                         WorkspaceControllerOptions options)
    : env_(env),
      client_(client),
      cache_(cache),
      events_(events),
      options_(std::move(options)),
      presets_(options_.presets ? options_.presets : &kaito::DefaultPresetCatalog()),
      skus_(options_.skus ? options_.skus : &kaito::DefaultSkuTable()),
      expectations_(options_.expectations_ttl) {}

ReconcileResult WorkspaceReconciler::Reconcile(const ctrl::Request& request) {
  auto cached = cache_.Get(api::resources::kWorkspaces, request.ns, request.name);
  if (!cached.ok()) {
    if (cached.status().Is(StatusCode::kNotFound)) {
      expectations_.Delete(request.Key());
      return ReconcileResult::Done();
    }
    return cached.status();
  }
  const Json& ws = **cached;
  if (api::IsDeleting(ws)) return ReconcileDeletion(ws);

  StatusUpdate st(api::Generation(ws));
  auto typed = kaito::DecodeWorkspace(ws);
  if (!typed.ok()) {
    // The webhook admits only well-formed workspaces; one that is not cannot be fixed by
    // retrying.
    st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspaceFailed,
           typed.status().message());
    (void)st.Write(client_, ws, env_.Now(), options_.status_write_attempts_max, nullptr);
    return ctrl::TerminalError(typed.status());
  }
  ReconcileResult result = ReconcileLive(ws, *typed, st);
  std::vector<api::Condition> changed;
  Status written = st.Write(client_, ws, env_.Now(), options_.status_write_attempts_max, &changed);
  RecordTransitions(ws, changed);
  if (!written.ok() && result.ok()) return written;
  return result;
}

ReconcileResult WorkspaceReconciler::ReconcileLive(const Json& ws, const kaito::Workspace& typed,
                                                   StatusUpdate& st) {
  auto fail = [&](const Status& s) -> ReconcileResult {
    st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspaceFailed,
           s.message());
    return s;
  };
  if (Status s = EnsureFinalizer(ws); !s.ok()) return fail(s);
  auto revision = SyncRevision(ws);
  if (!revision.ok()) return fail(revision.status());

  Outcome resource = ReconcileResource(ws, typed, st);
  const bool resources_ready = resource.kind == Outcome::kReady;
  Outcome work = Outcome::Ready();
  if (typed.tuning) {
    if (resources_ready) work = ReconcileTuning(ws, typed, *revision, st);
  } else if (typed.inference) {
    work = ReconcileInference(ws, typed, *revision, resources_ready, st);
  }

  // The first stage that did not finish decides the result.
  for (const Outcome* o : {&resource, &work}) {
    switch (o->kind) {
      case Outcome::kReady:
        continue;
      case Outcome::kTerminal:
        st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspaceFailed,
               o->error.message());
        return ctrl::TerminalError(o->error);
      case Outcome::kFailed:
        return fail(o->error);
      case Outcome::kWaiting: {
        if (st.Find(kaito::kConditionWorkspaceSucceeded) == nullptr) {
          const api::Condition* why = st.Find(o == &resource ? kaito::kConditionResourceReady
                                                             : kaito::kConditionInferenceReady);
          st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspacePending,
                 why ? "workspace is not ready yet: " + why->message
                     : std::string("workspace is not ready yet"));
        }
        return o->requeue > Duration(0) ? ReconcileResult::RequeueAfter(o->requeue)
                                        : ReconcileResult::Done();
      }
    }
  }
  if (st.Find(kaito::kConditionWorkspaceSucceeded) == nullptr) {
    st.Set(kaito::kConditionWorkspaceSucceeded, "True", kaito::kReasonWorkspaceSucceeded,
           kaito::kMessageWorkspaceSucceeds);
  }
  return ReconcileResult::Done();
}

Status WorkspaceReconciler::EnsureFinalizer(const Json& ws) {
  if (api::HasFinalizer(ws, kaito::kWorkspaceFinalizer)) return Status::Ok();
  Json patch = Json::array();
  if (api::Finalizers(ws).empty()) {
    patch.push_back({{"op", "add"},
                     {"path", "/metadata/finalizers"},
                     {"value", Json::array({kaito::kWorkspaceFinalizer})}});
  } else {
    patch.push_back(
        {{"op", "add"}, {"path", "/metadata/finalizers/-"}, {"value", kaito::kWorkspaceFinalizer}});
  }
  auto r = client_.Patch(api::resources::kWorkspaces, api::Namespace(ws), api::Name(ws),
                         api::PatchType::kJson, DumpJson(patch));
  if (!r.ok()) return r.status().Annotate("adding finalizer");
  return Status::Ok();
}

Result<std::string> WorkspaceReconciler::SyncRevision(const Json& ws) {
  KT_ASSIGN_OR_RETURN(auto revs, cache_.List(api::resources::kControllerRevisions,
                                             api::Namespace(ws), RevisionSelector(api::Name(ws))));
  std::vector<const Json*> existing;
  for (const auto& r : revs) existing.push_back(r.get());
  KT_ASSIGN_OR_RETURN(RevisionPlan plan, PlanRevision(ws, existing, options_.revision_history_max));
  if (plan.create) {
    auto created =
        client_.Create(api::resources::kControllerRevisions, api::Namespace(ws),
                       ControllerRevisionManifest(ws, plan.hash, plan.revision));
    if (!created.ok() && !created.status().Is(StatusCode::kAlreadyExists)) {
      return created.status().Annotate("creating ControllerRevision");
    }
    for (const std::string& old : plan.to_delete) {
      auto d = client_.Delete(api::resources::kControllerRevisions, api::Namespace(ws), old);
      if (!d.ok() && !d.status().Is(StatusCode::kNotFound)) {
        return d.status().Annotate("deleting old ControllerRevision");
      }
    }
  }
  const std::string revision = std::to_string(plan.revision);
  if (api::Annotation(ws, kaito::kAnnotationRevision) != revision ||
      api::Annotation(ws, kaito::kAnnotationHash) != plan.hash) {
    Json patch = {{"metadata",
                   {{"annotations",
                     {{std::string(kaito::kAnnotationRevision), revision},
                      {std::string(kaito::kAnnotationHash), plan.hash}}}}}};
    auto r = client_.Patch(api::resources::kWorkspaces, api::Namespace(ws), api::Name(ws),
                           api::PatchType::kMerge, DumpJson(patch));
    if (!r.ok()) return r.status().Annotate("annotating workspace revision");
  }
  return revision;
}

ReconcileResult WorkspaceReconciler::ReconcileDeletion(const Json& ws) {
  const std::string ns = api::Namespace(ws);
  const std::string name = api::Name(ws);
  StatusUpdate st(api::Generation(ws));
  st.Set(kaito::kConditionWorkspaceDeleting, "True", kaito::kReasonWorkspaceDeleted,
         kaito::kMessageWorkspaceBeingDeleted);
  std::vector<api::Condition> changed;
  Status s = st.Write(client_, ws, env_.Now(), options_.status_write_attempts_max, &changed);
  RecordTransitions(ws, changed);
  if (!s.ok()) return s;
  if (!api::HasFinalizer(ws, kaito::kWorkspaceFinalizer)) return ReconcileResult::Done();

  // A direct list, not the cache: a NodeClaim created moments ago must not be left behind.
  api::ListOptions lo;
  lo.label_selector = NodeClaimSelector(ns, name);
  KT_ASSIGN_OR_RETURN(Json claims, client_.List(api::resources::kNodeClaims, "", lo));
  for (const Json& nc : claims["items"]) {
    if (api::IsDeleting(nc)) continue;
    auto d = client_.Delete(api::resources::kNodeClaims, "", api::Name(nc));
    if (!d.ok() && !d.status().Is(StatusCode::kNotFound)) {
      return d.status().Annotate("deleting nodeClaim " + api::Name(nc));
    }
    Event(ws, ctrl::EventType::kNormal, "NodeClaimDeleted", "deleted nodeClaim " + api::Name(nc));
  }

  auto fresh = client_.Get(api::resources::kWorkspaces, ns, name);
  if (!fresh.ok()) {
    if (fresh.status().Is(StatusCode::kNotFound)) return ReconcileResult::Done();
    return fresh.status();
  }
  Json next = *fresh;
  if (api::RemoveFinalizer(next, kaito::kWorkspaceFinalizer)) {
    auto u = client_.Update(api::resources::kWorkspaces, ns, next);
    if (!u.ok() && !u.status().Is(StatusCode::kNotFound)) {
      return u.status().Annotate("removing finalizer");
    }
  }
  expectations_.Delete(api::Key(ns, name));
  return ReconcileResult::Done();
}

void WorkspaceReconciler::RecordTransitions(const Json& ws,
                                            const std::vector<api::Condition>& changed) {
  for (const api::Condition& c : changed) {
    if (c.type == kaito::kConditionWorkspaceReady) continue;  // mirrors WorkspaceSucceeded
    const bool warning =
        c.status == "False" && c.reason != kaito::kReasonWorkspacePending &&
        c.reason != kaito::kReasonInferenceStatusPending &&
        c.reason != kaito::kReasonResourceStatusNotReady &&
        c.reason != kaito::kReasonTuningJobStatusPending;
    Event(ws, warning ? ctrl::EventType::kWarning : ctrl::EventType::kNormal, c.reason,
          c.type + " " + c.status + (c.message.empty() ? "" : ": " + c.message));
  }
}

void WorkspaceReconciler::Event(const Json& ws, ctrl::EventType type, std::string_view reason,
                                std::string_view message) {
  if (events_ != nullptr) events_->Event(ws, type, reason, message);
}

}  // namespace kt::workspace
