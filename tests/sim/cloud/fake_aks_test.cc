// FakeAks under SimEnv, behaviour by behaviour: long-running operations and provisioning
// states, seeded boot delays, quota accounting (and its release), capacity per zone, SKU
// availability, the OperationNotAllowed conflicts AKS returns, delete semantics (cancel a
// running create, 204 for a missing pool), scale up/down, ARM request budgets with
// Retry-After, Spot eviction, cost, and the VmObserver contract.
#include "sim/cloud/fake_aks.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "cloud_test_util.h"
#include "sim/cloud/in_process_agent_pool_client.h"

namespace kt::sim::cloud {
namespace {

using testing::PoolBody;
using testing::World;

constexpr const char* kA100 = "Standard_NC24ads_A100_v4";

std::string StateOf(FakeAks& aks, const std::string& pool) {
  auto p = aks.GetAgentPool(pool);
  if (!p.ok()) return std::string(p.status().reason());
  return (*p)["properties"]["provisioningState"].get<std::string>();
}

TEST(FakeAksTest, CreateGoesCreatingThenSucceededAfterTheBootDelay) {
  World w;
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_TRUE(put->created);
  EXPECT_NE(put->pool_json.find("\"provisioningState\":\"Creating\""), std::string::npos);
  EXPECT_EQ(StateOf(w.aks, "gpu1"), "Creating");
  auto op = w.aks.GetOperation(put->operation_id);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->state, OperationState::kInProgress);
  EXPECT_EQ(op->kind, OperationKind::kCreate);

  const Time start = w.env.Now();
  EXPECT_EQ(w.RunUntilDone(put->operation_id), OperationState::kSucceeded);
  EXPECT_EQ(StateOf(w.aks, "gpu1"), "Succeeded");
  const Duration took = w.env.Now() - start;
  // The A100 size boots in [150 s, 1800 s] around a 6-minute median.
  EXPECT_GE(took, std::chrono::seconds(150));
  EXPECT_LE(took, std::chrono::seconds(1800));
  op = w.aks.GetOperation(put->operation_id);
  ASSERT_TRUE(op->end_time.has_value());
  EXPECT_EQ(*op->end_time, w.env.Now());
  Json status = op->ToJson("/ops/");
  EXPECT_EQ(status["status"], "Succeeded");
  EXPECT_EQ(status["name"], put->operation_id);
  EXPECT_TRUE(status.contains("startTime"));
  EXPECT_TRUE(status.contains("endTime"));
}

TEST(FakeAksTest, OperationSucceedsOnlyAfterEveryVmBooted) {
  World w;
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100, 3));
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(w.RunUntilDone(put->operation_id), OperationState::kSucceeded);
  ASSERT_EQ(w.observer.Count("booted"), 3);
  auto op = w.aks.GetOperation(put->operation_id);
  Time last_boot = w.observer.events[0].at;
  for (const auto& e : w.observer.events) last_boot = std::max(last_boot, e.at);
  EXPECT_EQ(*op->end_time, last_boot);
  // Three distinct VMs with VMSS instance ids 0..2.
  EXPECT_EQ(w.observer.events[0].vm.scale_set, w.observer.events[1].vm.scale_set);
  std::set<int> ids;
  for (const auto& e : w.observer.events) ids.insert(e.vm.instance_id);
  EXPECT_EQ(ids, (std::set<int>{0, 1, 2}));
}

TEST(FakeAksTest, BootDelaysAreAFunctionOfTheSeed) {
  auto boot_times = [](uint64_t seed) {
    World w("", SimEnv::Options{.seed = seed});
    auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100, 4));
    KT_CHECK(put.ok());
    w.RunUntilDone(put->operation_id);
    std::vector<int64_t> t;
    for (const auto& e : w.observer.events) t.push_back(ToUnixNanos(e.at));
    return t;
  };
  SCOPED_TRACE("seeds 7 and 8");
  EXPECT_EQ(boot_times(7), boot_times(7));
  EXPECT_NE(boot_times(7), boot_times(8));
}

