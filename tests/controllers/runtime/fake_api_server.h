// FakeApiServer: a minimal Kubernetes REST front end (base/net HttpServer) over the
// FakeKubeClient, so the HTTP KubeClient can be tested end to end over real sockets and TLS
// before sim/apiserver's HTTP front end exists. It serves:
//   /api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]] and /apis/GROUP/VERSION/... with
//   GET (get, list, watch=true|1|True), POST, PUT, PATCH, DELETE (DeleteOptions body);
//   errors as metav1.Status bodies; watches as chunked newline-delimited JSON, with 410 sent as
//   an ERROR event; optional bearer-token authentication (401 otherwise) and TLS with optional
//   client certificates (verified against a CA when one is configured).
// It records each request's method, target and headers for assertions. Thread-safe.
#ifndef KT_TESTS_CONTROLLERS_RUNTIME_FAKE_API_SERVER_H_
#define KT_TESTS_CONTROLLERS_RUNTIME_FAKE_API_SERVER_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/net/http_server.h"
#include "base/real_env.h"
#include "tests/controllers/runtime/fake_kube_client.h"

namespace kt::ctrl::testing {

class FakeApiServer {
 public:
  struct Options {
    std::optional<net::TlsServerConfig> tls;
    std::string token;  // required bearer token; "" accepts anyone
  };
  struct Seen {
    std::string method;
    std::string target;
    std::string content_type;
    std::string authorization;
    std::string user_agent;
    std::string body;
  };

  FakeApiServer(RealEnv& env, FakeKubeClient& backend, Options options);
  ~FakeApiServer();
  Status Start();
  void Stop();
  std::string url() const;
  std::vector<Seen> requests() const;

 private:
  void Handle(net::HttpRequest& req, std::shared_ptr<net::Exchange> ex);

  RealEnv& env_;
  FakeKubeClient& backend_;
  Options options_;
  std::unique_ptr<net::HttpServer> server_;
  mutable std::mutex mu_;
  std::vector<Seen> seen_;  // guarded by mu_
};

}  // namespace kt::ctrl::testing

#endif  // KT_TESTS_CONTROLLERS_RUNTIME_FAKE_API_SERVER_H_
