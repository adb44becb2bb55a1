// Proves the user's quick start end to end in the deterministic world, in virtual time: the
// Phi-3 example is admitted, the provisioner creates an agent pool on the fake AKS, the VM's
// Node joins and gets its GPU, the inference Deployment runs, and `kubectl get workspace` shows
// True in RESOURCEREADY, INFERENCEREADY and WORKSPACEREADY; the Service has a cluster IP;
// deleting the workspace removes its NodeClaim, the agent pool and the Node. The adapters and
// tuning examples converge too. The same seed gives the same trace digest (and timeline).
#include <gtest/gtest.h>

#include <iostream>

#include "scenarios/quickstart.h"
#include "scenarios/world.h"

namespace kt::scenarios {
namespace {

QuickStartReport RunExample(uint64_t seed, const std::string& example = "") {
  QuickStartOptions o;
  o.seed = seed;
  if (!example.empty()) o.example = example;
  auto r = RunQuickStart(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  std::cout << "seed=" << seed << " digest=" << r->digest << " ready_after="
            << HumanDuration(r->time_to_ready) << "\n";
  return *r;
}

TEST(QuickStartTest, Phi3WorkspaceBecomesReadyInEveryColumnAndDeletionLeavesNothing) {
  QuickStartReport r = RunExample(1);
  ASSERT_TRUE(r.ready) << r.timeline;
  EXPECT_NE(r.table.find("workspace-phi-3-mini   Standard_NC6s_v3   True            True             True"),
            std::string::npos)
      << r.table;
  EXPECT_EQ(r.table.rfind("NAME ", 0), 0u) << r.table;
  EXPECT_EQ(r.cluster_ip.rfind("127.", 0), 0u) << r.cluster_ip;
  EXPECT_TRUE(r.deleted) << r.timeline;
  EXPECT_EQ(r.nodeclaims_left, 0u);
  EXPECT_EQ(r.pools_left, 0u);
  EXPECT_EQ(r.nodes_left, 0u);
  // The timeline tells the story in order.
  const std::string story = r.timeline + r.cleanup_timeline;
  for (const char* step : {"created Workspace/workspace-phi-3-mini", "NodeClaim", "booted",
                           "ResourceReady=True", "InferenceReady=True", "WorkspaceReady=True",
                           "deleted Workspace/workspace-phi-3-mini"}) {
    EXPECT_NE(story.find(step), std::string::npos) << step << "\n" << story;
  }
  EXPECT_LT(story.find("booted"), story.find("WorkspaceReady=True"));
  EXPECT_NE(r.cleanup_timeline.find("deleted from pool"), std::string::npos) << r.cleanup_timeline;
  const std::string text = FormatQuickStartReport(r);
  EXPECT_NE(text.find("digest=" + r.digest), std::string::npos);
}

TEST(QuickStartTest, SameSeedGivesTheSameDigestAndTimeline) {
  QuickStartReport a = RunExample(7);
  QuickStartReport b = RunExample(7);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.timeline, b.timeline);
  EXPECT_EQ(a.cleanup_timeline, b.cleanup_timeline);
  EXPECT_FALSE(a.digest.empty());
}

TEST(QuickStartTest, AdaptersExampleBecomesReady) {
  QuickStartReport r = RunExample(3, "examples/inference/kaito_workspace_phi_3_with_adapters.yaml");
  EXPECT_TRUE(r.ready) << r.timeline;
  EXPECT_TRUE(r.deleted) << r.timeline;
}

// The tuning Job's pod downloads the data in its init container, trains (hours, see
// sim/cluster/data/images.yaml) and pushes the adapter; the Job completes and the workspace
// reports WorkspaceSucceeded.
TEST(QuickStartTest, TuningExampleSucceeds) {
  QuickStartReport r = RunExample(4, "examples/tuning/kaito_workspace_tuning_phi_3.yaml");
  EXPECT_TRUE(r.ready) << r.timeline;
  EXPECT_NE(r.table.find("workspace-tuning-phi-3"), std::string::npos) << r.table;
  for (const char* step : {"Started container data-downloader", "JobStarted=True",
                           "WorkspaceSucceeded=True"}) {
    EXPECT_NE(r.timeline.find(step), std::string::npos) << step << "\n" << r.timeline;
  }
  EXPECT_TRUE(r.deleted) << r.timeline;
}

}  // namespace
}  // namespace kt::scenarios
