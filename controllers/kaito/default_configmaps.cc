#include "controllers/kaito/default_configmaps.h"

#include <string>
#include <utility>

#include "base/check.h"
#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/embedded_data.h"

namespace kt::kaito {

Result<std::vector<Json>> ParseConfigMaps(std::string_view yaml_text, std::string_view source) {
  const std::string src(source);
  auto docs = ParseYamlDocuments(yaml_text);
  if (!docs.ok()) return Invalid(src + ": " + docs.status().message());
  std::vector<Json> out;
  for (size_t i = 0; i < docs->size(); ++i) {
    const Json& d = (*docs)[i];
    const std::string ctx = src + ": document " + std::to_string(i + 1);
    if (!d.is_object() || GetString(d, "apiVersion") != "v1" ||
        GetString(d, "kind") != "ConfigMap") {
      return Invalid(ctx + ": expected a v1 ConfigMap");
    }
    if (GetString(d, "metadata.name").empty()) return Invalid(ctx + ": metadata.name is missing");
    const Json* data = FindPath(d, "data");
    if (data != nullptr && !data->is_null()) {
      if (!data->is_object()) return Invalid(ctx + ": data must be a mapping");
      for (auto it = data->begin(); it != data->end(); ++it) {
        if (!it->is_string()) return Invalid(ctx + ": data." + it.key() + " must be a string");
      }
    }
    out.push_back(d);
  }
  return out;
}

std::vector<Json> DefaultConfigMaps(std::string_view release_namespace) {
  auto parsed = ParseConfigMaps(EmbeddedDefaultConfigMapsYaml(),
                                "controllers/kaito/data/default_configmaps.yaml");
  KT_CHECK(parsed.ok()) << parsed.status().ToString();
  std::vector<Json> out = std::move(parsed).value();
  for (Json& cm : out) cm["metadata"]["namespace"] = std::string(release_namespace);
  return out;
}

}  // namespace kt::kaito
