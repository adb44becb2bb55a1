// Proves the NodeClaims the controller asks for look like Kaito's (names usable as AKS agent
// pool names, labels, annotation, taint, requirements, node class, storage), and that their
// status reads right: Ready, launch failures, and the one launch failure Kaito treats as
// terminal.
#include "controllers/workspace/nodeclaim.h"

#include <gtest/gtest.h>

#include <regex>

#include "tests/controllers/workspace/test_util.h"

namespace kt::workspace {
namespace {

Json Workspace() {
  Json ws = testing::FromYaml(testing::Phi3Yaml("ws1", "team-a"));
  return ws;
}

TEST(NodeClaimNameTest, IsWsPlusNineHexDigitsAndAValidAgentPoolName) {
  const Time t = FromUnixSeconds(1767225600);
  std::string a = NodeClaimName("team-a", "ws1", t, 0);
  EXPECT_TRUE(std::regex_match(a, std::regex("^ws[0-9a-f]{9}$"))) << a;
  EXPECT_TRUE(std::regex_match(a, std::regex("^[a-z][a-z0-9]{0,11}$"))) << a;
  EXPECT_EQ(a, NodeClaimName("team-a", "ws1", t, 0)) << "a pure function of its inputs";
  EXPECT_NE(a, NodeClaimName("team-a", "ws1", t, 1)) << "a retry draws another name";
  EXPECT_NE(a, NodeClaimName("team-a", "ws1", t + std::chrono::nanoseconds(1), 0));
  EXPECT_NE(a, NodeClaimName("team-b", "ws1", t, 0));
}

TEST(NodeClaimManifestTest, CarriesKaitoLabelsAnnotationTaintRequirementsAndStorage) {
  Json nc = NodeClaimManifest(Workspace(), "ws012345678", "80Gi", "azure");
  EXPECT_EQ(nc["apiVersion"], "karpenter.sh/v1");
  EXPECT_EQ(nc["kind"], "NodeClaim");
  EXPECT_EQ(nc["metadata"]["name"], "ws012345678");
  EXPECT_FALSE(nc["metadata"].contains("namespace")) << "NodeClaims are cluster-scoped";
  EXPECT_EQ(nc["metadata"]["labels"],
            (Json{{"karpenter.sh/nodepool", "kaito"},
                  {"kaito.sh/workspace", "ws1"},
                  {"kaito.sh/workspacenamespace", "team-a"},
                  {"apps", "phi-3"}}));
  EXPECT_EQ(nc["metadata"]["annotations"], (Json{{"karpenter.sh/do-not-disrupt", "true"}}));
  EXPECT_EQ(nc["spec"]["taints"],
            Json::parse(R"([{"key":"sku","value":"gpu","effect":"NoSchedule"}])"));
  EXPECT_EQ(nc["spec"]["requirements"], Json::parse(R"([
    {"key":"node.kubernetes.io/instance-type","operator":"In","values":["Standard_NC6s_v3"]},
    {"key":"kubernetes.io/os","operator":"In","values":["linux"]},
    {"key":"karpenter.azure.com/sku-name","operator":"In","values":["Standard_NC6s_v3"]}])"));
  EXPECT_EQ(nc["spec"]["nodeClassRef"],
            Json::parse(R"({"group":"karpenter.azure.com","kind":"AKSNodeClass","name":"default"})"));
  EXPECT_EQ(nc["spec"]["resources"]["requests"]["storage"], "80Gi");
}

TEST(NodeClaimManifestTest, AwsUsesAnEc2NodeClassAndNoAzureSkuRequirement) {
  Json nc = NodeClaimManifest(Workspace(), "ws1", "1024Gi", "aws");
  EXPECT_EQ(nc["spec"]["nodeClassRef"]["kind"], "EC2NodeClass");
  EXPECT_EQ(nc["spec"]["requirements"].size(), 2u);
}

TEST(NodeClaimSelectorTest, SelectsByWorkspaceNameAndNamespace) {
  EXPECT_EQ(NodeClaimSelector("team-a", "ws1"),
            "kaito.sh/workspace=ws1,kaito.sh/workspacenamespace=team-a");
}

Json WithConditions(Json conditions) {
  return {{"status", {{"conditions", std::move(conditions)}, {"nodeName", "aks-ws1-vmss000000"}}}};
}

Json Cond(const char* type, const char* status, const char* reason = "", const char* msg = "") {
  return {{"type", type}, {"status", status}, {"reason", reason}, {"message", msg},
          {"lastTransitionTime", "2026-01-01T00:00:00Z"}};
}

TEST(ReadNodeClaimTest, ReadyWhenReadyIsTrue) {
  NodeClaimState s = ReadNodeClaim(WithConditions(Json::array(
      {Cond("Launched", "True"), Cond("Registered", "True"), Cond("Initialized", "True"),
       Cond("Ready", "True")})));
  EXPECT_TRUE(s.ready);
  EXPECT_TRUE(s.initialized);
  EXPECT_FALSE(s.launch_failed);
  EXPECT_EQ(s.node_name, "aks-ws1-vmss000000");
  EXPECT_TRUE(s.blocking_condition.empty());
}

TEST(ReadNodeClaimTest, QuotaLaunchFailureIsReportedButNotTerminal) {
  NodeClaimState s = ReadNodeClaim(WithConditions(Json::array(
      {Cond("Launched", "False", "LaunchFailed",
            "agentPool.BeginCreateOrUpdate for \"ws1\" failed: QuotaExceeded"),
       Cond("Ready", "False", "NotLaunched", "")})));
  EXPECT_TRUE(s.launch_failed);
  EXPECT_FALSE(s.terminal);
  EXPECT_EQ(s.blocking_condition, "Launched");
  EXPECT_EQ(s.reason, "LaunchFailed");
  EXPECT_NE(s.message.find("QuotaExceeded"), std::string::npos);
}

TEST(ReadNodeClaimTest, InstanceTypesUnavailableIsTerminal) {
  NodeClaimState s = ReadNodeClaim(WithConditions(Json::array(
      {Cond("Launched", "False", "LaunchFailed",
            "creating instance, all requested instance types were unavailable during launch")})));
  EXPECT_TRUE(s.launch_failed);
  EXPECT_TRUE(s.terminal);
}

TEST(ReadNodeClaimTest, FirstConditionNotTrueIsTheBlockingOne) {
  NodeClaimState s = ReadNodeClaim(WithConditions(Json::array(
      {Cond("Launched", "True"), Cond("Registered", "Unknown", "AwaitingReconciliation", "")})));
  EXPECT_FALSE(s.ready);
  EXPECT_EQ(s.blocking_condition, "Registered");
  EXPECT_EQ(s.reason, "AwaitingReconciliation");
}

}  // namespace
}  // namespace kt::workspace
