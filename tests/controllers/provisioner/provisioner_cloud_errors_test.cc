// What the provisioner does with each error AKS returns (SimEnv, fake AKS):
//   - QuotaExceeded: Launched=False/LaunchFailed with `agentPool.BeginCreateOrUpdate for "<name>"
//     failed: <ARM message>`, a Warning event, retries with back-off, and Ready once the quota
//     is raised;
//   - SkuNotAvailable: terminal - Launched=False/InsufficientCapacity with "all requested
//     instance types were unavailable during launch", one PUT only, the NodeClaim kept;
//   - throttling (429): the retry waits for Retry-After;
//   - 5xx on create or on polling: retried, one pool in the end;
//   - AllocationFailed reported by the operation: retried on the failed pool until capacity
//     appears.
#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "tests/controllers/provisioner/provisioner_world.h"

namespace kt::controllers::provisioner::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kName = "ws1a2b3c4d5";
constexpr const char* kPrefix = "agentPool.BeginCreateOrUpdate for \"ws1a2b3c4d5\" failed: ";

TEST(ProvisionerCloudErrorsTest, QuotaExceededIsReportedAndRecoversWhenQuotaIsRaised) {
  ProvisionerWorld w(WorldOptions{
      .cloud_overlay = "quota: {families: {standardNCADSA100v4Family: 12}}"});  // needs 24
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Launched", "False"); }, minutes(1)));
  api::Condition launched = w.Cond(kName, "Launched");
  EXPECT_EQ(launched.reason, "LaunchFailed");
  EXPECT_EQ(launched.message.rfind(kPrefix, 0), 0u) << launched.message;
  EXPECT_NE(launched.message.find("standardNCADSA100v4Family Cores quota"), std::string::npos)
      << launched.message;
  EXPECT_NE(launched.message.find("Current Limit: 12"), std::string::npos) << launched.message;
  EXPECT_EQ(w.Cond(kName, "Ready").status, "False");
  EXPECT_EQ(w.PoolCount(), 0u);

  w.Run(minutes(3));
  const int puts_while_failing = w.cloud().puts;
  EXPECT_GE(puts_while_failing, 3) << "retried";
  EXPECT_LE(puts_while_failing, 12) << "with back-off, not in a loop";
  EXPECT_FALSE(w.Events("LaunchFailed").empty());

  w.aks().UpdateFaultPlan(
      [](sim::cloud::FaultPlan& p) { p.family_vcpus["standardNCADSA100v4Family"] = 96; });
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(12)));
  EXPECT_EQ(w.Cond(kName, "Launched").reason, "Launched");
  EXPECT_EQ(w.PoolCount(), 1u);
}

TEST(ProvisionerCloudErrorsTest, SkuNotAvailableIsTerminalAndKept) {
  ProvisionerWorld w(WorldOptions{
      .cloud_overlay = "availability: {unavailable_skus: [Standard_NC24ads_A100_v4]}"});
  w.Create(NodeClaim(kName));
  w.Run(minutes(30));
  ASSERT_TRUE(w.NodeClaim(kName).has_value()) << "kept for Kaito (no registration TTL)";
  api::Condition launched = w.Cond(kName, "Launched");
  EXPECT_EQ(launched.status, "False");
  EXPECT_EQ(launched.reason, "InsufficientCapacity");
  EXPECT_EQ(launched.message.rfind(
                std::string("all requested instance types were unavailable during launch: ") +
                    kPrefix,
                0),
            0u)
      << launched.message;
  EXPECT_NE(launched.message.find("Standard_NC24ads_A100_v4"), std::string::npos);
  EXPECT_EQ(w.cloud().puts, 1) << "terminal: never retried";
  EXPECT_EQ(w.PoolCount(), 0u);
  EXPECT_EQ(w.Events("InsufficientCapacityError").size(), 1u);
}

TEST(ProvisionerCloudErrorsTest, ThrottledCreateIsRetriedAfterRetryAfter) {
  ProvisionerWorld w(WorldOptions{
      .cloud_overlay = "scripted_errors: [{op: put, code: TooManyRequests, count: 3}]"});
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Launched", "False"); }, minutes(1)));
  EXPECT_NE(w.Cond(kName, "Launched").message.find("throttled"), std::string::npos)
      << w.Cond(kName, "Launched").message;
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(20)));
  ASSERT_EQ(w.cloud().puts, 4);
  for (size_t i = 1; i < w.cloud().put_times.size(); ++i) {
    EXPECT_GE(w.cloud().put_times[i] - w.cloud().put_times[i - 1], seconds(17))
        << "Retry-After: 17 honoured before PUT " << i;
  }
  EXPECT_EQ(w.PoolCount(), 1u);
}

TEST(ProvisionerCloudErrorsTest, ServerErrorsOnCreateAndPollAreRetriedToOnePool) {
  ProvisionerWorld w(WorldOptions{.cloud_overlay = R"(
scripted_errors:
- {op: put, code: InternalServerError, count: 2}
- {op: poll, code: GatewayTimeout, count: 3}
)"});
  w.Create(NodeClaim(kName));
  bool saw_failure = false;
  ASSERT_TRUE(w.RunUntil(
      [&] {
        saw_failure |= w.Cond(kName, "Launched").reason == "LaunchFailed";
        return w.CondIs(kName, "Ready", "True");
      },
      minutes(20)));
  EXPECT_TRUE(saw_failure) << "the 500s were reported while they lasted";
  EXPECT_EQ(w.cloud().puts, 3) << "two 500s, then the create; poll errors do not re-create";
  EXPECT_EQ(w.PoolCount(), 1u);
}

TEST(ProvisionerCloudErrorsTest, AllocationFailureFromTheOperationIsRetriedUntilCapacityAppears) {
  ProvisionerWorld w(WorldOptions{.cloud_overlay = R"(
capacity: {skus: {Standard_NC24ads_A100_v4: {"1": 0, "2": 0, "3": 0}}}
)"});
  w.Create(NodeClaim(kName));
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Launched", "False"); }, minutes(5)));
  EXPECT_EQ(w.Cond(kName, "Launched").reason, "LaunchFailed");
  EXPECT_NE(w.Cond(kName, "Launched").message.find(kPrefix), std::string::npos);
  EXPECT_EQ(w.PoolState(kName), "Failed");

  w.aks().UpdateFaultPlan([](sim::cloud::FaultPlan& p) { p.capacity.clear(); });
  ASSERT_TRUE(w.RunUntil([&] { return w.CondIs(kName, "Ready", "True"); }, minutes(14)));
  EXPECT_EQ(w.PoolCount(), 1u);
  EXPECT_GE(w.cloud().puts, 2);
}

}  // namespace
}  // namespace kt::controllers::provisioner::testing
