#include "controllers/runtime/rest_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/json.h"
#include "base/yaml.h"
#include "base/base64.h"

namespace kt::ctrl {

namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return std::string(base_dir) + "/" + path;
}

// Finds {name: <name>, <field>: {...}} in a kubeconfig list.
const Json* Named(const Json& config, const char* list, const char* field, const std::string& name) {
  const Json* items = FindPath(config, list);
  if (!items || !items->is_array()) return nullptr;
  for (const Json& item : *items) {
    if (item.is_object() && GetString(item, "name") == name) {
      auto it = item.find(field);
      if (it != item.end() && it->is_object()) return &*it;
      static const Json kEmpty = Json::object();
      return &kEmpty;
    }
  }
  return nullptr;
}

// "<field>-data" (base64) wins over "<field>" (a file), as in client-go.
Result<std::string> DataOrFile(const Json& section, const std::string& field,
                               std::string_view base_dir, const std::string& what) {
  std::string data = GetString(section, field + "-data");
  if (!data.empty()) {
    auto decoded = Base64Decode(data);
    if (!decoded.ok()) return BadRequest(what + ": " + field + "-data: " + decoded.status().message());
    return std::move(decoded).value();
  }
  std::string file = GetString(section, field);
  if (file.empty()) return std::string();
  auto content = ReadFile(Resolve(base_dir, file));
  if (!content.ok()) return BadRequest(what + ": " + field + ": " + content.status().message());
  return std::move(content).value();
}

}  // namespace

Result<RestConfig> ParseKubeconfig(std::string_view yaml, std::string_view base_dir,
                                   std::string_view context) {
  auto parsed = ParseYaml(yaml);
  if (!parsed.ok()) return BadRequest("kubeconfig: " + parsed.status().message());
  const Json& config = *parsed;
  if (!config.is_object()) return BadRequest("kubeconfig is not a mapping");
  std::string ctx_name(context);
  if (ctx_name.empty()) ctx_name = GetString(config, "current-context");
  if (ctx_name.empty()) return BadRequest("kubeconfig has no current-context and none was given");
  const Json* ctx = Named(config, "contexts", "context", ctx_name);
  if (!ctx) return NotFound("context \"" + ctx_name + "\" not found in kubeconfig");
  const std::string cluster_name = GetString(*ctx, "cluster");
  const std::string user_name = GetString(*ctx, "user");
  const Json* cluster = Named(config, "clusters", "cluster", cluster_name);
  if (!cluster) return NotFound("cluster \"" + cluster_name + "\" of context \"" + ctx_name + "\" not found");

  RestConfig rc;
  rc.server = GetString(*cluster, "server");
  if (!rc.server.starts_with("https://") && !rc.server.starts_with("http://")) {
    return BadRequest("cluster \"" + cluster_name + "\": server \"" + rc.server +
                      "\" is not an http(s) URL");
  }
  rc.insecure_skip_tls_verify = GetBool(*cluster, "insecure-skip-tls-verify");
  rc.tls_server_name = GetString(*cluster, "tls-server-name");
  KT_ASSIGN_OR_RETURN(rc.ca_pem, DataOrFile(*cluster, "certificate-authority", base_dir,
                                            "cluster \"" + cluster_name + "\""));
  if (!GetString(*ctx, "namespace").empty()) rc.ns = GetString(*ctx, "namespace");

  if (!user_name.empty()) {
    const Json* user = Named(config, "users", "user", user_name);
    if (!user) return NotFound("user \"" + user_name + "\" of context \"" + ctx_name + "\" not found");
    const std::string what = "user \"" + user_name + "\"";
    if (user->contains("exec") || user->contains("auth-provider")) {
      return BadRequest(what + " uses a credential plugin (exec/auth-provider), which is not " +
                        "supported; use a token, a token file or a client certificate");
    }
    if (!GetString(*user, "username").empty() || !GetString(*user, "password").empty()) {
      return BadRequest(what + " uses basic authentication, which is not supported");
    }
    rc.bearer_token = GetString(*user, "token");
    if (rc.bearer_token.empty() && !GetString(*user, "tokenFile").empty()) {
      rc.bearer_token_file = Resolve(base_dir, GetString(*user, "tokenFile"));
    }
    KT_ASSIGN_OR_RETURN(rc.client_cert_pem, DataOrFile(*user, "client-certificate", base_dir, what));
    KT_ASSIGN_OR_RETURN(rc.client_key_pem, DataOrFile(*user, "client-key", base_dir, what));
    if (rc.client_cert_pem.empty() != rc.client_key_pem.empty()) {
      return BadRequest(what + " needs both a client certificate and a client key");
    }
  }
  return rc;
}

Result<RestConfig> LoadKubeconfig(const std::string& path, std::string_view context) {
  auto text = ReadFile(path);
  if (!text.ok()) return NotFound("kubeconfig: " + text.status().message());
  std::string dir;
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) dir = path.substr(0, slash);
  auto rc = ParseKubeconfig(*text, dir, context);
  if (!rc.ok()) return rc.status().Annotate(path);
  return rc;
}

InClusterEnvironment InClusterEnvironmentFromProcess() {
  InClusterEnvironment env;
  if (const char* h = std::getenv("KUBERNETES_SERVICE_HOST")) env.host = h;
  if (const char* p = std::getenv("KUBERNETES_SERVICE_PORT")) env.port = p;
  return env;
}

Result<RestConfig> InClusterConfig(const InClusterEnvironment& env) {
  if (env.host.empty() || env.port.empty()) {
    return NotFound("not running in a cluster: KUBERNETES_SERVICE_HOST and "
                    "KUBERNETES_SERVICE_PORT must both be set");
  }
  RestConfig rc;
  std::string host = env.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6
  rc.server = "https://" + host + ":" + env.port;
  const std::string dir = env.service_account_dir;
  rc.bearer_token_file = dir + "/token";
  auto token = ReadFile(rc.bearer_token_file);
  if (!token.ok()) return NotFound("in-cluster: service-account token: " + token.status().message());
  auto ca = ReadFile(dir + "/ca.crt");
  if (!ca.ok()) return NotFound("in-cluster: service-account CA: " + ca.status().message());
  rc.ca_pem = std::move(ca).value();
  if (auto ns = ReadFile(dir + "/namespace"); ns.ok()) {
    std::string n = *ns;
    while (!n.empty() && (n.back() == '\n' || n.back() == ' ')) n.pop_back();
    if (!n.empty()) rc.ns = n;
  }
  return rc;
}

Result<RestConfig> LoadRestConfig(const std::string& kubeconfig_path, std::string_view context) {
  if (!kubeconfig_path.empty()) return LoadKubeconfig(kubeconfig_path, context);
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string first(env);
    first = first.substr(0, first.find(':'));
    return LoadKubeconfig(first, context);
  }
  auto in_cluster = InClusterConfig(InClusterEnvironmentFromProcess());
  if (in_cluster.ok()) return in_cluster;
  if (const char* home = std::getenv("HOME"); home && *home) {
    std::string path = std::string(home) + "/.kube/config";
    if (std::ifstream(path)) return LoadKubeconfig(path, context);
  }
  return NotFound("no kubeconfig given, $KUBECONFIG unset, not in a cluster and no ~/.kube/config");
}

}  // namespace kt::ctrl
