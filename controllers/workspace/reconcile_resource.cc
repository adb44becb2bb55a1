// The resource stage of a reconcile: nodes and NodeClaims (see workspace_reconciler.h).
#include <algorithm>
#include <cstdio>
#include <set>

#include "api/object.h"
#include "base/json.h"
#include "controllers/kaito/conditions.h"
#include "controllers/kaito/labels.h"
#include "controllers/workspace/node_selection.h"
#include "controllers/workspace/nodeclaim.h"
#include "controllers/workspace/workspace_reconciler.h"

namespace kt::workspace {
namespace {

std::string Format(std::string_view fmt, int64_t n) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), std::string(fmt).c_str(), static_cast<int>(n));
  return buf;
}

std::string LabelSelectorString(const api::Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

}  // namespace

WorkspaceReconciler::Outcome WorkspaceReconciler::ReconcileResource(const Json& ws,
                                                                    const kaito::Workspace& typed,
                                                                    StatusUpdate& st) {
  const std::string key = api::KeyOf(ws);
  const int64_t count = typed.resource.CountOrDefault();
  auto not_ready = [&](std::string_view claim_reason, std::string_view resource_reason,
                       const std::string& message) {
    st.Set(kaito::kConditionNodeClaimReady, "False", claim_reason, message);
    st.Set(kaito::kConditionResourceReady, "False", resource_reason, message);
  };

  NodeRequirements req = NodeRequirementsOf(ws);
  auto nodes = cache_.List(api::resources::kNodes, "", LabelSelectorString(req.match_labels));
  if (!nodes.ok()) return Outcome::Fail(nodes.status().Annotate("listing nodes"));
  std::vector<const Json*> all;
  for (const auto& n : *nodes) all.push_back(n.get());
  std::vector<const Json*> selected = SelectNodes(QualifiedNodes(all, req), req.preferred_nodes,
                                                  typed.worker_nodes, count);

  auto claims = cache_.List(api::resources::kNodeClaims, "",
                            NodeClaimSelector(api::Namespace(ws), api::Name(ws)));
  if (!claims.ok()) return Outcome::Fail(claims.status().Annotate("listing nodeClaims"));
  std::set<std::string> claim_names;
  for (const auto& c : *claims) claim_names.insert(api::Name(*c));
  if (!expectations_.Satisfied(key, claim_names, env_.Now())) {
    // NodeClaims this controller created are not in the cache yet: counting without them
    // would create them again.
    st.Set(kaito::kConditionNodeClaimReady, "Unknown", kaito::kReasonCreateNodeClaimPending,
           Format(kaito::kMessageCreatingNodeClaimsFormat, count - static_cast<int64_t>(selected.size())));
    st.Set(kaito::kConditionResourceReady, "False", kaito::kReasonResourceStatusNotReady,
           "waiting for the nodeClaims being created");
    return Outcome::Wait(options_.resource_requeue);
  }

  std::set<std::string> selected_names;
  for (const Json* n : selected) selected_names.insert(api::Name(*n));
  std::vector<const Json*> pending;  // live claims that do not (yet) provide a selected node
  for (const auto& c : *claims) {
    if (api::IsDeleting(*c)) continue;
    NodeClaimState s = ReadNodeClaim(*c);
    if (s.terminal) {
      std::string msg = "nodeClaim " + api::Name(*c) + " failed to launch: " + s.message;
      not_ready(kaito::kReasonCheckNodeClaimStatusFailed, kaito::kReasonResourceStatusFailed, msg);
      return Outcome::Terminal(Invalid(msg));
    }
    if (s.node_name.empty() || selected_names.count(s.node_name) == 0) pending.push_back(c.get());
  }

  const int64_t needed = count - static_cast<int64_t>(selected.size());
  if (needed > 0) {
    const int64_t to_create = needed - static_cast<int64_t>(pending.size());
    if (to_create > 0) return CreateNodeClaims(ws, typed, to_create, st);
    // Waiting for NodeClaims already asked for. Surface the most telling one: a launch
    // failure first (quota, SKU), else the first condition that is not True yet.
    const Json* worst = pending.front();
    for (const Json* c : pending) {
      if (ReadNodeClaim(*c).launch_failed) {
        worst = c;
        break;
      }
    }
    NodeClaimState s = ReadNodeClaim(*worst);
    if (s.launch_failed) {
      std::string msg = "nodeClaim " + api::Name(*worst) + " is not launched: " + s.message;
      std::string reason = s.reason.empty() ? std::string(kaito::kReasonNodeClaimNotReady) : s.reason;
      not_ready(reason, reason, msg);
      st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspaceFailed, msg);
    } else {
      std::string msg = "waiting for " + std::to_string(needed) + " node(s) of " +
                        std::to_string(count) + "; nodeClaim " + api::Name(*worst);
      if (!s.blocking_condition.empty()) {
        msg += " " + s.blocking_condition + "=False";
        if (!s.reason.empty()) msg += " (" + s.reason + ")";
        if (!s.message.empty()) msg += ": " + s.message;
      } else if (s.ready) {
        msg += " is ready, its node " + (s.node_name.empty() ? std::string("has not joined")
                                                            : s.node_name + " is not ready yet");
      } else {
        msg += " is being provisioned";
      }
      st.Set(kaito::kConditionNodeClaimReady, "Unknown", kaito::kReasonNodeClaimNotReady, msg);
      st.Set(kaito::kConditionResourceReady, "False", kaito::kReasonResourceStatusNotReady, msg);
    }
    // NodeClaim and Node events wake the workspace; the requeue is a safety net.
    return Outcome::Wait(options_.workload_requeue);
  }

  if (kaito::IsGpuInstanceType(typed.resource.instance_type)) {
    Outcome plugins = EnsureNodePlugins(selected, st);
    if (plugins.kind != Outcome::kReady) return plugins;
  }
  std::vector<std::string> names(selected_names.begin(), selected_names.end());
  st.SetWorkerNodes(names);
  st.Set(kaito::kConditionNodeClaimReady, "True", kaito::kReasonInstallNodePluginsSuccess,
         kaito::kMessageNodePluginsInstalled);
  st.Set(kaito::kConditionResourceReady, "True", kaito::kReasonResourceStatusSuccess,
         kaito::kMessageResourceReady);
  return Outcome::Ready();
}

