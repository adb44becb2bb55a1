// Proves the Workspace controller, run by a Manager against the twin's in-process API server
// under SimEnv, drives the world to Kaito's end state (level-based: each test asserts the
// final objects and status, never call sequences). The provisioner and the cluster are played
// by hand. Covers Kaito's controller test list (applyWorkspaceResource, NodeClaim create and
// validate incl. the terminal error, ensureService, applyInference with preset and template,
// controller revisions, the GC finalizer, status updates) plus the later fixes: no duplicate
// NodeClaims with a lagging cache, launch errors surfaced, status recomputed when pods fail.
// Kaito's fake-client error cases are played by an admission plugin refusing one operation.
#include <gtest/gtest.h>

#include <set>

#include "controllers/kaito/conditions.h"
#include "controllers/runtime/metrics.h"
#include "sim/apiserver/admission.h"
#include "tests/controllers/workspace/sim_fixture.h"

namespace kt::workspace {
namespace {

using testing::FromYaml;
using testing::Phi3Yaml;
using testing::SimWorld;
using std::chrono::minutes;
using std::chrono::seconds;

const std::string kWs = "workspace-phi-3-mini";

TEST(WorkspaceControllerTest, Phi3WorkspaceGoesFromNodeClaimToReadyInference) {
  SimWorld w;
  w.Apply(FromYaml(Phi3Yaml()));
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  w.Run(seconds(30));

  Json ws = w.Workspace(kWs);
  EXPECT_TRUE(api::HasFinalizer(ws, "workspace.finalizer.kaito.sh"));
  EXPECT_EQ(api::Annotation(ws, "workspace.kaito.io/revision"), "1");
  const std::string hash = api::Annotation(ws, "workspace.kaito.io/hash").value_or("");
  ASSERT_EQ(hash.size(), 64u);
  auto rev = w.Get(api::resources::kControllerRevisions, "default", kWs + "-" + hash.substr(0, 5));
  ASSERT_TRUE(rev.has_value());
  EXPECT_EQ((*rev)["revision"], 1);

  std::vector<Json> claims = w.NodeClaims(kWs);
  ASSERT_EQ(claims.size(), 1u) << "no duplicate while waiting";
  EXPECT_EQ(claims[0]["spec"]["resources"]["requests"]["storage"], "80Gi");  // phi-3 disk
  EXPECT_EQ(claims[0]["metadata"]["labels"]["apps"], "phi-3");
  EXPECT_EQ(w.CondStatus(kWs, "ResourceReady"), "False");
  EXPECT_EQ(w.CondStatus(kWs, "WorkspaceSucceeded"), "False");
  EXPECT_EQ(w.CondStatus(kWs, "WorkspaceReady"), "False");
  EXPECT_FALSE(w.Get(api::resources::kDeployments, "default", kWs).has_value())
      << "nothing runs before the nodes are there";

  // The node joins, but the device plugin has not published GPUs yet.
  const std::string node = w.MakeNodeClaimReady(claims[0], 0);
  w.Run(seconds(20));
  auto n = w.Get(api::resources::kNodes, "", node);
  EXPECT_EQ(api::Label(*n, "accelerator"), "nvidia") << "Kaito labels GPU nodes";
  EXPECT_EQ(w.CondStatus(kWs, "ResourceReady"), "False");
  EXPECT_NE(w.Cond(kWs, "ResourceReady")->message.find("nvidia.com/gpu"), std::string::npos);

  w.SetGpuCapacity(node, 1);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "ResourceReady") == "True"; }));
  w.Run(seconds(5));
  ws = w.Workspace(kWs);
  EXPECT_EQ(kaito::WorkerNodes(ws), std::vector<std::string>{node});
  auto claim_ready = w.Cond(kWs, "NodeClaimReady");
  EXPECT_EQ(claim_ready->reason, "installNodePluginsSuccess");
  EXPECT_EQ(w.Cond(kWs, "ResourceReady")->reason, "workspaceResourceStatusSuccess");
  EXPECT_EQ(w.Cond(kWs, "ResourceReady")->observed_generation, api::Generation(ws));

  auto svc = w.Get(api::resources::kServices, "default", kWs);
  ASSERT_TRUE(svc.has_value());
  EXPECT_FALSE(GetString(*svc, "spec.clusterIP").empty()) << "the API server allocated an IP";
  auto dep = w.Get(api::resources::kDeployments, "default", kWs);
  ASSERT_TRUE(dep.has_value());
  EXPECT_EQ(api::Annotation(*dep, "workspace.kaito.io/revision"), "1");
  EXPECT_TRUE(w.Get(api::resources::kConfigMaps, "default", "inference-params-template").has_value())
      << "the default inference config was copied into the workspace's namespace";
  EXPECT_EQ(w.CondStatus(kWs, "InferenceReady"), "False");
  EXPECT_EQ(w.Cond(kWs, "InferenceReady")->reason, "WorkspaceInferenceStatusPending");

  w.MarkWorkloadReady(api::resources::kDeployments, kWs);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "WorkspaceSucceeded") == "True"; }));
  EXPECT_EQ(w.Cond(kWs, "InferenceReady")->reason, "WorkspaceInferenceStatusSuccess");
  EXPECT_EQ(w.Cond(kWs, "InferenceReady")->message, "Inference has been deployed successfully");
  EXPECT_EQ(w.Cond(kWs, "WorkspaceSucceeded")->message, "workspace succeeds");
  EXPECT_EQ(w.CondStatus(kWs, "WorkspaceReady"), "True") << "the seed's column";
  EXPECT_EQ(w.NodeClaims(kWs).size(), 1u);
}

