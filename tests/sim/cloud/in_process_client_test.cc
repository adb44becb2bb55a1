// InProcessAgentPoolClient maps FakeAks onto api::AgentPoolClient as the provisioner uses it:
// BeginCreateOrUpdate + Poll until Succeeded, Retry-After while in progress, failed operations
// carry the ARM error, and synchronous errors arrive as ARM Statuses.
#include <gtest/gtest.h>

#include "base/json.h"
#include "cloud_test_util.h"
#include "sim/cloud/in_process_agent_pool_client.h"

namespace kt::sim::cloud {
namespace {

using testing::PoolBody;
using testing::World;

TEST(InProcessClientTest, CreatePollUntilSucceededThenGetAndList) {
  World w;
  InProcessAgentPoolClient client(w.aks);
  auto op = client.BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  EXPECT_EQ(op->resource_name, "gpu1");
  auto first = client.Poll(*op);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->state, api::OperationStatus::State::kInProgress);
  EXPECT_EQ(first->retry_after_seconds, 10);
  api::OperationStatus last = *first;
  for (int i = 0; i < 1000 && last.state == api::OperationStatus::State::kInProgress; ++i) {
    w.env.RunFor(std::chrono::seconds(last.retry_after_seconds));
    last = *client.Poll(*op);
  }
  EXPECT_EQ(last.state, api::OperationStatus::State::kSucceeded);
  EXPECT_TRUE(last.error.ok());
  auto pool = client.Get("gpu1");
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ((*pool)["properties"]["provisioningState"], "Succeeded");
  auto list = client.List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST(InProcessClientTest, FailedOperationCarriesTheArmError) {
  World w(R"(timing: {delay_scale: 0}
capacity: {skus: {Standard_NC24ads_A100_v4: {"1": 0, "2": 0, "3": 0}}})");
  InProcessAgentPoolClient client(w.aks);
  auto op = client.BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_TRUE(op.ok());
  w.env.RunUntilIdle();
  auto polled = client.Poll(*op);
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(polled->state, api::OperationStatus::State::kFailed);
  EXPECT_EQ(polled->error.reason(), "AllocationFailed");
  EXPECT_TRUE(polled->error.Is(StatusCode::kUnavailable));
}

TEST(InProcessClientTest, SynchronousErrorsAreArmStatuses) {
  World w("quota: {families: {standardNCADSA100v4Family: 0}}");
  InProcessAgentPoolClient client(w.aks);
  auto op = client.BeginCreateOrUpdate("gpu1", PoolBody("Standard_NC24ads_A100_v4"));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.status().reason(), "QuotaExceeded");
  auto get = client.Get("gpu1");
  EXPECT_EQ(get.status().reason(), "NotFound");
  auto unknown = client.Poll(api::LongRunningOperation{"no-such-op", "gpu1"});
  EXPECT_EQ(unknown.status().reason(), "NotFound");
}

}  // namespace
}  // namespace kt::sim::cloud
