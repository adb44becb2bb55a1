// How the provisioner reads AKS errors and remembers operations:
//   - "in progress create node pool operation" (409) means keep waiting; SkuNotAvailable is
//     insufficient capacity (terminal); 429 is throttling; everything else (QuotaExceeded, 5xx,
//     AllocationFailed) is retriable;
//   - only a missing pool (NotFound / ResourceNotFound) counts as "pool gone", not a missing
//     resource group;
//   - Launched=False messages use gpu-provisioner's and Karpenter's wording;
//   - the operation tracker forgets entries of an older NodeClaim with the same name and refuses
//     new entries beyond its bound.
#include <gtest/gtest.h>

#include "base/status.h"
#include "controllers/provisioner/cloud_errors.h"
#include "controllers/provisioner/operation_tracker.h"

namespace kt::controllers::provisioner {
namespace {

Status Arm(StatusCode code, std::string reason, std::string message) {
  Status s(code, std::move(message));
  s.WithReason(std::move(reason));
  return s;
}

TEST(CloudErrorsTest, CreateInProgressConflictMeansKeepWaiting) {
  Status s = Arm(StatusCode::kConflict, "OperationNotAllowed",
                 std::string(kCreateInProgressText) + " on agent pool ws1. Please try again later.");
  EXPECT_EQ(ClassifyCreateError(s), CreateErrorKind::kCreateInProgress);
  Status other = Arm(StatusCode::kConflict, "OperationNotAllowed",
                     "Another agentpool operation (ws1 - Deleting) is in progress");
  EXPECT_EQ(ClassifyCreateError(other), CreateErrorKind::kRetriable);
}

TEST(CloudErrorsTest, SkuNotAvailableIsInsufficientCapacityAndThrottlingIsItsOwnKind) {
  EXPECT_EQ(ClassifyCreateError(Arm(StatusCode::kBadRequest, "SkuNotAvailable", "no SKU")),
            CreateErrorKind::kInsufficientCapacity);
  Status throttled = Arm(StatusCode::kTooManyRequests, "SubscriptionRequestsThrottled", "slow");
  throttled.WithRetryAfter(17);
  EXPECT_EQ(ClassifyCreateError(throttled), CreateErrorKind::kThrottled);
}

TEST(CloudErrorsTest, QuotaServerAndAllocationErrorsAreRetriable) {
  for (const Status& s : {Arm(StatusCode::kQuotaExceeded, "QuotaExceeded", "quota"),
                          Arm(StatusCode::kInternal, "InternalServerError", "oops"),
                          Arm(StatusCode::kTimeout, "GatewayTimeout", "late"),
                          Arm(StatusCode::kUnavailable, "AllocationFailed", "no capacity")}) {
    EXPECT_EQ(ClassifyCreateError(s), CreateErrorKind::kRetriable) << s.ToString();
  }
}

TEST(CloudErrorsTest, OnlyAMissingPoolIsPoolNotFound) {
  EXPECT_TRUE(IsPoolNotFound(Arm(StatusCode::kNotFound, "NotFound", "no pool")));
  EXPECT_TRUE(IsPoolNotFound(Arm(StatusCode::kNotFound, "ResourceNotFound", "no pool")));
  EXPECT_FALSE(IsPoolNotFound(Arm(StatusCode::kNotFound, "ResourceGroupNotFound", "no rg")));
  EXPECT_FALSE(IsPoolNotFound(Arm(StatusCode::kInternal, "NotFound", "odd")));
}

TEST(CloudErrorsTest, MessagesUseGpuProvisionerAndKarpenterWording) {
  Status s = Arm(StatusCode::kBadRequest, "SkuNotAvailable", "SKU gone");
  EXPECT_EQ(CreateFailedMessage("ws1", s),
            "agentPool.BeginCreateOrUpdate for \"ws1\" failed: SKU gone");
  EXPECT_EQ(InsufficientCapacityMessage("ws1", s),
            "all requested instance types were unavailable during launch: "
            "agentPool.BeginCreateOrUpdate for \"ws1\" failed: SKU gone");
  EXPECT_EQ(ArmCodeOf(s), "SkuNotAvailable");
}

TEST(OperationTrackerTest, EntryOfAnOlderNodeClaimWithTheSameNameIsDropped) {
  OperationTracker t(10);
  ASSERT_TRUE(t.Put("ws1", {TrackedOperation::Kind::kCreate, "uid-1", {"op-1", "ws1"}, false, 0}));
  auto same = t.Get("ws1", "uid-1");
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->op.id, "op-1");
  EXPECT_FALSE(t.Get("ws1", "uid-2").has_value());
  EXPECT_EQ(t.size(), 0u) << "the stale entry was forgotten";
}

TEST(OperationTrackerTest, RefusesNewEntriesBeyondItsBoundButUpdatesExistingOnes) {
  OperationTracker t(2);
  ASSERT_TRUE(t.Put("a", {}));
  ASSERT_TRUE(t.Put("b", {}));
  EXPECT_FALSE(t.Put("c", {}));
  TrackedOperation updated;
  updated.join_attempts = 3;
  EXPECT_TRUE(t.Put("a", updated));
  EXPECT_EQ(t.Get("a", "")->join_attempts, 3);
  t.Forget("b");
  EXPECT_TRUE(t.Put("c", {}));
  EXPECT_EQ(t.size(), 2u);
}

}  // namespace
}  // namespace kt::controllers::provisioner