TEST(WorkspaceControllerTest, CountTwoCreatesExactlyTwoNodeClaimsEvenWithALaggingCache) {
  SimWorld w({}, /*cache_lag=*/seconds(3), /*seed=*/7);
  Json ws = FromYaml(Phi3Yaml());
  ws["resource"]["count"] = 2;
  w.Apply(ws);
  w.Run(minutes(5));
  std::vector<Json> claims = w.NodeClaims(kWs);
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_NE(api::Name(claims[0]), api::Name(claims[1]));
  w.MakeNodeClaimReady(claims[0], 1);
  w.Run(minutes(2));
  EXPECT_EQ(w.NodeClaims(kWs).size(), 2u) << "a ready node does not trigger another claim";
  EXPECT_EQ(w.CondStatus(kWs, "ResourceReady"), "False");
  w.MakeNodeClaimReady(claims[1], 1);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "ResourceReady") == "True"; }));
  EXPECT_EQ(kaito::WorkerNodes(w.Workspace(kWs)).size(), 2u);
}

TEST(WorkspaceControllerTest, QuotaLaunchFailureShowsInResourceReadyAndRecovers) {
  SimWorld w;
  w.Apply(FromYaml(Phi3Yaml()));
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  Json nc = w.NodeClaims(kWs)[0];
  const std::string arm =
      "agentPool.BeginCreateOrUpdate for \"" + api::Name(nc) +
      "\" failed: QuotaExceeded: Operation could not be completed as it results in exceeding "
      "approved standardNCSv3Family Cores quota.";
  w.SetNodeClaimLaunchFailure(nc, arm);
  w.Run(seconds(10));
  auto rr = w.Cond(kWs, "ResourceReady");
  ASSERT_TRUE(rr.has_value());
  EXPECT_EQ(rr->status, "False");
  EXPECT_EQ(rr->reason, "LaunchFailed");
  EXPECT_NE(rr->message.find("exceeding approved standardNCSv3Family Cores quota"), std::string::npos);
  EXPECT_NE(w.Cond(kWs, "NodeClaimReady")->message.find("QuotaExceeded"), std::string::npos);
  EXPECT_EQ(w.Cond(kWs, "WorkspaceSucceeded")->reason, "workspaceFailed");
  EXPECT_EQ(w.NodeClaims(kWs).size(), 1u) << "the provisioner retries; no second claim";

  // Quota frees up: the provisioner launches it after all.
  w.MakeNodeClaimReady(nc, 1);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "ResourceReady") == "True"; }));
}

