// Which cloud and cluster objects the GC loop collects: Kaito pools (workspace or RAG engine
// label + karpenter.sh/nodepool) without a NodeClaim, not Deleting, created at least 30 s ago
// by their creation label (pools of unknown age are kept); and Launched NodeClaims whose pool is
// gone, once they have been Launched for the grace period.
#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "controllers/provisioner/nodeclaim_status.h"
#include "controllers/provisioner/pool_gc.h"
#include "controllers/provisioner/well_known.h"
#include "tests/controllers/provisioner/provisioner_test_util.h"

namespace kt::controllers::provisioner {
namespace {

const Time kNow = FromUnixSeconds(1767225600 + 3600);  // 2026-01-01T01:00:00Z

Json Pool(const std::string& name, const std::string& created = "2026-01-01T00-00-00Z",
          const std::string& state = "Succeeded", bool kaito = true) {
  Json labels = {{"kaito.sh/creation-timestamp", created}};
  if (kaito) {
    labels["kaito.sh/workspace"] = "ws";
    labels["karpenter.sh/nodepool"] = "kaito";
  }
  return {{"name", name},
          {"properties", {{"provisioningState", state}, {"nodeLabels", labels}}}};
}

TEST(PoolGcSelectionTest, CollectsOldKaitoPoolsWithoutNodeClaim) {
  std::vector<Json> pools = {
      Pool("leaked"),
      Pool("owned"),
      Pool("young", "2026-01-01T00-59-45Z"),
      Pool("deleting", "2026-01-01T00-00-00Z", "Deleting"),
      Pool("nodepool1", "2026-01-01T00-00-00Z", "Succeeded", /*kaito=*/false),
      Pool("noage", "garbage"),
      Pool("creating", "2026-01-01T00-00-00Z", "Creating"),
  };
  Json rag = Pool("ragpool");
  rag["properties"]["nodeLabels"].erase("kaito.sh/workspace");
  rag["properties"]["nodeLabels"]["kaito.sh/ragengine"] = "r";
  pools.push_back(rag);

  auto leaked = SelectLeakedPools(pools, {"owned"}, kNow, std::chrono::seconds(30));
  EXPECT_EQ(leaked, (std::vector<std::string>{"creating", "leaked", "ragpool"}));
  EXPECT_TRUE(IsKaitoPool(Pool("x")));
  EXPECT_FALSE(IsKaitoPool(Pool("x", "2026-01-01T00-00-00Z", "Succeeded", false)));
}

TEST(PoolGcSelectionTest, GraceIsMeasuredFromTheCreationLabel) {
  std::vector<Json> pools = {Pool("p", "2026-01-01T00-59-30Z")};
  EXPECT_EQ(SelectLeakedPools(pools, {}, kNow, std::chrono::seconds(30)).size(), 1u)
      << "exactly 30 s old";
  EXPECT_TRUE(SelectLeakedPools(pools, {}, kNow - 1s, std::chrono::seconds(30)).empty());
}

TEST(PoolGcSelectionTest, LaunchedNodeClaimsWhosePoolIsGoneAreOrphaned) {
  const Time launched_at = kNow - std::chrono::minutes(5);
  auto launched = [&](const std::string& name) {
    Json nc = testing::NodeClaim(name);
    InitializeConditions(nc, launched_at);
    SetConditionTrue(nc, kConditionLaunched, launched_at);
    return nc;
  };
  Json gone = launched("gone");
  Json alive = launched("alive");
  Json pending = testing::NodeClaim("pending");
  InitializeConditions(pending, launched_at);
  Json deleting = launched("deleting");
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:59:00Z";
  Json foreign = launched("foreign");
  api::RemoveLabel(foreign, "kaito.sh/workspace");
  Json fresh = testing::NodeClaim("fresh");
  InitializeConditions(fresh, kNow);
  SetConditionTrue(fresh, kConditionLaunched, kNow);

  auto orphaned = SelectOrphanedNodeClaims({&gone, &alive, &pending, &deleting, &foreign, &fresh},
                                           {"alive"}, kNow, std::chrono::seconds(30));
  EXPECT_EQ(orphaned, std::vector<std::string>{"gone"});
}

}  // namespace
}  // namespace kt::controllers::provisioner
