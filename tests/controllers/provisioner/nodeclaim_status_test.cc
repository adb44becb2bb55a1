// The NodeClaim's conditions as Karpenter keeps them: initialized Unknown/AwaitingReconciliation,
// True with the type as reason, False/Unknown with the given reason and message, Ready derived
// from Launched/Registered/Initialized (UnhealthyDependents listing the ones not True),
// lastTransitionTime moving only on status changes, observedGeneration from the object.
#include "controllers/provisioner/nodeclaim_status.h"

#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "controllers/provisioner/well_known.h"
#include "tests/controllers/provisioner/provisioner_test_util.h"

namespace kt::controllers::provisioner {
namespace {

const Time kT0 = FromUnixSeconds(1767225600);

api::Condition Cond(const Json& nc, std::string_view type) {
  auto c = api::FindCondition(nc, type);
  EXPECT_TRUE(c.has_value()) << type;
  return c.value_or(api::Condition{});
}

TEST(NodeClaimStatusTest, NewNodeClaimGetsEveryConditionAwaitingReconciliation) {
  Json nc = testing::NodeClaim("ws1");
  nc["metadata"]["generation"] = 3;
  EXPECT_TRUE(InitializeConditions(nc, kT0));
  EXPECT_FALSE(InitializeConditions(nc, kT0 + 5s)) << "idempotent";
  for (std::string_view type : {"Launched", "Registered", "Initialized", "Ready"}) {
    api::Condition c = Cond(nc, type);
    EXPECT_EQ(c.status, "Unknown");
    EXPECT_EQ(c.reason, "AwaitingReconciliation");
    EXPECT_EQ(c.message, "object is awaiting reconciliation");
    EXPECT_EQ(c.observed_generation, 3);
    EXPECT_EQ(c.last_transition_time, "2026-01-01T00:00:00Z");
  }
}

TEST(NodeClaimStatusTest, ReadyIsTrueOnlyWhenLaunchedRegisteredAndInitializedAre) {
  Json nc = testing::NodeClaim("ws1");
  InitializeConditions(nc, kT0);
  UpdateReadyCondition(nc, kT0);
  EXPECT_EQ(Cond(nc, "Ready").status, "Unknown");
  EXPECT_EQ(Cond(nc, "Ready").reason, "UnhealthyDependents");
  EXPECT_EQ(Cond(nc, "Ready").message, "Launched=Unknown, Registered=Unknown, Initialized=Unknown");

  SetConditionFalse(nc, kConditionLaunched, kReasonLaunchFailed, "quota", kT0 + 1s);
  UpdateReadyCondition(nc, kT0 + 1s);
  EXPECT_EQ(Cond(nc, "Ready").status, "False");
  EXPECT_EQ(Cond(nc, "Launched").reason, "LaunchFailed");
  EXPECT_EQ(Cond(nc, "Launched").message, "quota");

  for (std::string_view t : {kConditionLaunched, kConditionRegistered, kConditionInitialized}) {
    SetConditionTrue(nc, t, kT0 + 2s);
  }
  EXPECT_TRUE(UpdateReadyCondition(nc, kT0 + 2s));
  api::Condition ready = Cond(nc, "Ready");
  EXPECT_EQ(ready.status, "True");
  EXPECT_EQ(ready.reason, "Ready");
  EXPECT_EQ(ready.message, "");
  EXPECT_TRUE(IsTrue(nc, kConditionReady));
  EXPECT_EQ(Cond(nc, "Launched").reason, "Launched");
}

TEST(NodeClaimStatusTest, TransitionTimeMovesOnlyWhenTheStatusChanges) {
  Json nc = testing::NodeClaim("ws1");
  InitializeConditions(nc, kT0);
  SetConditionUnknown(nc, kConditionRegistered, kReasonNodeNotFound, "waiting", kT0 + 10s);
  EXPECT_EQ(*LastTransition(nc, kConditionRegistered), kT0) << "Unknown -> Unknown";
  EXPECT_EQ(Cond(nc, "Registered").reason, "NodeNotFound");
  SetConditionTrue(nc, kConditionRegistered, kT0 + 20s);
  EXPECT_EQ(*LastTransition(nc, kConditionRegistered), kT0 + 20s);
  EXPECT_FALSE(SetConditionTrue(nc, kConditionRegistered, kT0 + 30s)) << "no change";
  EXPECT_FALSE(LastTransition(nc, "Nope").has_value());
}

}  // namespace
}  // namespace kt::controllers::provisioner