TEST(WorkspaceControllerTest, UnavailableInstanceTypesAreTerminal) {
  SimWorld w;
  w.Apply(FromYaml(Phi3Yaml()));
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  w.SetNodeClaimLaunchFailure(w.NodeClaims(kWs)[0],
                              "all requested instance types were unavailable during launch");
  w.Run(minutes(3));
  auto rr = w.Cond(kWs, "ResourceReady");
  EXPECT_EQ(rr->reason, "workspaceResourceStatusFailed");
  EXPECT_NE(rr->message.find("all requested instance types were unavailable"), std::string::npos);
  EXPECT_EQ(w.Cond(kWs, "NodeClaimReady")->reason, "checkNodeClaimStatusFailed");
  EXPECT_EQ(w.CondStatus(kWs, "WorkspaceSucceeded"), "False");
  EXPECT_EQ(w.NodeClaims(kWs).size(), 1u);
  auto& terminal = w.manager().metrics().GetCounter(
      "controller_runtime_terminal_reconcile_errors_total", "", {{"controller", "workspace"}});
  EXPECT_GE(terminal.value(), 1);
}

// Makes the API server refuse one operation on one resource (Kaito's fake-client error cases).
class Reject : public sim::ValidatingAdmissionPlugin {
 public:
  Reject(std::string resource, sim::AdmissionOperation op)
      : resource_(std::move(resource)), op_(op) {}
  std::string name() const override { return "reject-" + resource_; }
  Status Validate(const sim::AdmissionRequest& r) override {
    if (r.resource.resource == resource_ && r.operation == op_ && r.subresource.empty()) {
      return Forbidden(resource_ + " are not allowed here");
    }
    return Status::Ok();
  }

 private:
  std::string resource_;
  sim::AdmissionOperation op_;
};

TEST(WorkspaceControllerTest, NodeClaimCreateFailureIsReportedAndRetried) {
  SimWorld w;
  w.server().admission().AddValidating(
      std::make_shared<Reject>("nodeclaims", sim::AdmissionOperation::kCreate));
  w.Apply(FromYaml(Phi3Yaml()));
  w.Run(seconds(30));
  auto c = w.Cond(kWs, "NodeClaimReady");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status, "False");
  EXPECT_EQ(c->reason, "nodeClaimFailedCreation");
  EXPECT_NE(c->message.find("nodeclaims are not allowed here"), std::string::npos);
  EXPECT_EQ(w.Cond(kWs, "WorkspaceSucceeded")->reason, "workspaceFailed");
  w.server().admission().Remove("reject-nodeclaims");
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }, minutes(30)));
}

TEST(WorkspaceControllerTest, PreferredNodesAreUsedWithoutNodeClaimsAndPodsGetOneNodesGpus) {
  SimWorld w;
  Json ws = FromYaml(Phi3Yaml());
  ws["resource"]["count"] = 2;
  ws["resource"]["instanceType"] = "Standard_NC80adis_H100_v5";
  ws["resource"]["preferredNodes"] = {"byo-1", "byo-2"};
  for (const char* n : {"byo-1", "byo-2"}) {
    w.AddNode(n, {{"apps", "phi-3"}, {"node.kubernetes.io/instance-type", "Standard_NC80adis_H100_v5"}}, 2);
  }
  w.Apply(ws);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "ResourceReady") == "True"; }));
  ASSERT_TRUE(w.RunUntil([&] {
    return w.Get(api::resources::kDeployments, "default", kWs).has_value();
  }));
  EXPECT_TRUE(w.NodeClaims(kWs).empty());
  EXPECT_EQ(kaito::WorkerNodes(w.Workspace(kWs)), (std::vector<std::string>{"byo-1", "byo-2"}));
  Json dep = *w.Get(api::resources::kDeployments, "default", kWs);
  EXPECT_EQ(dep["spec"]["replicas"], 2);
  EXPECT_EQ(dep["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"], "2")
      << "one node's GPUs per pod, not the workspace's 4 (kaito#1335)";
}

TEST(WorkspaceControllerTest, GpuCapacityThatNeverAppearsTimesOutInStatusButKeepsWaiting) {
  SimWorld w;
  w.Apply(FromYaml(Phi3Yaml()));
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  const std::string node = w.MakeNodeClaimReady(w.NodeClaims(kWs)[0], 0);
  w.Run(minutes(3));
  auto rr = w.Cond(kWs, "ResourceReady");
  EXPECT_EQ(rr->status, "False");
  EXPECT_EQ(rr->message, "node plugin installation timed out. node " + node + " is not ready");
  EXPECT_FALSE(w.Get(api::resources::kDeployments, "default", kWs).has_value());
  w.SetGpuCapacity(node, 1);  // late, but not never
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "ResourceReady") == "True"; }));
}

