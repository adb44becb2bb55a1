#include "sim/cloud/agent_pool_spec.h"

#include <set>

#include "base/json.h"
#include "sim/cloud/arm_errors.h"

namespace kt::sim::cloud {

namespace {

constexpr size_t kLabelsMax = 256;
constexpr size_t kTaintsMax = 256;
constexpr size_t kLabelNameMax = 63;
constexpr size_t kLabelPrefixMax = 253;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// Kubernetes qualified name / label value: alphanumerics with '-', '_', '.' inside.
bool IsQualifiedPart(std::string_view s, size_t max, bool allow_empty) {
  if (s.empty()) return allow_empty;
  if (s.size() > max || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > kLabelPrefixMax) return false;
  if (!IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

bool IsLabelKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return IsQualifiedPart(key, kLabelNameMax, false);
  return IsDnsSubdomain(key.substr(0, slash)) &&
         IsQualifiedPart(key.substr(slash + 1), kLabelNameMax, false);
}

Result<std::string> OptionalEnum(const Json& props, const char* key, std::string_view fallback,
                                 std::initializer_list<std::string_view> allowed) {
  auto it = props.find(key);
  if (it == props.end() || it->is_null()) return std::string(fallback);
  if (!it->is_string()) return InvalidParameter(key, "It must be a string.");
  std::string v = it->get<std::string>();
  if (v.empty()) return std::string(fallback);
  for (std::string_view a : allowed) {
    if (AsciiLower(a) == AsciiLower(v)) return std::string(a);
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  return InvalidParameter(key, "Allowed values are: " + list + ".");
}

Result<int> OptionalInt(const Json& props, const char* key, int fallback, int min, int max) {
  auto it = props.find(key);
  if (it == props.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) return InvalidParameter(key, "It must be an integer.");
  int64_t v = it->get<int64_t>();
  if (v < min || v > max) {
    return InvalidParameter(
        key, "It must be between " + std::to_string(min) + " and " + std::to_string(max) + ".");
  }
  return static_cast<int>(v);
}

Status ParseZones(const Json& props, std::string_view name, const ClusterIdentity& cluster,
                  AgentPoolSpec& spec) {
  auto it = props.find("availabilityZones");
  if (it == props.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return InvalidParameter("availabilityZones", "It must be a list.");
  std::set<std::string> seen;
  std::string bad;
  for (const Json& z : *it) {
    if (!z.is_string()) return InvalidParameter("availabilityZones", "Zones are strings.");
    std::string zone = z.get<std::string>();
    if (!seen.insert(zone).second) {
      return InvalidParameter("availabilityZones", "Zone " + zone + " is listed twice.");
    }
    bool known = false;
    for (const std::string& c : cluster.zones) known = known || c == zone;
    if (!known) bad += (bad.empty() ? "" : ",") + zone;
    spec.zones.push_back(std::move(zone));
  }
  if (!bad.empty()) {
    std::string supported;
    for (const std::string& c : cluster.zones) supported += (supported.empty() ? "" : ",") + c;
    return AvailabilityZoneNotSupported(bad, name, cluster.region,
                                        supported.empty() ? "(empty)" : supported);
  }
  return Status::Ok();
}

Status ParseLabels(const Json& props, AgentPoolSpec& spec) {
  auto it = props.find("nodeLabels");
  if (it == props.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return InvalidParameter("nodeLabels", "It must be a map of strings.");
  if (it->size() > kLabelsMax) return InvalidParameter("nodeLabels", "Too many labels.");
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) {
      return InvalidParameter("nodeLabels", "The value of label " + key + " must be a string.");
    }
    if (!IsLabelKey(key)) {
      return InvalidParameter("nodeLabels", "Label key " + key + " is not a valid label key.");
    }
    if (key.rfind("kubernetes.azure.com/", 0) == 0) {
      return InvalidParameter(
          "nodeLabels", "Label key " + key + " uses the reserved kubernetes.azure.com prefix.");
    }
    std::string v = value.get<std::string>();
    if (!IsQualifiedPart(v, kLabelNameMax, true)) {
      return InvalidParameter(
          "nodeLabels", "Label value " + v + " of key " + key + " is not a valid label value.");
    }
    spec.node_labels[key] = v;
  }
  return Status::Ok();
}

Status ParseTaints(const Json& props, AgentPoolSpec& spec) {
  auto it = props.find("nodeTaints");
  if (it == props.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return InvalidParameter("nodeTaints", "It must be a list of strings.");
  if (it->size() > kTaintsMax) return InvalidParameter("nodeTaints", "Too many taints.");
  for (const Json& t : *it) {
    if (!t.is_string()) return InvalidParameter("nodeTaints", "Taints are strings.");
    auto taint = ParseNodeTaint(t.get<std::string>());
    if (!taint.ok()) return taint.status();
    spec.node_taints.push_back(std::move(taint).value());
  }
  return Status::Ok();
}

}  // namespace

Status ValidateAgentPoolName(std::string_view name, std::string_view os_type) {
  const size_t max = AsciiLower(os_type) == "windows" ? 6 : 12;
  bool ok = !name.empty() && name.size() <= max && name.front() >= 'a' && name.front() <= 'z';
  for (char c : name) ok = ok && IsLowerAlnum(c);
  if (ok) return Status::Ok();
  return InvalidParameter("name",
                          "Agent pool names must start with a lowercase letter, contain only "
                          "lowercase letters and numbers, and be at most " +
                              std::to_string(max) + " characters long (" + std::string(os_type) +
                              ").");
}

Result<NodeTaint> ParseNodeTaint(std::string_view text) {
  NodeTaint t;
  size_t colon = text.rfind(':');
  auto bad = [&] {
    return InvalidParameter("nodeTaints", "Taint '" + std::string(text) +
                                              "' must look like key=value:Effect with Effect "
                                              "NoSchedule, PreferNoSchedule or NoExecute.");
  };
  if (colon == std::string_view::npos) return bad();
  t.effect = std::string(text.substr(colon + 1));
  std::string_view kv = text.substr(0, colon);
  size_t eq = kv.find('=');
  t.key = std::string(kv.substr(0, eq));
  if (eq != std::string_view::npos) t.value = std::string(kv.substr(eq + 1));
  if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute") {
    return bad();
  }
  if (!IsLabelKey(t.key) || !IsQualifiedPart(t.value, kLabelNameMax, true)) return bad();
  return t;
}

std::string AgentPoolResourceId(const ClusterIdentity& cluster, std::string_view name) {
  return "/subscriptions/" + cluster.subscription_id + "/resourcegroups/" + cluster.resource_group +
         "/providers/Microsoft.ContainerService/managedClusters/" + cluster.name + "/agentPools/" +
         std::string(name);
}

Result<AgentPoolSpec> ParseAgentPoolSpec(std::string_view name, const Json& body,
                                         const SkuCatalog& catalog, const CloudConfig& config) {
  if (!body.is_object()) return InvalidRequestContent("The agent pool must be a JSON object");
  auto pit = body.find("properties");
  if (pit == body.end() || !pit->is_object()) {
    return InvalidRequestContent("The agent pool must have a 'properties' object");
  }
  const Json& props = *pit;
  AgentPoolSpec spec;
  spec.name = std::string(name);
  const Limits& limits = config.limits;

  KT_ASSIGN_OR_RETURN(spec.os_type, OptionalEnum(props, "osType", "Linux", {"Linux", "Windows"}));
  KT_RETURN_IF_ERROR(ValidateAgentPoolName(name, spec.os_type));
  if (spec.os_type != "Linux") {
    return InvalidParameter("osType", "This simulated cluster runs Linux node pools only.");
  }
  KT_ASSIGN_OR_RETURN(spec.os_sku, OptionalEnum(props, "osSKU", "Ubuntu",
                                                {"Ubuntu", "AzureLinux", "CBLMariner", "Ubuntu2204",
                                                 "Ubuntu2404"}));
  KT_ASSIGN_OR_RETURN(spec.mode, OptionalEnum(props, "mode", "User", {"System", "User"}));
  KT_ASSIGN_OR_RETURN(std::string type, OptionalEnum(props, "type", "VirtualMachineScaleSets",
                                                     {"VirtualMachineScaleSets"}));
  KT_ASSIGN_OR_RETURN(std::string priority,
                      OptionalEnum(props, "scaleSetPriority", "Regular", {"Regular", "Spot"}));
  KT_ASSIGN_OR_RETURN(std::string eviction, OptionalEnum(props, "scaleSetEvictionPolicy", "Delete",
                                                         {"Delete", "Deallocate"}));
  spec.spot = priority == "Spot";

  std::string vm_size = "Standard_DS2_v2";
  if (auto it = props.find("vmSize"); it != props.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      return InvalidParameter("vmSize", "It must be a non-empty string.");
    }
    vm_size = it->get<std::string>();
  }
  spec.sku = catalog.Find(vm_size);
  if (spec.sku == nullptr) {
    return InvalidParameter("vmSize", "The VM size " + vm_size + " is not a known Azure VM size.");
  }
  KT_ASSIGN_OR_RETURN(spec.count, OptionalInt(props, "count", 1, 0, limits.pool_vms_max));
  if (spec.mode == "System" && spec.count < 1) {
    return InvalidParameter("count", "System node pools need at least one node.");
  }
  KT_ASSIGN_OR_RETURN(int disk, OptionalInt(props, "osDiskSizeGB", 0, 0, limits.os_disk_gib_max));
  if (disk != 0 && disk < limits.os_disk_gib_min) {
    return InvalidParameter("osDiskSizeGB", "It must be between " +
                                                std::to_string(limits.os_disk_gib_min) + " and " +
                                                std::to_string(limits.os_disk_gib_max) + ".");
  }
  spec.os_disk_gib = disk == 0 ? limits.os_disk_gib_default : disk;
  KT_ASSIGN_OR_RETURN(spec.max_pods, OptionalInt(props, "maxPods", limits.max_pods_default,
                                                 limits.max_pods_min, limits.max_pods_max));
  KT_RETURN_IF_ERROR(ParseZones(props, name, config.cluster, spec));
  KT_RETURN_IF_ERROR(ParseLabels(props, spec));
  KT_RETURN_IF_ERROR(ParseTaints(props, spec));
  std::string version = config.cluster.kubernetes_version;
  if (auto it = props.find("orchestratorVersion");
      it != props.end() && it->is_string() && !it->get<std::string>().empty()) {
    version = it->get<std::string>();
    if (config.cluster.kubernetes_version.rfind(version, 0) != 0) {
      return InvalidParameter("orchestratorVersion",
                              "Version " + version + " does not match the control plane version " +
                                  config.cluster.kubernetes_version + ".");
    }
  }

  Json out = props;
  out["vmSize"] = spec.sku->name;
  out["count"] = spec.count;
  out["osDiskSizeGB"] = spec.os_disk_gib;
  out["osDiskType"] = out.value("osDiskType", "Managed");
  out["kubeletDiskType"] = "OS";
  out["osType"] = spec.os_type;
  out["osSKU"] = spec.os_sku;
  out["mode"] = spec.mode;
  out["type"] = type;
  out["maxPods"] = spec.max_pods;
  out["orchestratorVersion"] = version;
  out["enableAutoScaling"] = out.value("enableAutoScaling", false);
  out["enableNodePublicIP"] = out.value("enableNodePublicIP", false);
  if (!out.contains("upgradeSettings")) out["upgradeSettings"] = {{"maxSurge", "10%"}};
  if (spec.spot) {
    out["scaleSetPriority"] = "Spot";
    out["scaleSetEvictionPolicy"] = eviction;
    if (!out.contains("spotMaxPrice")) out["spotMaxPrice"] = -1;
  }
  for (const char* ro :
       {"provisioningState", "powerState", "nodeImageVersion", "currentOrchestratorVersion"}) {
    out.erase(ro);
  }
  spec.properties_json = DumpJson(out);
  return spec;
}

Json RenderAgentPool(const ClusterIdentity& cluster, const AgentPoolSpec& spec,
                     std::string_view provisioning_state) {
  Json props = ParseJson(spec.properties_json).value();
  props["provisioningState"] = std::string(provisioning_state);
  props["powerState"] = {{"code", "Running"}};
  props["nodeImageVersion"] = cluster.node_image_version;
  props["currentOrchestratorVersion"] = cluster.kubernetes_version;
  return Json{{"id", AgentPoolResourceId(cluster, spec.name)},
              {"name", spec.name},
              {"type", "Microsoft.ContainerService/managedClusters/agentPools"},
              {"properties", std::move(props)}};
}

}  // namespace kt::sim::cloud
