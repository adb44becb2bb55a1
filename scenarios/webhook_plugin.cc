#include "scenarios/webhook_plugin.h"

#include <nlohmann/json.hpp>

namespace kt::scenarios {

WorkspaceWebhookPlugin::WorkspaceWebhookPlugin(api::KubeClient& client,
                                               std::string release_namespace)
    : config_maps_(client) {
  ctx_.config_maps = &config_maps_;
  ctx_.release_namespace = std::move(release_namespace);
}

Status WorkspaceWebhookPlugin::Validate(const sim::AdmissionRequest& request) {
  // Kaito's ValidatingWebhookConfiguration: workspaces, CREATE and UPDATE, no subresources.
  if (request.resource.group != "kaito.sh" || request.resource.resource != "workspaces") {
    return Status::Ok();
  }
  if (!request.subresource.empty() || request.object == nullptr) return Status::Ok();
  webhook::Operation op;
  if (request.operation == sim::AdmissionOperation::kCreate) {
    op = webhook::Operation::kCreate;
  } else if (request.operation == sim::AdmissionOperation::kUpdate) {
    if (request.old_object == nullptr) return Status::Ok();
    op = webhook::Operation::kUpdate;
  } else {
    return Status::Ok();
  }
  Json object = *request.object;
  if (object.is_object() && !request.ns.empty()) object["metadata"]["namespace"] = request.ns;
  webhook::Verdict v = webhook::Validate(op, request.old_object, object, ctx_);
  if (v.allowed) return Status::Ok();
  return BadRequest(std::string("admission webhook \"") + kWebhookPluginName +
                    "\" denied the request: " + v.message);
}

}  // namespace kt::scenarios