TEST(FakeAksTest, DelayScaleZeroMakesProvisioningInstant) {
  World w("timing: {delay_scale: 0}");
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(put.ok());
  const Time start = w.env.Now();
  EXPECT_EQ(w.RunUntilDone(put->operation_id), OperationState::kSucceeded);
  EXPECT_EQ(w.env.Now(), start);
}

TEST(FakeAksTest, QuotaExceededNamesTheFamilyLimitUsageAndRequirement) {
  World w("quota: {families: {standardNCADSA100v4Family: 48}}");
  auto first = w.aks.PutAgentPool("gpu1", PoolBody(kA100, 1));  // 24 of 48 vCPUs
  ASSERT_TRUE(first.ok());
  auto second = w.aks.PutAgentPool("gpu2", PoolBody(kA100, 2));  // needs 48 more
  ASSERT_FALSE(second.ok());
  const Status& s = second.status();
  EXPECT_TRUE(s.Is(StatusCode::kQuotaExceeded));
  EXPECT_EQ(s.reason(), "QuotaExceeded");
  EXPECT_NE(s.message().find("Operation could not be completed as it results in exceeding "
                             "approved standardNCADSA100v4Family Cores quota"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("Location: eastus, Current Limit: 48, Current Usage: 24, "
                             "Additional Required: 48, (Minimum) New Limit Required: 72"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(w.aks.pool_count(), 1u);  // nothing was created
}

TEST(FakeAksTest, QuotaIsFreedWhenAPoolIsDeleted) {
  World w("quota: {families: {standardNCADSA100v4Family: 24}}");
  auto first = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(w.RunUntilDone(first->operation_id), OperationState::kSucceeded);
  EXPECT_EQ(w.aks.PutAgentPool("gpu2", PoolBody(kA100)).status().reason(), "QuotaExceeded");
  auto del = w.aks.DeleteAgentPool("gpu1");
  ASSERT_TRUE(del.ok());
  // Still held while the pool is Deleting.
  EXPECT_EQ(w.aks.PutAgentPool("gpu2", PoolBody(kA100)).status().reason(), "QuotaExceeded");
  ASSERT_EQ(w.RunUntilDone(del->operation_id), OperationState::kSucceeded);
  auto again = w.aks.PutAgentPool("gpu2", PoolBody(kA100));
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST(FakeAksTest, RegionalAndSpotQuotasAreSeparateBuckets) {
  World w("quota: {regional_vcpus: 30, low_priority_vcpus: 24}");
  ASSERT_TRUE(w.aks.PutAgentPool("gpu1", PoolBody(kA100)).ok());  // 24 of 30 regional
  Status regional = w.aks.PutAgentPool("cpu1", PoolBody("Standard_D8s_v3")).status();
  EXPECT_NE(regional.message().find("exceeding approved Total Regional Cores quota"),
            std::string::npos)
      << regional.message();
  Json spot = PoolBody(kA100);
  spot["properties"]["scaleSetPriority"] = "Spot";
  ASSERT_TRUE(w.aks.PutAgentPool("spot1", spot).ok());  // low-priority bucket, not regional
  Status low = w.aks.PutAgentPool("spot2", spot).status();
  EXPECT_NE(low.message().find("exceeding approved Low Priority Cores quota"), std::string::npos)
      << low.message();
  bool saw_low = false;
  for (const QuotaUsage& u : w.aks.QuotaUsages()) {
    if (u.name == "lowPriorityCores") {
      saw_low = true;
      EXPECT_EQ(u.current_vcpus, 24);
      EXPECT_EQ(u.limit_vcpus, 24);
    }
    if (u.name == "standardNCADSA100v4Family") {
      EXPECT_EQ(u.current_vcpus, 24);
    }
  }
  EXPECT_TRUE(saw_low);
}

TEST(FakeAksTest, ZonalCapacityExhaustionFailsTheOperationWithZonalAllocationFailed) {
  World w(R"(capacity: {skus: {Standard_NC24ads_A100_v4: {"1": 1, "2": 0, "3": 5}}})");
  Json zonal = PoolBody(kA100, 1);
  zonal["properties"]["availabilityZones"] = Json::array({"1"});
  auto ok = w.aks.PutAgentPool("z1a", zonal);
  ASSERT_TRUE(ok.ok());
  auto full = w.aks.PutAgentPool("z1b", zonal);
  ASSERT_TRUE(full.ok()) << "capacity failures surface on the operation, not the PUT";
  EXPECT_EQ(w.RunUntilDone(full->operation_id), OperationState::kFailed);
  auto op = w.aks.GetOperation(full->operation_id);
  EXPECT_EQ(op->error.reason(), "ZonalAllocationFailed");
  EXPECT_NE(op->error.message().find("sufficient capacity for the requested VM size in this zone"),
            std::string::npos);
  EXPECT_EQ(StateOf(w.aks, "z1b"), "Failed");
  EXPECT_EQ(w.RunUntilDone(ok->operation_id), OperationState::kSucceeded);
  // Failed allocations hold no quota and no VMs.
  EXPECT_EQ(w.aks.Vms().size(), 1u);
}

TEST(FakeAksTest, RegionalPoolsUseAnyZoneAndFailWithAllocationFailedWhenAllAreFull) {
  World w(R"(capacity: {skus: {Standard_NC24ads_A100_v4: {"1": 1, "2": 1, "3": 0}}})");
  auto two = w.aks.PutAgentPool("gpu1", PoolBody(kA100, 2));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(w.RunUntilDone(two->operation_id), OperationState::kSucceeded);
  for (const VmInfo& vm : w.aks.Vms()) {
    EXPECT_EQ(vm.zone, "");  // a regional pool's VMs report no zone
    EXPECT_EQ(vm.labels.at("topology.kubernetes.io/zone"), "0");
  }
  auto third = w.aks.PutAgentPool("gpu2", PoolBody(kA100, 1));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(w.RunUntilDone(third->operation_id), OperationState::kFailed);
  EXPECT_EQ(w.aks.GetOperation(third->operation_id)->error.reason(), "AllocationFailed");
}

TEST(FakeAksTest, ZonalPoolsSpreadVmsRoundRobinOverTheirZones) {
  World w;
  Json body = PoolBody(kA100, 4);
  body["properties"]["availabilityZones"] = Json::array({"1", "2"});
  auto put = w.aks.PutAgentPool("gpu1", body);
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(w.RunUntilDone(put->operation_id), OperationState::kSucceeded);
  std::map<std::string, int> per_zone;
  for (const VmInfo& vm : w.aks.Vms()) {
    ++per_zone[vm.zone];
    EXPECT_EQ(vm.labels.at("topology.kubernetes.io/zone"), "eastus-" + vm.zone);
  }
  EXPECT_EQ(per_zone, (std::map<std::string, int>{{"1", 2}, {"2", 2}}));
}

TEST(FakeAksTest, UnavailableSkuIsRejectedWithSkuNotAvailable) {
  World w(R"(availability: {unavailable_skus: [Standard_ND96isr_H200_v5],
                            unavailable_zones: {Standard_NC24ads_A100_v4: ["3"]}})");
  Status s = w.aks.PutAgentPool("h200", PoolBody("Standard_ND96isr_H200_v5")).status();
  EXPECT_EQ(s.reason(), "SkuNotAvailable");
  EXPECT_EQ(s.code(), StatusCode::kBadRequest);
  EXPECT_NE(s.message().find("Following SKUs have failed for Capacity Restrictions: "
                             "Standard_ND96isr_H200_v5' is currently not available in location "
                             "'eastus'"),
            std::string::npos)
      << s.message();
  Json zone3 = PoolBody(kA100);
  zone3["properties"]["availabilityZones"] = Json::array({"3"});
  Status z = w.aks.PutAgentPool("a100", zone3).status();
  EXPECT_EQ(z.reason(), "SkuNotAvailable");
  EXPECT_NE(z.message().find("zones '3'"), std::string::npos) << z.message();
  EXPECT_TRUE(w.aks.PutAgentPool("a100", PoolBody(kA100)).ok());  // zones 1 and 2 still offer it
}

TEST(FakeAksTest, PutWhileCreatingReturnsTheInProgressCreateMessageTheProvisionerWaitsOn) {
  World w;
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(put.ok());
  w.env.RunFor(std::chrono::seconds(30));
  auto again = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().reason(), "OperationNotAllowed");
  EXPECT_TRUE(again.status().Is(StatusCode::kConflict));
  // gpu-provisioner's pkg/providers/instance matches exactly this text (PR #186).
  EXPECT_NE(again.status().message().find(
                "Operation is not allowed because there's an in progress create node pool "
                "operation"),
            std::string::npos)
      << again.status().message();
  EXPECT_NE(again.status().message().find("2026-01-01T00:00:00Z"), std::string::npos);
}

TEST(FakeAksTest, PutWhileDeletingReturnsAnotherOperationInProgress) {
  World w;
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(put.ok());
  w.RunUntilDone(put->operation_id);
  ASSERT_TRUE(w.aks.DeleteAgentPool("gpu1").ok());
  Status s = w.aks.PutAgentPool("gpu1", PoolBody(kA100)).status();
  EXPECT_EQ(s.reason(), "OperationNotAllowed");
  EXPECT_NE(s.message().find("Another agentpool operation (gpu1 - Deleting) is in progress"),
            std::string::npos)
      << s.message();
}

TEST(FakeAksTest, ChangingAnImmutablePropertyIsPropertyChangeNotAllowed) {
  World w("timing: {delay_scale: 0}");
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(put.ok());
  w.RunUntilDone(put->operation_id);
  Status s = w.aks.PutAgentPool("gpu1", PoolBody("Standard_NC48ads_A100_v4")).status();
  EXPECT_EQ(s.reason(), "PropertyChangeNotAllowed");
  EXPECT_NE(s.message().find("'vmSize'"), std::string::npos);
}

TEST(FakeAksTest, ScaleUpAndDownThroughUpdatingAndNotifyDeletedVms) {
  World w("timing: {delay_scale: 0}");
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100, 1));
  ASSERT_TRUE(put.ok());
  w.RunUntilDone(put->operation_id);
  auto up = w.aks.PutAgentPool("gpu1", PoolBody(kA100, 3));
  ASSERT_TRUE(up.ok());
  EXPECT_FALSE(up->created);
  EXPECT_NE(up->pool_json.find("\"provisioningState\":\"Updating\""), std::string::npos);
  EXPECT_EQ(w.aks.GetOperation(up->operation_id)->kind, OperationKind::kUpdate);
  EXPECT_EQ(w.RunUntilDone(up->operation_id), OperationState::kSucceeded);
  EXPECT_EQ(w.aks.Vms().size(), 3u);
  auto down = w.aks.PutAgentPool("gpu1", PoolBody(kA100, 1));
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(w.RunUntilDone(down->operation_id), OperationState::kSucceeded);
  ASSERT_EQ(w.aks.Vms().size(), 1u);
  EXPECT_EQ(w.aks.Vms()[0].instance_id, 0);  // the newest instances go first
  EXPECT_EQ(w.observer.Count("deleted"), 2);
  EXPECT_EQ(StateOf(w.aks, "gpu1"), "Succeeded");
}

