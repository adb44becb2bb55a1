// The scheduler, as a specification: which node a pending pod lands on (nodeSelector, required
// node affinity with every operator, taints and tolerations, cpu/memory/ephemeral-storage/GPU
// requests against what bound pods already take, pod capacity), that it binds through the
// binding subresource with a "Scheduled" event, and that an unschedulable pod gets
// kube-scheduler's FailedScheduling message and PodScheduled=False, then is retried when the
// cluster changes. Nodes here are plain API objects (no kubelets, no node lifecycle).
#include <gtest/gtest.h>

#include "cluster_fixture.h"

namespace kt::sim::cluster::testing {
namespace {

ClusterOptions SchedulerOnly() {
  ClusterOptions o;
  o.run_node_lifecycle = false;
  o.run_controllers = false;
  return o;
}

class SchedulerTest : public ClusterTest {
 protected:
  SchedulerTest() : ClusterTest(1, SchedulerOnly()) {}

  void Node(const Json& node) {
    MustCreate(res::kNodes, node);
    Settle();
  }
  std::string NodeOf(const std::string& pod) {
    auto p = Get(res::kPods, "default", pod);
    return p ? GetString(*p, "spec.nodeName") : "";
  }
  std::string ScheduledMessage(const std::string& pod) {
    auto p = Get(res::kPods, "default", pod);
    return p ? Condition(*p, "PodScheduled", "message") : "";
  }
  void Schedule(const Json& pod) {
    MustCreate(res::kPods, pod);
    Settle(std::chrono::seconds(1));
  }
};

TEST_F(SchedulerTest, BindsPodThroughBindingSubresourceAndRecordsScheduledEvent) {
  Node(RawNode("node-1", "4", "8Gi"));
  Schedule(Pod("web"));
  EXPECT_EQ(NodeOf("web"), "node-1");
  Json pod = MustGet(res::kPods, "default", "web");
  EXPECT_EQ(Condition(pod, "PodScheduled"), "True");
  EXPECT_EQ(Events("web", "Scheduled"),
            std::vector<std::string>{"Successfully assigned default/web to node-1"});
  EXPECT_EQ(cluster_->scheduler().stats().scheduled, 1u);
}

TEST_F(SchedulerTest, NodeSelectorPicksOnlyMatchingNodes) {
  Json a = RawNode("a", "4", "8Gi");
  Json b = RawNode("b", "4", "8Gi");
  b["metadata"]["labels"]["accelerator"] = "nvidia";
  Node(a);
  Node(b);
  for (int i = 0; i < 4; ++i) {
    Json p = Pod("p" + std::to_string(i));
    p["spec"]["nodeSelector"] = {{"accelerator", "nvidia"}};
    Schedule(p);
    EXPECT_EQ(NodeOf("p" + std::to_string(i)), "b");
  }
}

struct AffinityCase {
  const char* op;
  Json values;
  const char* expected_node;  // "" = unschedulable
};

class SchedulerAffinityTest : public SchedulerTest,
                              public ::testing::WithParamInterface<AffinityCase> {};

TEST_P(SchedulerAffinityTest, RequiredNodeAffinityOperatorDecidesTheNode) {
  Json small = RawNode("small", "4", "8Gi");
  small["metadata"]["labels"]["gpus"] = "1";
  small["metadata"]["labels"]["tier"] = "a";
  Json big = RawNode("big", "4", "8Gi");
  big["metadata"]["labels"]["gpus"] = "8";
  Node(small);
  Node(big);
  const AffinityCase& c = GetParam();
  Json expr = {{"key", std::string(c.op) == "Exists" || std::string(c.op) == "DoesNotExist" ? "tier" : "gpus"},
               {"operator", c.op}};
  if (!c.values.is_null()) expr["values"] = c.values;
  Json p = Pod("p");
  p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {"nodeSelectorTerms", Json::array({{{"matchExpressions", Json::array({expr})}}})}};
  Schedule(p);
  EXPECT_EQ(NodeOf("p"), c.expected_node) << c.op;
}

INSTANTIATE_TEST_SUITE_P(
    Operators, SchedulerAffinityTest,
    ::testing::Values(AffinityCase{"In", Json::array({"8"}), "big"},
                      AffinityCase{"NotIn", Json::array({"8"}), "small"},
                      AffinityCase{"Exists", nullptr, "small"},
                      AffinityCase{"DoesNotExist", nullptr, "big"},
                      AffinityCase{"Gt", Json::array({"4"}), "big"},
                      AffinityCase{"Lt", Json::array({"4"}), "small"},
                      AffinityCase{"In", Json::array({"3"}), ""}),
    [](const ::testing::TestParamInfo<AffinityCase>& info) {
      return std::string(info.param.op) + "_" + std::to_string(info.index);
    });

TEST_F(SchedulerTest, NodeSelectorTermsAreOredAndMatchFieldsSelectsByName) {
  Node(RawNode("a", "4", "8Gi"));
  Node(RawNode("b", "4", "8Gi"));
  Json p = Pod("p");
  p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {"nodeSelectorTerms",
       Json::array({{{"matchExpressions", Json::array({{{"key", "missing"}, {"operator", "Exists"}}})}},
                    {{"matchFields", Json::array({{{"key", "metadata.name"}, {"operator", "In"},
                                                   {"values", Json::array({"b"})}}})}}})}};
  Schedule(p);
  EXPECT_EQ(NodeOf("p"), "b");
}

