// The Services of an inference workspace (Kaito v0.4.6 manifests.GenerateServiceManifest /
// GenerateHeadlessServiceManifest).
//
// Main Service "<ws>": ClusterIP, or LoadBalancer when annotation kaito.sh/enablelb is "True";
// port "http" 80 -> 5000/TCP; selector kaito.sh/workspace=<ws> plus
// statefulset.kubernetes.io/pod-name=<ws>-0 for distributed presets (StatefulSet: only the
// leader serves); publishNotReadyAddresses; the workspace as controller owner.
// Headless Service "<ws>-headless" (distributed presets only): clusterIP None, no ports, the
// same workspace selector, publishNotReadyAddresses.
// Created when absent, never updated (as Kaito).
//
// Pure functions.
#ifndef KT_CONTROLLERS_WORKSPACE_SERVICE_MANIFEST_H_
#define KT_CONTROLLERS_WORKSPACE_SERVICE_MANIFEST_H_

#include <string>
#include <string_view>

#include "base/json_fwd.h"

namespace kt::workspace {

inline constexpr int kInferencePort = 5000;
inline constexpr int kServicePort = 80;

std::string HeadlessServiceName(std::string_view ws_name);

Json ServiceManifest(const Json& workspace, bool distributed);
Json HeadlessServiceManifest(const Json& workspace);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_SERVICE_MANIFEST_H_