TEST(FakeAksTest, DeleteGoesDeletingThenRemovesThePoolAndItsVms) {
  World w;
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100, 2));
  ASSERT_TRUE(put.ok());
  w.RunUntilDone(put->operation_id);
  auto del = w.aks.DeleteAgentPool("gpu1");
  ASSERT_TRUE(del.ok());
  EXPECT_TRUE(del->existed);
  EXPECT_EQ(StateOf(w.aks, "gpu1"), "Deleting");
  EXPECT_EQ(w.aks.GetOperation(del->operation_id)->kind, OperationKind::kDelete);
  // A second DELETE while deleting reports the same operation (ARM DELETE is idempotent).
  auto again = w.aks.DeleteAgentPool("gpu1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->operation_id, del->operation_id);
  EXPECT_EQ(w.RunUntilDone(del->operation_id), OperationState::kSucceeded);
  auto gone = w.aks.GetAgentPool("gpu1");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().reason(), "NotFound");
  EXPECT_TRUE(gone.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(w.observer.Count("deleted"), 2);
  EXPECT_TRUE(w.aks.Vms().empty());
}

TEST(FakeAksTest, DeleteOfAMissingPoolHasNothingToWaitFor) {
  World w;
  auto del = w.aks.DeleteAgentPool("nosuch");
  ASSERT_TRUE(del.ok());
  EXPECT_FALSE(del->existed);
  EXPECT_EQ(del->operation_id, "");
  InProcessAgentPoolClient client(w.aks);
  auto op = client.BeginDelete("nosuch");
  ASSERT_TRUE(op.ok());
  auto polled = client.Poll(*op);
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(polled->state, api::OperationStatus::State::kSucceeded);
}