// Brings the Phi-3 workspace to WorkspaceSucceeded=True.
void MakeReady(SimWorld& w, const Json& ws, const std::string& name = kWs) {
  w.Apply(ws);
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(name).size() == 1; }));
  w.MakeNodeClaimReady(w.NodeClaims(name)[0], 1);
  ASSERT_TRUE(w.RunUntil([&] {
    return w.Get(api::resources::kDeployments, "default", name).has_value();
  }));
  w.MarkWorkloadReady(api::resources::kDeployments, name);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(name, "WorkspaceSucceeded") == "True"; }));
}

TEST(WorkspaceControllerTest, PodOomKilledFlipsInferenceReadyFalseAndBackWhenHealthy) {
  SimWorld w;
  MakeReady(w, FromYaml(Phi3Yaml()));
  Json oom = {{"name", kWs}, {"ready", false}, {"restartCount", 4},
              {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}, {"message", "back-off 40s"}}}}},
              {"lastState", {{"terminated", {{"reason", "OOMKilled"}, {"exitCode", 137}}}}}};
  w.AddPod(kWs, kWs + "-abc", oom);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "InferenceReady") == "False"; }));
  auto ir = w.Cond(kWs, "InferenceReady");
  EXPECT_EQ(ir->reason, "ContainerOOMKilled");
  EXPECT_NE(ir->message.find(kWs + "-abc"), std::string::npos);
  EXPECT_EQ(w.CondStatus(kWs, "WorkspaceSucceeded"), "False") << "never ready once, ready forever";
  EXPECT_EQ(w.CondStatus(kWs, "WorkspaceReady"), "False");

  Json healthy = {{"name", kWs}, {"ready", true}, {"restartCount", 4},
                  {"state", {{"running", {{"startedAt", "2026-01-01T00:10:00Z"}}}}},
                  {"lastState", {{"terminated", {{"reason", "OOMKilled"}, {"exitCode", 137}}}}}};
  w.SetPodContainerStatus(kWs + "-abc", healthy);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "WorkspaceSucceeded") == "True"; }));
  EXPECT_EQ(w.CondStatus(kWs, "InferenceReady"), "True");
}

TEST(WorkspaceControllerTest, AdapterUpdateRollsTheDeploymentToTheNewRevision) {
  SimWorld w;
  MakeReady(w, FromYaml(Phi3Yaml()));
  Json ws = w.Workspace(kWs);
  ws["inference"]["adapters"] = Json::array(
      {{{"source", {{"name", "phi-3-adapter"}, {"image", "myacr.azurecr.io/adapter:0.0.1"}}},
        {"strength", "0.5"}}});
  ASSERT_TRUE(w.client().Update(api::resources::kWorkspaces, "default", ws).ok());
  ASSERT_TRUE(w.RunUntil([&] {
    auto d = w.Get(api::resources::kDeployments, "default", kWs);
    return d && api::Annotation(*d, "workspace.kaito.io/revision") == "2";
  }));
  Json dep = *w.Get(api::resources::kDeployments, "default", kWs);
  const Json& spec = dep["spec"]["template"]["spec"];
  ASSERT_EQ(spec["initContainers"].size(), 1u);
  EXPECT_EQ(spec["initContainers"][0]["name"], "puller-phi-3-adapter");
  EXPECT_EQ(spec["containers"][0]["env"][0], (Json{{"name", "phi-3-adapter"}, {"value", "0.5"}}));
  EXPECT_EQ(api::Annotation(w.Workspace(kWs), "workspace.kaito.io/revision"), "2");
  EXPECT_EQ(w.List(api::resources::kControllerRevisions, "default", "workspace.kaito.io/name=" + kWs).size(), 2u);
  w.Run(seconds(10));
  EXPECT_EQ(w.CondStatus(kWs, "InferenceReady"), "False") << "the new template is not ready yet";
  w.MarkWorkloadReady(api::resources::kDeployments, kWs);
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus(kWs, "WorkspaceSucceeded") == "True"; }));
}

