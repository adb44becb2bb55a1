// ApiHandler: the HTTP front end of an ApiServer — kube-apiserver's REST surface as kubectl
// 1.28-1.33, python3-kubernetes and @kubernetes/client-node use it (kubectl-protocol.md):
//   discovery (/api, /apis aggregated v2/v2beta1 with the exact Content-Type, else legacy;
//   /api/v1, /apis/{g}, /apis/{g}/{v}), /version, /openapi/v3 (+ per group version),
//   /openapi/v2 (JSON or gnostic protobuf),
//   /healthz /readyz /livez, /metrics;
//   resources: get, list (Table when asked, label/field selectors, limit/continue), watch
//   (chunked JSON lines, Table rows, bookmarks, timeoutSeconds, ERROR 410), create, update,
//   patch (merge, JSON, strategic merge, apply), delete (DeleteOptions from the body or the
//   query), deletecollection, subresources (status, scale, binding, eviction);
//   errors as metav1.Status with kube-apiserver's codes and messages; Warning headers.
// Authentication: a bearer token when configured (anonymous access only to /version and the
// health endpoints, as kube-apiserver's default RBAC allows); none in insecure mode.
//
// Thread-safety: Handle() is called from the HttpServer's io threads concurrently.
#ifndef KT_SIM_APISERVER_HTTP_API_HANDLER_H_
#define KT_SIM_APISERVER_HTTP_API_HANDLER_H_

#include <memory>
#include <string>

#include "base/net/http_server.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/http/metrics.h"
#include "sim/apiserver/http/request_target.h"

namespace kt::sim {

struct ApiHttpOptions {
  // "" = no authentication (the insecure loopback mode).
  std::string bearer_token;
  // /version's minor version. The kubectl dispatcher runs kubectl.1.<minor> when it exists.
  int version_minor = 32;
  // "127.0.0.1:PORT" for legacy /api's serverAddressByClientCIDRs.
  std::string server_address;
};

class ApiHandler {
 public:
  ApiHandler(ApiServer& server, ApiHttpOptions options);

  void Handle(net::HttpRequest& request, std::shared_ptr<net::Exchange> exchange);
  const ApiMetrics& metrics() const { return metrics_; }
  // The /version document.
  std::string VersionJson() const;

 private:
  struct Call;  // one request in flight (api_handler.cc)
  void HandleNonResource(const RequestTarget& target, Call& call);
  void HandleResource(const RequestTarget& target, Call& call);
  void HandleRead(Call& call);
  void HandleWatch(Call& call);
  void HandleWrite(Call& call);
  void HandleDelete(Call& call);

  ApiServer& server_;
  ApiHttpOptions options_;
  ApiMetrics metrics_;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_HTTP_API_HANDLER_H_