WorkspaceReconciler::Outcome WorkspaceReconciler::CreateNodeClaims(const Json& ws,
                                                                   const kaito::Workspace& typed,
                                                                   int64_t n, StatusUpdate& st) {
  std::string storage(kDefaultNodeClaimStorage);
  if (const kaito::PresetSpec* ps = kaito::PresetOf(typed)) {
    if (const kaito::Preset* preset = presets_->Find(ps->name)) {
      const std::string& disk = typed.tuning && preset->tuning ? preset->tuning->disk
                                                               : preset->inference.disk;
      if (!disk.empty()) storage = disk;
    }
  }
  st.Set(kaito::kConditionNodeClaimReady, "Unknown", kaito::kReasonCreateNodeClaimPending,
         Format(kaito::kMessageCreatingNodeClaimsFormat, n));
  st.Set(kaito::kConditionResourceReady, "False", kaito::kReasonResourceStatusNotReady,
         Format(kaito::kMessageCreatingNodeClaimsFormat, n));
  const std::string key = api::KeyOf(ws);
  int attempt = 0;
  for (int64_t i = 0; i < n; ++i) {
    Status last;
    bool created = false;
    for (int tries = 0; tries < options_.nodeclaim_name_attempts_max && !created; ++tries) {
      const std::string name =
          NodeClaimName(api::Namespace(ws), api::Name(ws), env_.Now(), attempt++);
      Json nc = NodeClaimManifest(ws, name, storage, options_.cloud_provider);
      auto r = client_.Create(api::resources::kNodeClaims, "", nc);
      if (r.ok() || r.status().Is(StatusCode::kTimeout)) {
        // A timeout may have created it: expect it either way (the TTL covers "it did not").
        expectations_.ExpectCreation(key, name, env_.Now());
        created = r.ok();
        if (created) {
          Event(ws, ctrl::EventType::kNormal, "NodeClaimCreated",
                "created nodeClaim " + name + " (" + typed.resource.instance_type + ")");
        }
        if (!r.ok()) last = r.status();
        break;
      }
      last = r.status();
      if (!last.Is(StatusCode::kAlreadyExists)) break;
    }
    if (!created) {
      std::string msg = last.ok() ? "failed to create nodeClaim" : last.message();
      st.Set(kaito::kConditionNodeClaimReady, "False", kaito::kReasonNodeClaimFailedCreation, msg);
      st.Set(kaito::kConditionResourceReady, "False", kaito::kReasonResourceStatusFailed, msg);
      Event(ws, ctrl::EventType::kWarning, "NodeClaimCreationFailed", msg);
      return Outcome::Fail(last.ok() ? Internal(msg) : last.Annotate("creating nodeClaim"));
    }
  }
  return Outcome::Wait(options_.resource_requeue);
}

WorkspaceReconciler::Outcome WorkspaceReconciler::EnsureNodePlugins(
    const std::vector<const Json*>& nodes, StatusUpdate& st) {
  for (const Json* node : nodes) {
    const std::string name = api::Name(*node);
    if (api::Label(*node, kaito::kLabelAccelerator) != kaito::kAcceleratorNvidia) {
      Json patch = {{"metadata",
                     {{"labels", {{std::string(kaito::kLabelAccelerator), kaito::kAcceleratorNvidia}}}}}};
      auto r = client_.Patch(api::resources::kNodes, "", name, api::PatchType::kMerge, DumpJson(patch));
      if (!r.ok()) return Outcome::Fail(r.status().Annotate("labelling node " + name));
    }
    if (NodeCapacity(*node, kaito::kResourceNvidiaGpu) > 0) continue;
    // The device plugin has not published the GPUs yet. Kaito v0.4.6 waited 60 s inside the
    // reconcile and then failed; the twin looks again later and only changes the message.
    std::string msg = "waiting for " + std::string(kaito::kResourceNvidiaGpu) +
                      " capacity on node " + name;
    std::string reason(kaito::kReasonResourceStatusNotReady);
    if (auto ready = api::FindCondition(*node, "Ready")) {
      auto since = ParseRfc3339(ready->last_transition_time);
      if (since.ok() && env_.Now() - *since > options_.node_plugin_timeout) {
        msg = "node plugin installation timed out. node " + name + " is not ready";
        reason = std::string(kaito::kReasonResourceStatusFailed);
      }
    }
    st.Set(kaito::kConditionNodeClaimReady, "Unknown", kaito::kReasonNodeClaimNotReady, msg);
    st.Set(kaito::kConditionResourceReady, "False", reason, msg);
    return Outcome::Wait(options_.resource_requeue);
  }
  return Outcome::Ready();
}

}  // namespace kt::workspace
