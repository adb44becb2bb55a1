// What a request's Accept and Content-Type headers ask for, as kube-apiserver negotiates them:
// Tables (as=Table;g=meta.k8s.io), aggregated discovery (as=APIGroupDiscoveryList;
// g=apidiscovery.k8s.io, v=v2 or v2beta1), or plain JSON. Protobuf is never served: a request
// that accepts only protobuf gets 406, a protobuf body 415.
#ifndef KT_SIM_APISERVER_HTTP_CONTENT_NEGOTIATION_H_
#define KT_SIM_APISERVER_HTTP_CONTENT_NEGOTIATION_H_

#include <string>
#include <string_view>

namespace kt::sim {

struct AcceptInfo {
  bool table = false;
  bool partial_metadata = false;          // as=PartialObjectMetadata(List)
  std::string aggregated_discovery;       // "v2", "v2beta1" or "" (legacy)
  bool json_acceptable = true;            // false: only protobuf (or nothing usable) accepted
};

AcceptInfo ParseAccept(std::string_view accept);

// The media type without parameters, lower-case ("application/json").
std::string MediaType(std::string_view content_type);

inline constexpr char kAggregatedDiscoveryV2[] =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
inline constexpr char kAggregatedDiscoveryV2Beta1[] =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
inline constexpr char kTableContentType[] = "application/json;as=Table;v=v1;g=meta.k8s.io";

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_HTTP_CONTENT_NEGOTIATION_H_
