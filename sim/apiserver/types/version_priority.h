// Kubernetes version ordering ("kube-aware" version strings): GA versions first (v2 before v1),
// then betas (v11beta2, v10beta3, v3beta1), then alphas, then anything else alphabetically.
// Discovery lists a group's versions in this order; the first is the preferred version.
#ifndef KT_SIM_APISERVER_TYPES_VERSION_PRIORITY_H_
#define KT_SIM_APISERVER_TYPES_VERSION_PRIORITY_H_

#include <string_view>

namespace kt::sim {

// True when `a` sorts before (has higher priority than) `b`.
bool KubeVersionLess(std::string_view a, std::string_view b);
// True for "v1", "v2beta3", "v1alpha1" (the forms kube gives priority to).
bool IsKubeVersion(std::string_view v);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_VERSION_PRIORITY_H_
