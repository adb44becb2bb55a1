// Helpers for the Workspace controller tests: small Kubernetes objects built in code.
#ifndef KT_TESTS_CONTROLLERS_WORKSPACE_TEST_UTIL_H_
#define KT_TESTS_CONTROLLERS_WORKSPACE_TEST_UTIL_H_

#include <string>
#include <vector>

#include "api/object.h"
#include "base/json.h"
#include "base/yaml.h"
#include "base/check.h"

namespace kt::workspace::testing {

// A Node with labels, a Ready condition and optional nvidia.com/gpu capacity.
inline Json MakeNode(const std::string& name, api::Labels labels, bool ready = true,
                     int gpus = 0) {
  Json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", name}, {"labels", Json::object()}}},
               {"status",
                {{"conditions",
                  Json::array({{{"type", "Ready"},
                                {"status", ready ? "True" : "False"},
                                {"reason", ready ? "KubeletReady" : "KubeletNotReady"},
                                {"message", ""},
                                {"lastTransitionTime", "2026-01-01T00:00:00Z"}}})},
                 {"capacity", {{"cpu", "24"}}}}}};
  for (const auto& [k, v] : labels) node["metadata"]["labels"][k] = v;
  if (gpus > 0) node["status"]["capacity"]["nvidia.com/gpu"] = std::to_string(gpus);
  return node;
}

inline Json FromYaml(const std::string& yaml) {
  auto j = ParseYaml(yaml);
  KT_CHECK(j.ok()) << j.status().ToString();
  return *j;
}

inline std::vector<std::string> Names(const std::vector<const Json*>& objs) {
  std::vector<std::string> out;
  for (const Json* o : objs) out.push_back(api::Name(*o));
  return out;
}

// The user's quick-start workspace (seed document), in the namespace given.
inline std::string Phi3Yaml(const std::string& name = "workspace-phi-3-mini",
                            const std::string& ns = "default") {
  return "apiVersion: kaito.sh/v1beta1\n"
         "kind: Workspace\n"
         "metadata:\n"
         "  name: " + name + "\n"
         "  namespace: " + ns + "\n"
         "resource:\n"
         "  instanceType: Standard_NC6s_v3\n"
         "  labelSelector:\n"
         "    matchLabels:\n"
         "      apps: phi-3\n"
         "inference:\n"
         "  preset:\n"
         "    name: phi-3-mini-4k-instruct\n";
}

}  // namespace kt::workspace::testing

#endif  // KT_TESTS_CONTROLLERS_WORKSPACE_TEST_UTIL_H_