TEST(WorkspaceControllerTest, ControllerRevisionsAreCappedAtTen) {
  SimWorld w;
  w.Apply(FromYaml(Phi3Yaml()));
  w.Run(seconds(10));
  for (int i = 0; i < 12; ++i) {
    Json ws = w.Workspace(kWs);
    ws["inference"]["config"] = "cfg-" + std::to_string(i);
    ASSERT_TRUE(w.client().Update(api::resources::kWorkspaces, "default", ws).ok());
    const std::string want = std::to_string(i + 2);
    ASSERT_TRUE(w.RunUntil([&] {
      return api::Annotation(w.Workspace(kWs), "workspace.kaito.io/revision") == want;
    })) << i;
  }
  w.Run(seconds(10));
  std::vector<Json> revs = w.List(api::resources::kControllerRevisions, "default",
                                  "workspace.kaito.io/name=" + kWs);
  EXPECT_EQ(revs.size(), 10u);
  std::set<int64_t> numbers;
  for (const Json& r : revs) numbers.insert(r["revision"].get<int64_t>());
  EXPECT_EQ(*numbers.begin(), 4);
  EXPECT_EQ(*numbers.rbegin(), 13);
}

TEST(WorkspaceControllerTest, MissingUserConfigMapIsReportedOnInferenceReady) {
  SimWorld w;
  Json ws = FromYaml(Phi3Yaml());
  ws["inference"]["config"] = "my-config";
  w.Apply(ws);
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  w.MakeNodeClaimReady(w.NodeClaims(kWs)[0], 1);
  w.Run(seconds(30));
  auto ir = w.Cond(kWs, "InferenceReady");
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->reason, "WorkspaceInferenceStatusFailed");
  EXPECT_NE(ir->message.find("my-config"), std::string::npos);
  EXPECT_FALSE(w.Get(api::resources::kDeployments, "default", kWs).has_value());
  Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
             {"metadata", {{"name", "my-config"}, {"namespace", "default"}}},
             {"data", {{"inference_config.yaml", "vllm:\n  max-model-len: 2048\n"}}}};
  ASSERT_TRUE(w.client().Create(api::resources::kConfigMaps, "default", cm).ok());
  ASSERT_TRUE(w.RunUntil([&] {
    return w.Get(api::resources::kDeployments, "default", kWs).has_value();
  }, minutes(20)));
  Json dep = *w.Get(api::resources::kDeployments, "default", kWs);
  EXPECT_EQ(dep["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"], "my-config");
}

TEST(WorkspaceControllerTest, ServiceCreateFailureIsReportedAndNoWorkloadStartsUntilItWorks) {
  SimWorld w;
  w.server().admission().AddValidating(
      std::make_shared<Reject>("services", sim::AdmissionOperation::kCreate));
  w.Apply(FromYaml(Phi3Yaml()));
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  w.MakeNodeClaimReady(w.NodeClaims(kWs)[0], 1);
  w.Run(seconds(30));
  auto ir = w.Cond(kWs, "InferenceReady");
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->status, "False");
  EXPECT_EQ(ir->reason, "WorkspaceInferenceStatusFailed");
  EXPECT_NE(ir->message.find("services are not allowed here"), std::string::npos);
  EXPECT_EQ(w.Cond(kWs, "WorkspaceSucceeded")->reason, "workspaceFailed");
  EXPECT_FALSE(w.Get(api::resources::kDeployments, "default", kWs).has_value());
  w.server().admission().Remove("reject-services");
  ASSERT_TRUE(w.RunUntil([&] {
    return w.Get(api::resources::kDeployments, "default", kWs).has_value();
  }, minutes(30)));
  EXPECT_TRUE(w.Get(api::resources::kServices, "default", kWs).has_value());
}

TEST(WorkspaceControllerTest, TemplateDeploymentCreateFailureIsReported) {
  SimWorld w;
  w.server().admission().AddValidating(
      std::make_shared<Reject>("deployments", sim::AdmissionOperation::kCreate));
  w.Apply(FromYaml(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: custom, namespace: default}\n"
      "resource: {instanceType: Standard_NC12s_v3, labelSelector: {matchLabels: {apps: custom}}}\n"
      "inference:\n  template:\n    spec:\n"
      "      containers: [{name: server, image: myimage:1}]\n"));
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims("custom").size() == 1; }));
  w.MakeNodeClaimReady(w.NodeClaims("custom")[0], 2);
  w.Run(seconds(30));
  auto ir = w.Cond("custom", "InferenceReady");
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->reason, "WorkspaceInferenceStatusFailed");
  EXPECT_NE(ir->message.find("deployments are not allowed here"), std::string::npos);
  EXPECT_EQ(w.CondStatus("custom", "WorkspaceSucceeded"), "False");
}

