// CloudConfig: the world the fake AKS simulates, loaded from data
// (sim/cloud/data/aks_defaults.yaml, optionally overlaid by a scenario's YAML): the managed
// cluster it serves, ARM behaviour (api-versions, Retry-After, throttling limits), size limits,
// delay distributions, and the FaultPlan (quota per VM family, capacity per SKU and zone, SKU
// availability, spot eviction, fault-point probabilities).
//
// Plain values; copy freely. Parsing validates every field and names it in the error.
#ifndef KT_SIM_CLOUD_CLOUD_CONFIG_H_
#define KT_SIM_CLOUD_CLOUD_CONFIG_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"
#include "sim/cloud/sku_catalog.h"

namespace kt::sim::cloud {

struct ClusterIdentity {
  std::string subscription_id;
  std::string resource_group;
  std::string name;
  std::string region;
  std::vector<std::string> zones;  // "1", "2", "3"
  std::string kubernetes_version;  // "1.30.6"
  std::string node_image_version;
  std::string os_image;
  std::string kernel_version;
  std::string container_runtime_version;
  std::string node_ip_base;  // first node InternalIP, "10.224.0.4"

  // "MC_<rg>_<cluster>_<region>": the node resource group AKS creates.
  std::string NodeResourceGroup() const;
  // "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/
  // managedClusters/<name>"
  std::string ClusterResourceId() const;
};

struct ArmSettings {
  std::vector<std::string> api_versions;
  std::string operation_api_version;
  int poll_retry_after_s = 10;
  int64_t reads_per_hour = 0;  // 0: unlimited
  int64_t writes_per_hour = 0;
  int64_t deletes_per_hour = 0;
  int throttle_retry_after_s = 17;
};

struct Limits {
  int agent_pools_max = 100;
  int pool_vms_max = 1000;
  int operations_retained_max = 10000;
  int os_disk_gib_min = 30;
  int os_disk_gib_max = 2048;
  int os_disk_gib_default = 128;
  int max_pods_default = 110;
  int max_pods_min = 10;
  int max_pods_max = 250;
};

struct Timing {
  double delay_scale = 1.0;
  DelayDistribution delete_delay;
  DelayDistribution update_delay;
  DelayDistribution scale_down_delay;
  DelayDistribution allocation_failure_delay;
  double spot_eviction_mean_s = 0;  // 0: never (unless injected)
};

struct FaultProbabilities {
  double throttle = 0.05;
  double internal_error = 0.03;
  double response_lost = 0.03;
  double allocation_failed = 0.10;
  double slow_boot = 0.10;
  double slow_boot_factor = 4.0;
  double spot_evict = 0.20;
  double spot_evict_mean_s = 1800;
};

// A configured request failure: the next `remaining` requests of kind `op` ("put", "get",
// "list", "delete", "poll" or "any") fail with `code` before touching any state:
// InternalServerError (500), GatewayTimeout (504) or TooManyRequests (429, Retry-After).
// Unlike BUGGIFY faults these also fire under RealEnv (a `kaito-twin up` user asked for them).
struct ScriptedError {
  std::string op;
  std::string code;
  int64_t remaining = 0;
};

// What can go wrong, configured: quota, capacity, availability, scripted request errors.
struct FaultPlan {
  std::vector<ScriptedError> scripted_errors;
  int64_t default_family_vcpus = 1000;
  std::map<std::string, int64_t> family_vcpus;  // family -> vCPU limit
  int64_t regional_vcpus = 0;                   // 0: unlimited
  int64_t low_priority_vcpus = 1000;
  int64_t default_vms_per_zone = 1000;
  std::map<std::string, std::map<std::string, int64_t>> capacity;  // lower(sku) -> zone -> VMs
  std::set<std::string> unavailable_skus;                          // lower(sku)
  std::map<std::string, std::set<std::string>> unavailable_zones;  // lower(sku) -> zones

  int64_t FamilyLimit(std::string_view family) const;
  int64_t CapacityOf(std::string_view sku, std::string_view zone) const;
  bool SkuAvailable(std::string_view sku) const;
  bool SkuAvailableInZone(std::string_view sku, std::string_view zone) const;
};

struct NodeReservations {
  int64_t memory_mib_per_pod = 20;
  int64_t memory_mib_base = 50;
  double memory_fraction_max = 0.25;
  int64_t eviction_hard_mib = 100;
  std::vector<std::pair<int, int>> cpu_millicores_by_cores;  // ascending (cores, millicores)
  int cpu_millicores_per_core_beyond = 10;

  // Reserved CPU (millicores) for a VM with `cores` vCPUs: piecewise linear over the table.
  int64_t CpuReservedMillicores(int cores) const;
  // Reserved memory (MiB) incl. the eviction threshold.
  int64_t MemoryReservedMib(int64_t memory_mib, int max_pods) const;
};

struct CloudConfig {
  ClusterIdentity cluster;
  ArmSettings arm;
  Limits limits;
  Timing timing;
  FaultPlan plan;
  FaultProbabilities faults;
  double spot_price_fraction = 0.3;
  NodeReservations reservations;

  // Parses a full config document (YAML text).
  static Result<CloudConfig> Parse(std::string_view yaml_text);
  // The compiled-in defaults (sim/cloud/data/aks_defaults.yaml).
  static Result<CloudConfig> LoadDefaults();
  // The defaults with `overlay_yaml` merged over them (JSON merge patch: maps merge, lists and
  // scalars replace, null deletes).
  static Result<CloudConfig> LoadDefaultsWithOverlay(std::string_view overlay_yaml);
  static Result<CloudConfig> FromJson(const Json& root);
};

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_CLOUD_CONFIG_H_