TEST(FakeAksTest, DeleteDuringCreateCancelsTheCreateAndDropsUnbootedVmsSilently) {
  World w;
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(put.ok());
  w.env.RunFor(std::chrono::seconds(60));  // still booting
  auto del = w.aks.DeleteAgentPool("gpu1");
  ASSERT_TRUE(del.ok());
  auto create = w.aks.GetOperation(put->operation_id);
  EXPECT_EQ(create->state, OperationState::kCanceled);
  EXPECT_EQ(create->error.reason(), "OperationCanceled");
  EXPECT_NE(create->error.message().find("canceled by a later operation " + del->operation_id),
            std::string::npos);
  EXPECT_EQ(w.RunUntilDone(del->operation_id), OperationState::kSucceeded);
  w.env.RunFor(std::chrono::hours(1));
  EXPECT_TRUE(w.observer.events.empty()) << "a VM that never booted is never reported";
  EXPECT_EQ(w.aks.pool_count(), 0u);
}

TEST(FakeAksTest, PutOnAFailedPoolRetriesTheAllocation) {
  World w(R"(timing: {delay_scale: 0}
capacity: {skus: {Standard_NC24ads_A100_v4: {"1": 0, "2": 0, "3": 0}}})");
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(w.RunUntilDone(put->operation_id), OperationState::kFailed);
  w.aks.UpdateFaultPlan([](FaultPlan& plan) { plan.capacity.clear(); });
  auto retry = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(w.RunUntilDone(retry->operation_id), OperationState::kSucceeded);
  EXPECT_EQ(StateOf(w.aks, "gpu1"), "Succeeded");
}

