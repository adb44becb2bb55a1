// ObjectMeta validation shared by every kind: the shape of metadata (types of its fields),
// name rules per kind (DNS-1123 subdomain, DNS-1123 label, DNS-1035 label, path segment),
// label and annotation keys and values, finalizer names. Messages follow apimachinery's
// validation (metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain ...).
// Thread-safety: stateless functions.
#ifndef KT_SIM_APISERVER_TYPES_OBJECT_META_H_
#define KT_SIM_APISERVER_TYPES_OBJECT_META_H_

#include <string>
#include <string_view>

#include "base/json.h"
#include "sim/apiserver/types/field_error.h"

namespace kt::sim {

enum class NameRule {
  kDnsSubdomain,  // most kinds and all custom resources
  kDnsLabel,      // Namespace
  kDns1035Label,  // Service
  kPathSegment,   // RBAC kinds
};

// "dns1123Subdomain" | "dns1123Label" | "dns1035Label" | "pathSegment"; subdomain otherwise.
NameRule ParseNameRule(std::string_view text);

// Types of metadata's fields (labels a map of strings, generation an integer, ...).
// `prunable`: as for ValidateAgainstSchema, over metadata's fields.
void ValidateObjectMetaShape(const Json& meta, const std::string& path, FieldErrors& errors,
                             bool* prunable = nullptr);

// Everything kube-apiserver checks on metadata of a create/update: name (or generateName)
// present and well-formed, labels, annotations (keys, total size), finalizer names.
// `prunable`: as for ValidateAgainstSchema, over metadata's fields.
void ValidateObjectMeta(const Json& obj, NameRule rule, FieldErrors& errors,
                        bool* prunable = nullptr);

// Reasons a name fails a rule (empty when valid), as apimachinery words them.
std::vector<std::string> NameErrors(std::string_view name, NameRule rule);

inline constexpr size_t kAnnotationsBytesMax = 256 * 1024;

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_OBJECT_META_H_
