// Core: the scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets, StatefulSets
// and of custom resources whose CRD declares subresources.scale (specReplicasPath,
// statusReplicasPath, labelSelectorPath). `kubectl scale` and HPAs use it.
#include "api/label_selector.h"
#include "api/object.h"
#include "base/json.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/core.h"

namespace kt::sim {

namespace {

struct ScalePaths {
  std::string spec_replicas;
  std::string status_replicas;
  std::string label_selector;  // "" when none
  bool selector_is_string = false;
};

std::string StripDot(std::string p) {
  if (!p.empty() && p[0] == '.') p.erase(0, 1);
  return p;
}

void SetDotted(Json& obj, const std::string& path, Json value) {
  Json* cur = &obj;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object()) *cur = Json::object();
    if (dot == std::string::npos) {
      (*cur)[part] = std::move(value);
      return;
    }
    cur = &(*cur)[part];
    start = dot + 1;
  }
}

}  // namespace

namespace {
Result<ScalePaths> PathsFor(const ResourceType& type, const Json* crd) {
  ScalePaths p;
  if (!type.is_custom) {
    p.spec_replicas = "spec.replicas";
    p.status_replicas = "status.replicas";
    p.label_selector = "spec.selector";
    return p;
  }
  if (crd != nullptr) {
    if (const Json* versions = FindPath(*crd, "spec.versions"); versions && versions->is_array()) {
      for (const auto& v : *versions) {
        if (GetString(v, "name") != type.gvr.version) continue;
        const Json* scale = FindPath(v, "subresources.scale");
        if (scale == nullptr) break;
        p.spec_replicas = StripDot(GetString(*scale, "specReplicasPath"));
        p.status_replicas = StripDot(GetString(*scale, "statusReplicasPath"));
        p.label_selector = StripDot(GetString(*scale, "labelSelectorPath"));
        p.selector_is_string = true;
        return p;
      }
    }
  }
  return UnknownResourceError();
}
}  // namespace

Result<Json> Core::ScaleOfLocked(const ResourceType& type, const Json& obj) const {
  const Json* crd = nullptr;
  if (type.is_custom) {
    const ResourceType* ct = FindTypeLocked(api::resources::kCustomResourceDefinitions);
    if (ct != nullptr) {
      if (const StoredObject* so = store_.Get(ct->storage_key, type.crd_name)) crd = so->object.get();
    }
  }
  KT_ASSIGN_OR_RETURN(ScalePaths p, PathsFor(type, crd));
  int64_t spec = GetInt(obj, p.spec_replicas).value_or(type.is_custom ? 0 : 1);
  int64_t status = GetInt(obj, p.status_replicas).value_or(0);
  std::string selector;
  if (!p.label_selector.empty()) {
    if (p.selector_is_string) {
      selector = GetString(obj, p.label_selector);
    } else if (const Json* sel = FindPath(obj, p.label_selector)) {
      auto ls = api::LabelSelector::FromJson(*sel);
      if (ls.ok()) selector = ls->ToString();
    }
  }
  Json meta = {{"name", api::Name(obj)},
               {"uid", api::Uid(obj)},
               {"resourceVersion", api::ResourceVersion(obj)}};
  if (!api::Namespace(obj).empty()) meta["namespace"] = api::Namespace(obj);
  if (auto ts = FindPath(obj, "metadata.creationTimestamp")) meta["creationTimestamp"] = *ts;
  Json st = {{"replicas", status}};
  if (!selector.empty()) st["selector"] = selector;
  return Json{{"kind", "Scale"},
              {"apiVersion", "autoscaling/v1"},
              {"metadata", meta},
              {"spec", {{"replicas", spec}}},
              {"status", st}};
}

Result<Json> Core::ApplyScaleLocked(const ResourceType& type, const Json& obj,
                                    const Json& scale) const {
  const Json* crd = nullptr;
  if (type.is_custom) {
    const ResourceType* ct = FindTypeLocked(api::resources::kCustomResourceDefinitions);
    if (ct != nullptr) {
      if (const StoredObject* so = store_.Get(ct->storage_key, type.crd_name)) crd = so->object.get();
    }
  }
  KT_ASSIGN_OR_RETURN(ScalePaths p, PathsFor(type, crd));
  const Json* replicas = FindPath(scale, "spec.replicas");
  if (replicas == nullptr || !replicas->is_number_integer()) {
    return InvalidError("Scale", "autoscaling", api::Name(obj), "spec.replicas: Required value");
  }
  if (replicas->get<int64_t>() < 0) {
    return InvalidError("Scale", "autoscaling", api::Name(obj),
                        "spec.replicas: Invalid value: " + std::to_string(replicas->get<int64_t>()) +
                            ": must be greater than or equal to 0");
  }
  Json out = obj;
  SetDotted(out, p.spec_replicas, *replicas);
  return out;
}

}  // namespace kt::sim
