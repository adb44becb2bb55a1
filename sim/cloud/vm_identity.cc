#include "sim/cloud/vm_identity.h"

#include <cstdio>

#include "base/random.h"
#include "base/sha256.h"

namespace kt::sim::cloud {

namespace {

constexpr int64_t kKiPerGi = 1024 * 1024;
constexpr int64_t kKiPerMi = 1024;

std::string HexOf(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.HexDigest();
}

// 8-4-4-4-12 from the first 32 hex digits.
std::string UuidFrom(const std::string& hex) {
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string ZoneLabel(const ClusterIdentity& cluster, std::string_view zone) {
  return zone.empty() ? std::string("0") : cluster.region + "-" + std::string(zone);
}

}  // namespace

std::string ClusterNameHash(const ClusterIdentity& cluster) {
  uint64_t h = Fnv1a64(AsciiLower(cluster.ClusterResourceId()));
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08llu", static_cast<unsigned long long>(h % 100000000ULL));
  return buf;
}

std::string ScaleSetName(const ClusterIdentity& cluster, std::string_view pool) {
  return "aks-" + std::string(pool) + "-" + ClusterNameHash(cluster) + "-vmss";
}

std::string VmComputerName(std::string_view scale_set, int instance_id) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string suffix(6, '0');
  int64_t v = instance_id;
  for (int i = 5; i >= 0 && v > 0; --i) {
    suffix[i] = kDigits[v % 36];
    v /= 36;
  }
  return std::string(scale_set) + suffix;
}

std::string VmProviderId(const ClusterIdentity& cluster, std::string_view scale_set,
                         int instance_id) {
  return "azure:///subscriptions/" + cluster.subscription_id + "/resourceGroups/" +
         AsciiLower(cluster.NodeResourceGroup()) +
         "/providers/Microsoft.Compute/virtualMachineScaleSets/" + std::string(scale_set) +
         "/virtualMachines/" + std::to_string(instance_id);
}

std::string NodeInternalIp(const ClusterIdentity& cluster, int64_t index) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  std::sscanf(cluster.node_ip_base.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d);
  uint64_t v =
      (uint64_t{a} << 24 | uint64_t{b} << 16 | uint64_t{c} << 8 | d) + static_cast<uint64_t>(index);
  return std::to_string((v >> 24) & 255) + "." + std::to_string((v >> 16) & 255) + "." +
         std::to_string((v >> 8) & 255) + "." + std::to_string(v & 255);
}

VmInfo DescribeVm(const CloudConfig& config, const AgentPoolSpec& spec, int instance_id,
                  std::string_view zone, int64_t ip_index) {
  const ClusterIdentity& cluster = config.cluster;
  const SkuInfo& sku = *spec.sku;
  VmInfo vm;
  vm.pool = spec.name;
  vm.scale_set = ScaleSetName(cluster, spec.name);
  vm.instance_id = instance_id;
  vm.vm_name = VmComputerName(vm.scale_set, instance_id);
  vm.sku = sku.name;
  vm.region = cluster.region;
  vm.zone = std::string(zone);
  vm.provider_id = VmProviderId(cluster, vm.scale_set, instance_id);
  vm.internal_ip = NodeInternalIp(cluster, ip_index);
  vm.spot = spec.spot;
  vm.mode = spec.mode;

  // The pool's labels first, so AKS's own labels win a clash as they do on AKS.
  vm.labels = spec.node_labels;
  const std::string zone_label = ZoneLabel(cluster, zone);
  const std::string mode_lower = AsciiLower(spec.mode);
  for (const auto& [k, v] : std::initializer_list<std::pair<const char*, std::string>>{
           {"agentpool", spec.name},
           {"kubernetes.azure.com/agentpool", spec.name},
           {"kubernetes.azure.com/cluster", cluster.NodeResourceGroup()},
           {"kubernetes.azure.com/mode", mode_lower},
           {"kubernetes.azure.com/node-image-version", cluster.node_image_version},
           {"kubernetes.azure.com/os-sku", spec.os_sku},
           {"kubernetes.azure.com/role", "agent"},
           {"kubernetes.io/arch", "amd64"},
           {"kubernetes.io/hostname", vm.vm_name},
           {"kubernetes.io/os", "linux"},
           {"kubernetes.io/role", "agent"},
           {"node-role.kubernetes.io/agent", ""},
           {"node.kubernetes.io/instance-type", sku.name},
           {"topology.kubernetes.io/region", cluster.region},
           {"topology.kubernetes.io/zone", zone_label},
           {"beta.kubernetes.io/arch", "amd64"},
           {"beta.kubernetes.io/instance-type", sku.name},
           {"beta.kubernetes.io/os", "linux"},
           {"failure-domain.beta.kubernetes.io/region", cluster.region},
           {"failure-domain.beta.kubernetes.io/zone", zone_label},
       }) {
    vm.labels[k] = v;
  }
  if (sku.is_gpu() && sku.gpu_vendor == "nvidia") {
    vm.labels["kubernetes.azure.com/accelerator"] = "nvidia";
  }
  vm.taints = spec.node_taints;
  if (spec.spot) {
    vm.labels["kubernetes.azure.com/scalesetpriority"] = "spot";
    vm.taints.push_back({"kubernetes.azure.com/scalesetpriority", "spot", "NoSchedule"});
  }

  const int64_t memory_mib = int64_t{sku.memory_gib} * 1024;
  const int64_t storage_ki = int64_t{spec.os_disk_gib} * kKiPerGi;
  const int64_t cpu_reserved = config.reservations.CpuReservedMillicores(sku.vcpus);
  const int64_t mem_reserved = config.reservations.MemoryReservedMib(memory_mib, spec.max_pods);
  vm.capacity = {
      {"cpu", std::to_string(sku.vcpus)},
      {"memory", std::to_string(memory_mib * kKiPerMi) + "Ki"},
      {"ephemeral-storage", std::to_string(storage_ki) + "Ki"},
      {"pods", std::to_string(spec.max_pods)},
      {"hugepages-1Gi", "0"},
      {"hugepages-2Mi", "0"},
  };
  vm.allocatable = {
      {"cpu", std::to_string(int64_t{sku.vcpus} * 1000 - cpu_reserved) + "m"},
      {"memory", std::to_string((memory_mib - mem_reserved) * kKiPerMi) + "Ki"},
      // kubelet's default nodefs eviction threshold keeps 10% of the disk.
      {"ephemeral-storage", std::to_string(storage_ki / 10 * 9) + "Ki"},
      {"pods", std::to_string(spec.max_pods)},
      {"hugepages-1Gi", "0"},
      {"hugepages-2Mi", "0"},
  };

  vm.gpu_count = sku.gpu_count;
  vm.gpu_model = sku.gpu_model;
  vm.gpu_vendor = sku.gpu_vendor;
  vm.gpu_memory_gib_per_gpu = sku.gpu_count > 0 ? sku.gpu_memory_gib / sku.gpu_count : 0;

  vm.kubelet_version = "v" + cluster.kubernetes_version;
  vm.os_image = cluster.os_image;
  vm.kernel_version = cluster.kernel_version;
  vm.container_runtime_version = cluster.container_runtime_version;
  const std::string id_hex = HexOf(vm.provider_id);
  vm.machine_id = id_hex.substr(0, 32);
  vm.system_uuid = UuidFrom(id_hex.substr(32, 32));
  vm.boot_id = UuidFrom(HexOf("boot:" + vm.provider_id));
  return vm;
}

}  // namespace kt::sim::cloud
