// Kaito's default ConfigMaps (inference-params-template, lora-params-template,
// qlora-params-template), which its Helm chart installs in the release namespace. Whoever
// installs Kaito into a cluster (the twin's `up`, a deployment) creates them; the webhook
// refuses a workspace without `config` when they are missing, exactly as Kaito does.
//
// Built from controllers/kaito/data/default_configmaps.yaml (embedded). Pure functions.
#ifndef KT_CONTROLLERS_KAITO_DEFAULT_CONFIGMAPS_H_
#define KT_CONTROLLERS_KAITO_DEFAULT_CONFIGMAPS_H_

#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::kaito {

// The three ConfigMap objects with metadata.namespace = release_namespace.
std::vector<Json> DefaultConfigMaps(std::string_view release_namespace);

// Parses a multi-document YAML of ConfigMaps (for tests and other data files); every document
// must be a v1 ConfigMap with a name. `source` names the text in errors.
Result<std::vector<Json>> ParseConfigMaps(std::string_view yaml_text, std::string_view source);

}  // namespace kt::kaito

#endif  // KT_CONTROLLERS_KAITO_DEFAULT_CONFIGMAPS_H_
