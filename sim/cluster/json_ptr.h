// JsonPtr: an immutable, shared Kubernetes object as the API server hands it out (watch events,
// lists): components keep these instead of copies.
#ifndef KT_SIM_CLUSTER_JSON_PTR_H_
#define KT_SIM_CLUSTER_JSON_PTR_H_

#include <memory>

#include "base/json_fwd.h"

namespace kt::sim::cluster {

using JsonPtr = std::shared_ptr<const Json>;

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_JSON_PTR_H_
