// The agent pool a NodeClaim becomes (gpu-provisioner's newAgentPoolObject) and the naming
// rules: pool name = NodeClaim name matching ^[a-z][a-z0-9]{0,11}$, a Kaito workspace or RAG
// engine label, VM size from the instance-type requirement, one Linux VMSS node, Ubuntu unless
// the node-image-family annotation says AzureLinux, OS disk = storage request >> 30 (an error
// without one), taints as key=value:Effect, labels = karpenter.sh/nodepool=kaito + the
// NodeClaim's + machine type + creation timestamp. Also how cloud errors are classified.
#include "controllers/provisioner/agent_pool_body.h"

#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "controllers/provisioner/cloud_errors.h"
#include "tests/controllers/provisioner/provisioner_test_util.h"

namespace kt::controllers::provisioner {
namespace {

using testing::NodeClaim;
using testing::kA100;

Json Created(Json nc, const char* when = "2026-01-01T00:02:19Z") {
  nc["metadata"]["creationTimestamp"] = when;
  return nc;
}

TEST(AgentPoolNameTest, AcceptsOnlyLowercaseLetterThenUpToElevenLettersOrDigits) {
  for (const char* ok : {"a", "ws1a2b3c4d5", "ws1a2b3c4d5e", "gpu"}) {
    EXPECT_TRUE(IsValidAgentPoolName(ok)) << ok;
  }
  for (const char* bad : {"", "1ws", "Ws1", "ws-1", "ws_1", "ws1a2b3c4d5e6", "wsé"}) {
    EXPECT_FALSE(IsValidAgentPoolName(bad)) << bad;
  }
  Status s = ValidateAgentPoolName("my-workspace-node");
  EXPECT_TRUE(s.Is(StatusCode::kInvalid));
  EXPECT_NE(s.message().find("\"my-workspace-node\""), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("^[a-z][a-z0-9]{0,11}$"), std::string::npos) << s.message();
}

TEST(AgentPoolBodyTest, BuildsOneNodeLinuxVmssPoolWithKaitoLabelsAndTaints) {
  auto body = AgentPoolBody(Created(NodeClaim("ws1a2b3c4d5")));
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  const Json& p = (*body)["properties"];
  EXPECT_EQ(p["type"], "VirtualMachineScaleSets");
  EXPECT_EQ(p["count"], 1);
  EXPECT_EQ(p["vmSize"], "Standard_NC24ads_A100_v4");
  EXPECT_EQ(p["osType"], "Linux");
  EXPECT_EQ(p["osSKU"], "Ubuntu");
  EXPECT_EQ(p["osDiskSizeGB"], 1024);
  EXPECT_EQ(p["nodeTaints"], Json::array({"sku=gpu:NoSchedule"}));
  EXPECT_EQ(p["nodeLabels"],
            Json({{"karpenter.sh/nodepool", "kaito"},
                  {"kaito.sh/workspace", "ws1"},
                  {"kaito.sh/workspacenamespace", "default"},
                  {"kaito.sh/machine-type", "gpu"},
                  {"kaito.sh/creation-timestamp", "2026-01-01T00-02-19Z"}}));
}

TEST(AgentPoolBodyTest, CpuSizesAreLabelledCpuAndRagEnginesQualify) {
  Json nc = Created(NodeClaim("rag1", "Standard_D4s_v3", "128Gi", /*workspace=*/""));
  api::SetLabel(nc, "kaito.sh/ragengine", "rag");
  auto body = AgentPoolBody(nc);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["properties"]["nodeLabels"]["kaito.sh/machine-type"], "cpu");
  EXPECT_EQ((*body)["properties"]["osDiskSizeGB"], 128);
}

TEST(AgentPoolBodyTest, NodeImageFamilyAnnotationSelectsAzureLinuxAndRejectsUnknownFamilies) {
  Json nc = Created(NodeClaim("ws1"));
  api::SetAnnotation(nc, "kaito.sh/node-image-family", "azurelinux");
  EXPECT_EQ((*AgentPoolBody(nc))["properties"]["osSKU"], "AzureLinux");
  api::SetAnnotation(nc, "kaito.sh/node-image-family", "Windows2022");
  auto bad = AgentPoolBody(nc);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Windows2022"), std::string::npos);
}

TEST(AgentPoolBodyTest, OsDiskIsTheStorageRequestInWholeGibibytes) {
  EXPECT_EQ(*OsDiskSizeGib(NodeClaim("a", kA100, "300Gi")), 300);
  EXPECT_EQ(*OsDiskSizeGib(NodeClaim("a", kA100, "1500Mi")), 1) << "bytes >> 30 rounds down";
  EXPECT_EQ(*OsDiskSizeGib(NodeClaim("a", kA100, "1T")), 931);
}

TEST(AgentPoolBodyTest, EachBrokenRuleIsAnInvalidErrorNamingTheNodeClaim) {
  struct Case {
    const char* what;
    Json nodeclaim;
    const char* expect;
  };
  Json no_req = NodeClaim("ws1");
  no_req["spec"]["requirements"] = Json::array();
  Json zero_storage = NodeClaim("ws1", kA100, "0");
  Json bad_storage = NodeClaim("ws1", kA100, "lots");
  const Case cases[] = {
      {"bad name", NodeClaim("Workspace-1"), "^[a-z][a-z0-9]{0,11}$"},
      {"no kaito label", NodeClaim("ws1", kA100, "1024Gi", ""), "kaito.sh/workspace"},
      {"no instance type", no_req, "no requirement for instance type"},
      {"no storage", NodeClaim("ws1", kA100, ""), "should be more than 0"},
      {"zero storage", zero_storage, "should be more than 0"},
      {"bad storage", bad_storage, "invalid storage request"},
  };
  for (const Case& c : cases) {
    auto body = AgentPoolBody(Created(c.nodeclaim));
    ASSERT_FALSE(body.ok()) << c.what;
    EXPECT_TRUE(body.status().Is(StatusCode::kInvalid)) << c.what;
    EXPECT_NE(body.status().message().find(c.expect), std::string::npos)
        << c.what << ": " << body.status().message();
  }
}

TEST(AgentPoolBodyTest, NodeClaimLabelsOverrideTheNodePoolDefault) {
  Json nc = Created(NodeClaim("ws1"));
  api::SetLabel(nc, "karpenter.sh/nodepool", "custom");
  EXPECT_EQ((*AgentPoolBody(nc))["properties"]["nodeLabels"]["karpenter.sh/nodepool"], "custom");
}

TEST(CreationLabelTest, RoundTripsAndRejectsOtherForms) {
  const Time t = FromUnixSeconds(1767225739);  // 2026-01-01T00:02:19Z
  EXPECT_EQ(FormatCreationLabel(t + std::chrono::milliseconds(700)), "2026-01-01T00-02-19Z");
  auto back = ParseCreationLabel("2026-01-01T00-02-19Z");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
  EXPECT_FALSE(ParseCreationLabel("2026-01-01T00:02:19Z").ok());
  EXPECT_FALSE(ParseCreationLabel("yesterday").ok());
}

TEST(CloudErrorsTest, ClassifiesInProgressCapacityThrottlingAndTheRest) {
  Status in_progress = Conflict(
      "Operation is not allowed because there's an in progress create node pool operation for "
      "agent pool 'ws1' which started at 2026-01-01T00:00:00Z.");
  in_progress.WithReason("OperationNotAllowed");
  EXPECT_EQ(ClassifyCreateError(in_progress), CreateErrorKind::kCreateInProgress);
  Status sku = BadRequest("The requested VM size ... is currently not available");
  sku.WithReason("SkuNotAvailable");
  EXPECT_EQ(ClassifyCreateError(sku), CreateErrorKind::kInsufficientCapacity);
  Status throttled(StatusCode::kTooManyRequests, "slow down");
  EXPECT_EQ(ClassifyCreateError(throttled), CreateErrorKind::kThrottled);
  Status quota(StatusCode::kQuotaExceeded, "Preflight validation check ... quota");
  quota.WithReason("QuotaExceeded");
  EXPECT_EQ(ClassifyCreateError(quota), CreateErrorKind::kRetriable);
  EXPECT_EQ(ClassifyCreateError(Internal("boom")), CreateErrorKind::kRetriable);

  EXPECT_EQ(CreateFailedMessage("ws1", quota),
            "agentPool.BeginCreateOrUpdate for \"ws1\" failed: Preflight validation check ... quota");
  EXPECT_EQ(InsufficientCapacityMessage("ws1", sku).rfind(
                "all requested instance types were unavailable during launch: agentPool."
                "BeginCreateOrUpdate for \"ws1\" failed: ",
                0),
            0u);
}

TEST(CloudErrorsTest, OnlyAMissingPoolIsNotFound) {
  Status pool = NotFound("Agent Pool 'x' not found");
  pool.WithReason("NotFound");
  EXPECT_TRUE(IsPoolNotFound(pool));
  Status rg = NotFound("Resource group 'kaito-rg' could not be found.");
  rg.WithReason("ResourceGroupNotFound");
  EXPECT_FALSE(IsPoolNotFound(rg));
  EXPECT_FALSE(IsPoolNotFound(Internal("boom")));
}

}  // namespace
}  // namespace kt::controllers::provisioner
