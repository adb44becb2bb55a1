// ResourceLedger: the subscription's vCPU quota usage (per VM family, total regional, and
// low-priority for Spot) and the capacity in use per (SKU, zone), with the checks the fake
// AKS makes before allocating VMs. Limits come from the FaultPlan passed to each call, so a
// scenario may change the plan while VMs exist (usage above a lowered limit simply blocks new
// allocations, as on Azure).
//
// Not thread-safe: FakeAks calls it under its lock.
#ifndef KT_SIM_CLOUD_RESOURCE_LEDGER_H_
#define KT_SIM_CLOUD_RESOURCE_LEDGER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/cloud/cloud_config.h"
#include "sim/cloud/sku_catalog.h"

namespace kt::sim::cloud {

// One quota bucket as Microsoft.Compute's usages API reports it.
struct QuotaUsage {
  std::string name;          // "standardNCADSA100v4Family", "cores", "lowPriorityCores"
  std::string display_name;  // as ARM's quota messages name it
  int64_t current_vcpus = 0;
  int64_t limit_vcpus = 0;  // -1: unlimited
};

// Why a quota check failed (for the QuotaExceeded message).
struct QuotaShortfall {
  std::string display_name;  // "standardNCADSA100v4Family", "Total Regional", "Low Priority"
  int64_t limit = 0;
  int64_t usage = 0;
  int64_t required = 0;
};

class ResourceLedger {
 public:
  // The first bucket that `vms` more VMs of `sku` would overflow, if any.
  std::optional<QuotaShortfall> CheckQuota(const FaultPlan& plan, const SkuInfo& sku, bool spot,
                                           int vms) const;

  // Chooses a capacity zone for each of `vms` new VMs. `pool_zones` empty: a regional pool,
  // whose VMs may land in any zone of `region_zones` (or "" when the region has none) that
  // offers the SKU; otherwise VMs are spread round-robin over `pool_zones` starting at
  // `first_index`. Returns nullopt when capacity runs out.
  std::optional<std::vector<std::string>> Place(const FaultPlan& plan, const SkuInfo& sku,
                                                const std::vector<std::string>& pool_zones,
                                                const std::vector<std::string>& region_zones,
                                                int vms, int first_index) const;

  // Books (or returns) quota and capacity for one VM placed in `capacity_zone`.
  void Allocate(const SkuInfo& sku, bool spot, std::string_view capacity_zone);
  void Release(const SkuInfo& sku, bool spot, std::string_view capacity_zone);

  std::vector<QuotaUsage> Usages(const FaultPlan& plan) const;
  int64_t FamilyUsage(std::string_view family) const;
  int64_t RegionalUsage() const { return regional_vcpus_; }
  int64_t LowPriorityUsage() const { return low_priority_vcpus_; }
  int64_t VmsInZone(std::string_view sku, std::string_view zone) const;

 private:
  std::map<std::string, int64_t, std::less<>> family_vcpus_;
  int64_t regional_vcpus_ = 0;
  int64_t low_priority_vcpus_ = 0;
  std::map<std::pair<std::string, std::string>, int64_t> vms_by_sku_zone_;  // (lower sku, zone)
};

}  // namespace kt::sim::cloud

#endif  // KT_SIM_CLOUD_RESOURCE_LEDGER_H_
