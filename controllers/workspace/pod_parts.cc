#include "controllers/workspace/pod_parts.h"

#include "base/json.h"
#include "controllers/kaito/labels.h"

namespace kt::workspace {
namespace {

// Copies the image to a local OCI layout, then unpacks every layer's data/ into the output
// directory (the layout Kaito's adapter and dataset images use).
constexpr std::string_view kPullerScript =
    "set -e; "
    "mkdir -p \"$OUTPUT_DIRECTORY\" /tmp/image; "
    "for f in /root/.docker/config.d/*/*.json; do "
    "[ -f \"$f\" ] && export REGISTRY_AUTH_FILE=\"$f\"; done; "
    "skopeo copy \"docker://$IMAGE_NAME\" dir:/tmp/image; "
    "for layer in /tmp/image/*; do "
    "tar -xzf \"$layer\" -C /tmp/image-out data 2>/dev/null || true; done; "
    "cp -r /tmp/image-out/data/. \"$OUTPUT_DIRECTORY\"/ 2>/dev/null || true";

}  // namespace

Json Tolerations() {
  return Json::array(
      {{{"key", kaito::kResourceNvidiaGpu}, {"operator", "Exists"}, {"effect", "NoSchedule"}},
       {{"key", kaito::kTaintSkuKey},
        {"operator", "Equal"},
        {"value", kaito::kTaintSkuValue},
        {"effect", "NoSchedule"}}});
}

Json RequiredNodeAffinity(const api::Labels& match_labels) {
  if (match_labels.empty()) return nullptr;
  Json expressions = Json::array();
  for (const auto& [k, v] : match_labels) {
    expressions.push_back({{"key", k}, {"operator", "In"}, {"values", Json::array({v})}});
  }
  Json term = Json::object();
  term["matchExpressions"] = expressions;
  Json required = Json::object();
  required["nodeSelectorTerms"] = Json::array({term});
  Json node_affinity = Json::object();
  node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = required;
  Json affinity = Json::object();
  affinity["nodeAffinity"] = node_affinity;
  return affinity;
}

VolumeAndMount ShmVolume() {
  return {{{"name", "dshm"}, {"emptyDir", {{"medium", "Memory"}}}},
          {{"name", "dshm"}, {"mountPath", "/dev/shm"}}};
}

VolumeAndMount ConfigVolume(std::string_view config_map, std::string_view key) {
  return {{{"name", "config-volume"},
           {"configMap",
            {{"name", config_map}, {"items", Json::array({{{"key", key}, {"path", key}}})}}}},
          {{"name", "config-volume"}, {"mountPath", "/mnt/config"}}};
}

VolumeAndMount EmptyDirVolume(std::string_view name, std::string_view mount_path) {
  return {{{"name", name}, {"emptyDir", Json::object()}},
          {{"name", name}, {"mountPath", mount_path}}};
}

VolumeAndMount PullSecretVolume(std::string_view name, const std::vector<std::string>& secrets) {
  Json sources = Json::array();
  for (const std::string& s : secrets) {
    sources.push_back(
        {{"secret",
          {{"name", s},
           {"items", Json::array({{{"key", ".dockerconfigjson"}, {"path", s + ".json"}}})}}}});
  }
  const std::string volume_name = "docker-config-" + std::string(name);
  return {{{"name", volume_name}, {"projected", {{"sources", sources}}}},
          {{"name", volume_name}, {"mountPath", "/root/.docker/config.d/" + std::string(name)}}};
}

Json PullerContainer(std::string_view name, std::string_view image, std::string_view output_dir) {
  return {{"name", name},
          {"image", kPullerImage},
          {"command", Json::array({"/bin/sh", "-c", kPullerScript})},
          {"env", Json::array({{{"name", "IMAGE_NAME"}, {"value", image}},
                               {{"name", "OUTPUT_DIRECTORY"}, {"value", output_dir}}})}};
}

}  // namespace kt::workspace
