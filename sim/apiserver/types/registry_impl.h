// Internal: the data behind TypeRegistry, shared by the .cc files that implement its parts
// (type_registry.cc, crd_registration.cc, discovery.cc, openapi.cc, table.cc). Not for use
// outside sim/apiserver/types.
#ifndef KT_SIM_APISERVER_TYPES_REGISTRY_IMPL_H_
#define KT_SIM_APISERVER_TYPES_REGISTRY_IMPL_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/json.h"
#include "sim/apiserver/types/object_meta.h"
#include "sim/apiserver/types/schema.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {

// A CRD additionalPrinterColumns entry (or a built-in column definition).
struct PrinterColumn {
  std::string name;
  std::string type;  // string, integer, number, boolean, date
  std::string format;
  std::string description;
  std::string json_path;
  int priority = 0;
};

// One served resource with everything known about it.
struct TypeEntry {
  ResourceType type;
  // Compiled structural schema; null means "no schema": every field is kept, nothing checked.
  std::shared_ptr<const Schema> schema;
  // The schema as written (openAPIV3Schema of a CRD version, or the built-in data file's);
  // null when none. Rendered into OpenAPI v3 documents.
  Json openapi_schema;
  std::vector<PrinterColumn> columns;  // CRD additionalPrinterColumns; empty for built-ins
  Json scale;  // CRD subresources.scale ({specReplicasPath,...}); null when none
  NameRule name_rule = NameRule::kDnsSubdomain;
  std::string description;  // the root schema's description (OpenAPI, explain)
};

struct GvrHash {
  size_t operator()(const api::GroupVersionResource& gvr) const noexcept {
    std::hash<std::string_view> h;
    return h(gvr.resource) ^ (h(gvr.version) * 31) ^ (h(gvr.group) * 1'000'003);
  }
};
using GvrIndex = std::unordered_map<api::GroupVersionResource, TypeEntry*, GvrHash>;

struct TypeRegistry::Impl {
  std::vector<std::unique_ptr<TypeEntry>> entries;
  // Hashed, not ordered: every request looks its type up here (ordered walks use `ordered`).
  GvrIndex by_gvr;
  // The entries by the address of their `type`: the types callers pass back are nearly always
  // the ones Find handed out, which this finds without comparing strings.
  std::unordered_map<const ResourceType*, TypeEntry*> by_type;
  std::map<api::GroupVersionKind, TypeEntry*> by_gvk;
  std::vector<const ResourceType*> ordered;  // All(), in discovery order
  std::vector<std::string> builtin_group_order;
  std::map<std::string, std::string> crd_groups;  // crd name -> group (for RemoveCrd)
  // Bumped on every change of the served set or of a schema: OpenAPI hashes include it.
  uint64_t revision = 1;
  // OpenAPI documents by group-version path with their hashes, valid for `openapi_revision`.
  struct OpenApiCacheEntry {
    Json doc;
    std::string hash;
  };
  std::map<std::string, OpenApiCacheEntry> openapi_cache;
  uint64_t openapi_revision = 0;
  // TypeRegistry::Memo's texts, valid for `memo_revision`.
  std::map<std::string, std::string, std::less<>> memo;
  uint64_t memo_revision = 0;
  // Entries dropped by RemoveCrd/AddCrd, kept alive so pointers handed out stay valid while
  // callers finish their request; bounded by retired_entries_max.
  std::vector<std::unique_ptr<TypeEntry>> retired;
  static constexpr size_t kRetiredEntriesMax = 1024;

  TypeEntry* Entry(const ResourceType& type) const {
    if (auto own = by_type.find(&type); own != by_type.end()) return own->second;
    auto it = by_gvr.find(type.gvr);
    return it == by_gvr.end() ? nullptr : it->second;
  }
  // Rebuilds by_gvr, by_type, by_gvk and ordered from entries.
  void Reindex();
  // Rank of a group in discovery order: built-ins by their order, then custom groups by name.
  int GroupRank(const std::string& group) const;
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_REGISTRY_IMPL_H_
