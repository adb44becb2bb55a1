// The individual validation rules behind ValidateWorkspace, one function per Kaito method
// (workspace_validation.go @v0.4.6), so tests can exercise each as Kaito's unit tests do.
// Paths in the returned errors are relative to the spec validated (callers add "resource",
// "inference", ... with ViaField, as Kaito does). Pure functions; `warnings` may be null.
#ifndef KT_CONTROLLERS_WEBHOOK_RULES_H_
#define KT_CONTROLLERS_WEBHOOK_RULES_H_

#include <string>
#include <string_view>
#include <vector>

#include "controllers/kaito/workspace.h"
#include "controllers/webhook/field_errors.h"
#include "controllers/webhook/validation.h"

namespace kt::webhook {

// Workspace.validateCreate: exactly one of inference / tuning.
FieldErrors ValidateWorkspaceCreate(const kaito::Workspace& ws);
// Workspace.validateUpdate: inference / tuning cannot be toggled.
FieldErrors ValidateWorkspaceUpdate(const kaito::Workspace& ws, const kaito::Workspace& old);
// metadata.name is a DNS-1123 label.
FieldErrors ValidateWorkspaceName(std::string_view name);

// ResourceSpec.validateCreateWithInference: SKU known (or Azure pass-through), GPU count /
// per-GPU / total memory vs the preset (warnings when bypass), labelSelector convertible.
FieldErrors ValidateResourceCreateWithInference(const kaito::ResourceSpec& r,
                                                const kaito::InferenceSpec& inference,
                                                bool bypass_resource_checks,
                                                const ValidationContext& ctx,
                                                std::vector<std::string>* warnings);
// ResourceSpec.validateCreateWithTuning: count must be 1.
FieldErrors ValidateResourceCreateWithTuning(const kaito::ResourceSpec& r);
// ResourceSpec.validateUpdate: count, instanceType, labelSelector immutable.
FieldErrors ValidateResourceUpdate(const kaito::ResourceSpec& r, const kaito::ResourceSpec& old);

// InferenceSpec.validateCreate: preset xor template, registered preset, private access
// (v1alpha1), runtime support, modelAccessSecret (v1beta1), adapter count and unique names.
FieldErrors ValidateInferenceCreate(const kaito::InferenceSpec& i, kaito::RuntimeName runtime,
                                    kaito::ApiVersion version, const ValidationContext& ctx);
// InferenceSpec.validateUpdate: preset immutable, template not set/unset, adapters revalidated.
FieldErrors ValidateInferenceUpdate(const kaito::InferenceSpec& i, const kaito::InferenceSpec& old);
// AdapterSpec.validateCreateorUpdate.
FieldErrors ValidateAdapter(const kaito::AdapterSpec& a);
// validateDuplicateName.
FieldErrors ValidateAdapterNamesUnique(const std::vector<kaito::AdapterSpec>& adapters);

// TuningSpec.validateCreate: method, config ConfigMap, input, output, preset.
FieldErrors ValidateTuningCreate(const kaito::TuningSpec& t, std::string_view workspace_namespace,
                                 const ValidationContext& ctx);
// TuningSpec.validateUpdate: input/output revalidated, preset and method immutable.
FieldErrors ValidateTuningUpdate(const kaito::TuningSpec& t, const kaito::TuningSpec& old);

FieldErrors ValidateDataSourceCreate(const kaito::DataSource& s);
// `old` may be null (treated as unchanged name).
FieldErrors ValidateDataSourceUpdate(const kaito::DataSource& s, const kaito::DataSource* old,
                                     bool is_tuning);
FieldErrors ValidateDataDestinationCreate(const kaito::DataDestination& d);
FieldErrors ValidateDataDestinationUpdate(const kaito::DataDestination& d);

// Workspace.validateInferenceConfig: vLLM only; the ConfigMap (named or default) exists with a
// parseable inference_config.yaml; multi-GPU SKUs with < 20 GiB per GPU need
// vllm.max-model-len.
FieldErrors ValidateInferenceConfig(const kaito::Workspace& ws, const ValidationContext& ctx);
// TuningSpec.validateConfigMap: the tuning ConfigMap's schema, method and output_dir rules.
FieldErrors ValidateTuningConfigMap(std::string_view ns, std::string_view method_lower,
                                    std::string_view config_map_name, const ValidationContext& ctx);

// labelSelector -> map as metav1.LabelSelectorAsMap does; "" when convertible, else the error.
std::string LabelSelectorAsMapError(const kaito::LabelSelectorSpec& s, api::Labels* out);

}  // namespace kt::webhook

#endif  // KT_CONTROLLERS_WEBHOOK_RULES_H_
