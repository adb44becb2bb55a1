// Small object builders shared by the runtime's tests.
#ifndef KT_TESTS_CONTROLLERS_RUNTIME_TEST_OBJECTS_H_
#define KT_TESTS_CONTROLLERS_RUNTIME_TEST_OBJECTS_H_

#include <map>
#include <string>

#include "api/resource.h"
#include "base/json.h"

namespace kt::ctrl::testing {

inline const api::GroupVersionResource kConfigMaps = api::resources::kConfigMaps;
inline const api::GroupVersionResource kWorkspaces = api::resources::kWorkspaces;

inline Json ConfigMap(const std::string& ns, const std::string& name,
                      const std::map<std::string, std::string>& labels = {},
                      const std::string& value = "v") {
  Json obj = {{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", name}, {"namespace", ns}}},
              {"data", {{"k", value}}}};
  for (const auto& [k, v] : labels) obj["metadata"]["labels"][k] = v;
  return obj;
}

inline Json Workspace(const std::string& ns, const std::string& name) {
  return Json{{"apiVersion", "kaito.sh/v1beta1"},
              {"kind", "Workspace"},
              {"metadata", {{"name", name}, {"namespace", ns}}},
              {"resource", {{"instanceType", "Standard_NC12s_v3"}}}};
}

}  // namespace kt::ctrl::testing

#endif  // KT_TESTS_CONTROLLERS_RUNTIME_TEST_OBJECTS_H_