TEST_F(SchedulerTest, UntoleratedTaintKeepsPodAwayAndTolerationsLetItIn) {
  Json tainted = RawNode("gpu", "4", "8Gi");
  tainted["spec"]["taints"] = Json::array({{{"key", "sku"}, {"value", "gpu"}, {"effect", "NoSchedule"}}});
  Node(tainted);
  Schedule(Pod("plain"));
  EXPECT_EQ(NodeOf("plain"), "");
  EXPECT_EQ(ScheduledMessage("plain"),
            "0/1 nodes are available: 1 node(s) had untolerated taint {sku: gpu}. preemption: 0/1 "
            "nodes are available: 1 Preemption is not helpful for scheduling.");

  const Json tolerations[] = {
      Json::array({{{"key", "sku"}, {"operator", "Equal"}, {"value", "gpu"}, {"effect", "NoSchedule"}}}),
      Json::array({{{"key", "sku"}, {"operator", "Exists"}}}),
      Json::array({{{"operator", "Exists"}}}),  // empty key: tolerates everything
  };
  for (size_t i = 0; i < 3; ++i) {
    Json p = Pod("tol" + std::to_string(i));
    p["spec"]["tolerations"] = tolerations[i];
    Schedule(p);
    EXPECT_EQ(NodeOf("tol" + std::to_string(i)), "gpu") << tolerations[i].dump();
  }
  Json wrong = Pod("wrong-value");
  wrong["spec"]["tolerations"] = Json::array({{{"key", "sku"}, {"value", "cpu"}, {"effect", "NoSchedule"}}});
  Schedule(wrong);
  EXPECT_EQ(NodeOf("wrong-value"), "");
  Json wrong_effect = Pod("wrong-effect");
  wrong_effect["spec"]["tolerations"] =
      Json::array({{{"key", "sku"}, {"operator", "Exists"}, {"effect", "NoExecute"}}});
  Schedule(wrong_effect);
  EXPECT_EQ(NodeOf("wrong-effect"), "");
}

TEST_F(SchedulerTest, PreferNoScheduleTaintOnlyLowersTheScore) {
  Json soft = RawNode("soft", "4", "8Gi");
  soft["spec"]["taints"] = Json::array({{{"key", "spot"}, {"effect", "PreferNoSchedule"}}});
  Node(soft);
  Node(RawNode("clean", "4", "8Gi"));
  Schedule(Pod("p"));
  EXPECT_EQ(NodeOf("p"), "clean");
}

