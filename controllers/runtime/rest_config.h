// RestConfig: where the API server is and how to authenticate to it, loaded the way client-go
// does from a kubeconfig file or from inside a pod.
//
// Kubeconfig: the current-context (or a named one) picks a cluster and a user.
//   cluster: server, certificate-authority (file, relative to the kubeconfig's directory) or
//            certificate-authority-data (base64 PEM), insecure-skip-tls-verify, tls-server-name
//   user:    token or tokenFile; client-certificate(-data) + client-key(-data)
//            (exec and auth-provider plugins and basic auth are refused with a clear error)
//   context: namespace (default "default")
// In-cluster: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the service-account
// token, ca.crt and namespace from /var/run/secrets/kubernetes.io/serviceaccount (the
// directory is a parameter so tests can point it elsewhere). The token is read from its file
// again periodically by the HTTP client, because projected tokens rotate.
#ifndef KT_CONTROLLERS_RUNTIME_REST_CONFIG_H_
#define KT_CONTROLLERS_RUNTIME_REST_CONFIG_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace kt::ctrl {

struct RestConfig {
  std::string server;  // "https://10.0.0.1:443"
  std::string ca_pem;  // empty: the system trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string bearer_token;
  std::string bearer_token_file;  // read (and re-read) by the client when set
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string ns = "default";  // the context's or the pod's namespace
  std::string user_agent = "kaito-twin/controllers";
  Duration timeout = std::chrono::seconds(30);
};

inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

// `base_dir` resolves relative file paths; `context` "" means current-context.
Result<RestConfig> ParseKubeconfig(std::string_view yaml, std::string_view base_dir,
                                   std::string_view context = "");
Result<RestConfig> LoadKubeconfig(const std::string& path, std::string_view context = "");

struct InClusterEnvironment {
  std::string host;  // KUBERNETES_SERVICE_HOST
  std::string port;  // KUBERNETES_SERVICE_PORT
  std::string service_account_dir = std::string(kServiceAccountDir);
};
// Reads KUBERNETES_SERVICE_HOST/PORT from the process environment.
InClusterEnvironment InClusterEnvironmentFromProcess();
Result<RestConfig> InClusterConfig(const InClusterEnvironment& env);

// controller-runtime's order: an explicit kubeconfig path, else $KUBECONFIG (first file),
// else in-cluster, else $HOME/.kube/config.
Result<RestConfig> LoadRestConfig(const std::string& kubeconfig_path, std::string_view context = "");

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_REST_CONFIG_H_
