#include "controllers/workspace/inference_manifest.h"

#include "api/object.h"
#include "base/json.h"
#include "controllers/kaito/labels.h"
#include "controllers/workspace/inference_command.h"
#include "controllers/workspace/pod_parts.h"
#include "controllers/workspace/service_manifest.h"

namespace kt::workspace {
namespace {

constexpr int kProbePeriodS = 10;
constexpr int kReadinessInitialDelayS = 30;

Json HttpProbe() {
  return {{"httpGet", {{"path", "/health"}, {"port", kInferencePort}, {"scheme", "HTTP"}}},
          {"periodSeconds", kProbePeriodS}};
}

Json Probes(int64_t readiness_timeout_s, Json& container) {
  Json liveness = HttpProbe();
  Json readiness = HttpProbe();
  readiness["initialDelaySeconds"] = kReadinessInitialDelayS;
  Json startup = HttpProbe();
  startup["failureThreshold"] = (readiness_timeout_s + kProbePeriodS - 1) / kProbePeriodS;
  container["livenessProbe"] = liveness;
  container["readinessProbe"] = readiness;
  container["startupProbe"] = startup;
  return container;
}

std::string PresetImage(const InferenceParams& p) {
  const kaito::PresetSpec* spec = kaito::PresetOf(*p.typed);
  if (p.preset->image_access_mode == kaito::kAccessModePrivate && spec && !spec->image.empty()) {
    return spec->image;
  }
  return p.preset->Image(p.registry);
}

Json WorkloadMeta(const Json& ws, std::string_view revision) {
  Json meta = {{"name", api::Name(ws)},
               {"namespace", api::Namespace(ws)},
               {"annotations", {{std::string(kaito::kAnnotationRevision), revision}}}};
  return meta;
}

Json Selector(const Json& ws) { return {{std::string(kaito::kLabelWorkspace), api::Name(ws)}}; }

Json PresetPodSpec(const InferenceParams& p) {
  const Json& ws = *p.workspace;
  const kaito::InferenceSpec& inf = *p.typed->inference;
  Json volumes = Json::array();
  Json mounts = Json::array();
  Json env = Json::array();
  Json init = Json::array();
  Json pull_secrets = Json::array();

  VolumeAndMount cfg = ConfigVolume(p.config_map, kaito::kInferenceConfigKey);
  volumes.push_back(cfg.volume);
  mounts.push_back(cfg.mount);
  VolumeAndMount shm = ShmVolume();
  volumes.push_back(shm.volume);
  mounts.push_back(shm.mount);

  const kaito::PresetSpec* spec = kaito::PresetOf(*p.typed);
  if (p.preset->download_at_runtime && spec) {
    env.push_back({{"name", "HF_TOKEN"},
                   {"valueFrom",
                    {{"secretKeyRef", {{"name", spec->model_access_secret}, {"key", "HF_TOKEN"}}}}}});
  }
  if (p.preset->image_access_mode == kaito::kAccessModePrivate && spec) {
    for (const std::string& s : spec->image_pull_secrets) pull_secrets.push_back({{"name", s}});
  }

  if (!inf.adapters.empty()) {
    VolumeAndMount adapters = EmptyDirVolume(kAdapterVolumeName, kAdapterMountPath);
    volumes.push_back(adapters.volume);
    mounts.push_back(adapters.mount);
    for (const kaito::AdapterSpec& a : inf.adapters) {
      if (!a.source) continue;
      const kaito::DataSource& src = *a.source;
      Json puller = PullerContainer("puller-" + src.name, src.image,
                                    std::string(kAdapterMountPath) + "/" + src.name);
      puller["volumeMounts"] = Json::array({adapters.mount});
      if (!src.image_pull_secrets.empty()) {
        VolumeAndMount sec = PullSecretVolume(src.name + "-inference-adapter", src.image_pull_secrets);
        volumes.push_back(sec.volume);
        puller["volumeMounts"].push_back(sec.mount);
      }
      for (const std::string& s : src.image_pull_secrets) pull_secrets.push_back({{"name", s}});
      if (a.strength) env.push_back({{"name", src.name}, {"value", *a.strength}});
      init.push_back(std::move(puller));
    }
  }

  CommandParams cp{p.preset, p.runtime, p.gpus_per_node, p.gpu_memory_per_gpu_gib};
  const std::string gpus = std::to_string(p.gpus_per_node);
  Json container = {
      {"name", api::Name(ws)},
      {"image", PresetImage(p)},
      {"command", InferenceCommand(cp)},
      {"resources",
       {{"requests", {{std::string(kaito::kResourceNvidiaGpu), gpus}}},
        {"limits", {{std::string(kaito::kResourceNvidiaGpu), gpus}}}}},
      {"ports", Json::array({{{"containerPort", kInferencePort}, {"protocol", "TCP"}}})},
      {"volumeMounts", mounts}};
  if (!env.empty()) container["env"] = env;
  Probes(p.preset->inference.readiness_timeout_s, container);

  Json spec_json = {{"containers", Json::array({container})},
                    {"tolerations", Tolerations()},
                    {"volumes", volumes}};
  Json affinity = RequiredNodeAffinity(p.typed->resource.label_selector
                                           ? p.typed->resource.label_selector->match_labels
                                           : api::Labels{});
  if (!affinity.is_null()) spec_json["affinity"] = affinity;
  if (!init.empty()) spec_json["initContainers"] = init;
  if (!pull_secrets.empty()) spec_json["imagePullSecrets"] = pull_secrets;
  return spec_json;
}

}  // namespace

Json PresetWorkloadManifest(const InferenceParams& p) {
  KT_CHECK(p.workspace && p.typed && p.preset && p.typed->inference);
  const Json& ws = *p.workspace;
  const int64_t replicas = p.typed->resource.CountOrDefault();
  Json pod = {{"metadata", {{"labels", Selector(ws)}}}, {"spec", PresetPodSpec(p)}};
  Json obj;
  if (p.preset->distributed_inference) {
    obj = {{"apiVersion", "apps/v1"},
           {"kind", "StatefulSet"},
           {"metadata", WorkloadMeta(ws, p.revision)},
           {"spec",
            {{"replicas", replicas},
             {"podManagementPolicy", "Parallel"},
             {"serviceName", HeadlessServiceName(api::Name(ws))},
             {"selector", {{"matchLabels", Selector(ws)}}},
             {"template", pod}}}};
  } else {
    obj = {{"apiVersion", "apps/v1"},
           {"kind", "Deployment"},
           {"metadata", WorkloadMeta(ws, p.revision)},
           {"spec",
            {{"replicas", replicas},
             {"strategy",
              {{"type", "RollingUpdate"},
               {"rollingUpdate", {{"maxSurge", 0}, {"maxUnavailable", 1}}}}},
             {"selector", {{"matchLabels", Selector(ws)}}},
             {"template", pod}}}};
  }
  api::SetControllerReference(obj, ws);
  return obj;
}

Json TemplateDeploymentManifest(const Json& workspace, std::string_view revision) {
  const Json* tmpl = kaito::InferenceTemplate(workspace);
  Json pod = tmpl ? *tmpl : Json::object();
  if (!pod["metadata"].is_object()) pod["metadata"] = Json::object();
  if (!pod["metadata"]["labels"].is_object()) pod["metadata"]["labels"] = Json::object();
  pod["metadata"]["labels"][std::string(kaito::kLabelWorkspace)] = api::Name(workspace);
  if (!pod["spec"].is_object()) pod["spec"] = Json::object();
  Json& spec = pod["spec"];
  Json affinity = RequiredNodeAffinity(kaito::MatchLabels(workspace));
  if (affinity.is_null()) {
    spec.erase("affinity");
  } else {
    spec["affinity"] = affinity;
  }
  if (!spec["tolerations"].is_array()) spec["tolerations"] = Json::array();
  for (const Json& t : Tolerations()) spec["tolerations"].push_back(t);
  Json obj = {{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", WorkloadMeta(workspace, revision)},
              {"spec",
               {{"replicas", kaito::NodeCount(workspace)},
                {"selector", {{"matchLabels", Selector(workspace)}}},
                {"template", pod}}}};
  api::SetControllerReference(obj, workspace);
  return obj;
}

bool ApplyWorkloadUpdate(Json& existing, const Json& desired) {
  Json before = existing;
  Json& spec = existing["spec"]["template"]["spec"];
  const Json* want = FindPath(desired, "spec.template.spec");
  if (want == nullptr) return false;
  for (std::string_view field : {"initContainers", "volumes", "imagePullSecrets"}) {
    auto it = want->find(std::string(field));
    if (it == want->end()) {
      if (spec.is_object()) spec.erase(std::string(field));
    } else {
      spec[std::string(field)] = *it;
    }
  }
  const Json* want_containers = FindPath(*want, "containers");
  if (want_containers && want_containers->is_array() && spec["containers"].is_array()) {
    Json& containers = spec["containers"];
    for (size_t i = 0; i < containers.size() && i < want_containers->size(); ++i) {
      for (std::string_view field : {"env", "volumeMounts"}) {
        const Json& w = (*want_containers)[i];
        auto it = w.find(std::string(field));
        if (it == w.end()) {
          containers[i].erase(std::string(field));
        } else {
          containers[i][std::string(field)] = *it;
        }
      }
    }
  }
  if (auto rev = api::Annotation(desired, kaito::kAnnotationRevision)) {
    api::SetAnnotation(existing, kaito::kAnnotationRevision, *rev);
  }
  return existing != before;
}

}  // namespace kt::workspace
