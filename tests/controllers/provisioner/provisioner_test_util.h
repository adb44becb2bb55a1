// Object builders shared by the provisioner's tests: a NodeClaim as Kaito's Workspace controller
// writes it (karpenter.sh/v1, Kaito labels, sku=gpu taint, instance-type requirement, storage
// request, AKSNodeClass reference) and a Node as AKS registers it for an agent pool.
#ifndef KT_TESTS_CONTROLLERS_PROVISIONER_PROVISIONER_TEST_UTIL_H_
#define KT_TESTS_CONTROLLERS_PROVISIONER_PROVISIONER_TEST_UTIL_H_

#include <string>

#include "base/json.h"
#include "base/time.h"

namespace kt::controllers::provisioner::testing {

inline constexpr const char* kA100 = "Standard_NC24ads_A100_v4";

inline Json NodeClaim(const std::string& name, const std::string& sku = kA100,
                      const std::string& storage = "1024Gi", const std::string& workspace = "ws1") {
  Json labels = {{"karpenter.sh/nodepool", "kaito"}, {"kaito.sh/workspacenamespace", "default"}};
  if (!workspace.empty()) labels["kaito.sh/workspace"] = workspace;
  Json nc = {
      {"apiVersion", "karpenter.sh/v1"},
      {"kind", "NodeClaim"},
      {"metadata",
       {{"name", name},
        {"labels", labels},
        {"annotations", {{"karpenter.sh/do-not-disrupt", "true"}}}}},
      {"spec",
       {{"nodeClassRef",
         {{"group", "karpenter.azure.com"}, {"kind", "AKSNodeClass"}, {"name", "default"}}},
        {"taints", Json::array({{{"key", "sku"}, {"value", "gpu"}, {"effect", "NoSchedule"}}})},
        {"requirements",
         Json::array({{{"key", "node.kubernetes.io/instance-type"},
                       {"operator", "In"},
                       {"values", Json::array({sku})}},
                      {{"key", "kubernetes.io/os"},
                       {"operator", "In"},
                       {"values", Json::array({"linux"})}},
                      {{"key", "karpenter.azure.com/sku-name"},
                       {"operator", "In"},
                       {"values", Json::array({sku})}}})}}}};
  if (!storage.empty()) nc["spec"]["resources"] = {{"requests", {{"storage", storage}}}};
  return nc;
}

// A Node of agent pool `pool` as AKS registers it (labels, providerID), Ready or not, with
// `gpus` nvidia.com/gpu allocatable (0: the device plugin has not run yet).
inline Json PoolNode(const std::string& pool, bool ready = true, int gpus = 1,
                     const std::string& provider_id = "") {
  const std::string name = "aks-" + pool + "-12345678-vmss000000";
  Json alloc = {{"cpu", "23"}, {"memory", "200Gi"}, {"pods", "110"}};
  if (gpus > 0) alloc["nvidia.com/gpu"] = std::to_string(gpus);
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", name},
            {"labels",
             {{"agentpool", pool},
              {"kubernetes.azure.com/agentpool", pool},
              {"karpenter.sh/nodepool", "kaito"},
              {"kaito.sh/workspace", "ws1"}}}}},
          {"spec",
           {{"providerID", provider_id.empty() ? "azure:///vmss/" + name : provider_id},
            {"taints", Json::array({{{"key", "sku"}, {"value", "gpu"}, {"effect", "NoSchedule"}}})}}},
          {"status",
           {{"capacity", alloc},
            {"allocatable", alloc},
            {"conditions",
             Json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}})}}}};
}

}  // namespace kt::controllers::provisioner::testing

#endif  // KT_TESTS_CONTROLLERS_PROVISIONER_PROVISIONER_TEST_UTIL_H_