TEST(FakeAksTest, WriteBudgetExhaustionIsA429WithRetryAfterUntilTheHourEnds) {
  World w("arm: {writes_per_hour: 2}\ntiming: {delay_scale: 0}");
  ASSERT_TRUE(w.aks.PutAgentPool("a", PoolBody("Standard_D4s_v3")).ok());
  ASSERT_TRUE(w.aks.PutAgentPool("b", PoolBody("Standard_D4s_v3")).ok());
  w.env.RunFor(std::chrono::minutes(10));
  Status s = w.aks.PutAgentPool("c", PoolBody("Standard_D4s_v3")).status();
  EXPECT_TRUE(s.Is(StatusCode::kTooManyRequests));
  EXPECT_EQ(s.reason(), "SubscriptionRequestsThrottled");
  EXPECT_EQ(s.retry_after_seconds(), 50 * 60);  // the window started at 00:00
  EXPECT_NE(s.message().find("Please try again after '3000' seconds"), std::string::npos);
  EXPECT_TRUE(w.aks.GetAgentPool("a").ok()) << "reads have their own budget";
  w.env.RunFor(std::chrono::minutes(50));
  EXPECT_TRUE(w.aks.PutAgentPool("c", PoolBody("Standard_D4s_v3")).ok());
}

TEST(FakeAksTest, ScriptedErrorsFailTheNextRequestsOfTheirKindAndApplyNothing) {
  World w(R"(scripted_errors:
- {op: put, code: InternalServerError, count: 2}
- {op: get, code: TooManyRequests, count: 1}
- {op: delete, code: GatewayTimeout})");
  for (int i = 0; i < 2; ++i) {
    Status s = w.aks.PutAgentPool("gpu1", PoolBody(kA100)).status();
    EXPECT_TRUE(s.Is(StatusCode::kInternal));
    EXPECT_EQ(s.reason(), "InternalServerError");
  }
  EXPECT_EQ(w.aks.pool_count(), 0u);
  ASSERT_TRUE(w.aks.PutAgentPool("gpu1", PoolBody(kA100)).ok());
  Status get = w.aks.GetAgentPool("gpu1").status();
  EXPECT_EQ(get.reason(), "TooManyRequests");
  EXPECT_EQ(get.retry_after_seconds(), 17);
  EXPECT_TRUE(w.aks.GetAgentPool("gpu1").ok());
  EXPECT_EQ(w.aks.DeleteAgentPool("gpu1").status().reason(), "GatewayTimeout");
  EXPECT_EQ((*w.aks.GetAgentPool("gpu1"))["properties"]["provisioningState"], "Creating");
  // A scenario can script more failures while it runs.
  w.aks.UpdateFaultPlan([](FaultPlan& p) {
    p.scripted_errors.push_back({"any", "InternalServerError", 1});
  });
  EXPECT_EQ(w.aks.ListAgentPools().status().reason(), "InternalServerError");
  EXPECT_TRUE(w.aks.ListAgentPools().ok());
}

