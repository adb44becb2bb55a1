// ApiHttpServer: an ApiServer served over HTTP on a RealEnv — what `kaito-twin up` runs.
// By default it listens with TLS (a CA and a server certificate for 127.0.0.1/localhost are
// generated at start) and requires a bearer token (generated unless given): kubectl sends
// credentials only over TLS. `insecure` serves plain HTTP without authentication, for
// development on loopback. Kubeconfig() writes a kubeconfig that kubectl, python3-kubernetes
// and @kubernetes/client-node use as is.
//
// Thread-safety: Start/Stop from one thread; the rest from any.
#ifndef KT_SIM_APISERVER_HTTP_API_HTTP_SERVER_H_
#define KT_SIM_APISERVER_HTTP_API_HTTP_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "base/net/http_server.h"
#include "base/real_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/http/api_handler.h"

namespace kt::sim {

struct ServeOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  bool insecure = false;
  std::string bearer_token;  // "" with TLS: generated
  int version_minor = 32;
  uint64_t body_bytes_max = 3 * 1024 * 1024;
};

class ApiHttpServer {
 public:
  ApiHttpServer(RealEnv& env, ApiServer& server, ServeOptions options);
  ~ApiHttpServer();

  Status Start();
  void Stop();

  uint16_t port() const;
  std::string base_url() const;   // "https://127.0.0.1:PORT"
  const std::string& ca_pem() const { return ca_pem_; }
  const std::string& token() const { return token_; }
  const ApiHandler& handler() const { return *handler_; }
  // A kubeconfig (YAML) with one cluster, user and context named `name`.
  std::string Kubeconfig(const std::string& name = "kaito-twin") const;

 private:
  RealEnv& env_;
  ApiServer& server_;
  ServeOptions options_;
  std::string ca_pem_;
  std::string token_;
  std::unique_ptr<ApiHandler> handler_;
  std::unique_ptr<net::HttpServer> http_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_HTTP_API_HTTP_SERVER_H_
