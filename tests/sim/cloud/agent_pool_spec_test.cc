// Agent pool request validation and rendering as AKS does it: the pool name rule
// (^[a-z][a-z0-9]{0,11}$ for Linux, 6 for Windows), taint syntax, defaults AKS fills in, every
// field error as an InvalidParameter naming the field, and the JSON shape GET returns.
#include "sim/cloud/agent_pool_spec.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "cloud_test_util.h"

namespace kt::sim::cloud {
namespace {

using testing::PoolBody;
using testing::TestCatalog;
using testing::TestConfig;

TEST(AgentPoolSpecTest, NameRuleAcceptsLowercaseAlnumStartingWithALetterUpTo12) {
  for (const char* ok : {"a", "gpu1", "ws1a2b3c4d5e", "abcdefghijkl"}) {
    EXPECT_TRUE(ValidateAgentPoolName(ok).ok()) << ok;
  }
  for (const char* bad : {"", "1gpu", "Gpu1", "gpu-1", "gpu_1", "abcdefghijklm", "gpu 1"}) {
    Status s = ValidateAgentPoolName(bad);
    EXPECT_EQ(s.reason(), "InvalidParameter") << bad;
    EXPECT_NE(s.message().find("agentPoolProfile.name"), std::string::npos) << bad;
  }
  EXPECT_FALSE(ValidateAgentPoolName("abcdefg", "Windows").ok());
  EXPECT_TRUE(ValidateAgentPoolName("abcdef", "Windows").ok());
}

TEST(AgentPoolSpecTest, TaintsParseKeyValueEffectAndKeyEffect) {
  auto t = ParseNodeTaint("sku=gpu:NoSchedule");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->key, "sku");
  EXPECT_EQ(t->value, "gpu");
  EXPECT_EQ(t->effect, "NoSchedule");
  auto no_value = ParseNodeTaint("nvidia.com/gpu:NoExecute");
  ASSERT_TRUE(no_value.ok());
  EXPECT_EQ(no_value->key, "nvidia.com/gpu");
  EXPECT_EQ(no_value->value, "");
  for (const char* bad : {"sku=gpu", "sku=gpu:Never", "=gpu:NoSchedule", "sku=g pu:NoSchedule"}) {
    EXPECT_EQ(ParseNodeTaint(bad).status().reason(), "InvalidParameter") << bad;
  }
}

TEST(AgentPoolSpecTest, DefaultsAreFilledInAsAksDoes) {
  const SkuCatalog catalog = TestCatalog();
  const CloudConfig config = TestConfig();
  auto spec = ParseAgentPoolSpec(
      "gpu1", Json{{"properties", {{"vmSize", "standard_nc24ads_a100_v4"}}}}, catalog, config);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->sku->name, "Standard_NC24ads_A100_v4");
  EXPECT_EQ(spec->count, 1);
  EXPECT_EQ(spec->os_disk_gib, 128);
  EXPECT_EQ(spec->mode, "User");
  EXPECT_EQ(spec->os_sku, "Ubuntu");
  EXPECT_EQ(spec->max_pods, 110);
  EXPECT_FALSE(spec->spot);
  Json pool = RenderAgentPool(config.cluster, *spec, "Creating");
  EXPECT_EQ(pool["name"], "gpu1");
  EXPECT_EQ(pool["type"], "Microsoft.ContainerService/managedClusters/agentPools");
  EXPECT_EQ(pool["id"],
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/kaito-rg/"
            "providers/Microsoft.ContainerService/managedClusters/kaito-twin/agentPools/gpu1");
  const Json& p = pool["properties"];
  EXPECT_EQ(p["vmSize"], "Standard_NC24ads_A100_v4");
  EXPECT_EQ(p["provisioningState"], "Creating");
  EXPECT_EQ(p["powerState"]["code"], "Running");
  EXPECT_EQ(p["type"], "VirtualMachineScaleSets");
  EXPECT_EQ(p["osType"], "Linux");
  EXPECT_EQ(p["orchestratorVersion"], "1.30.6");
  EXPECT_EQ(p["currentOrchestratorVersion"], "1.30.6");
  EXPECT_EQ(p["nodeImageVersion"], config.cluster.node_image_version);
  EXPECT_EQ(p["osDiskSizeGB"], 128);
}