TEST(FakeAksTest, ExplicitSpotEvictionRemovesTheVmAndFreesLowPriorityQuota) {
  World w("timing: {delay_scale: 0}");
  Json spot = PoolBody(kA100);
  spot["properties"]["scaleSetPriority"] = "Spot";
  auto put = w.aks.PutAgentPool("spot1", spot);
  ASSERT_TRUE(put.ok());
  w.RunUntilDone(put->operation_id);
  ASSERT_EQ(w.aks.Vms().size(), 1u);
  const VmInfo vm = w.aks.Vms()[0];
  EXPECT_TRUE(vm.spot);
  EXPECT_EQ(vm.labels.at("kubernetes.azure.com/scalesetpriority"), "spot");
  ASSERT_TRUE(w.aks.EvictSpotVm(vm.vm_name).ok());
  EXPECT_EQ(w.observer.Count("evicted"), 1);
  EXPECT_EQ(w.observer.Count("deleted"), 0);
  EXPECT_TRUE(w.aks.Vms().empty());
  for (const QuotaUsage& u : w.aks.QuotaUsages()) {
    if (u.name == "lowPriorityCores") {
      EXPECT_EQ(u.current_vcpus, 0);
    }
  }
  EXPECT_TRUE(w.aks.EvictSpotVm(vm.vm_name).Is(StatusCode::kNotFound));
}

TEST(FakeAksTest, RegularVmsCannotBeEvicted) {
  World w("timing: {delay_scale: 0}");
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  w.RunUntilDone(put->operation_id);
  EXPECT_TRUE(w.aks.EvictSpotVm(w.aks.Vms()[0].vm_name).Is(StatusCode::kBadRequest));
}

TEST(FakeAksTest, ConfiguredSpotEvictionRateEvictsEveryVmEventually) {
  World w("timing: {spot_eviction_mean_s: 600}");
  Json spot = PoolBody(kA100, 3);
  spot["properties"]["scaleSetPriority"] = "Spot";
  auto put = w.aks.PutAgentPool("spot1", spot);
  ASSERT_TRUE(put.ok());
  w.env.RunUntil([&] { return w.observer.Count("evicted") == 3; }, std::chrono::hours(24));
  EXPECT_EQ(w.observer.Count("booted"), 3);
  EXPECT_EQ(w.observer.Count("evicted"), 3);
}

