// The catalogue of built-in kinds (data/builtin_kinds.yaml): discovery facts of every
// built-in resource, the discovery order of their groups, and the kinds and verbs of
// subresources. Loaded once, read-only afterwards.
// Thread-safety: BuiltinCatalog::Get() is safe from any thread (a function-local static).
#ifndef KT_SIM_APISERVER_TYPES_BUILTIN_KINDS_H_
#define KT_SIM_APISERVER_TYPES_BUILTIN_KINDS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/resource.h"
#include "base/status.h"
#include "sim/apiserver/types/object_meta.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {

struct BuiltinCatalog {
  std::vector<ResourceType> types;       // in discovery order
  std::vector<std::string> group_order;  // "" first
  std::map<std::string, api::GroupVersionKind> subresource_kinds;  // "scale" -> autoscaling/v1 Scale
  std::map<std::string, std::vector<std::string>> subresource_verbs;
  std::map<std::string, NameRule> name_rules;  // by group resource ("services")

  NameRule NameRuleOf(const std::string& group_resource) const {
    auto it = name_rules.find(group_resource);
    return it == name_rules.end() ? NameRule::kDnsSubdomain : it->second;
  }

  // Parses the catalogue text (the YAML format of data/builtin_kinds.yaml).
  static Result<BuiltinCatalog> Parse(std::string_view yaml);
  // The embedded catalogue. A broken data file is a build bug: KT_CHECK.
  static const BuiltinCatalog& Get();
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_BUILTIN_KINDS_H_
