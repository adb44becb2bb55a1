#include "sim/cloud/cloud_config.h"

#include <algorithm>
#include <cstdio>

#include "base/json.h"
#include "base/yaml.h"
#include "sim/cloud/data_fields.h"
#include "sim/cloud/embedded_data.h"

namespace kt::sim::cloud {

namespace {

constexpr int64_t kVcpusMax = int64_t{1} << 40;
constexpr int64_t kPerHourMax = int64_t{1} << 40;
constexpr size_t kListMax = 10000;

// A string, or an integer written without quotes (zones "1" vs 1).
Result<std::string> ScalarString(const Json& j, std::string_view where) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_integer()) return std::to_string(j.get<int64_t>());
  return BadRequest(std::string(where) + ": expected a string, got " + j.dump());
}

Result<std::vector<std::string>> StringList(const Json& obj, std::string_view key,
                                            std::string_view where, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return FieldError(where, key, "is required");
    return std::vector<std::string>{};
  }
  if (!it->is_array()) return FieldError(where, key, "must be a list");
  if (it->size() > kListMax) return FieldError(where, key, "too many entries");
  std::vector<std::string> out;
  for (const Json& e : *it) {
    KT_ASSIGN_OR_RETURN(std::string s,
                        ScalarString(e, std::string(where) + "." + std::string(key)));
    out.push_back(std::move(s));
  }
  return out;
}