TEST(FakeAksTest, CostIsPriceTimesVmHoursFromAllocationToDeletion) {
  World w("timing: {delay_scale: 0}");
  auto put = w.aks.PutAgentPool("gpu1", PoolBody("Standard_NC48ads_A100_v4", 2));  // 2 GPUs each
  ASSERT_TRUE(put.ok());
  w.env.RunFor(std::chrono::hours(3));
  CostReport running = w.aks.Costs();
  ASSERT_EQ(running.pools.size(), 1u);
  EXPECT_EQ(running.pools[0].vms_running, 2);
  EXPECT_DOUBLE_EQ(running.pools[0].vm_hours, 6.0);
  EXPECT_DOUBLE_EQ(running.pools[0].gpu_hours, 12.0);
  EXPECT_NEAR(running.usd, 6.0 * 7.346, 1e-9);
  auto del = w.aks.DeleteAgentPool("gpu1");
  ASSERT_TRUE(del.ok());
  w.RunUntilDone(del->operation_id);
  w.env.RunFor(std::chrono::hours(5));  // deleted: no more cost
  CostReport after = w.aks.Costs();
  EXPECT_EQ(after.pools[0].vms_running, 0);
  EXPECT_DOUBLE_EQ(after.gpu_hours, 12.0);
  Json report = after.ToJson();
  EXPECT_EQ(report["pools"][0]["sku"], "Standard_NC48ads_A100_v4");
  EXPECT_DOUBLE_EQ(report["gpuHours"].get<double>(), 12.0);
}

TEST(FakeAksTest, SpotVmsCostTheConfiguredFractionOfTheListPrice) {
  World w("timing: {delay_scale: 0}\nspot_price_fraction: 0.25");
  Json spot = PoolBody(kA100);
  spot["properties"]["scaleSetPriority"] = "Spot";
  ASSERT_TRUE(w.aks.PutAgentPool("spot1", spot).ok());
  w.env.RunFor(std::chrono::hours(4));
  CostReport r = w.aks.Costs();
  ASSERT_EQ(r.pools.size(), 1u);
  EXPECT_TRUE(r.pools[0].spot);
  EXPECT_NEAR(r.usd, 4.0 * 3.673 * 0.25, 1e-9);
}

TEST(FakeAksTest, BootedVmsDescribeTheNodeAksRegisters) {
  World w("timing: {delay_scale: 0}");
  Json body = PoolBody(kA100);
  body["properties"]["availabilityZones"] = Json::array({"2"});
  auto put = w.aks.PutAgentPool("gpu1", body);
  ASSERT_TRUE(put.ok());
  w.RunUntilDone(put->operation_id);
  ASSERT_EQ(w.observer.Count("booted"), 1);
  const VmInfo& vm = w.observer.events[0].vm;
  EXPECT_TRUE(vm.vm_name.starts_with("aks-gpu1-"));
  EXPECT_TRUE(vm.vm_name.ends_with("-vmss000000"));
  EXPECT_EQ(vm.provider_id,
            "azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
            "mc_kaito-rg_kaito-twin_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/" +
                vm.scale_set + "/virtualMachines/0");
  EXPECT_EQ(vm.internal_ip, "10.224.0.4");
  const auto& l = vm.labels;
  EXPECT_EQ(l.at("agentpool"), "gpu1");
  EXPECT_EQ(l.at("kubernetes.azure.com/agentpool"), "gpu1");
  EXPECT_EQ(l.at("node.kubernetes.io/instance-type"), kA100);
  EXPECT_EQ(l.at("beta.kubernetes.io/instance-type"), kA100);
  EXPECT_EQ(l.at("topology.kubernetes.io/region"), "eastus");
  EXPECT_EQ(l.at("topology.kubernetes.io/zone"), "eastus-2");
  EXPECT_EQ(l.at("kubernetes.io/os"), "linux");
  EXPECT_EQ(l.at("kubernetes.io/arch"), "amd64");
  EXPECT_EQ(l.at("kubernetes.io/hostname"), vm.vm_name);
  EXPECT_EQ(l.at("kubernetes.azure.com/cluster"), "MC_kaito-rg_kaito-twin_eastus");
  EXPECT_EQ(l.at("kubernetes.azure.com/accelerator"), "nvidia");
  EXPECT_EQ(l.at("kaito.sh/workspace"), "ws1");  // the pool's nodeLabels
  ASSERT_EQ(vm.taints.size(), 1u);
  EXPECT_EQ(vm.taints[0].key, "sku");
  EXPECT_EQ(vm.capacity.at("cpu"), "24");
  EXPECT_EQ(vm.capacity.at("memory"), std::to_string(220LL * 1024 * 1024) + "Ki");
  EXPECT_EQ(vm.capacity.at("ephemeral-storage"), std::to_string(300LL * 1024 * 1024) + "Ki");
  EXPECT_EQ(vm.capacity.at("pods"), "110");
  EXPECT_EQ(vm.capacity.count("nvidia.com/gpu"), 0u) << "the device plugin publishes GPUs later";
  EXPECT_EQ(vm.allocatable.at("cpu"), "23660m");  // 24 cores - 340m (16: 260m .. 32: 420m)
  EXPECT_EQ(vm.gpu_count, 1);
  EXPECT_EQ(vm.gpu_memory_gib_per_gpu, 80);
  EXPECT_EQ(vm.kubelet_version, "v1.30.6");
  EXPECT_EQ(vm.machine_id.size(), 32u);
}