TEST(WorkspaceControllerTest, NodeClaimDeleteFailureKeepsTheFinalizerUntilItSucceeds) {
  SimWorld w;
  w.Apply(FromYaml(Phi3Yaml()));
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  w.server().admission().AddValidating(
      std::make_shared<Reject>("nodeclaims", sim::AdmissionOperation::kDelete));
  ASSERT_TRUE(w.client().Delete(api::resources::kWorkspaces, "default", kWs).ok());
  w.Run(seconds(30));
  Json held = w.Workspace(kWs);
  EXPECT_TRUE(api::HasFinalizer(held, "workspace.finalizer.kaito.sh"))
      << "the finalizer stays while a NodeClaim cannot be deleted";
  EXPECT_EQ(w.CondStatus(kWs, "WorkspaceDeleting"), "True");
  EXPECT_EQ(w.NodeClaims(kWs).size(), 1u);
  w.server().admission().Remove("reject-nodeclaims");
  ASSERT_TRUE(w.RunUntil([&] {
    return !w.Get(api::resources::kWorkspaces, "default", kWs).has_value();
  }, minutes(30)));
  EXPECT_TRUE(w.NodeClaims(kWs).empty());
}

TEST(WorkspaceControllerTest, ExistingServiceIsLeftAsItIs) {
  SimWorld w;
  Json svc = {{"apiVersion", "v1"}, {"kind", "Service"},
              {"metadata", {{"name", kWs}, {"namespace", "default"}}},
              {"spec", {{"ports", Json::array({{{"port", 8080}}})}, {"selector", {{"x", "y"}}}}}};
  ASSERT_TRUE(w.client().Create(api::resources::kServices, "default", svc).ok());
  MakeReady(w, FromYaml(Phi3Yaml()));
  Json got = *w.Get(api::resources::kServices, "default", kWs);
  EXPECT_EQ(got["spec"]["ports"][0]["port"], 8080);
}

TEST(WorkspaceControllerTest, TemplateWorkspaceGetsAServiceAndItsTemplateDeployment) {
  SimWorld w;
  Json ws = FromYaml(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: custom, namespace: default}\n"
      "resource: {instanceType: Standard_NC12s_v3, labelSelector: {matchLabels: {apps: custom}}}\n"
      "inference:\n  template:\n    spec:\n"
      "      containers: [{name: server, image: myimage:1}]\n");
  w.Apply(ws);
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims("custom").size() == 1; }));
  w.MakeNodeClaimReady(w.NodeClaims("custom")[0], 2);
  ASSERT_TRUE(w.RunUntil([&] {
    return w.Get(api::resources::kDeployments, "default", "custom").has_value();
  }));
  EXPECT_TRUE(w.Get(api::resources::kServices, "default", "custom").has_value());
  Json dep = *w.Get(api::resources::kDeployments, "default", "custom");
  EXPECT_EQ(dep["spec"]["template"]["spec"]["containers"][0]["image"], "myimage:1");
  EXPECT_EQ(dep["spec"]["template"]["spec"]["tolerations"].size(), 2u);
  w.MarkWorkloadReady(api::resources::kDeployments, "custom");
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus("custom", "WorkspaceSucceeded") == "True"; }));
}

TEST(WorkspaceControllerTest, DistributedPresetGetsAStatefulSetAndAHeadlessService) {
  auto catalog = kaito::PresetCatalog::Parse(R"(presets:
- name: big-model
  family: test
  in_v0_4_6: true
  values_from: v0.4.6
  image: {name: kaito-big-model, tag: 0.0.9}
  distributed_inference: true
  inference: {gpu_count: 2, total_gpu_memory: 100Gi, per_gpu_memory: 0Gi, disk: 300Gi, readiness_timeout_s: 1200}
  runtimes: [vllm]
)", "test");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  WorkspaceControllerOptions opts;
  opts.presets = &*catalog;
  SimWorld w(opts);
  Json ws = FromYaml(Phi3Yaml("big"));
  ws["inference"]["preset"]["name"] = "big-model";
  w.Apply(ws);
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims("big").size() == 1; }));
  EXPECT_EQ(w.NodeClaims("big")[0]["spec"]["resources"]["requests"]["storage"], "300Gi");
  w.MakeNodeClaimReady(w.NodeClaims("big")[0], 1);
  ASSERT_TRUE(w.RunUntil([&] {
    return w.Get(api::resources::kStatefulSets, "default", "big").has_value();
  }));
  EXPECT_TRUE(w.Get(api::resources::kServices, "default", "big-headless").has_value());
  EXPECT_FALSE(w.Get(api::resources::kDeployments, "default", "big").has_value());
  w.MarkWorkloadReady(api::resources::kStatefulSets, "big");
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus("big", "WorkspaceSucceeded") == "True"; }));
}

