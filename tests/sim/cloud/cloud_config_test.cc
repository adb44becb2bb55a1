// The cloud config data file (cluster identity, ARM settings, limits, delays, fault plan):
// defaults load, a scenario overlay merges over them, malformed values are named in the
// error, and the derived helpers (node resource group, reservations, plan lookups) compute
// what AKS would.
#include "sim/cloud/cloud_config.h"

#include <gtest/gtest.h>

namespace kt::sim::cloud {
namespace {

TEST(CloudConfigTest, DefaultsDescribeOneEastUsClusterWithThreeZones) {
  auto c = CloudConfig::LoadDefaults();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->cluster.region, "eastus");
  EXPECT_EQ(c->cluster.zones, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(c->cluster.NodeResourceGroup(), "MC_kaito-rg_kaito-twin_eastus");
  EXPECT_EQ(c->cluster.ClusterResourceId(),
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/kaito-rg/"
            "providers/Microsoft.ContainerService/managedClusters/kaito-twin");
  EXPECT_FALSE(c->arm.api_versions.empty());
  EXPECT_EQ(c->limits.agent_pools_max, 100);
  EXPECT_DOUBLE_EQ(c->timing.delay_scale, 1.0);
}

TEST(CloudConfigTest, OverlayMergesMapsAndReplacesScalars) {
  auto c = CloudConfig::LoadDefaultsWithOverlay(R"(
cluster: {region: westus3}
quota:
  families: {standardNCADSA100v4Family: 24}
capacity:
  skus: {Standard_NC24ads_A100_v4: {"1": 2, "2": 0}}
availability:
  unavailable_skus: [Standard_ND96isr_H200_v5]
  unavailable_zones: {Standard_NC40ads_H100_v5: ["3"]}
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->cluster.region, "westus3");
  EXPECT_EQ(c->cluster.name, "kaito-twin");  // untouched keys keep their defaults
  EXPECT_EQ(c->plan.FamilyLimit("standardNCADSA100v4Family"), 24);
  EXPECT_EQ(c->plan.FamilyLimit("standardNCSv3Family"), 1000);  // default_family_vcpus
  EXPECT_EQ(c->plan.CapacityOf("standard_nc24ads_a100_v4", "1"), 2);
  EXPECT_EQ(c->plan.CapacityOf("Standard_NC24ads_A100_v4", "2"), 0);
  EXPECT_EQ(c->plan.CapacityOf("Standard_NC24ads_A100_v4", "3"), 1000);
  EXPECT_FALSE(c->plan.SkuAvailable("standard_nd96isr_h200_v5"));
  EXPECT_TRUE(c->plan.SkuAvailableInZone("Standard_NC40ads_H100_v5", "1"));
  EXPECT_FALSE(c->plan.SkuAvailableInZone("Standard_NC40ads_H100_v5", "3"));
}

TEST(CloudConfigTest, MalformedValuesAreNamedInTheError) {
  auto bad_prob = CloudConfig::LoadDefaultsWithOverlay("faults: {throttle: 1.5}");
  ASSERT_FALSE(bad_prob.ok());
  EXPECT_NE(bad_prob.status().message().find("faults: field throttle"), std::string::npos)
      << bad_prob.status().message();
  auto bad_zone = CloudConfig::LoadDefaultsWithOverlay("cluster: {zones: [east]}");
  ASSERT_FALSE(bad_zone.ok());
  EXPECT_NE(bad_zone.status().message().find("zones"), std::string::npos);
  auto bad_ip = CloudConfig::LoadDefaultsWithOverlay("cluster: {node_ip_base: 10.0.0}");
  ASSERT_FALSE(bad_ip.ok());
  EXPECT_NE(bad_ip.status().message().find("node_ip_base"), std::string::npos);
  auto bad_capacity = CloudConfig::LoadDefaultsWithOverlay("capacity: {skus: {S: 3}}");
  ASSERT_FALSE(bad_capacity.ok());
  EXPECT_NE(bad_capacity.status().message().find("capacity.skus.S"), std::string::npos);
  auto bad_script = CloudConfig::LoadDefaultsWithOverlay(
      "scripted_errors: [{op: patch, code: InternalServerError}]");
  ASSERT_FALSE(bad_script.ok());
  EXPECT_NE(bad_script.status().message().find("scripted_errors: field op"), std::string::npos)
      << bad_script.status().message();
  auto not_a_map = CloudConfig::LoadDefaultsWithOverlay("[1, 2]");
  ASSERT_FALSE(not_a_map.ok());
  auto missing = CloudConfig::Parse("cluster: {}");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("subscription_id: is required"), std::string::npos)
      << missing.status().message();
}

TEST(CloudConfigTest, CpuReservationFollowsAksTableAndExtrapolates) {
  auto c = CloudConfig::LoadDefaults();
  ASSERT_TRUE(c.ok());
  const NodeReservations& r = c->reservations;
  EXPECT_EQ(r.CpuReservedMillicores(1), 60);
  EXPECT_EQ(r.CpuReservedMillicores(2), 100);
  EXPECT_EQ(r.CpuReservedMillicores(4), 140);
  EXPECT_EQ(r.CpuReservedMillicores(6), 160);  // between 4 (140) and 8 (180)
  EXPECT_EQ(r.CpuReservedMillicores(64), 740);
  EXPECT_EQ(r.CpuReservedMillicores(96), 1060);  // 740 + 10m x 32 cores
}

TEST(CloudConfigTest, MemoryReservationIsPerPodCappedAtAQuarterPlusEviction) {
  auto c = CloudConfig::LoadDefaults();
  ASSERT_TRUE(c.ok());
  const NodeReservations& r = c->reservations;
  // 20 MiB x 110 pods + 50 MiB = 2250 MiB, below 25% of 220 GiB; + 100 MiB eviction.
  EXPECT_EQ(r.MemoryReservedMib(220 * 1024, 110), 2350);
  // 25% of 4 GiB = 1024 MiB caps the per-pod amount.
  EXPECT_EQ(r.MemoryReservedMib(4 * 1024, 110), 1024 + 100);
}

}  // namespace
}  // namespace kt::sim::cloud