Status ParseCluster(const Json& j, ClusterIdentity& c) {
  constexpr std::string_view w = "cluster";
  KT_ASSIGN_OR_RETURN(c.subscription_id, ReadString(j, "subscription_id", w, true));
  KT_ASSIGN_OR_RETURN(c.resource_group, ReadString(j, "resource_group", w, true));
  KT_ASSIGN_OR_RETURN(c.name, ReadString(j, "name", w, true));
  KT_ASSIGN_OR_RETURN(c.region, ReadString(j, "region", w, true));
  KT_ASSIGN_OR_RETURN(c.zones, StringList(j, "zones", w, false));
  KT_ASSIGN_OR_RETURN(c.kubernetes_version, ReadString(j, "kubernetes_version", w, true));
  KT_ASSIGN_OR_RETURN(c.node_image_version, ReadString(j, "node_image_version", w, true));
  KT_ASSIGN_OR_RETURN(c.os_image, ReadString(j, "os_image", w, true));
  KT_ASSIGN_OR_RETURN(c.kernel_version, ReadString(j, "kernel_version", w, true));
  KT_ASSIGN_OR_RETURN(c.container_runtime_version,
                      ReadString(j, "container_runtime_version", w, true));
  KT_ASSIGN_OR_RETURN(c.node_ip_base, ReadString(j, "node_ip_base", w, true));
  int a, b, cc, d;
  char tail;
  if (std::sscanf(c.node_ip_base.c_str(), "%d.%d.%d.%d%c", &a, &b, &cc, &d, &tail) != 4 || a < 0 ||
      a > 255 || b < 0 || b > 255 || cc < 0 || cc > 255 || d < 0 || d > 255) {
    return FieldError(w, "node_ip_base", "must be an IPv4 address");
  }
  for (const std::string& z : c.zones) {
    if (z.empty() || z.size() > 2 ||
        !std::all_of(z.begin(), z.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return FieldError(w, "zones", "zone names are small numbers (\"1\", \"2\", \"3\")");
    }
  }
  return Status::Ok();
}

Status ParseArm(const Json& j, ArmSettings& a) {
  constexpr std::string_view w = "arm";
  KT_ASSIGN_OR_RETURN(a.api_versions, StringList(j, "api_versions", w, true));
  if (a.api_versions.empty()) return FieldError(w, "api_versions", "must not be empty");
  KT_ASSIGN_OR_RETURN(a.operation_api_version, ReadString(j, "operation_api_version", w, true));
  KT_ASSIGN_OR_RETURN(int64_t poll, ReadInt(j, "poll_retry_after_s", w, false, 10, 0, 3600));
  KT_ASSIGN_OR_RETURN(a.reads_per_hour, ReadInt(j, "reads_per_hour", w, false, 0, 0, kPerHourMax));
  KT_ASSIGN_OR_RETURN(a.writes_per_hour,
                      ReadInt(j, "writes_per_hour", w, false, 0, 0, kPerHourMax));
  KT_ASSIGN_OR_RETURN(a.deletes_per_hour,
                      ReadInt(j, "deletes_per_hour", w, false, 0, 0, kPerHourMax));
  KT_ASSIGN_OR_RETURN(int64_t thr, ReadInt(j, "throttle_retry_after_s", w, false, 17, 1, 3600));
  a.poll_retry_after_s = static_cast<int>(poll);
  a.throttle_retry_after_s = static_cast<int>(thr);
  return Status::Ok();
}

Status ParseLimits(const Json& j, Limits& l) {
  constexpr std::string_view w = "limits";
  auto read = [&](std::string_view key, int& out, int64_t min, int64_t max) -> Status {
    KT_ASSIGN_OR_RETURN(int64_t v, ReadInt(j, key, w, false, out, min, max));
    out = static_cast<int>(v);
    return Status::Ok();
  };
  KT_RETURN_IF_ERROR(read("agent_pools_max", l.agent_pools_max, 1, 10000));
  KT_RETURN_IF_ERROR(read("pool_vms_max", l.pool_vms_max, 1, 100000));
  KT_RETURN_IF_ERROR(read("operations_retained_max", l.operations_retained_max, 16, 10000000));
  KT_RETURN_IF_ERROR(read("os_disk_gib_min", l.os_disk_gib_min, 1, 65536));
  KT_RETURN_IF_ERROR(read("os_disk_gib_max", l.os_disk_gib_max, 1, 65536));
  KT_RETURN_IF_ERROR(read("os_disk_gib_default", l.os_disk_gib_default, 1, 65536));
  KT_RETURN_IF_ERROR(read("max_pods_default", l.max_pods_default, 1, 10000));
  KT_RETURN_IF_ERROR(read("max_pods_min", l.max_pods_min, 1, 10000));
  KT_RETURN_IF_ERROR(read("max_pods_max", l.max_pods_max, 1, 10000));
  if (l.os_disk_gib_min > l.os_disk_gib_default || l.os_disk_gib_default > l.os_disk_gib_max) {
    return BadRequest("limits: need os_disk_gib_min <= os_disk_gib_default <= os_disk_gib_max");
  }
  if (l.max_pods_min > l.max_pods_default || l.max_pods_default > l.max_pods_max) {
    return BadRequest("limits: need max_pods_min <= max_pods_default <= max_pods_max");
  }
  return Status::Ok();
}

Status ParseTiming(const Json& j, Timing& t) {
  constexpr std::string_view w = "timing";
  KT_ASSIGN_OR_RETURN(t.delay_scale, ReadNumber(j, "delay_scale", w, false, 1.0, 0, 1000));
  auto dist = [&](std::string_view key, DelayDistribution& out) -> Status {
    auto it = j.find(key);
    if (it == j.end()) return FieldError(w, key, "is required");
    KT_ASSIGN_OR_RETURN(out, ParseDelayDistribution(*it, "timing." + std::string(key)));
    return Status::Ok();
  };
  KT_RETURN_IF_ERROR(dist("delete_delay", t.delete_delay));
  KT_RETURN_IF_ERROR(dist("update_delay", t.update_delay));
  KT_RETURN_IF_ERROR(dist("scale_down_delay", t.scale_down_delay));
  KT_RETURN_IF_ERROR(dist("allocation_failure_delay", t.allocation_failure_delay));
  KT_ASSIGN_OR_RETURN(t.spot_eviction_mean_s,
                      ReadNumber(j, "spot_eviction_mean_s", w, false, 0, 0, 1e9));
  return Status::Ok();
}

Status ParseQuota(const Json& j, FaultPlan& p) {
  constexpr std::string_view w = "quota";
  KT_ASSIGN_OR_RETURN(p.default_family_vcpus,
                      ReadInt(j, "default_family_vcpus", w, false, 1000, 0, kVcpusMax));
  KT_ASSIGN_OR_RETURN(p.regional_vcpus, ReadInt(j, "regional_vcpus", w, false, 0, 0, kVcpusMax));
  KT_ASSIGN_OR_RETURN(p.low_priority_vcpus,
                      ReadInt(j, "low_priority_vcpus", w, false, 1000, 0, kVcpusMax));
  KT_ASSIGN_OR_RETURN(const Json* families, ReadObject(j, "families", w));
  for (const auto& [family, limit] : families->items()) {
    KT_ASSIGN_OR_RETURN(int64_t v,
                        ReadInt(*families, family, "quota.families", true, 0, 0, kVcpusMax));
    p.family_vcpus[family] = v;
  }
  return Status::Ok();
}

Status ParseCapacity(const Json& j, FaultPlan& p) {
  constexpr std::string_view w = "capacity";
  KT_ASSIGN_OR_RETURN(p.default_vms_per_zone,
                      ReadInt(j, "default_vms_per_zone", w, false, 1000, 0, kVcpusMax));
  KT_ASSIGN_OR_RETURN(const Json* skus, ReadObject(j, "skus", w));
  for (const auto& [sku, zones] : skus->items()) {
    std::string where = "capacity.skus." + sku;
    if (!zones.is_object()) return BadRequest(where + ": must map zone -> VMs");
    auto& entry = p.capacity[AsciiLower(sku)];
    for (const auto& [zone, vms] : zones.items()) {
      KT_ASSIGN_OR_RETURN(int64_t v, ReadInt(zones, zone, where, true, 0, 0, kVcpusMax));
      entry[zone] = v;
    }
  }
  return Status::Ok();
}

Status ParseAvailability(const Json& j, FaultPlan& p) {
  constexpr std::string_view w = "availability";
  KT_ASSIGN_OR_RETURN(std::vector<std::string> skus, StringList(j, "unavailable_skus", w, false));
  for (const std::string& s : skus) p.unavailable_skus.insert(AsciiLower(s));
  KT_ASSIGN_OR_RETURN(const Json* zones, ReadObject(j, "unavailable_zones", w));
  for (const auto& [sku, list] : zones->items()) {
    KT_ASSIGN_OR_RETURN(std::vector<std::string> z,
                        StringList(*zones, sku, "availability.unavailable_zones", true));
    p.unavailable_zones[AsciiLower(sku)].insert(z.begin(), z.end());
  }
  return Status::Ok();
}

Status ParseScriptedErrors(const Json& root, FaultPlan& p) {
  auto it = root.find("scripted_errors");
  if (it == root.end() || it->is_null()) return Status::Ok();
  if (!it->is_array() || it->size() > kListMax) {
    return BadRequest("cloud config: scripted_errors must be a list");
  }
  for (const Json& e : *it) {
    constexpr std::string_view w = "scripted_errors";
    ScriptedError s;
    KT_ASSIGN_OR_RETURN(s.op, ReadString(e, "op", w, false, "any"));
    KT_ASSIGN_OR_RETURN(s.code, ReadString(e, "code", w, false, "InternalServerError"));
    KT_ASSIGN_OR_RETURN(s.remaining, ReadInt(e, "count", w, false, 1, 0, kPerHourMax));
    static constexpr std::string_view kOps[] = {"any", "put", "get", "list", "delete", "poll"};
    static constexpr std::string_view kCodes[] = {"InternalServerError", "GatewayTimeout",
                                                  "TooManyRequests"};
    if (std::find(std::begin(kOps), std::end(kOps), s.op) == std::end(kOps)) {
      return FieldError(w, "op", "must be any, put, get, list, delete or poll");
    }
    if (std::find(std::begin(kCodes), std::end(kCodes), s.code) == std::end(kCodes)) {
      return FieldError(w, "code",
                        "must be InternalServerError, GatewayTimeout or TooManyRequests");
    }
    p.scripted_errors.push_back(std::move(s));
  }
  return Status::Ok();
}

Status ParseFaults(const Json& j, FaultProbabilities& f) {
  constexpr std::string_view w = "faults";
  auto prob = [&](std::string_view key, double& out) -> Status {
    KT_ASSIGN_OR_RETURN(out, ReadNumber(j, key, w, false, out, 0, 1));
    return Status::Ok();
  };
  KT_RETURN_IF_ERROR(prob("throttle", f.throttle));
  KT_RETURN_IF_ERROR(prob("internal_error", f.internal_error));
  KT_RETURN_IF_ERROR(prob("response_lost", f.response_lost));
  KT_RETURN_IF_ERROR(prob("allocation_failed", f.allocation_failed));
  KT_RETURN_IF_ERROR(prob("slow_boot", f.slow_boot));
  KT_RETURN_IF_ERROR(prob("spot_evict", f.spot_evict));
  KT_ASSIGN_OR_RETURN(f.slow_boot_factor,
                      ReadNumber(j, "slow_boot_factor", w, false, f.slow_boot_factor, 1, 100));
  KT_ASSIGN_OR_RETURN(f.spot_evict_mean_s,
                      ReadNumber(j, "spot_evict_mean_s", w, false, f.spot_evict_mean_s, 1, 1e9));
  return Status::Ok();
}

Status ParseReservations(const Json& j, NodeReservations& r) {
  constexpr std::string_view w = "node_reservations";
  KT_ASSIGN_OR_RETURN(r.memory_mib_per_pod, ReadInt(j, "memory_mib_per_pod", w, true, 0, 0, 4096));
  KT_ASSIGN_OR_RETURN(r.memory_mib_base, ReadInt(j, "memory_mib_base", w, true, 0, 0, 1 << 20));
  KT_ASSIGN_OR_RETURN(r.memory_fraction_max,
                      ReadNumber(j, "memory_fraction_max", w, true, 0, 0, 1));
  KT_ASSIGN_OR_RETURN(r.eviction_hard_mib, ReadInt(j, "eviction_hard_mib", w, true, 0, 0, 1 << 20));
  KT_ASSIGN_OR_RETURN(int64_t beyond,
                      ReadInt(j, "cpu_millicores_per_core_beyond", w, true, 0, 0, 1000));
  r.cpu_millicores_per_core_beyond = static_cast<int>(beyond);
  auto it = j.find("cpu_millicores_by_cores");
  if (it == j.end() || !it->is_array() || it->empty() || it->size() > 64) {
    return FieldError(w, "cpu_millicores_by_cores", "must be a non-empty list");
  }
  r.cpu_millicores_by_cores.clear();
  for (const Json& e : *it) {
    KT_ASSIGN_OR_RETURN(int64_t cores,
                        ReadInt(e, "cores", "cpu_millicores_by_cores", true, 0, 1, 4096));
    KT_ASSIGN_OR_RETURN(int64_t m,
                        ReadInt(e, "millicores", "cpu_millicores_by_cores", true, 0, 0, 1 << 20));
    if (!r.cpu_millicores_by_cores.empty() && cores <= r.cpu_millicores_by_cores.back().first) {
      return FieldError(w, "cpu_millicores_by_cores", "cores must ascend");
    }
    r.cpu_millicores_by_cores.emplace_back(static_cast<int>(cores), static_cast<int>(m));
  }
  return Status::Ok();
}

Result<const Json*> Section(const Json& root, std::string_view key) {
  return ReadObject(root, key, "cloud config");
}

}  // namespace

