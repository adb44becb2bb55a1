#include "controllers/webhook/config_map_reader.h"

#include "api/kube_client.h"
#include "base/json.h"

namespace kt::webhook {

Result<Json> KubeClientConfigMapReader::GetConfigMap(std::string_view ns, std::string_view name) {
  return client_.Get(api::resources::kConfigMaps, ns, name);
}

void StaticConfigMapReader::Put(const Json& config_map) {
  maps_[{GetString(config_map, "metadata.namespace"), GetString(config_map, "metadata.name")}] =
      std::make_shared<const Json>(config_map);
}

Result<Json> StaticConfigMapReader::GetConfigMap(std::string_view ns, std::string_view name) {
  auto it = maps_.find({std::string(ns), std::string(name)});
  if (it == maps_.end()) {
    return NotFound("configmaps \"" + std::string(name) + "\" not found");
  }
  return *it->second;
}

}  // namespace kt::webhook
