// The cluster twin's building blocks, each against its contract: the image catalog (data
// file, glob patterns, defaults, validation errors), container behaviour (annotations,
// command lines), Go duration formatting, template hashes, intstr resolution, StatefulSet
// ordinals, pod resource requests, taint/toleration matching, node affinity parsing, the
// defaults admission plugin, owned-pod tracking, and the loop/queue/informer helpers.
#include <gtest/gtest.h>

#include "base/json.h"
#include "base/sim_env.h"
#include "sim/apiserver/api_server.h"
#include "sim/apiserver/in_process_client.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/container_behavior.h"
#include "sim/cluster/controller_util.h"
#include "sim/cluster/defaults_admission.h"
#include "sim/cluster/go_duration.h"
#include "sim/cluster/image_catalog.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/node_affinity.h"
#include "sim/cluster/owned_pods.h"
#include "sim/cluster/resources.h"
#include "sim/cluster/taints.h"
#include "sim/cluster/work_queue.h"

namespace kt::sim::cluster {
namespace {

TEST(ImageCatalog, EmbeddedDataLoadsAndKnowsKaitoModelImages) {
  auto c = ImageCatalog::LoadEmbedded();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ImageFacts phi = c->Lookup("mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-4k-instruct:0.2.0", "", false);
  EXPECT_EQ(phi.size_bytes, 16235726848);
  EXPECT_EQ(phi.gpu_memory_gib, 9);
  EXPECT_FALSE(phi.run_s.has_value());
  ImageFacts nginx = c->Lookup("nginx:1.25", "", false);
  EXPECT_EQ(nginx.pattern, "docker.io/library/nginx:*");
  ImageFacts unknown = c->Lookup("example.com/whatever:1", "", false);
  EXPECT_EQ(unknown.pattern, "");
  EXPECT_EQ(unknown.size_bytes, 100000000);
  ImageFacts init = c->Lookup("example.com/whatever:1", "", true);
  ASSERT_TRUE(init.run_s.has_value());
  EXPECT_EQ(*init.run_s, 2);
}

TEST(ImageCatalog, BadEntriesAreRejectedWithTheirName) {
  auto bad = ImageCatalog::Parse("images:\n- {pattern: \"x:*\", size_bytes: -1}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("image x:*"), std::string::npos) << bad.status().message();
  auto unknown = ImageCatalog::Parse("images:\n- {pattern: \"x:*\", sizee: 1}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown field"), std::string::npos);
  auto no_pattern = ImageCatalog::Parse("images:\n- {size_bytes: 1}\n");
  EXPECT_FALSE(no_pattern.ok());
}

TEST(ImageCatalog, ReferencesNormalizeLikeContainerd) {
  EXPECT_EQ(NormalizeImage("nginx"), "docker.io/library/nginx:latest");
  EXPECT_EQ(NormalizeImage("nginx:1.25"), "docker.io/library/nginx:1.25");
  EXPECT_EQ(NormalizeImage("bitnami/redis:7"), "docker.io/bitnami/redis:7");
  EXPECT_EQ(NormalizeImage("mcr.microsoft.com/aks/kaito/x:1"), "mcr.microsoft.com/aks/kaito/x:1");
  EXPECT_EQ(NormalizeImage("localhost:5000/x"), "localhost:5000/x:latest");
  EXPECT_TRUE(IsLatestTag("nginx"));
  EXPECT_TRUE(IsLatestTag("nginx:latest"));
  EXPECT_FALSE(IsLatestTag("nginx:1.25"));
  EXPECT_FALSE(IsLatestTag("localhost:5000/x:1"));
  EXPECT_TRUE(GlobMatch("*/kaito-*:*", "mcr.microsoft.com/aks/kaito/kaito-phi-4:0.2.0"));
  EXPECT_FALSE(GlobMatch("*/kaito-phi-4:*", "mcr.microsoft.com/aks/kaito/kaito-phi-4-mini-instruct:0.2.0"));
  EXPECT_EQ(ImageId("docker.io/library/nginx:1.25").rfind("docker.io/library/nginx@sha256:", 0), 0u);
}

TEST(ContainerBehavior, AnnotationsBeatCommandsWhichBeatTheCatalog) {
  auto c = ImageCatalog::LoadEmbedded();
  ASSERT_TRUE(c.ok());
  Json pod = {{"metadata", {{"annotations", {{"sim.kaito-twin.io/load-seconds", "12"},
                                             {"sim.kaito-twin.io/exit-code.b", "4"}}}}}};
  Json a = {{"name", "a"}, {"image", "busybox"}, {"command", Json::array({"sh", "-c", "sleep 5; exit 2"})}};
  ImageFacts fa = ContainerBehavior(*c, pod, a, false);
  EXPECT_EQ(fa.load_s, 12);
  ASSERT_TRUE(fa.run_s.has_value());
  EXPECT_EQ(*fa.run_s, 5);
  EXPECT_EQ(fa.exit_code, 2);
  Json b = {{"name", "b"}, {"image", "busybox"}, {"command", Json::array({"true"})}};
  ImageFacts fb = ContainerBehavior(*c, pod, b, false);
  EXPECT_EQ(fb.exit_code, 4);
  Json forever = {{"name", "f"}, {"image", "busybox"}, {"args", Json::array({"sleep", "infinity"})}};
  EXPECT_FALSE(ContainerBehavior(*c, Json::object(), forever, false).run_s.has_value());
  Json server = {{"name", "s"}, {"image", "nginx"}, {"command", Json::array({"nginx", "-g", "daemon off;"})}};
  EXPECT_FALSE(ContainerBehavior(*c, Json::object(), server, false).run_s.has_value());
  Json perl = {{"name", "pi"}, {"image", "perl:5.34"},
               {"command", Json::array({"perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"})}};
  EXPECT_EQ(ContainerBehavior(*c, Json::object(), perl, false).run_s.value_or(-1), 8);
}

TEST(ImageCatalog, CommandOverlaysChangeHowAnImageRunsForMatchingCommandLines) {
  auto c = ImageCatalog::Parse(
      "images:\n"
      "- {pattern: \"*/model:*\", command: \"*train.py*\", run_s: 60, exit_code: 0}\n"
      "- {pattern: \"*/model:*\", size_bytes: 5000, load_s: 9, gpu_memory_gib: 3}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ImageFacts serve = c->Lookup("example.com/model:1", "python3 serve.py", false);
  EXPECT_FALSE(serve.run_s.has_value());
  EXPECT_EQ(serve.size_bytes, 5000);
  ImageFacts train = c->Lookup("example.com/model:1", "/bin/sh -c accelerate launch train.py", false);
  ASSERT_TRUE(train.run_s.has_value());
  EXPECT_EQ(*train.run_s, 60);
  EXPECT_EQ(train.size_bytes, 5000);  // the overlay keeps the image's own facts
  EXPECT_EQ(train.gpu_memory_gib, 3);
  EXPECT_EQ(train.pattern, "*/model:*");
  auto bad = ImageCatalog::Parse("images:\n- {pattern: \"x:*\", command: 3}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("command"), std::string::npos) << bad.status().message();
}

TEST(ContainerBehavior, KaitoTuningRunsToCompletionAndItsScriptsAreNotGuessedFrom) {
  auto c = ImageCatalog::LoadEmbedded();
  ASSERT_TRUE(c.ok());
  Json tuning = {{"name", "t"},
                 {"image", "mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-128k-instruct:0.1.1"},
                 {"command", Json::array({"/bin/sh", "-c",
                                          "cd /workspace/tfs/ && python3 metrics_server.py & "
                                          "accelerate launch /workspace/tfs/fine_tuning.py"})}};
  ImageFacts t = ContainerBehavior(*c, Json::object(), tuning, false);
  ASSERT_TRUE(t.run_s.has_value());
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_EQ(t.gpu_memory_gib, 9);
  Json serve = {{"name", "s"},
                {"image", "mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-128k-instruct:0.1.1"},
                {"command", Json::array({"/bin/sh", "-c", "python3 /workspace/vllm/inference_api.py"})}};
  EXPECT_FALSE(ContainerBehavior(*c, Json::object(), serve, false).run_s.has_value());
  // Regression: the data downloader's retry loop ("... sleep 1; done; [ ok ] || exit 1") was
  // read as "sleep 1, then exit 1", so every tuning pod failed in its init container.
  Json downloader = {{"name", "d"},
                     {"image", "curlimages/curl"},
                     {"command", Json::array({"/bin/sh", "-c",
                                              "for try in 1 2 3; do if curl -sSfL x; then ok=1; "
                                              "break; fi; sleep 1; done; [ \"$ok\" = 1 ] || "
                                              "{ echo failed; exit 1; }"})}};
  ImageFacts d = ContainerBehavior(*c, Json::object(), downloader, true);
  ASSERT_TRUE(d.run_s.has_value());
  EXPECT_EQ(d.exit_code, 0);
  EXPECT_EQ(d.pattern, "docker.io/curlimages/curl:*");
  Json chained = {{"name", "c"}, {"image", "busybox"},
                  {"command", Json::array({"sh", "-c", "sleep 2 && exit 3"})}};
  ImageFacts ch = ContainerBehavior(*c, Json::object(), chained, false);
  EXPECT_EQ(ch.run_s.value_or(-1), 2);
  EXPECT_EQ(ch.exit_code, 3);
}

TEST(GoDuration, FormatsLikeGo) {
  using namespace std::chrono;
  EXPECT_EQ(GoDuration(milliseconds(500)), "500ms");
  EXPECT_EQ(GoDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(GoDuration(seconds(10)), "10s");
  EXPECT_EQ(GoDuration(seconds(80)), "1m20s");
  EXPECT_EQ(GoDuration(seconds(300)), "5m0s");
  EXPECT_EQ(GoDuration(milliseconds(811786)), "13m31.786s");
  EXPECT_EQ(GoDuration(seconds(3723)), "1h2m3s");
  EXPECT_EQ(GoDuration(Duration(0)), "0s");
}

TEST(ControllerUtil, TemplateHashIsStableSafeEncodedAndTemplateSensitive) {
  Json t = {{"metadata", {{"labels", {{"app", "x"}}}}}, {"spec", {{"containers", Json::array()}}}};
  std::string h = TemplateHash(t);
  EXPECT_EQ(h, TemplateHash(t));
  EXPECT_NE(h, TemplateHash(t, 1));
  Json t2 = t;
  t2["metadata"]["labels"]["app"] = "y";
  EXPECT_NE(h, TemplateHash(t2));
  EXPECT_LE(h.size(), 10u);
  for (char c : h) EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos);
}

TEST(ControllerUtil, IntOrPercentRoundsAsAsked) {
  Json pct = "25%";
  EXPECT_EQ(ResolveIntOrPercent(&pct, 10, true, 0), 3);
  EXPECT_EQ(ResolveIntOrPercent(&pct, 10, false, 0), 2);
  Json n = 2;
  EXPECT_EQ(ResolveIntOrPercent(&n, 10, true, 0), 2);
  EXPECT_EQ(ResolveIntOrPercent(nullptr, 10, true, 7), 7);
  Json bad = "x%";
  EXPECT_EQ(ResolveIntOrPercent(&bad, 10, true, 5), 5);
}

TEST(ControllerUtil, StatefulSetOrdinalsParseOnlyExactNames) {
  EXPECT_EQ(PodOrdinal("web", "web-0"), 0);
  EXPECT_EQ(PodOrdinal("web", "web-12"), 12);
  EXPECT_EQ(PodOrdinal("web", "web-01"), -1);
  EXPECT_EQ(PodOrdinal("web", "webx-1"), -1);
  EXPECT_EQ(PodOrdinal("web", "web-a"), -1);
}

TEST(ControllerUtil, WorkloadConditionsKeepTransitionTimeAndMoveToTheEnd) {
  Json status = Json::object();
  Time t0 = FromUnixSeconds(1000), t1 = FromUnixSeconds(2000);
  EXPECT_TRUE(SetWorkloadCondition(status, "Progressing", "True", "A", "m", t0));
  EXPECT_TRUE(SetWorkloadCondition(status, "Available", "True", "B", "m", t0));
  EXPECT_FALSE(SetWorkloadCondition(status, "Progressing", "True", "A", "m2", t1));
  EXPECT_TRUE(SetWorkloadCondition(status, "Progressing", "True", "C", "m3", t1));
  ASSERT_EQ(status["conditions"].size(), 2u);
  EXPECT_EQ(status["conditions"][1]["type"], "Progressing");
  EXPECT_EQ(status["conditions"][1]["lastTransitionTime"], FormatRfc3339(t0));
  EXPECT_EQ(status["conditions"][1]["lastUpdateTime"], FormatRfc3339(t1));
}

TEST(OwnedPods, PodEventsFindTheirOwnerAndSettleItsExpectations) {
  OwnedPods owned;
  std::vector<std::string> queued, unowned, deleted;
  Informer::Handlers owners = owned.OwnerHandlers(
      [&](const std::string& key) { queued.push_back(key); }, /*labels_matter=*/false,
      [&](const JsonPtr& o) { deleted.push_back(api::Name(*o)); });
  Informer::Handlers pods = owned.PodHandlers(
      [&](const std::string& key) { queued.push_back("pod->" + key); },
      [&](const JsonPtr& p, bool) { unowned.push_back(api::Name(*p)); });
  auto obj = [](const std::string& text) {
    return std::make_shared<const Json>(ParseJson(text).value());
  };
  JsonPtr set = obj(R"({"metadata":{"name":"web","namespace":"ns","uid":"u1","generation":1}})");
  JsonPtr status_only = obj(R"({"metadata":{"name":"web","namespace":"ns","uid":"u1",
      "generation":1},"status":{"replicas":1}})");
  JsonPtr respec = obj(R"({"metadata":{"name":"web","namespace":"ns","uid":"u1","generation":2}})");
  owners.on_add(set);
  owners.on_update(set, status_only);  // our own status write: nothing to do
  owners.on_update(status_only, respec);
  EXPECT_EQ(queued, (std::vector<std::string>{"ns/web", "ns/web"}));

  const Time now = FromUnixSeconds(1000);
  owned.expectations().ExpectCreate("ns/web", "web-0", now);
  EXPECT_FALSE(owned.expectations().Satisfied("ns/web", now));
  JsonPtr pod = obj(R"({"metadata":{"name":"web-0","namespace":"ns",
      "ownerReferences":[{"kind":"StatefulSet","name":"web","uid":"u1","controller":true}]}})");
  JsonPtr stray = obj(R"({"metadata":{"name":"stray","namespace":"ns",
      "ownerReferences":[{"kind":"StatefulSet","name":"gone","uid":"u9","controller":true}]}})");
  JsonPtr bare = obj(R"({"metadata":{"name":"bare","namespace":"ns"}})");
  queued.clear();
  pods.on_add(pod);
  pods.on_add(stray);
  pods.on_add(bare);  // no controller: nobody's business
  EXPECT_TRUE(owned.expectations().Satisfied("ns/web", now));
  EXPECT_EQ(queued, std::vector<std::string>{"pod->ns/web"});
  EXPECT_EQ(unowned, std::vector<std::string>{"stray"});
  EXPECT_TRUE(owned.HasKnownOwner(*pod));

  owned.expectations().ExpectDelete("ns/web", "web-0", now);
  pods.on_delete(pod);
  EXPECT_TRUE(owned.expectations().Satisfied("ns/web", now));
  owners.on_delete(respec);
  EXPECT_FALSE(owned.HasKnownOwner(*pod));
  EXPECT_EQ(deleted, std::vector<std::string>{"web"});
}

