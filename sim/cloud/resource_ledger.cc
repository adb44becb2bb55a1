#include "sim/cloud/resource_ledger.h"

#include "base/check.h"

namespace kt::sim::cloud {

std::optional<QuotaShortfall> ResourceLedger::CheckQuota(const FaultPlan& plan, const SkuInfo& sku,
                                                         bool spot, int vms) const {
  const int64_t required = int64_t{sku.vcpus} * vms;
  if (required <= 0) return std::nullopt;
  if (spot) {
    if (low_priority_vcpus_ + required > plan.low_priority_vcpus) {
      return QuotaShortfall{"Low Priority", plan.low_priority_vcpus, low_priority_vcpus_, required};
    }
    return std::nullopt;
  }
  const int64_t family_limit = plan.FamilyLimit(sku.family);
  const int64_t family_usage = FamilyUsage(sku.family);
  if (family_usage + required > family_limit) {
    return QuotaShortfall{sku.family, family_limit, family_usage, required};
  }
  if (plan.regional_vcpus > 0 && regional_vcpus_ + required > plan.regional_vcpus) {
    return QuotaShortfall{"Total Regional", plan.regional_vcpus, regional_vcpus_, required};
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> ResourceLedger::Place(
    const FaultPlan& plan, const SkuInfo& sku, const std::vector<std::string>& pool_zones,
    const std::vector<std::string>& region_zones, int vms, int first_index) const {
  const std::string key = AsciiLower(sku.name);
  // Capacity left per candidate zone, in preference order.
  std::vector<std::pair<std::string, int64_t>> free;
  auto add = [&](const std::string& zone) {
    if (!plan.SkuAvailableInZone(sku.name, zone)) return;
    int64_t left = plan.CapacityOf(sku.name, zone) - VmsInZone(key, zone);
    free.emplace_back(zone, left > 0 ? left : 0);
  };
  if (!pool_zones.empty()) {
    for (const std::string& z : pool_zones) add(z);
  } else if (!region_zones.empty()) {
    for (const std::string& z : region_zones) add(z);
  } else {
    add("");
  }
  if (free.empty()) return std::nullopt;
  std::vector<std::string> placed;
  placed.reserve(vms);
  for (int i = 0; i < vms; ++i) {
    // Zonal pools spread round-robin; regional pools fill zones in order.
    const size_t n = free.size();
    const size_t start = pool_zones.empty() ? 0 : static_cast<size_t>(first_index + i) % n;
    bool done = false;
    for (size_t k = 0; k < n && !done; ++k) {
      auto& [zone, left] = free[(start + k) % n];
      if (left > 0) {
        --left;
        placed.push_back(zone);
        done = true;
      }
    }
    if (!done) return std::nullopt;
  }
  return placed;
}

void ResourceLedger::Allocate(const SkuInfo& sku, bool spot, std::string_view capacity_zone) {
  if (spot) {
    low_priority_vcpus_ += sku.vcpus;
  } else {
    family_vcpus_[sku.family] += sku.vcpus;
    regional_vcpus_ += sku.vcpus;
  }
  ++vms_by_sku_zone_[{AsciiLower(sku.name), std::string(capacity_zone)}];
}

void ResourceLedger::Release(const SkuInfo& sku, bool spot, std::string_view capacity_zone) {
  if (spot) {
    low_priority_vcpus_ -= sku.vcpus;
    KT_CHECK(low_priority_vcpus_ >= 0);
  } else {
    auto it = family_vcpus_.find(sku.family);
    KT_CHECK(it != family_vcpus_.end() && it->second >= sku.vcpus);
    it->second -= sku.vcpus;
    if (it->second == 0) family_vcpus_.erase(it);
    regional_vcpus_ -= sku.vcpus;
  }
  auto vit = vms_by_sku_zone_.find({AsciiLower(sku.name), std::string(capacity_zone)});
  KT_CHECK(vit != vms_by_sku_zone_.end() && vit->second > 0);
  if (--vit->second == 0) vms_by_sku_zone_.erase(vit);
}

std::vector<QuotaUsage> ResourceLedger::Usages(const FaultPlan& plan) const {
  std::vector<QuotaUsage> out;
  out.push_back({"cores", "Total Regional vCPUs", regional_vcpus_,
                 plan.regional_vcpus > 0 ? plan.regional_vcpus : -1});
  out.push_back({"lowPriorityCores", "Total Regional Low-priority vCPUs", low_priority_vcpus_,
                 plan.low_priority_vcpus});
  std::map<std::string, int64_t, std::less<>> families(family_vcpus_.begin(), family_vcpus_.end());
  for (const auto& [family, limit] : plan.family_vcpus) families.emplace(family, 0);
  for (const auto& [family, usage] : families) {
    out.push_back({family, family, usage, plan.FamilyLimit(family)});
  }
  return out;
}

int64_t ResourceLedger::FamilyUsage(std::string_view family) const {
  auto it = family_vcpus_.find(family);
  return it == family_vcpus_.end() ? 0 : it->second;
}

int64_t ResourceLedger::VmsInZone(std::string_view sku, std::string_view zone) const {
  auto it = vms_by_sku_zone_.find({AsciiLower(sku), std::string(zone)});
  return it == vms_by_sku_zone_.end() ? 0 : it->second;
}

}  // namespace kt::sim::cloud
