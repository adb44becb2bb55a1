// WorkspaceWebhookPlugin: Kaito's Workspace validating webhook (controllers/webhook) registered
// in-process with the twin's API server (sim::AdmissionChain), so a scenario or `kaito-twin up`
// gets the same admission decisions as a cluster calling the webhook over HTTPS - without TLS.
//
// Denials come back as kube-apiserver reports a webhook denial: BadRequest (the webhook's 400)
// with `admission webhook "validation.workspace.kaito.sh" denied the request: <message>`.
// Warnings (kaito.sh/bypass-resource-checks) are dropped: the in-process chain has no channel
// for them.
//
// Ownership: reads ConfigMaps through `client`, which must outlive the plugin.
// Thread-safety: Validate may run on any thread (the client is thread-safe).
#ifndef KT_SCENARIOS_WEBHOOK_PLUGIN_H_
#define KT_SCENARIOS_WEBHOOK_PLUGIN_H_

#include <memory>
#include <string>

#include "api/kube_client.h"
#include "controllers/webhook/config_map_reader.h"
#include "controllers/webhook/validation.h"
#include "sim/apiserver/admission.h"

namespace kt::scenarios {

inline constexpr char kWebhookPluginName[] = "validation.workspace.kaito.sh";

class WorkspaceWebhookPlugin final : public sim::ValidatingAdmissionPlugin {
 public:
  WorkspaceWebhookPlugin(api::KubeClient& client, std::string release_namespace);

  std::string name() const override { return kWebhookPluginName; }
  Status Validate(const sim::AdmissionRequest& request) override;

 private:
  webhook::KubeClientConfigMapReader config_maps_;
  webhook::ValidationContext ctx_;
};

}  // namespace kt::scenarios

#endif  // KT_SCENARIOS_WEBHOOK_PLUGIN_H_