TEST(Resources, PodRequestIsSumOfContainersOrMaxOfInitContainersPlusOverhead) {
  Json pod = ParseJson(R"({"spec":{
    "containers":[{"resources":{"requests":{"cpu":"500m","memory":"1Gi"}}},
                  {"resources":{"limits":{"cpu":"1","nvidia.com/gpu":"2"}}}],
    "initContainers":[{"resources":{"requests":{"cpu":"3"}}}],
    "overhead":{"memory":"100Mi"}}})").value();
  ResourceVec r = PodRequests(pod);
  EXPECT_EQ(r.cpu_milli, 3000);
  EXPECT_EQ(r.memory, (1LL << 30) + 100 * (1LL << 20));
  EXPECT_EQ(r.gpu, 2);
  EXPECT_EQ(r.pods, 1);
  auto names = RequestedResources(r);
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0].name, "cpu");
  EXPECT_EQ(names[2].name, "nvidia.com/gpu");
}

TEST(Taints, TolerationsMatchLikeKubernetes) {
  Taint t{"sku", "gpu", "NoSchedule", std::nullopt};
  EXPECT_TRUE((Toleration{"sku", "Equal", "gpu", "NoSchedule", {}}).Tolerates(t));
  EXPECT_TRUE((Toleration{"sku", "Exists", "", "", {}}).Tolerates(t));
  EXPECT_TRUE((Toleration{"", "Exists", "", "", {}}).Tolerates(t));
  EXPECT_FALSE((Toleration{"sku", "Equal", "cpu", "NoSchedule", {}}).Tolerates(t));
  EXPECT_FALSE((Toleration{"sku", "Exists", "", "NoExecute", {}}).Tolerates(t));
  EXPECT_FALSE((Toleration{"other", "Exists", "", "", {}}).Tolerates(t));
  std::vector<Taint> taints = {{"a", "", "PreferNoSchedule", std::nullopt}, t};
  EXPECT_EQ(FirstUntoleratedScheduling(taints, {}), &taints[1]);
}

