// Helpers for the sim/apiserver/types tests: JSON/YAML literals, reading files relative to
// the repository root (tests run there), and a registry with the project's CRDs installed.
#ifndef KT_TESTS_SIM_APISERVER_TYPES_TEST_UTIL_H_
#define KT_TESTS_SIM_APISERVER_TYPES_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "base/json.h"
#include "base/yaml.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim::testing {

inline Json J(std::string_view s) { return Json::parse(s); }

inline Json Y(std::string_view s) {
  auto r = ParseYaml(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Json();
}

inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// deploy/crds/<file> parsed; fails the test when missing.
inline Json ProjectCrd(const std::string& file) {
  auto text = ReadFile("deploy/crds/" + file);
  EXPECT_TRUE(text.has_value()) << "deploy/crds/" << file << " (tests run from the repo root)";
  if (!text) return Json();
  return Y(*text);
}

// A registry with deploy/crds installed (Workspace and NodeClaim).
inline void InstallProjectCrds(TypeRegistry& r) {
  for (const char* f : {"kaito.sh_workspaces.yaml", "karpenter.sh_nodeclaims.yaml"}) {
    Status s = r.AddCrd(ProjectCrd(f));
    EXPECT_TRUE(s.ok()) << f << ": " << s.ToString();
  }
}

// A namespaced CRD of example.com/v1 `kind` (plural: lowercased kind + "s"), served and
// stored, whose openAPIV3Schema is `schema`.
inline Json ExampleCrd(const std::string& kind, Json schema) {
  std::string plural;
  for (char c : kind) plural += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  plural += 's';
  Json version = {{"name", "v1"}, {"served", true}, {"storage", true},
                  {"schema", {{"openAPIV3Schema", std::move(schema)}}}};
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", plural + ".example.com"}}},
          {"spec", {{"group", "example.com"},
                    {"scope", "Namespaced"},
                    {"names", {{"plural", plural}, {"kind", kind}}},
                    {"versions", Json::array({std::move(version)})}}}};
}

inline Time T0() { return FromUnixSeconds(1767225600); }  // 2026-01-01T00:00:00Z

}  // namespace kt::sim::testing

#endif  // KT_TESTS_SIM_APISERVER_TYPES_TEST_UTIL_H_