TEST(AgentPoolSpecTest, RequestFieldsAreEchoedAndReadOnlyFieldsIgnored) {
  Json body = PoolBody("Standard_NC24ads_A100_v4", 2);
  body["properties"]["provisioningState"] = "Succeeded";  // read-only: ignored
  body["properties"]["tags"] = {{"team", "ml"}};
  body["properties"]["scaleSetPriority"] = "Spot";
  body["properties"]["availabilityZones"] = Json::array({"1", "2"});
  auto spec = ParseAgentPoolSpec("gpu1", body, TestCatalog(), TestConfig());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_TRUE(spec->spot);
  EXPECT_EQ(spec->zones, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(spec->node_labels.at("kaito.sh/workspace"), "ws1");
  ASSERT_EQ(spec->node_taints.size(), 1u);
  Json pool = RenderAgentPool(TestConfig().cluster, *spec, "Creating");
  const Json& p = pool["properties"];
  EXPECT_EQ(p["provisioningState"], "Creating");
  EXPECT_EQ(p["tags"]["team"], "ml");
  EXPECT_EQ(p["scaleSetEvictionPolicy"], "Delete");
  EXPECT_EQ(p["spotMaxPrice"], -1);
  EXPECT_EQ(p["nodeTaints"][0], "sku=gpu:NoSchedule");
  EXPECT_EQ(p["count"], 2);
}

struct BadField {
  const char* name;
  Json properties;
  const char* reason;
  const char* needle;
};

TEST(AgentPoolSpecTest, EachInvalidFieldIsRejectedWithItsName) {
  const BadField cases[] = {
      {"unknown size",
       {{"vmSize", "Standard_Imaginary_v9"}},
       "InvalidParameter",
       "agentPoolProfile.vmSize"},
      {"count too big",
       {{"vmSize", "Standard_D4s_v3"}, {"count", 1001}},
       "InvalidParameter",
       "agentPoolProfile.count"},
      {"count negative",
       {{"vmSize", "Standard_D4s_v3"}, {"count", -1}},
       "InvalidParameter",
       "agentPoolProfile.count"},
      {"count not int",
       {{"vmSize", "Standard_D4s_v3"}, {"count", "one"}},
       "InvalidParameter",
       "agentPoolProfile.count"},
      {"system pool of zero",
       {{"vmSize", "Standard_D4s_v3"}, {"count", 0}, {"mode", "System"}},
       "InvalidParameter",
       "agentPoolProfile.count"},
      {"os disk too small",
       {{"vmSize", "Standard_D4s_v3"}, {"osDiskSizeGB", 10}},
       "InvalidParameter",
       "agentPoolProfile.osDiskSizeGB"},
      {"os disk too big",
       {{"vmSize", "Standard_D4s_v3"}, {"osDiskSizeGB", 4096}},
       "InvalidParameter",
       "agentPoolProfile.osDiskSizeGB"},
      {"bad mode",
       {{"vmSize", "Standard_D4s_v3"}, {"mode", "Gateway"}},
       "InvalidParameter",
       "agentPoolProfile.mode"},
      {"availability set",
       {{"vmSize", "Standard_D4s_v3"}, {"type", "AvailabilitySet"}},
       "InvalidParameter",
       "agentPoolProfile.type"},
      {"bad priority",
       {{"vmSize", "Standard_D4s_v3"}, {"scaleSetPriority", "Low"}},
       "InvalidParameter",
       "agentPoolProfile.scaleSetPriority"},
      {"windows",
       {{"vmSize", "Standard_D4s_v3"}, {"osType", "Windows"}},
       "InvalidParameter",
       "agentPoolProfile.osType"},
      {"max pods",
       {{"vmSize", "Standard_D4s_v3"}, {"maxPods", 5}},
       "InvalidParameter",
       "agentPoolProfile.maxPods"},
      {"zone 4",
       {{"vmSize", "Standard_D4s_v3"}, {"availabilityZones", {"1", "4"}}},
       "AvailabilityZoneNotSupported",
       "The zone(s) 4 for resource gpu1 is not supported"},
      {"zone twice",
       {{"vmSize", "Standard_D4s_v3"}, {"availabilityZones", {"1", "1"}}},
       "InvalidParameter",
       "agentPoolProfile.availabilityZones"},
      {"reserved label",
       {{"vmSize", "Standard_D4s_v3"}, {"nodeLabels", {{"kubernetes.azure.com/mode", "user"}}}},
       "InvalidParameter",
       "reserved"},
      {"bad label value",
       {{"vmSize", "Standard_D4s_v3"}, {"nodeLabels", {{"a", "b c"}}}},
       "InvalidParameter",
       "agentPoolProfile.nodeLabels"},
      {"label not string",
       {{"vmSize", "Standard_D4s_v3"}, {"nodeLabels", {{"a", 1}}}},
       "InvalidParameter",
       "agentPoolProfile.nodeLabels"},
      {"bad taint",
       {{"vmSize", "Standard_D4s_v3"}, {"nodeTaints", {"sku=gpu:Always"}}},
       "InvalidParameter",
       "agentPoolProfile.nodeTaints"},
      {"old version",
       {{"vmSize", "Standard_D4s_v3"}, {"orchestratorVersion", "1.27.1"}},
       "InvalidParameter",
       "agentPoolProfile.orchestratorVersion"},
  };
  for (const BadField& c : cases) {
    auto spec =
        ParseAgentPoolSpec("gpu1", Json{{"properties", c.properties}}, TestCatalog(), TestConfig());
    ASSERT_FALSE(spec.ok()) << c.name;
    EXPECT_EQ(spec.status().reason(), c.reason) << c.name << ": " << spec.status().ToString();
    EXPECT_NE(spec.status().message().find(c.needle), std::string::npos)
        << c.name << ": " << spec.status().message();
  }
}

TEST(AgentPoolSpecTest, BodyWithoutPropertiesIsInvalidRequestContent) {
  for (const Json& body : {Json::array(), Json{{"name", "x"}}, Json{{"properties", "x"}}}) {
    auto spec = ParseAgentPoolSpec("gpu1", body, TestCatalog(), TestConfig());
    ASSERT_FALSE(spec.ok());
    EXPECT_EQ(spec.status().reason(), "InvalidRequestContent") << body.dump();
  }
}

}  // namespace
}  // namespace kt::sim::cloud
