// Core: pods/binding (the scheduler's write: sets spec.nodeName once, PodScheduled=True) and
// pods/eviction (a delete through the eviction API; no PodDisruptionBudgets are modelled).
#include "api/object.h"
#include "base/json.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/core.h"

namespace kt::sim {

Result<WriteResult> Core::PodBindingLocked(const ResourceRef& ref, const Json& binding) {
  if (!binding.is_object()) return BadRequest("the binding must be a JSON object");
  std::string node = GetString(binding, "target.name");
  if (node.empty()) {
    return InvalidError("Binding", "", ref.name, "target.name: Required value");
  }
  const ResourceType* pods = FindTypeLocked(api::resources::kPods);
  if (pods == nullptr) return UnknownResourceError();
  const std::string key = StoreKey(ref.ns, ref.name);
  const StoredObject* so = store_.Get(pods->storage_key, key);
  if (so == nullptr) return NotFoundError(api::resources::kPods, ref.name);
  api::GroupVersionResource binding_gr{"", "v1", "pods/binding"};
  if (api::IsDeleting(*so->object)) {
    return ConflictErrorWith(binding_gr, ref.name,
                             "pod " + ref.name + " is being deleted, cannot be assigned to a host");
  }
  std::string bound = GetString(*so->object, "spec.nodeName");
  if (!bound.empty()) {
    return ConflictErrorWith(binding_gr, ref.name,
                             "pod " + ref.name + " is already assigned to node \"" + bound + "\"");
  }
  Json pod = *so->object;
  pod["spec"]["nodeName"] = node;
  if (const Json* ann = FindPath(binding, "metadata.annotations"); ann && ann->is_object()) {
    for (const auto& [k, v] : ann->items()) pod["metadata"]["annotations"][k] = v;
  }
  Json& conds = pod["status"]["conditions"];
  if (!conds.is_array()) conds = Json::array();
  Json scheduled = {{"type", "PodScheduled"},
                    {"status", "True"},
                    {"lastProbeTime", nullptr},
                    {"lastTransitionTime", FormatRfc3339(env_.Now())}};
  bool replaced = false;
  for (auto& c : conds) {
    if (GetString(c, "type") == "PodScheduled") {
      c = scheduled;
      replaced = true;
    }
  }
  if (!replaced) conds.push_back(scheduled);
  CommitUpdateLocked(*pods, key, std::move(pod));
  WriteResult wr;
  Json status = SuccessStatusJson();
  status["code"] = 201;
  wr.object = std::make_shared<const Json>(std::move(status));
  wr.created = true;
  wr.status_reply = true;
  return wr;
}

Result<std::string> Core::PodEvictionTargetLocked(const ResourceRef& ref, const Json& eviction) {
  if (!eviction.is_object()) return BadRequest("the eviction must be a JSON object");
  std::string name = GetString(eviction, "metadata.name");
  if (!name.empty() && name != ref.name) {
    return BadRequest("name in URL does not match name in Eviction object");
  }
  const ResourceType* pods = FindTypeLocked(api::resources::kPods);
  if (pods == nullptr) return UnknownResourceError();
  const std::string key = StoreKey(ref.ns, ref.name);
  if (store_.Get(pods->storage_key, key) == nullptr) {
    return NotFoundError(api::resources::kPods, ref.name);
  }
  return key;
}

}  // namespace kt::sim
