// Kaito's GPU SKU table (pkg/sku/azure_sku_handler.go), loaded from a data file.
//
// The default table is controllers/kaito/data/skus.yaml, compiled in (see embedded_data.h).
// Kaito v0.4.6 is the baseline: Find() sees only the rows of v0.4.6's table, which is what the
// webhook calls "known" (GetGPUConfigBySKU); FindAny() also returns rows other Kaito versions
// had. GPU memory is per VM (Kaito's GPUMemGB); per GPU is total / count, integer division.
//
// Immutable after loading; share freely between threads.
#ifndef KT_CONTROLLERS_KAITO_SKU_TABLE_H_
#define KT_CONTROLLERS_KAITO_SKU_TABLE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kt::kaito {

struct GpuSku {
  std::string name;  // "Standard_NC24ads_A100_v4"
  int64_t gpu_count = 0;
  int64_t gpu_memory_total_gib = 0;  // all GPUs of the VM together
  std::string gpu_model;             // "NVIDIA A100" ("" when Kaito did not record it)
  int64_t vcpus = 0;                 // from the Azure name
  bool in_v0_4_6 = false;
  std::vector<std::string> kaito_versions;
  std::optional<bool> nvme_disk;
  std::string cuda_compute_capability;  // "8.0" ("" when unknown)

  int64_t gpu_memory_per_gpu_gib() const { return gpu_memory_total_gib / gpu_count; }
};

class SkuTable {
 public:
  SkuTable() = default;

  static Result<SkuTable> Parse(std::string_view yaml_text, std::string_view source);
  static Result<SkuTable> LoadFile(const std::string& path);

  // A SKU of the baseline (v0.4.6) table; null when unknown.
  const GpuSku* Find(std::string_view name) const;
  // Any row, whichever Kaito version had it.
  const GpuSku* FindAny(std::string_view name) const;
  // Names of the baseline table, sorted (the webhook lists them in its error).
  std::vector<std::string> SupportedSkuNames() const;
  const std::vector<GpuSku>& skus() const { return skus_; }
  // CRD default of resource.instanceType.
  const std::string& default_instance_type() const { return default_instance_type_; }
  // Partial-GPU SKUs Kaito explicitly does not support.
  const std::vector<std::string>& unsupported_partial_gpu_skus() const { return partial_; }

 private:
  std::vector<GpuSku> skus_;
  std::map<std::string, size_t, std::less<>> index_;
  std::string default_instance_type_;
  std::vector<std::string> partial_;
};

// The table compiled from controllers/kaito/data/skus.yaml (KT_CHECK if it does not parse).
const SkuTable& DefaultSkuTable();

// Kaito's controller treats an instance type containing "Standard_N" as a GPU SKU.
bool IsGpuInstanceType(std::string_view instance_type);

}  // namespace kt::kaito

#endif  // KT_CONTROLLERS_KAITO_SKU_TABLE_H_