TEST(WorkspaceControllerTest, TuningWorkspaceRunsItsJobToSucceededAndANewRevisionReplacesIt) {
  SimWorld w;
  Json ws = FromYaml(
      "apiVersion: kaito.sh/v1beta1\nkind: Workspace\nmetadata: {name: tune, namespace: default}\n"
      "resource: {instanceType: Standard_NC24ads_A100_v4, labelSelector: {matchLabels: {app: tuning}}}\n"
      "tuning:\n  preset: {name: phi-3-mini-4k-instruct}\n  method: qlora\n"
      "  input: {urls: [\"https://example.com/train.parquet\"]}\n"
      "  output: {image: myacr.azurecr.io/out:0.0.1, imagePushSecret: push}\n");
  w.Apply(ws);
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims("tune").size() == 1; }));
  w.MakeNodeClaimReady(w.NodeClaims("tune")[0], 1);
  ASSERT_TRUE(w.RunUntil([&] { return w.Get(api::resources::kJobs, "default", "tune").has_value(); }));
  EXPECT_TRUE(w.Get(api::resources::kConfigMaps, "default", "qlora-params-template").has_value());
  EXPECT_FALSE(w.Get(api::resources::kServices, "default", "tune").has_value()) << "no Service for tuning";
  w.Run(seconds(5));
  EXPECT_EQ(w.CondStatus("tune", "JobStarted"), "False");
  EXPECT_EQ(w.Cond("tune", "WorkspaceSucceeded")->message,
            "workspace has not completed, tuning job has 0 active pod, 0 ready pod");
  Json job = *w.Get(api::resources::kJobs, "default", "tune");
  // The results volume sits at the template's output_dir.
  bool found = false;
  for (const Json& m : job["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]) {
    if (m["name"] == "results-volume") found = m["mountPath"] == "/mnt/results";
  }
  EXPECT_TRUE(found);

  auto patch_job = [&](const Json& status) {
    ASSERT_TRUE(w.client().Patch(api::resources::kJobs, "default", "tune", api::PatchType::kMerge,
                                 DumpJson({{"status", status}}), {.subresource = "status"}).ok());
  };
  patch_job({{"active", 1}, {"ready", 1}});
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus("tune", "JobStarted") == "True"; }));
  EXPECT_EQ(w.Cond("tune", "JobStarted")->message, "Tuning job has started");
  EXPECT_EQ(w.Cond("tune", "WorkspaceSucceeded")->message,
            "workspace has not completed, tuning job has 1 active pod, 1 ready pod");
  // Regression: when training ends the pod is no longer Ready while its pusher uploads the
  // adapter; JobStarted went back to False ("has not started") for that while.
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", "tune-x1"}, {"namespace", "default"}, {"labels", {{"kaito.sh/workspace", "tune"}}}}},
              {"spec", {{"containers", Json::array({{{"name", "tune"}, {"image", "busybox"}}})}}}};
  ASSERT_TRUE(w.client().Create(api::resources::kPods, "default", pod).ok());
  ASSERT_TRUE(w.client().Patch(api::resources::kPods, "default", "tune-x1", api::PatchType::kMerge,
                               R"({"status":{"phase":"Running"}})", {.subresource = "status"}).ok());
  patch_job({{"active", 1}, {"ready", 0}});
  w.Run(seconds(5));
  EXPECT_EQ(w.CondStatus("tune", "JobStarted"), "True");
  patch_job({{"active", 0}, {"ready", 0}, {"succeeded", 1}});
  ASSERT_TRUE(w.RunUntil([&] { return w.CondStatus("tune", "WorkspaceSucceeded") == "True"; }));
  EXPECT_EQ(w.CondStatus("tune", "WorkspaceReady"), "True");

  // A new dataset: revision 2 replaces the Job.
  Json next = w.Workspace("tune");
  next["tuning"]["input"]["urls"] = {"https://example.com/train2.parquet"};
  ASSERT_TRUE(w.client().Update(api::resources::kWorkspaces, "default", next).ok());
  ASSERT_TRUE(w.RunUntil([&] {
    auto j = w.Get(api::resources::kJobs, "default", "tune");
    return j && api::Annotation(*j, "workspace.kaito.io/revision") == "2";
  }));
  Json job2 = *w.Get(api::resources::kJobs, "default", "tune");
  EXPECT_EQ(job2["spec"]["template"]["spec"]["initContainers"][0]["env"][0]["value"],
            "https://example.com/train2.parquet");
  EXPECT_EQ(w.CondStatus("tune", "WorkspaceSucceeded"), "False");
}