TEST_F(SchedulerTest, FailedSchedulingMessageHasKubeSchedulerShape) {
  // The brief's example: one node without GPUs, two GPU nodes tainted sku=gpu.
  Node(RawNode("cpu-node", "8", "32Gi"));
  for (const char* n : {"gpu-a", "gpu-b"}) {
    Json g = RawNode(n, "24", "220Gi", 1);
    g["spec"]["taints"] = Json::array({{{"key", "sku"}, {"value", "gpu"}, {"effect", "NoSchedule"}}});
    Node(g);
  }
  Json p = Pod("llm");
  Container(p)["resources"]["limits"] = {{"nvidia.com/gpu", "1"}};
  Schedule(p);
  const std::string want =
      "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint "
      "{sku: gpu}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for "
      "scheduling.";
  EXPECT_EQ(ScheduledMessage("llm"), want);
  Json pod = MustGet(res::kPods, "default", "llm");
  EXPECT_EQ(Condition(pod, "PodScheduled"), "False");
  EXPECT_EQ(Condition(pod, "PodScheduled", "reason"), "Unschedulable");
  auto events = Events("llm", "FailedScheduling");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), want);
}

TEST_F(SchedulerTest, ShortageOnABusyNodeSaysNoPreemptionVictims) {
  Node(RawNode("n", "4", "8Gi"));
  Json big = Pod("big");
  Requests(Container(big), {{"cpu", "3"}});
  Schedule(big);
  ASSERT_EQ(NodeOf("big"), "n");
  Json more = Pod("more");
  Requests(Container(more), {{"cpu", "2"}, {"memory", "1Gi"}});
  Schedule(more);
  EXPECT_EQ(ScheduledMessage("more"),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 "
            "No preemption victims found for incoming pod.");
}

TEST_F(SchedulerTest, RequestsOfEveryResourceCountAgainstAllocatable) {
  Node(RawNode("n", "2", "4Gi", 2));
  Json a = Pod("a");
  Requests(Container(a), {{"memory", "3Gi"}, {"ephemeral-storage", "60Gi"}});
  Container(a)["resources"]["limits"] = {{"nvidia.com/gpu", "2"}};
  Schedule(a);
  ASSERT_EQ(NodeOf("a"), "n");
  Json b = Pod("b");
  Requests(Container(b), {{"memory", "2Gi"}, {"ephemeral-storage", "50Gi"}});
  Container(b)["resources"]["limits"] = {{"nvidia.com/gpu", "1"}};
  Schedule(b);
  EXPECT_EQ(ScheduledMessage("b"),
            "0/1 nodes are available: 1 Insufficient ephemeral-storage, 1 Insufficient memory, 1 "
            "Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No preemption "
            "victims found for incoming pod.");
  auto view = cluster_->scheduler().node_view("n");
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->requested.gpu, 2);
  EXPECT_EQ(view->requested.memory, 3LL << 30);
}

TEST_F(SchedulerTest, InitContainerRequestsCountAsTheMaximum) {
  Node(RawNode("n", "4", "8Gi"));
  Json p = Pod("p");
  Requests(Container(p), {{"cpu", "1"}});
  p["spec"]["initContainers"] = Json::array({{{"name", "init"}, {"image", "busybox"},
                                              {"resources", {{"requests", {{"cpu", "3"}}}}}}});
  Schedule(p);
  ASSERT_EQ(NodeOf("p"), "n");
  EXPECT_EQ(cluster_->scheduler().node_view("n")->requested.cpu_milli, 3000);
}

TEST_F(SchedulerTest, PodCapacityLimitsPodsPerNode) {
  Node(RawNode("n", "4", "8Gi", 0, 2));
  Schedule(Pod("a"));
  Schedule(Pod("b"));
  Schedule(Pod("c"));
  EXPECT_EQ(NodeOf("c"), "");
  EXPECT_EQ(ScheduledMessage("c"),
            "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No "
            "preemption victims found for incoming pod.");
}

TEST_F(SchedulerTest, CordonedNodeIsSkipped) {
  Json n = RawNode("n", "4", "8Gi");
  n["spec"]["unschedulable"] = true;
  Node(n);
  Schedule(Pod("p"));
  EXPECT_EQ(ScheduledMessage("p"),
            "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are "
            "available: 1 Preemption is not helpful for scheduling.");
}

TEST_F(SchedulerTest, NoNodesMeansNoNodesAvailable) {
  Schedule(Pod("p"));
  EXPECT_EQ(ScheduledMessage("p"), "no nodes available to schedule pods");
}