std::string ClusterIdentity::NodeResourceGroup() const {
  return "MC_" + resource_group + "_" + name + "_" + region;
}

std::string ClusterIdentity::ClusterResourceId() const {
  return "/subscriptions/" + subscription_id + "/resourceGroups/" + resource_group +
         "/providers/Microsoft.ContainerService/managedClusters/" + name;
}

int64_t FaultPlan::FamilyLimit(std::string_view family) const {
  auto it = family_vcpus.find(std::string(family));
  return it == family_vcpus.end() ? default_family_vcpus : it->second;
}

int64_t FaultPlan::CapacityOf(std::string_view sku, std::string_view zone) const {
  auto it = capacity.find(AsciiLower(sku));
  if (it == capacity.end()) return default_vms_per_zone;
  auto z = it->second.find(std::string(zone));
  return z == it->second.end() ? default_vms_per_zone : z->second;
}

bool FaultPlan::SkuAvailable(std::string_view sku) const {
  return unavailable_skus.count(AsciiLower(sku)) == 0;
}

bool FaultPlan::SkuAvailableInZone(std::string_view sku, std::string_view zone) const {
  if (!SkuAvailable(sku)) return false;
  auto it = unavailable_zones.find(AsciiLower(sku));
  return it == unavailable_zones.end() || it->second.count(std::string(zone)) == 0;
}

