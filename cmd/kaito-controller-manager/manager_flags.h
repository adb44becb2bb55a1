// The command line of kaito-controller-manager (issue 4 section 3): the Kaito workspace
// controller, the GPU provisioner and the Workspace admission webhook in one process, against
// any Kubernetes API (kubeconfig or in-cluster) and any ARM endpoint (Azure or kaito-twin's fake
// AKS). Plain data; parsing only.
#ifndef KT_CMD_KAITO_CONTROLLER_MANAGER_MANAGER_FLAGS_H_
#define KT_CMD_KAITO_CONTROLLER_MANAGER_MANAGER_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace kt::cm {

struct ManagerFlags {
  std::string kubeconfig;  // "" -> $KUBECONFIG, else in-cluster
  std::string cloud_endpoint = "https://management.azure.com";
  std::string subscription_id = "00000000-0000-0000-0000-000000000000";
  std::string resource_group = "kaito-rg";
  std::string cluster_name = "kaito-twin";
  std::string cloud_token;  // "" -> $AZURE_ACCESS_TOKEN, else no Authorization header
  bool leader_elect = false;
  std::string leader_election_id = "kaito-controller-manager";
  std::string release_namespace = "kaito-workspace";  // leases, default ConfigMaps
  std::string metrics_bind_address = ":8080";
  std::string health_probe_bind_address = ":8081";
  int webhook_port = 9443;  // 0: no webhook server
  std::string webhook_cert_dir = "/tmp/k8s-webhook-server/serving-certs";
  // Generate a CA and serving certificate into the cert dir and create/update the
  // ValidatingWebhookConfiguration pointing at https://127.0.0.1:<port> (Knative's webhook
  // manages its own certificates and configuration the same way).
  bool webhook_self_register = false;
  bool install_default_configmaps = true;
  double speed = 1.0;  // match `kaito-twin up --speed N`
  uint64_t seed = 0;
  std::string log_level = "info";
};

// argv after the program name. False with *error set on bad input.
bool ParseManagerFlags(const std::vector<std::string>& args, ManagerFlags* flags, std::string* error);
std::string ManagerUsage();

}  // namespace kt::cm

#endif  // KT_CMD_KAITO_CONTROLLER_MANAGER_MANAGER_FLAGS_H_
