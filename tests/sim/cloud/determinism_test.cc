// The fake AKS is a pure function of (calls, seed): the same sequence of ARM calls run twice
// with one seed gives the same trace digest, with faults on or off; another seed gives a
// different trace. Rerun a seed with --gtest_filter and the printed seed.
#include <cstdio>

#include <gtest/gtest.h>

#include "base/json.h"
#include "cloud_test_util.h"
#include "sim/cloud/in_process_agent_pool_client.h"

namespace kt::sim::cloud {
namespace {

using testing::PoolBody;
using testing::World;

std::string RunScenario(uint64_t seed, bool faults) {
  std::printf("seed=%llu faults=%d\n", static_cast<unsigned long long>(seed), faults ? 1 : 0);
  SimEnv::Options o;
  o.seed = seed;
  o.faults_enabled = faults;
  o.site_enable_probability = 0.5;
  World w("timing: {spot_eviction_mean_s: 3600}", o);
  InProcessAgentPoolClient client(w.aks);
  const char* skus[] = {"Standard_NC24ads_A100_v4", "Standard_NC40ads_H100_v5", "Standard_D4s_v3"};
  for (int i = 0; i < 6; ++i) {
    Json body = PoolBody(skus[i % 3], 1 + i % 2);
    if (i == 4) body["properties"]["scaleSetPriority"] = "Spot";
    // Errors are part of the run (faults); the trace records them.
    (void)client.BeginCreateOrUpdate("pool" + std::to_string(i), body);
    w.env.RunFor(std::chrono::minutes(2));
  }
  w.env.RunFor(std::chrono::minutes(30));
  for (int i = 0; i < 6; i += 2) {
    (void)client.BeginDelete("pool" + std::to_string(i));
    w.env.RunFor(std::chrono::seconds(45));
  }
  w.env.RunFor(std::chrono::hours(2));
  Json costs = w.aks.Costs().ToJson();
  w.env.trace().Record(w.env.Now(), "test.costs", costs);
  return w.env.trace().Digest();
}

TEST(CloudDeterminismTest, SameSeedSameDigestWithoutFaults) {
  EXPECT_EQ(RunScenario(42, false), RunScenario(42, false));
}

TEST(CloudDeterminismTest, SameSeedSameDigestWithFaults) {
  EXPECT_EQ(RunScenario(42, true), RunScenario(42, true));
}

TEST(CloudDeterminismTest, DifferentSeedDifferentTrace) {
  EXPECT_NE(RunScenario(42, false), RunScenario(43, false));
  EXPECT_NE(RunScenario(42, true), RunScenario(43, true));
}

}  // namespace
}  // namespace kt::sim::cloud