int64_t NodeReservations::CpuReservedMillicores(int cores) const {
  KT_CHECK(!cpu_millicores_by_cores.empty());
  const auto& t = cpu_millicores_by_cores;
  if (cores <= t.front().first) return t.front().second;
  for (size_t i = 1; i < t.size(); ++i) {
    if (cores <= t[i].first) {
      const auto [c0, m0] = t[i - 1];
      const auto [c1, m1] = t[i];
      return m0 + static_cast<int64_t>(m1 - m0) * (cores - c0) / (c1 - c0);
    }
  }
  return t.back().second +
         static_cast<int64_t>(cpu_millicores_per_core_beyond) * (cores - t.back().first);
}

int64_t NodeReservations::MemoryReservedMib(int64_t memory_mib, int max_pods) const {
  int64_t kube = memory_mib_per_pod * max_pods + memory_mib_base;
  int64_t cap = static_cast<int64_t>(static_cast<double>(memory_mib) * memory_fraction_max);
  return std::min(kube, cap) + eviction_hard_mib;
}

Result<CloudConfig> CloudConfig::FromJson(const Json& root) {
  if (!root.is_object()) return BadRequest("cloud config: top level must be a map");
  CloudConfig c;
  KT_ASSIGN_OR_RETURN(const Json* cluster, Section(root, "cluster"));
  KT_RETURN_IF_ERROR(ParseCluster(*cluster, c.cluster));
  KT_ASSIGN_OR_RETURN(const Json* arm, Section(root, "arm"));
  KT_RETURN_IF_ERROR(ParseArm(*arm, c.arm));
  KT_ASSIGN_OR_RETURN(const Json* limits, Section(root, "limits"));
  KT_RETURN_IF_ERROR(ParseLimits(*limits, c.limits));
  KT_ASSIGN_OR_RETURN(const Json* timing, Section(root, "timing"));
  KT_RETURN_IF_ERROR(ParseTiming(*timing, c.timing));
  KT_ASSIGN_OR_RETURN(const Json* quota, Section(root, "quota"));
  KT_RETURN_IF_ERROR(ParseQuota(*quota, c.plan));
  KT_ASSIGN_OR_RETURN(const Json* capacity, Section(root, "capacity"));
  KT_RETURN_IF_ERROR(ParseCapacity(*capacity, c.plan));
  KT_ASSIGN_OR_RETURN(const Json* availability, Section(root, "availability"));
  KT_RETURN_IF_ERROR(ParseAvailability(*availability, c.plan));
  KT_RETURN_IF_ERROR(ParseScriptedErrors(root, c.plan));
  KT_ASSIGN_OR_RETURN(const Json* faults, Section(root, "faults"));
  KT_RETURN_IF_ERROR(ParseFaults(*faults, c.faults));
  KT_ASSIGN_OR_RETURN(c.spot_price_fraction,
                      ReadNumber(root, "spot_price_fraction", "cloud config", false, 0.3, 0, 1));
  KT_ASSIGN_OR_RETURN(const Json* reservations, Section(root, "node_reservations"));
  KT_RETURN_IF_ERROR(ParseReservations(*reservations, c.reservations));
  return c;
}

Result<CloudConfig> CloudConfig::Parse(std::string_view yaml_text) {
  auto doc = ParseYaml(yaml_text);
  if (!doc.ok()) return doc.status().Annotate("cloud config");
  return FromJson(*doc);
}

Result<CloudConfig> CloudConfig::LoadDefaults() { return Parse(EmbeddedAksDefaultsYaml()); }

Result<CloudConfig> CloudConfig::LoadDefaultsWithOverlay(std::string_view overlay_yaml) {
  auto base = ParseYaml(EmbeddedAksDefaultsYaml());
  if (!base.ok()) return base.status().Annotate("cloud config defaults");
  auto docs = ParseYamlDocuments(overlay_yaml);
  if (!docs.ok()) return docs.status().Annotate("cloud config overlay");
  if (docs->size() > 1) return BadRequest("cloud config overlay: expected one YAML document");
  Json merged = *base;
  if (!docs->empty()) {
    const Json& overlay = docs->front();
    if (!overlay.is_null() && !overlay.is_object()) {
      return BadRequest("cloud config overlay: top level must be a map");
    }
    if (overlay.is_object()) merged.merge_patch(overlay);
  }
  return FromJson(merged);
}

}  // namespace kt::sim::cloud
