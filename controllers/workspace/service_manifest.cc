#include "controllers/workspace/service_manifest.h"

#include "api/object.h"
#include "base/json.h"
#include "controllers/kaito/labels.h"
#include "controllers/kaito/workspace.h"

namespace kt::workspace {
namespace {

Json ServiceSkeleton(const Json& workspace, std::string_view name) {
  Json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", name}, {"namespace", api::Namespace(workspace)}}}};
  api::SetControllerReference(svc, workspace);
  return svc;
}

}  // namespace

std::string HeadlessServiceName(std::string_view ws_name) {
  return std::string(ws_name) + "-headless";
}

Json ServiceManifest(const Json& workspace, bool distributed) {
  const std::string name = api::Name(workspace);
  Json svc = ServiceSkeleton(workspace, name);
  Json selector = {{std::string(kaito::kLabelWorkspace), name}};
  if (distributed) selector["statefulset.kubernetes.io/pod-name"] = name + "-0";
  svc["spec"] = {
      {"type", kaito::LoadBalancerEnabled(workspace) ? "LoadBalancer" : "ClusterIP"},
      {"ports", Json::array({{{"name", "http"},
                              {"protocol", "TCP"},
                              {"port", kServicePort},
                              {"targetPort", kInferencePort}}})},
      {"selector", selector},
      {"publishNotReadyAddresses", true}};
  return svc;
}

Json HeadlessServiceManifest(const Json& workspace) {
  const std::string name = api::Name(workspace);
  Json svc = ServiceSkeleton(workspace, HeadlessServiceName(name));
  svc["spec"] = {{"clusterIP", "None"},
                 {"selector", {{std::string(kaito::kLabelWorkspace), name}}},
                 {"publishNotReadyAddresses", true}};
  return svc;
}

}  // namespace kt::workspace