TEST(NodeAffinity, MalformedOperatorIsAnError) {
  Json pod = ParseJson(R"({"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
    {"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"Sometimes","values":["x"]}]}]}}}}})").value();
  EXPECT_FALSE(NodeAffinity::ForPod(pod).ok());
  Json empty_terms = ParseJson(R"({"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
    {"nodeSelectorTerms":[]}}}}})").value();
  auto a = NodeAffinity::ForPod(empty_terms);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->Matches("n", {{"x", "y"}}));
}

TEST(DefaultsAdmission, DefaultsPodsAndWorkloadsWithoutOverridingClients) {
  DefaultsAdmission plugin;
  Json pod = ParseJson(R"({"metadata":{"name":"p"},"spec":{"restartPolicy":"Never",
    "tolerations":[{"operator":"Exists"}],
    "containers":[{"name":"a","image":"nginx","resources":{"limits":{"cpu":"1"}},
                   "readinessProbe":{"httpGet":{"port":80}}}]}})").value();
  AdmissionRequest req;
  req.operation = AdmissionOperation::kCreate;
  req.resource = api::resources::kPods;
  ASSERT_TRUE(plugin.Admit(req, pod).ok());
  const Json& c = pod["spec"]["containers"][0];
  EXPECT_EQ(pod["spec"]["restartPolicy"], "Never");
  EXPECT_EQ(c["imagePullPolicy"], "Always");  // untagged
  EXPECT_EQ(c["resources"]["requests"]["cpu"], "1");
  EXPECT_EQ(c["readinessProbe"]["periodSeconds"], 10);
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["scheme"], "HTTP");
  EXPECT_EQ(pod["spec"]["tolerations"].size(), 1u);  // "Exists" already tolerates everything

  Json job = ParseJson(R"({"metadata":{"name":"j","uid":"u-1"},"spec":{"template":{"spec":{
    "restartPolicy":"Never","containers":[{"name":"a","image":"busybox:1"}]}}}})").value();
  req.resource = api::resources::kJobs;
  ASSERT_TRUE(plugin.Admit(req, job).ok());
  EXPECT_EQ(job["spec"]["completions"], 1);
  EXPECT_EQ(job["spec"]["parallelism"], 1);
  EXPECT_EQ(job["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], "u-1");
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"]["job-name"], "j");

  Json dep = ParseJson(R"({"metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[]}}}})").value();
  req.resource = api::resources::kDeployments;
  ASSERT_TRUE(plugin.Admit(req, dep).ok());
  EXPECT_EQ(dep["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
}

// MayChange lets the API server skip a deep copy per write; it must never be false for a
// request the plugin would change.
TEST(DefaultsAdmission, MayChangeIsFalseOnlyWhereAdmitChangesNothing) {
  DefaultsAdmission plugin;
  const Json bare = ParseJson(R"({"metadata":{"name":"x","uid":"u"},"spec":{"template":{"spec":{
    "containers":[{"name":"a","image":"nginx"}]}},"containers":[{"name":"a","image":"nginx"}]}})").value();
  int checked_false = 0;
  for (const auto& gvr : {api::resources::kPods, api::resources::kJobs, api::resources::kDeployments,
                          api::resources::kReplicaSets, api::resources::kStatefulSets,
                          api::resources::kConfigMaps, api::resources::kServices}) {
    for (auto op : {AdmissionOperation::kCreate, AdmissionOperation::kUpdate}) {
      for (const char* sub : {"", "status", "scale"}) {
        AdmissionRequest req;
        req.operation = op;
        req.resource = gvr;
        req.subresource = sub;
        Json obj = bare;
        ASSERT_TRUE(plugin.Admit(req, obj).ok());
        if (!plugin.MayChange(req)) {
          ++checked_false;
          EXPECT_EQ(obj, bare) << gvr.resource << " " << sub;
        }
      }
    }
  }
  EXPECT_GT(checked_false, 20);
  AdmissionRequest pod_create;
  pod_create.resource = api::resources::kPods;
  EXPECT_TRUE(plugin.MayChange(pod_create));
}

