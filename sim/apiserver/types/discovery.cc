// Discovery documents: aggregated (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, what kubectl
// 1.32 asks for first) and legacy (APIVersions, APIGroupList, APIResourceList).
#include "base/base64.h"
#include "base/sha256.h"
#include "sim/apiserver/types/builtin_kinds.h"
#include "sim/apiserver/types/registry_impl.h"
#include "sim/apiserver/types/type_registry.h"
#include "sim/apiserver/types/version_priority.h"

namespace kt::sim {
namespace {

// A group's versions in priority order, each with its resources in discovery order.
struct GroupView {
  std::string name;
  std::vector<std::pair<std::string, std::vector<const ResourceType*>>> versions;
};

std::vector<GroupView> Groups(const std::vector<const ResourceType*>& all) {
  std::vector<GroupView> out;
  for (const ResourceType* t : all) {
    if (out.empty() || out.back().name != t->gvr.group) out.push_back({t->gvr.group, {}});
    auto& versions = out.back().versions;
    auto it = std::find_if(versions.begin(), versions.end(),
                           [&](const auto& v) { return v.first == t->gvr.version; });
    if (it == versions.end()) {
      versions.push_back({t->gvr.version, {}});
      it = versions.end() - 1;
    }
    it->second.push_back(t);
  }
  for (auto& g : out) {
    std::stable_sort(g.versions.begin(), g.versions.end(), [](const auto& a, const auto& b) {
      return KubeVersionLess(a.first, b.first);
    });
  }
  return out;
}

Json EmptyGvk(const std::string& kind) {
  return {{"group", ""}, {"version", ""}, {"kind", kind}};
}

Json SubresourceKind(const ResourceType& t, const std::string& sub) {
  const auto& kinds = BuiltinCatalog::Get().subresource_kinds;
  auto it = kinds.find(sub);
  if (it == kinds.end()) return EmptyGvk(t.kind);
  return {{"group", it->second.group}, {"version", it->second.version}, {"kind", it->second.kind}};
}

std::vector<std::string> SubresourceVerbs(const std::string& sub) {
  const auto& verbs = BuiltinCatalog::Get().subresource_verbs;
  auto it = verbs.find(sub);
  if (it == verbs.end()) return {"get", "patch", "update"};
  return it->second;
}

Json AggregatedResource(const ResourceType& t) {
  Json r = {{"resource", t.gvr.resource},
            {"responseKind", EmptyGvk(t.kind)},
            {"scope", t.namespaced ? "Namespaced" : "Cluster"},
            {"singularResource", t.singular},
            {"verbs", t.verbs}};
  if (!t.short_names.empty()) r["shortNames"] = t.short_names;
  if (!t.categories.empty()) r["categories"] = t.categories;
  if (!t.subresources.empty()) {
    Json subs = Json::array();
    for (const std::string& s : t.subresources) {
      subs.push_back({{"subresource", s},
                      {"responseKind", SubresourceKind(t, s)},
                      {"verbs", SubresourceVerbs(s)}});
    }
    r["subresources"] = std::move(subs);
  }
  return r;
}

// kube-apiserver's storageVersionHash: base64 of the first 8 bytes of
// sha256("<group>/<version>/<kind>") of the storage version.
std::string StorageVersionHash(const ResourceType& t) {
  std::string hex = Sha256Hex(t.gvr.group + "/" + t.gvr.version + "/" + t.kind);
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

}  // namespace

Json TypeRegistry::AggregatedDiscovery(bool core) const {
  Json items = Json::array();
  for (const GroupView& g : Groups(impl_->ordered)) {
    if (g.name.empty() != core) continue;
    Json versions = Json::array();
    for (const auto& [version, types] : g.versions) {
      Json resources = Json::array();
      for (const ResourceType* t : types) resources.push_back(AggregatedResource(*t));
      versions.push_back({{"version", version}, {"resources", resources}, {"freshness", "Current"}});
    }
    items.push_back({{"metadata", {{"name", g.name}}}, {"versions", versions}});
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", "apidiscovery.k8s.io/v2"},
          {"metadata", Json::object()},
          {"items", items}};
}

Json TypeRegistry::LegacyApiVersions() const {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1:6443"}}}}};
}

namespace {

Json GroupJson(const std::string& name, const std::vector<std::string>& versions) {
  Json vs = Json::array();
  for (const std::string& v : versions) vs.push_back({{"groupVersion", name + "/" + v}, {"version", v}});
  return {{"name", name}, {"versions", vs}, {"preferredVersion", vs[0]}};
}

}  // namespace

Json TypeRegistry::LegacyApiGroupList() const {
  Json groups = Json::array();
  for (const GroupView& g : Groups(impl_->ordered)) {
    if (g.name.empty()) continue;
    std::vector<std::string> versions;
    for (const auto& v : g.versions) versions.push_back(v.first);
    groups.push_back(GroupJson(g.name, versions));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

Result<Json> TypeRegistry::LegacyApiGroup(std::string_view group) const {
  for (const GroupView& g : Groups(impl_->ordered)) {
    if (g.name != group || g.name.empty()) continue;
    std::vector<std::string> versions;
    for (const auto& v : g.versions) versions.push_back(v.first);
    Json out = GroupJson(g.name, versions);
    out["kind"] = "APIGroup";
    out["apiVersion"] = "v1";
    return out;
  }
  return NotFound("the server could not find the requested resource");
}

Result<Json> TypeRegistry::LegacyApiResourceList(std::string_view group,
                                                  std::string_view version) const {
  Json resources = Json::array();
  bool found = false;
  for (const ResourceType* t : impl_->ordered) {
    if (t->gvr.group != group || t->gvr.version != version) continue;
    found = true;
    Json r = {{"name", t->gvr.resource},
              {"singularName", t->singular},
              {"namespaced", t->namespaced},
              {"kind", t->kind},
              {"verbs", t->verbs},
              {"storageVersionHash", StorageVersionHash(*StorageVersionOf(*t))}};
    if (!t->short_names.empty()) r["shortNames"] = t->short_names;
    if (!t->categories.empty()) r["categories"] = t->categories;
    resources.push_back(std::move(r));
    for (const std::string& s : t->subresources) {
      Json sub = {{"name", t->gvr.resource + "/" + s},
                  {"singularName", ""},
                  {"namespaced", t->namespaced},
                  {"verbs", SubresourceVerbs(s)}};
      Json k = SubresourceKind(*t, s);
      if (!k["group"].get<std::string>().empty()) sub["group"] = k["group"];
      if (!k["version"].get<std::string>().empty() && k["kind"] != t->kind) {
        sub["version"] = k["version"];
      }
      sub["kind"] = k["kind"];
      resources.push_back(std::move(sub));
    }
  }
  if (!found) return NotFound("the server could not find the requested resource");
  std::string gv = group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  return Json{{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", gv},
              {"resources", resources}};
}

}  // namespace kt::sim
