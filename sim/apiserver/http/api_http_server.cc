#include "sim/apiserver/http/api_http_server.h"

#include <cstdio>

#include "base/json.h"
#include "base/net/tls_certs.h"
#include "base/yaml.h"
#include "base/base64.h"

namespace kt::sim {

ApiHttpServer::ApiHttpServer(RealEnv& env, ApiServer& server, ServeOptions options)
    : env_(env), server_(server), options_(std::move(options)) {}

ApiHttpServer::~ApiHttpServer() { Stop(); }

Status ApiHttpServer::Start() {
  net::HttpServerOptions http;
  http.bind_address = options_.bind_address;
  http.port = options_.port;
  http.body_bytes_max = options_.body_bytes_max;
  http.server_name = "kaito-twin";
  if (!options_.insecure) {
    Time now = env_.Now();
    KT_ASSIGN_OR_RETURN(net::CertKeyPair ca,
                        net::GenerateCa("kaito-twin-ca", now - std::chrono::hours(1),
                                        std::chrono::hours(24 * 365 * 10)));
    net::CertRequest req;
    req.common_name = "kube-apiserver";
    req.dns_names = {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                     "kubernetes.default.svc.cluster.local"};
    req.ip_addresses = {"127.0.0.1"};
    if (options_.bind_address != "127.0.0.1" && options_.bind_address != "0.0.0.0") {
      req.ip_addresses.push_back(options_.bind_address);
    }
    req.server = true;
    req.not_before = now - std::chrono::hours(1);
    req.validity = std::chrono::hours(24 * 365);
    KT_ASSIGN_OR_RETURN(net::CertKeyPair cert, net::IssueCert(ca, req));
    ca_pem_ = ca.cert_pem;
    http.tls = net::TlsServerConfig{cert.cert_pem + ca.cert_pem, cert.key_pem, ""};
    token_ = options_.bearer_token;
    if (token_.empty()) {
      Rng& rng = env_.Random("apiserver.token");
      char buf[17];
      for (int i = 0; i < 2; ++i) {
        std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(rng.Next()));
        token_ += buf;
      }
    }
  }
  ApiHttpOptions ho;
  ho.bearer_token = options_.insecure ? "" : token_;
  ho.version_minor = options_.version_minor;
  handler_ = std::make_unique<ApiHandler>(server_, ho);
  ApiHandler* h = handler_.get();
  http_ = std::make_unique<net::HttpServer>(
      env_, http, [h](net::HttpRequest& r, std::shared_ptr<net::Exchange> ex) { h->Handle(r, std::move(ex)); });
  return http_->Start();
}

void ApiHttpServer::Stop() {
  if (http_) http_->Stop();
}

uint16_t ApiHttpServer::port() const { return http_ ? http_->port() : 0; }

std::string ApiHttpServer::base_url() const { return http_ ? http_->base_url() : ""; }

std::string ApiHttpServer::Kubeconfig(const std::string& name) const {
  Json cluster = {{"server", base_url()}};
  if (!ca_pem_.empty()) cluster["certificate-authority-data"] = Base64Encode(ca_pem_);
  Json user = Json::object();
  if (!token_.empty() && !options_.insecure) user["token"] = token_;
  Json cfg = {{"apiVersion", "v1"},
              {"kind", "Config"},
              {"clusters", Json::array({{{"name", name}, {"cluster", cluster}}})},
              {"users", Json::array({{{"name", name + "-admin"}, {"user", user}}})},
              {"contexts", Json::array({{{"name", name},
                                         {"context",
                                          {{"cluster", name},
                                           {"user", name + "-admin"},
                                           {"namespace", "default"}}}}})},
              {"current-context", name},
              {"preferences", Json::object()}};
  return ToYaml(cfg);
}

}  // namespace kt::sim