TEST(ClusterLoop, CancelledTimersNeverRunAndStopSilencesEverything) {
  SimEnv env;
  ClusterLoop loop(env);
  int ran = 0;
  auto a = loop.After(std::chrono::seconds(1), [&] { ++ran; });
  auto b = loop.After(std::chrono::seconds(2), [&] { ran += 10; });
  loop.Cancel(a);
  EXPECT_EQ(a, ClusterLoop::kNoTimer);
  env.RunFor(std::chrono::seconds(3));
  EXPECT_EQ(ran, 10);
  (void)b;
  loop.After(std::chrono::seconds(1), [&] { ran += 100; });
  loop.Stop();
  env.RunFor(std::chrono::seconds(3));
  EXPECT_EQ(ran, 10);
}

TEST(WorkQueue, DeduplicatesKeysAndRetriesFailuresWithBackoff) {
  SimEnv env;
  ClusterLoop loop(env);
  std::vector<std::pair<std::string, double>> calls;
  int failures_left = 2;
  WorkQueue q(loop, "test", [&](const std::string& k) {
    calls.emplace_back(k, ToSeconds(env.Now() - FromUnixSeconds(1767225600)));
    if (k == "bad" && failures_left-- > 0) return ReconcileResult::Error(Unavailable("x"));
    return ReconcileResult::Done();
  });
  q.Add("a");
  q.Add("a");
  q.Add("bad");
  env.RunFor(std::chrono::seconds(5));
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].first, "a");
  EXPECT_EQ(calls[1].first, "bad");
  EXPECT_NEAR(calls[2].second, 0.1, 1e-6);   // first retry after 100 ms
  EXPECT_NEAR(calls[3].second, 0.3, 1e-6);   // then 200 ms later
  EXPECT_EQ(q.failures(), 2u);
}

