// SkuCatalog: the Azure VM sizes the fake AKS can provision, loaded from a data file
// (sim/cloud/data/sku_catalog.yaml, compiled in; see embedded_data.h): vCPUs, memory, disks,
// GPUs, the vCPU-quota family, an approximate list price and the provisioning-delay
// distribution of each size.
//
// Loading validates every entry and names the offending SKU and field in the error, so a
// malformed file is a BadRequest Status, never a crash. Lookups are case-insensitive (ARM
// treats "standard_nc24ads_a100_v4" and "Standard_NC24ads_A100_v4" as the same size).
//
// A SkuCatalog is an immutable value after loading: safe to share between threads.
#ifndef KT_SIM_CLOUD_SKU_CATALOG_H_
#define KT_SIM_CLOUD_SKU_CATALOG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim::cloud {

// A lognormal delay: median exp(mu) seconds, log-space spread sigma, clamped to [min, max].
struct DelayDistribution {
  double median_s = 0;
  double sigma = 0;
  double min_s = 0;
  double max_s = 0;
};
// Parses {median_s, sigma, min_s, max_s}; `what` names the field in errors.
Result<DelayDistribution> ParseDelayDistribution(const Json& j, std::string_view what);

struct SkuInfo {
  std::string name;    // canonical spelling, "Standard_NC24ads_A100_v4"
  std::string family;  // quota bucket, "standardNCADSA100v4Family"
  int vcpus = 0;
  int memory_gib = 0;
  int temp_disk_gib = 0;
  int nvme_disk_gib = 0;  // 0 when the size has no local NVMe
  int max_data_disks = 0;
  int gpu_count = 0;
  std::string gpu_model;   // "NVIDIA A100 80GB PCIe"; empty for CPU sizes
  std::string gpu_vendor;  // "nvidia", "amd" or ""
  int gpu_memory_gib = 0;  // total over all GPUs of the VM (Kaito's GPUMem)
  double price_per_hour_usd = 0;
  DelayDistribution provision_delay;

  bool is_gpu() const { return gpu_count > 0; }
};

class SkuCatalog {
 public:
  SkuCatalog() = default;

  // Parses the catalog YAML. Errors name the SKU (or index) and the field.
  static Result<SkuCatalog> Parse(std::string_view yaml_text);
  // The catalog compiled into the library from sim/cloud/data/sku_catalog.yaml.
  static Result<SkuCatalog> LoadEmbedded();
  // Reads and parses a catalog file (scenario-specific catalogs).
  static Result<SkuCatalog> LoadFile(const std::string& path);

  // Case-insensitive lookup; null when unknown.
  const SkuInfo* Find(std::string_view name) const;
  const std::vector<SkuInfo>& skus() const { return skus_; }

 private:
  std::vector<SkuInfo> skus_;
  std::map<std::string, size_t, std::less<>> by_lower_name_;
};

// ASCII lower-case copy (ARM compares names and path segments case-insensitively).
std::string AsciiLower(std::string_view s);

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_SKU_CATALOG_H_