TEST_F(SchedulerTest, PreemptionPolicyNeverSaysNotEligible) {
  Node(RawNode("n", "1", "1Gi"));
  Json p = Pod("p");
  Requests(Container(p), {{"cpu", "2"}});
  p["spec"]["preemptionPolicy"] = "Never";
  Schedule(p);
  EXPECT_EQ(ScheduledMessage("p"),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to "
            "preemptionPolicy=Never.");
}

TEST_F(SchedulerTest, UnschedulablePodIsRetriedWhenANodeArrives) {
  Schedule(Pod("p"));
  ASSERT_EQ(NodeOf("p"), "");
  Node(RawNode("late", "4", "8Gi"));
  RunUntil([&] { return NodeOf("p") == "late"; }, std::chrono::seconds(30));
}

TEST_F(SchedulerTest, UnschedulablePodIsRetriedWhenABoundPodGoesAway) {
  Node(RawNode("n", "2", "4Gi"));
  Json a = Pod("a");
  Requests(Container(a), {{"cpu", "2"}});
  Schedule(a);
  Json b = Pod("b");
  Requests(Container(b), {{"cpu", "2"}});
  Schedule(b);
  ASSERT_EQ(NodeOf("b"), "");
  // Without a kubelet the bound pod is removed at once with grace 0.
  api::DeleteOptions del;
  del.grace_period_seconds = 0;
  ASSERT_TRUE(client_.Delete(res::kPods, "default", "a", del).ok());
  RunUntil([&] { return NodeOf("b") == "n"; }, std::chrono::seconds(30));
}

TEST_F(SchedulerTest, HigherPriorityPodIsScheduledFirst) {
  Json low = Pod("low");
  Requests(Container(low), {{"cpu", "3"}});
  low["spec"]["priority"] = 0;
  Json high = Pod("high");
  Requests(Container(high), {{"cpu", "3"}});
  high["spec"]["priority"] = 1000;
  MustCreate(res::kPods, low);
  MustCreate(res::kPods, high);
  Node(RawNode("n", "4", "8Gi"));  // both wait, then compete for one slot
  RunUntil([&] { return !NodeOf("high").empty() || !NodeOf("low").empty(); }, std::chrono::seconds(30));
  EXPECT_EQ(NodeOf("high"), "n");
  EXPECT_EQ(NodeOf("low"), "");
}

TEST_F(SchedulerTest, LeastAllocatedSpreadsPodsOverNodes) {
  Node(RawNode("a", "4", "8Gi"));
  Node(RawNode("b", "4", "8Gi"));
  Json p1 = Pod("p1");
  Requests(Container(p1), {{"cpu", "2"}, {"memory", "4Gi"}});
  Schedule(p1);
  Json p2 = Pod("p2");
  Requests(Container(p2), {{"cpu", "2"}, {"memory", "4Gi"}});
  Schedule(p2);
  EXPECT_NE(NodeOf("p1"), "");
  EXPECT_NE(NodeOf("p2"), "");
  EXPECT_NE(NodeOf("p1"), NodeOf("p2"));
}

TEST_F(SchedulerTest, PodsOfAnotherSchedulerAreLeftAlone) {
  Node(RawNode("n", "4", "8Gi"));
  Json p = Pod("p");
  p["spec"]["schedulerName"] = "my-scheduler";
  Schedule(p);
  EXPECT_EQ(NodeOf("p"), "");
  EXPECT_TRUE(Events("p", "FailedScheduling").empty());
}

TEST(SchedulerFeasibleNodes, FollowsKubeSchedulerAdaptivePercentage) {
  EXPECT_EQ(Scheduler::NumFeasibleNodesToFind(0, 50), 50);
  EXPECT_EQ(Scheduler::NumFeasibleNodesToFind(0, 100), 100);   // 49% of 100 < 100 -> 100
  EXPECT_EQ(Scheduler::NumFeasibleNodesToFind(0, 1000), 420);  // 42%
  EXPECT_EQ(Scheduler::NumFeasibleNodesToFind(0, 5000), 500);  // 10%
  EXPECT_EQ(Scheduler::NumFeasibleNodesToFind(0, 6000), 300);  // floor 5%
  EXPECT_EQ(Scheduler::NumFeasibleNodesToFind(50, 1000), 500);
}

}  // namespace
}  // namespace kt::sim::cluster::testing