// A ConfigMap informer indexed by data.color, over an in-process server.
class ClusterInformer : public ::testing::Test {
 protected:
  ClusterInformer() {
    inf.AddIndex("color", [](const Json& o) { return GetString(o, "data.color"); });
  }
  static Json Map(const std::string& name, Json data) {
    return Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                {"metadata", {{"name", name}, {"namespace", "default"}}}, {"data", std::move(data)}};
  }
  SimEnv env;
  ApiServer server{env};
  InProcessClient client{server};
  ClusterLoop loop{env};
  Informer inf{loop, server, api::resources::kConfigMaps, RequestContext{}};
};

TEST_F(ClusterInformer, CachesObjectsIndexesThemAndRelistsAfterTheWatchIsLost) {
  int adds = 0, updates = 0, deletes = 0;
  inf.AddHandlers({[&](const JsonPtr&) { ++adds; }, [&](const JsonPtr&, const JsonPtr&) { ++updates; },
                   [&](const JsonPtr&) { ++deletes; }});
  auto cm = [](const std::string& name, const std::string& color) {
    return Map(name, {{"color", color}});
  };
  ASSERT_TRUE(client.Create(api::resources::kConfigMaps, "default", cm("a", "red")).ok());
  loop.RunLocked([&] { inf.Start(); });
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_TRUE(inf.synced());
  ASSERT_TRUE(client.Create(api::resources::kConfigMaps, "default", cm("b", "red")).ok());
  ASSERT_TRUE(client.Update(api::resources::kConfigMaps, "default", cm("a", "blue")).ok());
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_EQ(adds, 2);
  EXPECT_EQ(updates, 1);
  EXPECT_EQ(inf.ByIndex("color", "red"), (std::set<std::string>{"default/b"}));
  EXPECT_EQ(inf.ByIndex("color", "blue"), (std::set<std::string>{"default/a"}));
  ASSERT_TRUE(client.Delete(api::resources::kConfigMaps, "default", "b").ok());
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_EQ(deletes, 1);
  EXPECT_EQ(inf.Get("default", "b"), nullptr);
  ASSERT_NE(inf.Get("default", "a"), nullptr);
  loop.RunLocked([&] { inf.Stop(); });

  // A restart relists: versions already cached are replays and notify no one; a change made
  // while the informer was stopped is an update.
  ASSERT_TRUE(client.Create(api::resources::kConfigMaps, "default", cm("c", "red")).ok());
  env.RunFor(std::chrono::milliseconds(10));
  loop.RunLocked([&] { inf.Start(); });
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_EQ(adds, 3);
  EXPECT_EQ(updates, 1);
  ASSERT_TRUE(client.Update(api::resources::kConfigMaps, "default", cm("a", "green")).ok());
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_EQ(updates, 2);
  EXPECT_EQ(inf.ByIndex("color", "green"), (std::set<std::string>{"default/a"}));
  loop.RunLocked([&] { inf.Stop(); });
}

