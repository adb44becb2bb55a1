// Each BUGGIFY fault point of the fake AKS, switched on alone (SimEnv with every site enabled
// and only that site's probability at 1), does what AKS does when that goes wrong; and under
// RealEnv the same configuration injects nothing.
#include <gtest/gtest.h>

#include "base/json.h"
#include "base/real_env.h"
#include "cloud_test_util.h"

namespace kt::sim::cloud {
namespace {

using testing::PoolBody;
using testing::TestCatalog;
using testing::TestConfig;
using testing::World;

constexpr const char* kA100 = "Standard_NC24ads_A100_v4";

// Fault probabilities with only `site` at 1 ("" for none).
std::string Only(std::string_view site) {
  std::string yaml = "faults: {spot_evict_mean_s: 600";
  for (const char* s : {"throttle", "internal_error", "response_lost", "allocation_failed",
                        "slow_boot", "spot_evict"}) {
    yaml += std::string(", ") + s + (site == s ? ": 1" : ": 0");
  }
  return yaml + "}\n";
}

SimEnv::Options FaultsOn(uint64_t seed = 1) {
  SimEnv::Options o;
  o.seed = seed;
  o.site_enable_probability = 1.0;
  o.faults_enabled = true;
  return o;
}

TEST(CloudFaultPointsTest, ThrottleAnswers429WithRetryAfter) {
  World w(Only("throttle"), FaultsOn());
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_FALSE(put.ok());
  EXPECT_TRUE(put.status().Is(StatusCode::kTooManyRequests));
  EXPECT_EQ(put.status().reason(), "TooManyRequests");
  EXPECT_EQ(put.status().retry_after_seconds(), 17);
  EXPECT_NE(put.status().message().find("PutAgentPool"), std::string::npos);
  EXPECT_EQ(w.aks.pool_count(), 0u);
  EXPECT_EQ(w.aks.GetAgentPool("gpu1").status().reason(), "TooManyRequests");
  EXPECT_GE(w.env.fault_sites().at("cloud.throttle").fired, 2u);
}

TEST(CloudFaultPointsTest, InternalErrorAnswers500AndAppliesNothing) {
  World w(Only("internal_error"), FaultsOn());
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_FALSE(put.ok());
  EXPECT_TRUE(put.status().Is(StatusCode::kInternal));
  EXPECT_EQ(put.status().reason(), "InternalServerError");
  EXPECT_EQ(w.aks.pool_count(), 0u);
}

TEST(CloudFaultPointsTest, ResponseLostAppliesThePutButAnswersGatewayTimeout) {
  World w(Only("response_lost"), FaultsOn());
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_FALSE(put.ok());
  EXPECT_TRUE(put.status().Is(StatusCode::kTimeout));
  EXPECT_EQ(put.status().reason(), "GatewayTimeout");
  EXPECT_EQ(w.aks.pool_count(), 1u) << "the write was applied";
  // The retry a provisioner makes sees the create in progress - the message it waits on.
  auto retry = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  EXPECT_EQ(retry.status().reason(), "OperationNotAllowed");
  EXPECT_NE(retry.status().message().find("in progress create node pool operation"),
            std::string::npos);
  auto del = w.aks.DeleteAgentPool("gpu1");
  EXPECT_EQ(del.status().reason(), "GatewayTimeout");
  EXPECT_EQ((*w.aks.GetAgentPool("gpu1"))["properties"]["provisioningState"], "Deleting");
}

TEST(CloudFaultPointsTest, AllocationFailedFailsTheOperationAsync) {
  World w(Only("allocation_failed"), FaultsOn());
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(w.RunUntilDone(put->operation_id), OperationState::kFailed);
  EXPECT_EQ(w.aks.GetOperation(put->operation_id)->error.reason(), "AllocationFailed");
  Json zonal = PoolBody(kA100);
  zonal["properties"]["availabilityZones"] = Json::array({"1"});
  auto z = w.aks.PutAgentPool("gpu2", zonal);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(w.RunUntilDone(z->operation_id), OperationState::kFailed);
  EXPECT_EQ(w.aks.GetOperation(z->operation_id)->error.reason(), "ZonalAllocationFailed");
  EXPECT_TRUE(w.observer.events.empty());
}

TEST(CloudFaultPointsTest, SlowBootMultipliesTheBootDelayBySlowBootFactor) {
  auto boot_delay = [](bool slow) {
    World w(Only(slow ? "slow_boot" : ""), FaultsOn(3));
    auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
    KT_CHECK(put.ok()) << put.status().ToString();
    const Time start = w.env.Now();
    w.RunUntilDone(put->operation_id, std::chrono::hours(10));
    return w.env.Now() - start;
  };
  const Duration normal = boot_delay(false);
  const Duration slow = boot_delay(true);
  EXPECT_EQ(slow, normal * 4) << "slow_boot_factor defaults to 4";
}

TEST(CloudFaultPointsTest, SpotEvictEvictsABootedSpotVmLater) {
  World w(Only("spot_evict"), FaultsOn());
  Json spot = PoolBody(kA100);
  spot["properties"]["scaleSetPriority"] = "Spot";
  auto put = w.aks.PutAgentPool("spot1", spot);
  ASSERT_TRUE(put.ok());
  EXPECT_TRUE(
      w.env.RunUntil([&] { return w.observer.Count("evicted") == 1; }, std::chrono::hours(48)));
  ASSERT_EQ(w.observer.Count("booted"), 1);
  EXPECT_GT(w.observer.events[1].at, w.observer.events[0].at);
}

TEST(CloudFaultPointsTest, FaultPointsAreInertUnderRealEnv) {
  RealEnv env;
  FakeAks aks(env, TestCatalog(),
              TestConfig("faults: {throttle: 1, internal_error: 1, response_lost: 1, "
                         "allocation_failed: 1, slow_boot: 1, spot_evict: 1}"));
  auto put = aks.PutAgentPool("gpu1", PoolBody(kA100));
  EXPECT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_TRUE(aks.GetAgentPool("gpu1").ok());
}

}  // namespace
}  // namespace kt::sim::cloud
