#include "controllers/workspace/nodeclaim.h"

#include "api/object.h"
#include "base/json.h"
#include "base/sha256.h"
#include "controllers/kaito/conditions.h"
#include "controllers/kaito/labels.h"
#include "controllers/kaito/workspace.h"

namespace kt::workspace {

std::string NodeClaimName(std::string_view ns, std::string_view name, Time now, int attempt) {
  std::string seed = std::string(ns) + std::string(name) + std::to_string(ToUnixNanos(now));
  if (attempt > 0) seed += "#" + std::to_string(attempt);
  return "ws" + Sha256Hex(seed).substr(0, 9);
}

Json NodeClaimManifest(const Json& workspace, std::string_view name, std::string_view storage,
                       std::string_view cloud_provider) {
  const std::string sku = kaito::InstanceType(workspace);
  Json labels = Json::object();
  labels[std::string(kaito::kLabelNodePool)] = std::string(kaito::kNodePoolKaito);
  labels[std::string(kaito::kLabelWorkspace)] = api::Name(workspace);
  labels[std::string(kaito::kLabelWorkspaceNamespace)] = api::Namespace(workspace);
  for (const auto& [k, v] : kaito::MatchLabels(workspace)) labels[k] = v;

  auto requirement = [](std::string_view key, const std::string& value) {
    return Json{{"key", key}, {"operator", "In"}, {"values", Json::array({value})}};
  };
  Json requirements = Json::array({requirement(kaito::kLabelInstanceType, sku),
                                   requirement("kubernetes.io/os", "linux")});
  Json class_ref = {{"group", "karpenter.azure.com"}, {"kind", "AKSNodeClass"},
                    {"name", kNodeClassName}};
  if (cloud_provider == kaito::kCloudProviderAzure) {
    requirements.push_back(requirement(kaito::kLabelAzureSkuName, sku));
  } else if (cloud_provider == "aws") {
    class_ref = {{"group", "karpenter.k8s.aws"}, {"kind", "EC2NodeClass"}, {"name", kNodeClassName}};
  }
  return Json{
      {"apiVersion", "karpenter.sh/v1"},
      {"kind", "NodeClaim"},
      {"metadata",
       {{"name", name},
        {"labels", labels},
        {"annotations", {{std::string(kaito::kAnnotationDoNotDisrupt), "true"}}}}},
      {"spec",
       {{"nodeClassRef", class_ref},
        {"taints", Json::array({{{"key", kaito::kTaintSkuKey},
                                 {"value", kaito::kTaintSkuValue},
                                 {"effect", "NoSchedule"}}})},
        {"requirements", requirements},
        {"resources", {{"requests", {{"storage", storage}}}}}}}};
}

std::string NodeClaimSelector(std::string_view ws_ns, std::string_view ws_name) {
  return std::string(kaito::kLabelWorkspace) + "=" + std::string(ws_name) + "," +
         std::string(kaito::kLabelWorkspaceNamespace) + "=" + std::string(ws_ns);
}

NodeClaimState ReadNodeClaim(const Json& nodeclaim) {
  NodeClaimState s;
  s.node_name = GetString(nodeclaim, "status.nodeName");
  s.ready = api::IsConditionTrue(nodeclaim, "Ready");
  s.initialized = api::IsConditionTrue(nodeclaim, "Initialized");
  if (auto launched = api::FindCondition(nodeclaim, "Launched")) {
    if (launched->status == "False") {
      s.launch_failed = true;
      s.terminal =
          launched->message.find(kaito::kInstanceTypesUnavailableMessage) != std::string::npos;
    }
  }
  for (std::string_view type : {"Launched", "Registered", "Initialized", "Ready"}) {
    auto c = api::FindCondition(nodeclaim, type);
    if (c && c->status != "True") {
      s.blocking_condition = std::string(type);
      s.reason = c->reason;
      s.message = c->message;
      break;
    }
  }
  return s;
}

}  // namespace kt::workspace
