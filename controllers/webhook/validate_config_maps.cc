// The ConfigMap rules: the inference config (vLLM runtime) and the tuning config.
#include <set>

#include "base/json.h"
#include "base/yaml.h"
#include "controllers/kaito/labels.h"
#include "controllers/webhook/go_compat.h"
#include "controllers/webhook/rules.h"

namespace kt::webhook {
namespace {

constexpr std::string_view kNoClient = "Failed to obtain client from context.Context";
constexpr std::string_view kNoReleaseNamespace =
    "Failed to determine release namespace: no release namespace is configured (pod namespace "
    "file or RELEASE_NAMESPACE)";
// Sections of training_config that Kaito's TrainingConfig type knows.
const std::set<std::string>& RecognizedTrainingSections() {
  static const std::set<std::string> kSections = {"ModelConfig",   "QuantizationConfig",
                                                  "LoraConfig",    "TrainingArguments",
                                                  "DatasetConfig", "DataCollator"};
  return kSections;
}

std::string YamlTag(const Json& v) {
  if (v.is_null()) return "!!null";
  if (v.is_boolean()) return "!!bool";
  if (v.is_number_integer()) return "!!int";
  if (v.is_number()) return "!!float";
  if (v.is_string()) return "!!str";
  if (v.is_array()) return "!!seq";
  return "!!map";
}

// yaml.Unmarshal of a single document into a Go value: the first document, or null when the
// text holds none.
Result<Json> ParseFirstYamlDocument(std::string_view text) {
  auto docs = ParseYamlDocuments(text);
  if (!docs.ok()) return BadRequest("yaml: " + docs.status().message());
  if (docs->empty()) return Json(nullptr);
  return std::move((*docs)[0]);
}

// Reads a ConfigMap's data value; nullopt when the key is absent.
std::optional<std::string> DataValue(const Json& cm, std::string_view key) {
  const Json* data = FindPath(cm, "data");
  if (data == nullptr || !data->is_object()) return std::nullopt;
  auto it = data->find(key);
  if (it == data->end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

FieldErrors GetConfigMap(std::string_view ns, std::string_view name, const ValidationContext& ctx,
                         Json* out) {
  if (ctx.config_maps == nullptr) return FieldErrors::Generic(std::string(kNoClient));
  auto cm = ctx.config_maps->GetConfigMap(ns, name);
  if (cm.ok()) {
    *out = std::move(cm).value();
    return {};
  }
  const std::string where = "'" + std::string(name) + "' ";
  if (cm.status().code() == StatusCode::kNotFound) {
    return FieldErrors::Generic("ConfigMap " + where +
                                    "specified in 'config' not found in namespace '" +
                                    std::string(ns) + "'",
                                {"config"});
  }
  return FieldErrors::Generic("Failed to get ConfigMap " + where + "in namespace '" +
                                  std::string(ns) + "': " + cm.status().message(),
                              {"config"});
}

// utils.SearchRawExtension / SearchMap: the value of `key` in a mapping, looking into nested
// mappings when it is not at the top.
const Json* SearchMap(const Json& m, std::string_view key) {
  if (!m.is_object()) return nullptr;
  auto it = m.find(key);
  if (it != m.end()) return &*it;
  for (const auto& [k, v] : m.items()) {
    if (const Json* found = SearchMap(v, key)) return found;
  }
  return nullptr;
}

// UnmarshalTrainingConfig: the training_config mapping (null when absent), or the Kaito error.
FieldErrors UnmarshalTrainingConfig(const Json& cm, std::string_view ns, Json* training) {
  const std::string name = GetString(cm, "metadata.name");
  auto text = DataValue(cm, kaito::kTrainingConfigKey);
  if (!text) {
    return FieldErrors::Generic("ConfigMap '" + name +
                                    "' does not contain 'training_config.yaml' in namespace '" +
                                    std::string(ns) + "'",
                                {"config"});
  }
  auto fail = [&](const std::string& why) {
    return FieldErrors::Generic("Failed to parse 'training_config.yaml' in ConfigMap '" + name +
                                    "' in namespace '" + std::string(ns) + "': " + why,
                                {"config"});
  };
  auto doc = ParseFirstYamlDocument(*text);
  if (!doc.ok()) return fail(doc.status().message());
  if (doc->is_null()) {
    *training = nullptr;
    return {};
  }
  if (!doc->is_object()) {
    return fail("yaml: unmarshal errors: cannot unmarshal " + YamlTag(*doc) +
                " into v1beta1.Config");
  }
  const Json* tc = FindPath(*doc, "training_config");
  if (tc == nullptr || tc->is_null()) {
    *training = nullptr;
    return {};
  }
  if (!tc->is_object()) {
    return fail("yaml: unmarshal errors: cannot unmarshal " + YamlTag(*tc) +
                " into map[string]interface {}");
  }
  *training = *tc;
  return {};
}

FieldErrors ValidateTuningSchema(const Json& cm) {
  auto text = DataValue(cm, kaito::kTrainingConfigKey);
  if (!text) return FieldErrors::MissingField({"training_config.yaml in ConfigMap"});
  auto doc = ParseFirstYamlDocument(*text);
  if (!doc.ok()) return FieldErrors::InvalidValue(doc.status().message(), "training_config.yaml");
  if (!doc->is_null() && !doc->is_object()) {
    return FieldErrors::InvalidValue("yaml: unmarshal errors: cannot unmarshal " + YamlTag(*doc) +
                                         " into map[string]interface {}",
                                     "training_config.yaml");
  }
  const Json* tc = doc->is_object() ? FindPath(*doc, "training_config") : nullptr;
  if (tc == nullptr || !tc->is_object()) {
    return FieldErrors::InvalidValue("Expected 'training_config' key to contain a map",
                                     "training_config.yaml");
  }
  for (const auto& [section, value] : tc->items()) {  // sorted: the first unknown is reported
    if (RecognizedTrainingSections().count(section) == 0) {
      return FieldErrors::InvalidValue("Unrecognized section: " + section, "training_config.yaml");
    }
  }
  return {};
}

FieldErrors ValidateTuningMethod(const Json& cm, std::string_view ns, std::string_view method) {
  Json training;
  FieldErrors errs = UnmarshalTrainingConfig(cm, ns, &training);
  if (!errs.empty()) return errs;
  const std::string name = GetString(cm, "metadata.name");
  const std::string qlora_missing =
      "For method 'qlora', either 'load_in_4bit' or 'load_in_8bit' "
      "must be true in ConfigMap '" +
      name + "'";
  if (!training.is_object() || !training.contains("QuantizationConfig")) {
    if (method == kaito::kTuningMethodQlora) {
      return FieldErrors::MissingField({qlora_missing, "QuantizationConfig"});
    }
    return {};
  }
  const Json& section = training["QuantizationConfig"];
  if (!section.is_null() && !section.is_object()) {
    return FieldErrors::InvalidValue(
        "failed to unmarshal runtime.RawExtension: yaml: unmarshal errors: cannot unmarshal " +
            YamlTag(section) + " into map[string]interface {}",
        "load_in_4bit");
  }
  bool flags[2] = {false, false};
  const char* keys[2] = {"load_in_4bit", "load_in_8bit"};
  for (int k = 0; k < 2; ++k) {
    const Json* v = section.is_object() ? SearchMap(section, keys[k]) : nullptr;
    if (v != nullptr && !v->is_null() && !v->is_boolean()) {
      return FieldErrors::InvalidValue(
          "value must be either nil or a boolean, got type " + GoYamlTypeName(*v), keys[k]);
    }
    flags[k] = v != nullptr && v->is_boolean() && v->get<bool>();
  }
  if (flags[0] && flags[1]) {
    return FieldErrors::Generic(
        "Cannot set both 'load_in_4bit' and 'load_in_8bit' to true in "
        "ConfigMap '" +
            name + "'",
        {"QuantizationConfig"});
  }
  if (method == kaito::kTuningMethodLora && (flags[0] || flags[1])) {
    return FieldErrors::Generic(
        "For method 'lora', 'load_in_4bit' or 'load_in_8bit' in ConfigMap '" + name +
            "' must not be true",
        {"QuantizationConfig"});
  }
  if (method == kaito::kTuningMethodQlora && !flags[0] && !flags[1]) {
    return FieldErrors::MissingField({qlora_missing, "QuantizationConfig"});
  }
  return {};
}

FieldErrors ValidateTrainingArguments(const Json& cm, std::string_view ns) {
  Json training;
  FieldErrors errs = UnmarshalTrainingConfig(cm, ns, &training);
  if (!errs.empty()) return errs;
  if (!training.is_object() || !training.contains("TrainingArguments")) return {};
  const Json& args = training["TrainingArguments"];
  const std::string name = GetString(cm, "metadata.name");
  if (!args.is_null() && !args.is_object()) {
    return FieldErrors::Generic("Failed to parse 'output_dir' in ConfigMap '" + name +
                                    "' in namespace '" + std::string(ns) +
                                    "': failed to unmarshal runtime.RawExtension",
                                {"output_dir"});
  }
  const Json* dir = args.is_object() ? SearchMap(args, "output_dir") : nullptr;
  if (dir == nullptr) return {};
  if (!dir->is_string()) {
    return FieldErrors::InvalidValue("output_dir is not a string in ConfigMap '" + name +
                                         "' in namespace '" + std::string(ns) + "'",
                                     "output_dir");
  }
  const std::string user_dir = dir->get<std::string>();
  // filepath.Clean(filepath.Join("/mnt", dir)) must be strictly under /mnt.
  const std::string clean = GoCleanPath(user_dir.empty() ? "/mnt" : "/mnt/" + user_dir);
  if (clean == "/mnt" || clean.rfind("/mnt", 0) != 0) {
    return FieldErrors::InvalidValue(
        "Invalid output_dir specified: '" + user_dir + "', must be a directory", "output_dir");
  }
  return {};
}

}  // namespace

FieldErrors ValidateTuningConfigMap(std::string_view ns, std::string_view method_lower,
                                    std::string_view config_map_name,
                                    const ValidationContext& ctx) {
  Json cm;
  FieldErrors errs = GetConfigMap(ns, config_map_name, ctx, &cm);
  if (!errs.empty()) return errs;
  errs.Also(ValidateTuningSchema(cm));
  errs.Also(ValidateTuningMethod(cm, ns, method_lower));
  errs.Also(ValidateTrainingArguments(cm, ns));
  return errs;
}

FieldErrors ValidateInferenceConfig(const kaito::Workspace& ws, const ValidationContext& ctx) {
  if (!ws.inference) return {};
  if (kaito::RuntimeOf(ws.annotations, ctx.vllm_enabled) != kaito::RuntimeName::kVllm) return {};
  std::string name = ws.inference->config;
  std::string ns = ws.ns;
  if (name.empty()) {
    name = kaito::kDefaultInferenceConfigTemplate;
    ns = ctx.release_namespace;
    if (ns.empty()) return FieldErrors::Generic(std::string(kNoReleaseNamespace), {"namespace"});
  }
  Json cm;
  FieldErrors errs = GetConfigMap(ns, name, ctx, &cm);
  if (!errs.empty()) return errs;
  auto text = DataValue(cm, kaito::kInferenceConfigKey);
  if (!text) return FieldErrors::MissingField({"inference_config.yaml in ConfigMap"});
  auto fail = [](const std::string& why) {
    return FieldErrors::Generic("Failed to parse inference_config.yaml: " + why,
                                {"inference_config.yaml"});
  };
  auto doc = ParseFirstYamlDocument(*text);
  if (!doc.ok()) return fail(doc.status().message());
  if (!doc->is_null() && !doc->is_object()) {
    return fail("yaml: unmarshal errors: cannot unmarshal " + YamlTag(*doc) +
                " into v1beta1.InferenceConfig");
  }
  // InferenceConfig{VLLM map[string]string `yaml:"vllm"`}: scalars become their text.
  api::Labels vllm;
  const Json* section = doc->is_object() ? FindPath(*doc, "vllm") : nullptr;
  if (section != nullptr && !section->is_null()) {
    if (!section->is_object()) {
      return fail("yaml: unmarshal errors: cannot unmarshal " + YamlTag(*section) +
                  " into map[string]string");
    }
    for (const auto& [key, value] : section->items()) {
      if (value.is_object() || value.is_array()) {
        return fail("yaml: unmarshal errors: cannot unmarshal " + YamlTag(value) + " into string");
      }
      vllm[key] = value.is_string() ? value.get<std::string>()
                                    : (value.is_null() ? std::string() : value.dump());
    }
  }
  if (const kaito::GpuSku* sku = ctx.skus->Find(ws.resource.instance_type)) {
    if (sku->gpu_count > 1 && sku->gpu_memory_per_gpu_gib() < 20) {
      auto it = vllm.find("max-model-len");
      if (it == vllm.end() || it->second.empty()) {
        return FieldErrors::MissingField(
            {"max-model-len is required in the vllm section of inference_config.yaml when using "
             "multi-GPU instances with <20GB of memory per GPU"});
      }
    }
  }
  return {};
}

}  // namespace kt::webhook
