#include "controllers/kaito/workspace.h"

#include <utility>

#include "base/json.h"
#include "controllers/kaito/labels.h"

namespace kt::kaito {
namespace {

std::string_view JsonTypeName(const Json& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "bool";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

// Reads typed fields out of the object, remembering the first type error with its path, as
// encoding/json reports it.
class Decoder {
 public:
  const Status& status() const { return status_; }

  // The member `key` of `parent` or null when absent or JSON null.
  static const Json* Member(const Json* parent, std::string_view key) {
    if (parent == nullptr || !parent->is_object()) return nullptr;
    auto it = parent->find(key);
    if (it == parent->end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::string String(const Json* parent, std::string_view key, const std::string& path) {
    const Json* v = Member(parent, key);
    if (v == nullptr) return "";
    if (!v->is_string()) {
      Fail(path, *v, "string");
      return "";
    }
    return v->get<std::string>();
  }

  std::optional<std::string> OptString(const Json* parent, std::string_view key,
                                       const std::string& path) {
    const Json* v = Member(parent, key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      Fail(path, *v, "string");
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  std::optional<int64_t> Int(const Json* parent, std::string_view key, const std::string& path) {
    const Json* v = Member(parent, key);
    if (v == nullptr) return std::nullopt;
    if (v->is_number_integer()) {
      if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        Fail(path, *v, "int");
        return std::nullopt;
      }
      return v->get<int64_t>();
    }
    Fail(path, *v, "int");
    return std::nullopt;
  }

  std::vector<std::string> Strings(const Json* parent, std::string_view key,
                                   const std::string& path) {
    std::vector<std::string> out;
    const Json* v = Member(parent, key);
    if (v == nullptr) return out;
    if (!v->is_array()) {
      Fail(path, *v, "[]string");
      return out;
    }
    for (const Json& e : *v) {
      if (e.is_null()) {
        out.emplace_back();
      } else if (!e.is_string()) {
        Fail(path, e, "string");
        return {};
      } else {
        out.push_back(e.get<std::string>());
      }
    }
    return out;
  }

  // An object member, or null when absent; a non-object is a type error.
  const Json* Object(const Json* parent, std::string_view key, const std::string& path,
                     std::string_view go_type) {
    const Json* v = Member(parent, key);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) {
      Fail(path, *v, go_type);
      return nullptr;
    }
    return v;
  }

  const Json* Array(const Json* parent, std::string_view key, const std::string& path,
                    std::string_view go_type) {
    const Json* v = Member(parent, key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      Fail(path, *v, go_type);
      return nullptr;
    }
    return v;
  }

  void Fail(const std::string& path, const Json& value, std::string_view go_type) {
    if (!status_.ok()) return;
    status_ =
        BadRequest("json: cannot unmarshal " + std::string(JsonTypeName(value)) +
                   " into Go struct field Workspace." + path + " of type " + std::string(go_type));
  }

 private:
  Status status_;
};

std::optional<LabelSelectorSpec> DecodeSelector(Decoder& d, const Json* sel,
                                                const std::string& path) {
  if (sel == nullptr) return std::nullopt;
  LabelSelectorSpec out;
  if (const Json* ml = d.Object(sel, "matchLabels", path + ".matchLabels", "map[string]string")) {
    for (auto it = ml->begin(); it != ml->end(); ++it) {
      if (it->is_string()) {
        out.match_labels[it.key()] = it->get<std::string>();
      } else if (it->is_null()) {
        out.match_labels[it.key()] = "";
      } else {
        d.Fail(path + ".matchLabels", *it, "string");
      }
    }
  }
  if (const Json* me = d.Array(sel, "matchExpressions", path + ".matchExpressions",
                               "[]v1.LabelSelectorRequirement")) {
    for (const Json& e : *me) {
      if (!e.is_object()) {
        d.Fail(path + ".matchExpressions", e, "v1.LabelSelectorRequirement");
        continue;
      }
      LabelSelectorRequirement r;
      r.key = d.String(&e, "key", path + ".matchExpressions.key");
      r.op = d.String(&e, "operator", path + ".matchExpressions.operator");
      r.values = d.Strings(&e, "values", path + ".matchExpressions.values");
      out.match_expressions.push_back(std::move(r));
    }
  }
  return out;
}

std::optional<PresetSpec> DecodePreset(Decoder& d, const Json* parent, const std::string& path) {
  const Json* p = d.Object(parent, "preset", path, "v1beta1.PresetSpec");
  if (p == nullptr) return std::nullopt;
  PresetSpec out;
  out.name = d.String(p, "name", path + ".name");
  out.access_mode = d.String(p, "accessMode", path + ".accessMode");
  if (const Json* o =
          d.Object(p, "presetOptions", path + ".presetOptions", "v1beta1.PresetOptions")) {
    out.image = d.String(o, "image", path + ".presetOptions.image");
    out.image_pull_secrets =
        d.Strings(o, "imagePullSecrets", path + ".presetOptions.imagePullSecrets");
    out.model_access_secret =
        d.String(o, "modelAccessSecret", path + ".presetOptions.modelAccessSecret");
  }
  return out;
}

std::optional<DataSource> DecodeDataSource(Decoder& d, const Json* s, const std::string& path) {
  if (s == nullptr) return std::nullopt;
  DataSource out;
  out.name = d.String(s, "name", path + ".name");
  out.urls = d.Strings(s, "urls", path + ".urls");
  out.has_volume =
      d.Object(s, "volumeSource", path + ".volumeSource", "v1.VolumeSource") != nullptr;
  out.image = d.String(s, "image", path + ".image");
  out.image_pull_secrets = d.Strings(s, "imagePullSecrets", path + ".imagePullSecrets");
  return out;
}

std::optional<InferenceSpec> DecodeInference(Decoder& d, const Json* i) {
  if (i == nullptr) return std::nullopt;
  InferenceSpec out;
  out.preset = DecodePreset(d, i, "inference.preset");
  out.has_template = d.Object(i, "template", "inference.template", "v1.PodTemplateSpec") != nullptr;
  out.config = d.String(i, "config", "inference.config");
  if (const Json* as = d.Array(i, "adapters", "inference.adapters", "[]v1beta1.AdapterSpec")) {
    for (const Json& a : *as) {
      AdapterSpec spec;
      if (a.is_object()) {
        spec.source = DecodeDataSource(
            d, d.Object(&a, "source", "inference.adapters.source", "v1beta1.DataSource"),
            "inference.adapters.source");
        spec.strength = d.OptString(&a, "strength", "inference.adapters.strength");
      } else if (!a.is_null()) {
        d.Fail("inference.adapters", a, "v1beta1.AdapterSpec");
      }
      out.adapters.push_back(std::move(spec));
    }
  }
  return out;
}

std::optional<TuningSpec> DecodeTuning(Decoder& d, const Json* t) {
  if (t == nullptr) return std::nullopt;
  TuningSpec out;
  out.preset = DecodePreset(d, t, "tuning.preset");
  out.method = d.String(t, "method", "tuning.method");
  out.config = d.String(t, "config", "tuning.config");
  out.input = DecodeDataSource(d, d.Object(t, "input", "tuning.input", "v1beta1.DataSource"),
                               "tuning.input");
  if (const Json* o = d.Object(t, "output", "tuning.output", "v1beta1.DataDestination")) {
    DataDestination dest;
    dest.has_volume =
        d.Object(o, "volumeSource", "tuning.output.volumeSource", "v1.VolumeSource") != nullptr;
    dest.image = d.String(o, "image", "tuning.output.image");
    dest.image_push_secret = d.String(o, "imagePushSecret", "tuning.output.imagePushSecret");
    out.output = dest;
  }
  return out;
}

}  // namespace

std::string_view ApiVersionString(ApiVersion v) {
  return v == ApiVersion::kV1alpha1 ? kApiVersionV1alpha1 : kApiVersionV1beta1;
}

Result<Workspace> DecodeWorkspace(const Json& object) {
  if (!object.is_object()) return BadRequest("a Workspace must be a JSON object");
  Workspace ws;
  std::string api_version = GetString(object, "apiVersion");
  if (api_version == kApiVersionV1alpha1) {
    ws.version = ApiVersion::kV1alpha1;
  } else if (api_version == kApiVersionV1beta1) {
    ws.version = ApiVersion::kV1beta1;
  } else {
    return BadRequest("unsupported Workspace apiVersion \"" + api_version +
                      "\" (served: kaito.sh/v1alpha1, kaito.sh/v1beta1)");
  }
  Decoder d;
  const Json* meta = d.Object(&object, "metadata", "metadata", "v1.ObjectMeta");
  ws.name = d.String(meta, "name", "metadata.name");
  ws.ns = d.String(meta, "namespace", "metadata.namespace");
  for (const char* field : {"labels", "annotations"}) {
    const Json* m = d.Object(meta, field, std::string("metadata.") + field, "map[string]string");
    if (m == nullptr) continue;
    api::Labels& dst = std::string_view(field) == "labels" ? ws.labels : ws.annotations;
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (it->is_string()) {
        dst[it.key()] = it->get<std::string>();
      } else if (!it->is_null()) {
        d.Fail(std::string("metadata.") + field, *it, "string");
      }
    }
  }
  if (const Json* r = d.Object(&object, "resource", "resource", "v1beta1.ResourceSpec")) {
    ws.has_resource = true;
    ws.resource.count = d.Int(r, "count", "resource.count");
    ws.resource.instance_type = d.String(r, "instanceType", "resource.instanceType");
    ws.resource.label_selector = DecodeSelector(
        d, d.Object(r, "labelSelector", "resource.labelSelector", "v1.LabelSelector"),
        "resource.labelSelector");
    ws.resource.preferred_nodes = d.Strings(r, "preferredNodes", "resource.preferredNodes");
  }
  ws.inference =
      DecodeInference(d, d.Object(&object, "inference", "inference", "v1beta1.InferenceSpec"));
  ws.tuning = DecodeTuning(d, d.Object(&object, "tuning", "tuning", "v1beta1.TuningSpec"));
  if (const Json* st = d.Object(&object, "status", "status", "v1beta1.WorkspaceStatus")) {
    ws.worker_nodes = d.Strings(st, "workerNodes", "status.workerNodes");
  }
  if (!d.status().ok()) return d.status();
  return ws;
}

const PresetSpec* PresetOf(const Workspace& ws) {
  if (ws.inference && ws.inference->preset) return &*ws.inference->preset;
  if (ws.tuning && ws.tuning->preset) return &*ws.tuning->preset;
  return nullptr;
}

std::string_view RuntimeNameString(RuntimeName r) {
  return r == RuntimeName::kVllm ? "vllm" : "transformers";
}

RuntimeName RuntimeOf(const api::Labels& annotations, bool vllm_feature_gate) {
  RuntimeName runtime = vllm_feature_gate ? RuntimeName::kVllm : RuntimeName::kTransformers;
  auto it = annotations.find(std::string(kAnnotationRuntime));
  if (it != annotations.end()) {
    if (it->second == "transformers") runtime = RuntimeName::kTransformers;
    if (it->second == "vllm") runtime = RuntimeName::kVllm;
  }
  return runtime;
}

int64_t NodeCount(const Json& ws) { return GetInt(ws, "resource.count").value_or(1); }

std::string InstanceType(const Json& ws) { return GetString(ws, "resource.instanceType"); }

api::Labels MatchLabels(const Json& ws) {
  api::Labels out;
  const Json* ml = FindPath(ws, "resource.labelSelector.matchLabels");
  if (ml == nullptr || !ml->is_object()) return out;
  for (auto it = ml->begin(); it != ml->end(); ++it) {
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  }
  return out;
}

namespace {
std::vector<std::string> StringList(const Json& ws, std::string_view path) {
  std::vector<std::string> out;
  const Json* v = FindPath(ws, path);
  if (v == nullptr || !v->is_array()) return out;
  for (const Json& e : *v) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

const Json* ObjectAt(const Json& ws, std::string_view path) {
  const Json* v = FindPath(ws, path);
  return v != nullptr && v->is_object() ? v : nullptr;
}
}  // namespace

std::vector<std::string> PreferredNodes(const Json& ws) {
  return StringList(ws, "resource.preferredNodes");
}

bool IsInference(const Json& ws) { return ObjectAt(ws, "inference") != nullptr; }
bool IsTuning(const Json& ws) { return ObjectAt(ws, "tuning") != nullptr; }

std::string PresetName(const Json& ws) {
  std::string name = GetString(ws, "inference.preset.name");
  return name.empty() ? GetString(ws, "tuning.preset.name") : name;
}

const Json* InferenceTemplate(const Json& ws) { return ObjectAt(ws, "inference.template"); }
const Json* InputVolumeSource(const Json& ws) { return ObjectAt(ws, "tuning.input.volumeSource"); }
const Json* OutputVolumeSource(const Json& ws) {
  return ObjectAt(ws, "tuning.output.volumeSource");
}

std::vector<std::string> WorkerNodes(const Json& ws) {
  return StringList(ws, "status.workerNodes");
}

void SetWorkerNodes(Json& ws, const std::vector<std::string>& nodes) {
  Json arr = Json::array();
  for (const std::string& n : nodes) arr.push_back(n);
  ws["status"]["workerNodes"] = std::move(arr);
}

bool BypassResourceChecks(const Json& ws) {
  return api::Annotation(ws, kAnnotationBypassResourceChecks).has_value();
}

bool LoadBalancerEnabled(const Json& ws) {
  return api::Annotation(ws, kAnnotationEnableLb).value_or("") == "True";
}

}  // namespace kt::kaito
