// The Workspace validating webhook as a pure function: Kaito v0.4.6's rules
// (api/v1alpha1|v1beta1/workspace_validation.go, inference_config_validation.go,
// tuning_config_validation.go, pkg/model PresetParam.Validate), with Kaito's messages, on
// create and update, for both served versions. ../shared/reference/kaito-behaviour.md section 2
// is the specification; docs/webhook.md lists every rule and where this code differs.
//
// Validate() decodes the objects (a type error denies with "cannot decode incoming new
// object: ..."), runs the rules and returns a Verdict whose message is what Kaito's Knative
// webhook returns: "validation failed: " + the FieldErrors text. GPU fit failures under the
// annotation kaito.sh/bypass-resource-checks become warnings instead.
//
// Thread-safety: Validate is re-entrant; it only reads the context. The ConfigMapReader must be
// safe for concurrent use when Validate is called from several threads.
#ifndef KT_CONTROLLERS_WEBHOOK_VALIDATION_H_
#define KT_CONTROLLERS_WEBHOOK_VALIDATION_H_

#include <string>
#include <vector>

#include "base/json_fwd.h"
#include "controllers/kaito/preset_catalog.h"
#include "controllers/kaito/sku_table.h"
#include "controllers/kaito/workspace.h"
#include "controllers/webhook/config_map_reader.h"
#include "controllers/webhook/field_errors.h"

namespace kt::webhook {

enum class Operation { kCreate, kUpdate };

struct ValidationContext {
  // REQUIRES: non-null, outliving the call. Default: kaito::DefaultPresetCatalog() etc.
  const kaito::PresetCatalog* presets = &kaito::DefaultPresetCatalog();
  const kaito::SkuTable* skus = &kaito::DefaultSkuTable();
  // Null -> ConfigMap lookups fail with Kaito's "Failed to obtain client from context.Context".
  ConfigMapReader* config_maps = nullptr;
  // Where the default ConfigMaps live (Kaito: the pod's namespace, else $RELEASE_NAMESPACE).
  // Empty -> "Failed to determine release namespace" for workspaces that need the defaults.
  std::string release_namespace;
  // CLOUD_PROVIDER: on "azure" unknown Standard_N*/Standard_D* instance types pass through.
  std::string cloud_provider = "azure";
  // Feature gate vLLM (default on at v0.4.6): the runtime when no kaito.sh/runtime annotation.
  bool vllm_enabled = true;
};

struct Verdict {
  bool allowed = true;
  // Denials: "validation failed: <errors>" or "decoding request failed: <why>". Empty if allowed.
  std::string message;
  std::vector<std::string> warnings;  // also set on allowed requests
};

// REQUIRES: old_object non-null for kUpdate (ignored for kCreate).
Verdict Validate(Operation op, const Json* old_object, const Json& new_object,
                 const ValidationContext& ctx);

// The rules on decoded workspaces (Workspace.Validate in Kaito). Warnings go to `warnings`.
FieldErrors ValidateWorkspace(Operation op, const kaito::Workspace* old_ws,
                              const kaito::Workspace& ws, const ValidationContext& ctx,
                              std::vector<std::string>* warnings);

}  // namespace kt::webhook

#endif  // KT_CONTROLLERS_WEBHOOK_VALIDATION_H_
