// The inference stage of a reconcile: ConfigMap, Services, workload, InferenceReady
// (see workspace_reconciler.h).
#include "api/object.h"
#include "base/json.h"
#include "controllers/kaito/conditions.h"
#include "controllers/kaito/labels.h"
#include "controllers/workspace/inference_manifest.h"
#include "controllers/workspace/node_selection.h"
#include "controllers/workspace/pod_failure.h"
#include "controllers/workspace/service_manifest.h"
#include "controllers/workspace/workload_status.h"
#include "controllers/workspace/workspace_reconciler.h"

namespace kt::workspace {
namespace {

const api::GroupVersionResource& WorkloadResource(bool statefulset) {
  return statefulset ? api::resources::kStatefulSets : api::resources::kDeployments;
}

}  // namespace

int64_t WorkspaceReconciler::GpusPerNode(const kaito::Workspace& typed,
                                         const std::vector<std::string>& worker_nodes,
                                         int64_t preset_gpus) {
  if (typed.resource.preferred_nodes.empty()) {
    if (const kaito::GpuSku* sku = skus_->FindAny(typed.resource.instance_type)) {
      return sku->gpu_count;
    }
  }
  // Preferred (BYO) nodes may be of any size: one pod per node gets that node's GPUs, never
  // the workspace's total (kaito#1335).
  for (const std::string& node : worker_nodes) {
    auto n = cache_.Get(api::resources::kNodes, "", node);
    if (!n.ok()) continue;
    int64_t gpus = NodeCapacity(**n, kaito::kResourceNvidiaGpu);
    if (gpus > 0) return gpus;
  }
  return preset_gpus;
}

Result<std::pair<std::string, std::string>> WorkspaceReconciler::EnsureConfigMap(
    const Json& ws, const std::string& user_config, std::string_view default_name,
    std::string_view key) {
  const std::string ns = api::Namespace(ws);
  // The key holds a dot ("training_config.yaml"): looked up directly, not as a dotted path.
  auto value_of = [&](const Json& cm) -> std::string {
    auto data = cm.find("data");
    if (data == cm.end() || !data->is_object()) return "";
    auto v = data->find(std::string(key));
    return v != data->end() && v->is_string() ? v->get<std::string>() : "";
  };
  if (!user_config.empty()) {
    auto cm = cache_.Get(api::resources::kConfigMaps, ns, user_config);
    if (!cm.ok()) return cm.status().Annotate("config map " + user_config);
    return std::make_pair(user_config, value_of(**cm));
  }
  const std::string name(default_name);
  auto local = cache_.Get(api::resources::kConfigMaps, ns, name);
  if (local.ok()) return std::make_pair(name, value_of(**local));
  if (!local.status().Is(StatusCode::kNotFound)) return local.status();
  auto source = cache_.Get(api::resources::kConfigMaps, options_.release_namespace, name);
  if (!source.ok()) {
    return source.status().Annotate("default config map " + options_.release_namespace + "/" + name);
  }
  Json copy = {{"apiVersion", "v1"},
               {"kind", "ConfigMap"},
               {"metadata", {{"name", name}, {"namespace", ns}}},
               {"data", (*source)->value("data", Json::object())}};
  auto created = client_.Create(api::resources::kConfigMaps, ns, copy);
  if (!created.ok() && !created.status().Is(StatusCode::kAlreadyExists)) {
    return created.status().Annotate("copying config map " + name);
  }
  return std::make_pair(name, value_of(copy));
}

WorkspaceReconciler::Outcome WorkspaceReconciler::EnsureServices(const Json& ws,
                                                                 const kaito::Preset* preset) {
  const bool distributed = preset != nullptr && preset->distributed_inference;
  std::vector<Json> wanted = {ServiceManifest(ws, distributed)};
  if (distributed) wanted.push_back(HeadlessServiceManifest(ws));
  for (const Json& svc : wanted) {
    auto existing = cache_.Get(api::resources::kServices, api::Namespace(ws), api::Name(svc));
    if (existing.ok()) continue;  // created when absent, never updated (as Kaito)
    if (!existing.status().Is(StatusCode::kNotFound)) return Outcome::Fail(existing.status());
    auto r = client_.Create(api::resources::kServices, api::Namespace(ws), svc);
    if (r.ok()) {
      Event(ws, ctrl::EventType::kNormal, "ServiceCreated", "created service " + api::Name(svc));
    } else if (!r.status().Is(StatusCode::kAlreadyExists)) {
      return Outcome::Fail(r.status().Annotate("creating service " + api::Name(svc)));
    }
  }
  return Outcome::Ready();
}

WorkspaceReconciler::Outcome WorkspaceReconciler::ReconcileInference(
    const Json& ws, const kaito::Workspace& typed, const std::string& revision,
    bool resources_ready, StatusUpdate& st) {
  const kaito::InferenceSpec& inf = *typed.inference;
  const kaito::Preset* preset = nullptr;
  if (inf.preset) {
    preset = presets_->Find(inf.preset->name);
    if (preset == nullptr) {
      std::string msg = "unsupported inference preset name " + inf.preset->name;
      st.Set(kaito::kConditionInferenceReady, "False", kaito::kReasonInferenceStatusFailed, msg);
      return Outcome::Terminal(Invalid(msg));
    }
  }
  const bool statefulset = preset != nullptr && preset->distributed_inference;
  const api::GroupVersionResource& gvr = WorkloadResource(statefulset);
  auto existing = cache_.Get(gvr, api::Namespace(ws), api::Name(ws));
  if (!existing.ok() && !existing.status().Is(StatusCode::kNotFound)) {
    return Outcome::Fail(existing.status());
  }
  if (!resources_ready) {
    // Nothing is created before the nodes are there, but a workload that exists is still
    // observed: a node that went away shows in InferenceReady too.
    if (existing.ok()) (void)ObserveInference(ws, existing->get(), false, st);
    return Outcome::Ready();
  }

  auto fail = [&](const Status& s) {
    st.Set(kaito::kConditionInferenceReady, "False", kaito::kReasonInferenceStatusFailed,
           s.message());
    return Outcome::Fail(s);
  };
  Json desired;
  if (preset != nullptr) {
    auto cfg = EnsureConfigMap(ws, inf.config, kaito::kDefaultInferenceConfigTemplate,
                               kaito::kInferenceConfigKey);
    if (!cfg.ok()) return fail(cfg.status());
    InferenceParams p;
    p.workspace = &ws;
    p.typed = &typed;
    p.preset = preset;
    p.runtime = kaito::RuntimeOf(typed.annotations, options_.vllm_feature_gate);
    p.gpus_per_node = GpusPerNode(typed, st.worker_nodes() ? *st.worker_nodes() : typed.worker_nodes,
                                  preset->inference.gpu_count);
    if (typed.resource.preferred_nodes.empty()) {
      if (const kaito::GpuSku* sku = skus_->FindAny(typed.resource.instance_type)) {
        p.gpu_memory_per_gpu_gib = sku->gpu_memory_per_gpu_gib();
      }
    }
    p.revision = revision;
    p.registry = options_.preset_registry_name;
    p.config_map = cfg->first;
    desired = PresetWorkloadManifest(p);
  } else {
    desired = TemplateDeploymentManifest(ws, revision);
  }
  if (Outcome svc = EnsureServices(ws, preset); svc.kind != Outcome::kReady) {
    return fail(svc.error);
  }

  if (!existing.ok()) {
    auto r = client_.Create(gvr, api::Namespace(ws), desired);
    if (!r.ok() && !r.status().Is(StatusCode::kAlreadyExists)) {
      return fail(r.status().Annotate("creating " + api::Kind(desired) + " " + api::Name(ws)));
    }
    if (r.ok()) {
      Event(ws, ctrl::EventType::kNormal, "WorkloadCreated",
            "created " + api::Kind(desired) + " " + api::Name(ws) + " at revision " + revision);
    }
    return ObserveInference(ws, r.ok() ? &*r : nullptr, true, st);
  }
  const Json& current = **existing;
  if (api::Annotation(current, kaito::kAnnotationRevision) != revision) {
    Json next = current;
    if (preset != nullptr) {
      ApplyWorkloadUpdate(next, desired);
    } else {
      next["spec"]["template"] = desired["spec"]["template"];
      api::SetAnnotation(next, kaito::kAnnotationRevision, revision);
    }
    auto r = client_.Update(gvr, api::Namespace(ws), next);
    if (!r.ok()) return fail(r.status().Annotate("updating " + api::Kind(current) + " " + api::Name(ws)));
    Event(ws, ctrl::EventType::kNormal, "WorkloadUpdated",
          "updated " + api::Kind(current) + " " + api::Name(ws) + " to revision " + revision);
    return ObserveInference(ws, &*r, true, st);
  }
  return ObserveInference(ws, &current, false, st);
}

WorkspaceReconciler::Outcome WorkspaceReconciler::ObserveInference(const Json& ws,
                                                                   const Json* workload, bool fresh,
                                                                   StatusUpdate& st) {
  auto pods = cache_.List(api::resources::kPods, api::Namespace(ws),
                          std::string(kaito::kLabelWorkspace) + "=" + api::Name(ws));
  std::vector<const Json*> pod_list;
  if (pods.ok()) {
    for (const auto& p : *pods) pod_list.push_back(p.get());
  }
  std::optional<PodFailure> failure = DetectPodsFailure(pod_list);
  WorkloadReadiness readiness;
  if (workload != nullptr) readiness = ReadWorkload(*workload);
  if (failure) {
    st.Set(kaito::kConditionInferenceReady, "False", failure->reason, failure->message);
    st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspaceFailed,
           failure->message);
    return Outcome::Wait(options_.workload_requeue);
  }
  if (readiness.failed) {
    st.Set(kaito::kConditionInferenceReady, "False", kaito::kReasonInferenceStatusFailed,
           readiness.message);
    st.Set(kaito::kConditionWorkspaceSucceeded, "False", kaito::kReasonWorkspaceFailed,
           readiness.message);
    return Outcome::Wait(options_.workload_requeue);
  }
  if (!fresh && workload != nullptr && readiness.ready) {
    st.Set(kaito::kConditionInferenceReady, "True", kaito::kReasonInferenceStatusSuccess,
           kaito::kMessageInferenceDeployed);
    return Outcome::Ready();
  }
  std::string msg = "inference workload " + api::Name(ws) + " is not ready: " +
                    (fresh ? std::string("just created or updated") : readiness.message);
  st.Set(kaito::kConditionInferenceReady, "False", kaito::kReasonInferenceStatusPending, msg);
  return Outcome::Wait(options_.workload_requeue);
}

}  // namespace kt::workspace
