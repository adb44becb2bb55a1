// Proves node selection follows Kaito v0.4.6 (workspace_controller_test.go
// TestSelectWorkspaceNodes and TestGetAllQualifiedNodes): the ranking preferred > previously
// selected > provisioner-created > name, and which nodes qualify (ready, not deleting, the
// workspace's labels, and the instance type or a preferred name).
#include "controllers/workspace/node_selection.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/controllers/workspace/test_util.h"

namespace kt::workspace {
namespace {

using testing::MakeNode;
using testing::Names;

struct SelectCase {
  const char* name;
  std::vector<Json> qualified;
  std::vector<std::string> preferred;
  std::vector<std::string> previous;
  int64_t count;
  std::vector<std::string> expected;  // compared sorted, as Kaito's test does
};

Json Plain(const std::string& n) { return MakeNode(n, {}); }
Json ByGpuProvisioner(const std::string& n) {
  return MakeNode(n, {{"kaito.sh/machine-type", "gpu"}});
}
Json ByKarpenter(const std::string& n) { return MakeNode(n, {{"karpenter.sh/nodepool", "kaito"}}); }

TEST(SelectNodesTest, RanksPreferredThenPreviousThenProvisionerCreatedThenNameInAllTenKaitoCases) {
  std::vector<SelectCase> cases = {
      {"two qualified nodes, need one", {Plain("node1"), Plain("node2")}, {}, {}, 1, {"node1"}},
      {"three qualified nodes, prefer two of them",
       {Plain("node1"), Plain("node2"), Plain("node3")}, {"node3", "node2"}, {}, 2,
       {"node2", "node3"}},
      {"three qualified nodes, two of them are selected previously, need two",
       {Plain("node1"), Plain("node2"), Plain("node3")}, {}, {"node3", "node2"}, 2,
       {"node2", "node3"}},
      {"three qualified nodes, one preferred, one previous, need two",
       {Plain("node1"), Plain("node2"), Plain("node3")}, {"node3"}, {"node2"}, 2,
       {"node2", "node3"}},
      {"three qualified nodes, one preferred, one previous, need one",
       {Plain("node1"), Plain("node2"), Plain("node3")}, {"node3"}, {"node2"}, 1, {"node3"}},
      {"three qualified nodes, one is created by gpu-provisioner, need one",
       {Plain("node1"), Plain("node2"), ByGpuProvisioner("node3")}, {}, {}, 1, {"node3"}},
      {"gpu-provisioner node, one preferred, one previous, need two",
       {ByGpuProvisioner("node1"), Plain("node2"), Plain("node3")}, {"node3"}, {"node2"}, 2,
       {"node2", "node3"}},
      {"gpu-provisioner node, one preferred, one previous, need three",
       {ByGpuProvisioner("node1"), Plain("node2"), Plain("node3")}, {"node3"}, {"node2"}, 3,
       {"node1", "node2", "node3"}},
      {"gpu-provisioner (machine) and karpenter (nodeClaim) nodes, one preferred, need two",
       {ByGpuProvisioner("node1"), ByKarpenter("node2"), Plain("node3")}, {"node3"}, {}, 2,
       {"node1", "node3"}},
      {"karpenter node, two preferred, need two",
       {ByKarpenter("node1"), Plain("node2"), Plain("node3")}, {"node3", "node2"}, {}, 2,
       {"node2", "node3"}},
  };
  for (const SelectCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<const Json*> q;
    for (const Json& n : c.qualified) q.push_back(&n);
    std::vector<std::string> got = Names(SelectNodes(q, c.preferred, c.previous, c.count));
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, c.expected);
  }
}

TEST(SelectNodesTest, ReturnsEveryQualifiedNodeWhenThereAreFewerThanCount) {
  Json a = Plain("b-node"), b = Plain("a-node");
  EXPECT_EQ(Names(SelectNodes({&a, &b}, {}, {}, 5)), (std::vector<std::string>{"a-node", "b-node"}));
  EXPECT_TRUE(SelectNodes({&a, &b}, {}, {}, 0).empty());
}

NodeRequirements Requirements(std::vector<std::string> preferred = {}) {
  return {{{"apps", "phi-3"}}, "Standard_NC12s_v3", std::move(preferred)};
}

TEST(QualifiedNodesTest, DropsDeletingNotReadyAndOtherInstanceTypeNodes) {
  const api::Labels good = {{"apps", "phi-3"}, {"node.kubernetes.io/instance-type", "Standard_NC12s_v3"}};
  Json node1 = MakeNode("node1", good);
  Json deleting = MakeNode("node-deleting", good);
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  Json not_ready = MakeNode("node-not-ready", good, /*ready=*/false);
  Json other_type = MakeNode("node-other-type",
                             {{"apps", "phi-3"}, {"node.kubernetes.io/instance-type", "Standard_NC6s_v3"}});
  Json no_labels = MakeNode("node-no-labels", {{"node.kubernetes.io/instance-type", "Standard_NC12s_v3"}});
  std::vector<const Json*> all = {&node1, &deleting, &not_ready, &other_type, &no_labels};
  EXPECT_EQ(Names(QualifiedNodes(all, Requirements())), std::vector<std::string>{"node1"});
}

TEST(QualifiedNodesTest, IncludesReadyPreferredNodesOfAnotherInstanceType) {
  const api::Labels good = {{"apps", "phi-3"}, {"node.kubernetes.io/instance-type", "Standard_NC12s_v3"}};
  Json node1 = MakeNode("node1", good);
  Json p1 = MakeNode("node-p1", {{"apps", "phi-3"}, {"node.kubernetes.io/instance-type", "other-vendor-gpu"}});
  Json p2_not_ready = MakeNode("node-p2", {{"apps", "phi-3"}}, /*ready=*/false);
  Json p3_no_label = MakeNode("node-p3", {});
  std::vector<const Json*> all = {&node1, &p1, &p2_not_ready, &p3_no_label};
  EXPECT_EQ(Names(QualifiedNodes(all, Requirements({"node-p1", "node-p2", "node-p3"}))),
            (std::vector<std::string>{"node1", "node-p1"}));
}

TEST(NodeCapacityTest, ReadsQuantitiesAndTreatsAbsenceAsZero) {
  Json n = MakeNode("n", {}, true, 4);
  EXPECT_EQ(NodeCapacity(n, "nvidia.com/gpu"), 4);
  EXPECT_EQ(NodeCapacity(n, "amd.com/gpu"), 0);
  n["status"]["capacity"]["nvidia.com/gpu"] = 2;
  EXPECT_EQ(NodeCapacity(n, "nvidia.com/gpu"), 2);
  n["status"]["capacity"]["nvidia.com/gpu"] = "garbage";
  EXPECT_EQ(NodeCapacity(n, "nvidia.com/gpu"), 0);
}

}  // namespace
}  // namespace kt::workspace