TEST(FakeAksTest, ObserverMayCallBackIntoFakeAks) {
  World w("timing: {delay_scale: 0}");
  struct Reentrant : VmObserver {
    FakeAks* aks;
    int seen_pools = -1;
    void VmBooted(const VmInfo&) override {
      seen_pools = static_cast<int>(aks->ListAgentPools()->size());
    }
    void VmDeleted(const VmInfo&) override {}
    void VmEvicted(const VmInfo&) override {}
  } reentrant;
  reentrant.aks = &w.aks;
  w.aks.AddObserver(&reentrant);
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  w.RunUntilDone(put->operation_id);
  EXPECT_EQ(reentrant.seen_pools, 1);
  w.aks.RemoveObserver(&reentrant);
}

TEST(FakeAksTest, TooManyPoolsIsRejected) {
  World w("limits: {agent_pools_max: 2}");
  ASSERT_TRUE(w.aks.PutAgentPool("a", PoolBody("Standard_D4s_v3")).ok());
  ASSERT_TRUE(w.aks.PutAgentPool("b", PoolBody("Standard_D4s_v3")).ok());
  Status s = w.aks.PutAgentPool("c", PoolBody("Standard_D4s_v3")).status();
  EXPECT_EQ(s.reason(), "InvalidParameter");
  EXPECT_NE(s.message().find("maximum of 2"), std::string::npos);
}

TEST(FakeAksTest, FinishedOperationsAreRetainedUpToTheLimit) {
  World w("timing: {delay_scale: 0}\nlimits: {operations_retained_max: 16}");
  std::string first;
  for (int i = 0; i < 20; ++i) {
    auto put = w.aks.PutAgentPool("p", PoolBody("Standard_D4s_v3", i % 2 + 1));
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    if (i == 0) first = put->operation_id;
    w.RunUntilDone(put->operation_id);
  }
  auto old = w.aks.GetOperation(first);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().reason(), "NotFound");
}

TEST(FakeAksTest, EveryStateChangeIsTraced) {
  World w("timing: {delay_scale: 0}");
  const uint64_t before = w.env.trace().lines();
  auto put = w.aks.PutAgentPool("gpu1", PoolBody(kA100));
  w.RunUntilDone(put->operation_id);
  // operation started, pool Creating, VM allocated, VM running, pool Succeeded, op Succeeded.
  EXPECT_EQ(w.env.trace().lines() - before, 6u);
  (void)w.aks.PutAgentPool("BAD", PoolBody(kA100));
  EXPECT_EQ(w.env.trace().lines() - before, 7u);  // the rejection
}

}  // namespace
}  // namespace kt::sim::cloud
