// Core: admission. The in-process chain and the webhooks that match run without the lock;
// which webhooks match (and where their services are) is decided under it.
#include <optional>

#include "api/object.h"
#include "base/json.h"
#include "sim/apiserver/core.h"
#include "sim/apiserver/object_identity.h"

namespace kt::sim {

bool Core::AdmissionConfiguredLocked() const {
  return !admission_.empty() || webhook_configurations_ > 0;
}

Result<std::string> Core::ResolveServiceLocked(const std::string& ns, const std::string& name,
                                               int port, const std::string& path) const {
  auto it = options_.webhook_service_urls.find(ns + "/" + name + ":" + std::to_string(port));
  if (it != options_.webhook_service_urls.end()) return it->second + path;
  const ResourceType* t = FindTypeLocked(api::resources::kServices);
  const StoredObject* svc = t ? store_.Get(t->storage_key, StoreKey(ns, name)) : nullptr;
  if (svc == nullptr) return NotFound("service \"" + ns + "/" + name + "\" not found");
  std::string ip = GetString(*svc->object, "spec.clusterIP");
  if (ip.empty() || ip == "None") {
    return NotFound("service \"" + ns + "/" + name + "\" has no ClusterIP");
  }
  return "https://" + ip + ":" + std::to_string(port) + path;
}

void Core::CollectWebhooksLocked(Pending& p) {
  auto configs_of = [&](const api::GroupVersionResource& gvr) {
    std::vector<std::shared_ptr<const Json>> out;
    const ResourceType* t = FindTypeLocked(gvr);
    if (t == nullptr) return out;
    store_.ForEachIn(t->storage_key, "", [&](const std::string&, const StoredObject& so) {
      out.push_back(so.object);
    });
    return out;
  };
  const Json* ns_obj = nullptr;
  if (p.namespaced && !p.ref.ns.empty()) {
    if (const StoredObject* so = store_.Get(namespaces_->storage_key, p.ref.ns)) {
      p.namespace_object = so->object;
      ns_obj = so->object.get();
    }
  }
  ServiceResolver resolve = [this](const std::string& ns, const std::string& name, int port,
                                   const std::string& path) {
    return ResolveServiceLocked(ns, name, port, path);
  };
  AdmissionRequest req = p.Request();
  p.mutating = MatchWebhooks(configs_of(api::resources::kMutatingWebhookConfigurations), true, req,
                             p.namespaced, ns_obj, resolve);
  p.validating = MatchWebhooks(configs_of(api::resources::kValidatingWebhookConfigurations), false,
                               req, p.namespaced, ns_obj, resolve);
  for (size_t i = 0; i < p.mutating.size() + p.validating.size(); ++i) {
    p.review_uids.push_back(NewUid(*rng_));
  }
}

Status Core::RunMutating(Pending& p, bool* mutated) {
  AdmissionRequest req = p.Request();
  // Copy the object to compare only when something may change it.
  const bool compare = p.op != AdmissionOperation::kDelete &&
                       (!p.mutating.empty() || admission_.MayChange(req));
  std::optional<Json> before;
  if (compare) before = p.object;
  if (p.op == AdmissionOperation::kDelete) {
    Json ignored = p.object;  // DELETE is admitted, but there is nothing to mutate
    KT_RETURN_IF_ERROR(admission_.Mutate(req, ignored));
  } else {
    KT_RETURN_IF_ERROR(admission_.Mutate(req, p.object));
  }
  for (size_t i = 0; i < p.mutating.size(); ++i) {
    Json* target = p.op == AdmissionOperation::kDelete ? nullptr : &p.object;
    KT_RETURN_IF_ERROR(webhook_caller_.Call(p.mutating[i], req, p.review_uids[i], target));
  }
  *mutated = compare && p.object != *before;
  return Status::Ok();
}

Status Core::RunValidating(const Pending& p) {
  AdmissionRequest req = p.Request();
  KT_RETURN_IF_ERROR(admission_.Validate(req));
  for (size_t i = 0; i < p.validating.size(); ++i) {
    KT_RETURN_IF_ERROR(
        webhook_caller_.Call(p.validating[i], req, p.review_uids[p.mutating.size() + i], nullptr));
  }
  return Status::Ok();
}

}  // namespace kt::sim