// Updates that keep an object's index value leave it filed where it was; ones that drop the
// value unfile it; a value left with no objects disappears from IndexValues.
TEST_F(ClusterInformer, IndexFollowsUpdatesThatKeepDropOrChangeTheValue) {
  const auto cm = &ClusterInformer::Map;
  auto values = [&] {
    std::vector<std::string> out;
    for (const auto& [v, keys] : inf.IndexValues("color")) out.push_back(v);
    return out;
  };
  ASSERT_TRUE(client.Create(api::resources::kConfigMaps, "default", cm("a", {{"color", "red"}})).ok());
  ASSERT_TRUE(client.Create(api::resources::kConfigMaps, "default", cm("b", {{"color", "red"}})).ok());
  loop.RunLocked([&] { inf.Start(); });
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_EQ(inf.ByIndex("color", "red"), (std::set<std::string>{"default/a", "default/b"}));

  ASSERT_TRUE(client.Update(api::resources::kConfigMaps, "default",
                            cm("a", {{"color", "red"}, {"size", "l"}})).ok());
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_EQ(inf.ByIndex("color", "red"), (std::set<std::string>{"default/a", "default/b"}));
  EXPECT_EQ(GetString(*inf.Get("default", "a"), "data.size"), "l");

  ASSERT_TRUE(client.Update(api::resources::kConfigMaps, "default", cm("a", {{"size", "s"}})).ok());
  ASSERT_TRUE(client.Update(api::resources::kConfigMaps, "default", cm("b", {{"color", "blue"}})).ok());
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_TRUE(inf.ByIndex("color", "red").empty());
  EXPECT_EQ(values(), (std::vector<std::string>{"blue"}));

  ASSERT_TRUE(client.Update(api::resources::kConfigMaps, "default", cm("a", {{"color", "blue"}})).ok());
  env.RunFor(std::chrono::milliseconds(10));
  EXPECT_EQ(inf.ByIndex("color", "blue"), (std::set<std::string>{"default/a", "default/b"}));
  loop.RunLocked([&] { inf.Stop(); });
}

}  // namespace
}  // namespace kt::sim::cluster
