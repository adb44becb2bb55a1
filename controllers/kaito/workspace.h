// Kaito's Workspace as a typed value, decoded from the JSON object model (api/object.h).
//
// The Workspace CRD has no `spec`: `resource`, `inference` and `tuning` sit at the top level
// next to `metadata` and `status`. DecodeWorkspace reads them the way Kaito's Go types do
// (api/v1alpha1 and api/v1beta1 @v0.4.6): absent pointers stay empty, JSON null is "absent",
// and a value of the wrong JSON type is an error naming the field, like encoding/json's
// "cannot unmarshal string into Go struct field Workspace.resource.count of type int". Unknown
// fields are ignored (the API server prunes them before anything sees the object). The pod
// template and volume sources are schemaless in the CRD: the typed view only records that they
// are present; read them from the JSON with the accessors below.
//
// The structs are plain values: copy freely, no threading concerns.
#ifndef KT_CONTROLLERS_KAITO_WORKSPACE_H_
#define KT_CONTROLLERS_KAITO_WORKSPACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"
#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::kaito {

enum class ApiVersion { kV1alpha1, kV1beta1 };
std::string_view ApiVersionString(ApiVersion v);  // "kaito.sh/v1beta1"

struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // "In", "NotIn", "Exists", "DoesNotExist" (anything else is kept as written)
  std::vector<std::string> values;
  bool operator==(const LabelSelectorRequirement&) const = default;
};

struct LabelSelectorSpec {
  api::Labels match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
  bool operator==(const LabelSelectorSpec&) const = default;
};

struct ResourceSpec {
  std::optional<int64_t> count;  // CRD default 1
  std::string instance_type;     // CRD default Standard_NC24ads_A100_v4 (when `resource` exists)
  std::optional<LabelSelectorSpec> label_selector;
  std::vector<std::string> preferred_nodes;
  // count, treating "absent" as the CRD default of 1.
  int64_t CountOrDefault() const { return count.value_or(1); }
};

struct PresetSpec {
  std::string name;
  std::string access_mode;  // "public" (default) | "private"
  // presetOptions
  std::string image;
  std::vector<std::string> image_pull_secrets;
  std::string model_access_secret;  // v1beta1 only
  bool operator==(const PresetSpec&) const = default;
};

struct DataSource {
  std::string name;
  std::vector<std::string> urls;
  bool has_volume = false;  // volumeSource set
  std::string image;
  std::vector<std::string> image_pull_secrets;
  bool operator==(const DataSource&) const = default;
};

struct DataDestination {
  bool has_volume = false;
  std::string image;
  std::string image_push_secret;
  bool operator==(const DataDestination&) const = default;
};

struct AdapterSpec {
  std::optional<DataSource> source;
  std::optional<std::string> strength;  // a decimal string; absent means "1.0"
};

struct InferenceSpec {
  std::optional<PresetSpec> preset;
  bool has_template = false;
  std::string config;  // ConfigMap name, "" = the default template
  std::vector<AdapterSpec> adapters;
};

struct TuningSpec {
  std::optional<PresetSpec> preset;
  std::string method;
  std::string config;
  std::optional<DataSource> input;
  std::optional<DataDestination> output;
};

struct Workspace {
  ApiVersion version = ApiVersion::kV1beta1;
  std::string name;
  std::string ns;
  api::Labels labels;
  api::Labels annotations;
  bool has_resource = false;  // the `resource` object is present
  ResourceSpec resource;
  std::optional<InferenceSpec> inference;
  std::optional<TuningSpec> tuning;
  std::vector<std::string> worker_nodes;  // status.workerNodes
};

// Decodes a Workspace object. BadRequest when apiVersion is not kaito.sh/v1alpha1|v1beta1 or
// a field has the wrong JSON type.
Result<Workspace> DecodeWorkspace(const Json& object);

// The preset a workspace runs (inference or tuning), if any.
const PresetSpec* PresetOf(const Workspace& ws);

// Inference runtime selection (GetWorkspaceRuntimeName @v0.4.6): annotation kaito.sh/runtime
// "transformers" or "vllm" wins; otherwise vLLM when the vLLM feature gate is on (the v0.4
// default), else transformers.
enum class RuntimeName { kTransformers, kVllm };
std::string_view RuntimeNameString(RuntimeName r);  // "transformers" | "vllm"
RuntimeName RuntimeOf(const api::Labels& annotations, bool vllm_feature_gate = true);

// --- Accessors straight on the JSON object (tolerate missing fields) ---
int64_t NodeCount(const Json& ws);         // resource.count, default 1
std::string InstanceType(const Json& ws);  // resource.instanceType ("" when absent)
api::Labels MatchLabels(const Json& ws);   // resource.labelSelector.matchLabels
std::vector<std::string> PreferredNodes(const Json& ws);
bool IsInference(const Json& ws);  // `inference` set (not null)
bool IsTuning(const Json& ws);     // `tuning` set (not null)
// inference.preset.name, else tuning.preset.name, else "".
std::string PresetName(const Json& ws);
const Json* InferenceTemplate(const Json& ws);   // inference.template or null
const Json* InputVolumeSource(const Json& ws);   // tuning.input.volumeSource or null
const Json* OutputVolumeSource(const Json& ws);  // tuning.output.volumeSource or null
std::vector<std::string> WorkerNodes(const Json& ws);
void SetWorkerNodes(Json& ws, const std::vector<std::string>& nodes);
bool BypassResourceChecks(const Json& ws);  // annotation present, any value
bool LoadBalancerEnabled(const Json& ws);   // kaito.sh/enablelb == "True"

}  // namespace kt::kaito

#endif  // KT_CONTROLLERS_KAITO_WORKSPACE_H_
