// RequestTarget: what an API server URL path names. Resource paths follow kube-apiserver's
// routes:
//   /api/v1/{resource}[/{name}[/{subresource}]]                          (cluster-scoped, or
//                                                                          all namespaces)
//   /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]
//   /apis/{group}/{version}/... the same
// /api/v1/namespaces/{name}/{status|finalize} is the Namespace's own subresource. Whether a
// resource exists and has that scope is the ApiServer's decision.
#ifndef KT_SIM_APISERVER_HTTP_REQUEST_TARGET_H_
#define KT_SIM_APISERVER_HTTP_REQUEST_TARGET_H_

#include <string>
#include <string_view>

#include "sim/apiserver/api_server.h"

namespace kt::sim {

struct RequestTarget {
  enum class Kind {
    kNotFound,
    kVersion,        // /version
    kHealth,         // /healthz, /livez, /readyz (and their sub-checks)
    kMetrics,        // /metrics
    kCoreRoot,       // /api
    kGroupsRoot,     // /apis
    kGroup,          // /apis/{g}
    kGroupVersion,   // /api/v1, /apis/{g}/{v}
    kOpenApiIndex,   // /openapi/v3
    kOpenApiDoc,     // /openapi/v3/{api/v1 | apis/g/v}
    kOpenApiV2,      // /openapi/v2 (JSON or gnostic protobuf)
    kResource,
  };
  Kind kind = Kind::kNotFound;
  std::string group;
  std::string version;
  std::string openapi_path;  // "apis/kaito.sh/v1beta1"
  ResourceRef ref;           // for kResource
};

RequestTarget ParseRequestTarget(std::string_view path);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_HTTP_REQUEST_TARGET_H_