TEST(WorkspaceControllerTest, DeletingAWorkspaceDeletesItsNodeClaimsAndReleasesTheFinalizer) {
  SimWorld w;
  w.Apply(FromYaml(Phi3Yaml()));
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  // Another workspace's NodeClaim must survive.
  Json other = FromYaml(Phi3Yaml("other"));
  w.Apply(other);
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims("other").size() == 1; }));
  ASSERT_TRUE(w.client().Delete(api::resources::kWorkspaces, "default", kWs).ok());
  ASSERT_TRUE(w.RunUntil([&] {
    return !w.Get(api::resources::kWorkspaces, "default", kWs).has_value();
  }));
  EXPECT_TRUE(w.NodeClaims(kWs).empty());
  EXPECT_EQ(w.NodeClaims("other").size(), 1u);
  w.Run(seconds(5));
  EXPECT_TRUE(w.List(api::resources::kControllerRevisions, "default", "workspace.kaito.io/name=" + kWs).empty())
      << "owned objects are garbage-collected";
}

TEST(WorkspaceControllerTest, DeletionIsReportedWhileAnotherFinalizerHoldsTheWorkspace) {
  SimWorld w;
  Json ws = FromYaml(Phi3Yaml());
  ws["metadata"]["finalizers"] = {"example.com/hold"};
  w.Apply(ws);
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).size() == 1; }));
  ASSERT_TRUE(w.client().Delete(api::resources::kWorkspaces, "default", kWs).ok());
  ASSERT_TRUE(w.RunUntil([&] { return w.NodeClaims(kWs).empty(); }));
  w.Run(seconds(5));
  Json held = w.Workspace(kWs);
  EXPECT_FALSE(api::HasFinalizer(held, "workspace.finalizer.kaito.sh"));
  auto del = api::FindCondition(held, "WorkspaceDeleting");
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->status, "True");
  EXPECT_EQ(del->reason, "workspaceDeleted");
  EXPECT_EQ(del->message, "workspace is being deleted");
}

TEST(WorkspaceControllerTest, WorkspaceCountMetricCountsPhases) {
  SimWorld w;
  MakeReady(w, FromYaml(Phi3Yaml()));
  w.Apply(FromYaml(Phi3Yaml("pending-one")));
  w.Run(minutes(2));
  std::string text = w.manager().metrics().Render();
  EXPECT_NE(text.find("kaito_workspace_count{phase=\"succeeded\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("kaito_workspace_count{phase=\"pending\"} 1"), std::string::npos) << text;
}

TEST(WorkspaceControllerTest, EventsRecordTheImportantTransitions) {
  SimWorld w;
  MakeReady(w, FromYaml(Phi3Yaml()));
  w.Run(seconds(5));
  std::set<std::string> reasons;
  for (const Json& e : w.List(api::resources::kEvents, "default")) {
    if (e["involvedObject"]["name"] == kWs) reasons.insert(e["reason"].get<std::string>());
  }
  for (const char* r : {"NodeClaimCreated", "ServiceCreated", "WorkloadCreated",
                        "workspaceResourceStatusSuccess", "workspaceSucceeded"}) {
    EXPECT_EQ(reasons.count(r), 1u) << r;
  }
}

}  // namespace
}  // namespace kt::workspace
