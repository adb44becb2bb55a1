// The workload controllers, as a specification: Deployments (ReplicaSet per template hash,
// revision annotations, rolling updates within maxSurge/maxUnavailable, Recreate, rollback,
// conditions and status, progress deadline), ReplicaSets (replacement, ranked scale-down),
// StatefulSets (ordinal names, OrderedReady vs Parallel, revisions, rolling update from the
// highest ordinal), Jobs (completions, parallelism, backoffLimit, status and conditions) and
// the EndpointSlice/Endpoints controllers - on a cluster with kubelets.
#include <gtest/gtest.h>

#include <set>

#include "cluster_fixture.h"

namespace kt::sim::cluster::testing {
namespace {

class WorkloadsTest : public ClusterTest {
 protected:
  WorkloadsTest() {
    AddReadyNode("node-1");
    AddReadyNode("node-2");
  }
  Json Deploy(const std::string& name) { return MustGet(res::kDeployments, "default", name); }
  std::vector<Json> PodsOf(const std::string& label_selector) {
    return List(res::kPods, "default", label_selector);
  }
  int CountActive(const std::vector<Json>& pods) {
    int n = 0;
    for (const auto& p : pods) n += GetString(p, "metadata.deletionTimestamp").empty();
    return n;
  }
  bool Available(const std::string& deployment, int replicas) {
    Json d = Deploy(deployment);
    return GetInt(d, "status.availableReplicas").value_or(0) == replicas &&
           GetInt(d, "status.updatedReplicas").value_or(0) == replicas &&
           GetInt(d, "status.replicas").value_or(0) == replicas &&
           Condition(d, "Progressing", "reason") == "NewReplicaSetAvailable";
  }
  void SetImage(const std::string& deployment, const std::string& image) {
    Json d = Deploy(deployment);
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image;
    auto r = client_.Update(res::kDeployments, "default", d);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
};

TEST_F(WorkloadsTest, DeploymentRollsOutThroughAHashedReplicaSetAndBecomesAvailable) {
  MustCreate(res::kDeployments, Deployment("web", 3));
  RunUntil([&] { return Available("web", 3); }, std::chrono::minutes(2));
  Json d = Deploy("web");
  EXPECT_EQ(api::Annotation(d, "deployment.kubernetes.io/revision").value_or(""), "1");
  EXPECT_EQ(GetInt(d, "status.observedGeneration").value_or(0), api::Generation(d));
  EXPECT_EQ(GetInt(d, "status.readyReplicas").value_or(0), 3);
  EXPECT_EQ(Condition(d, "Available", "reason"), "MinimumReplicasAvailable");
  EXPECT_EQ(Condition(d, "Available", "message"), "Deployment has minimum availability.");
  auto rss = List(res::kReplicaSets, "default");
  ASSERT_EQ(rss.size(), 1u);
  const Json& rs = rss[0];
  const std::string hash = api::Label(rs, "pod-template-hash").value_or("");
  ASSERT_FALSE(hash.empty());
  EXPECT_EQ(api::Name(rs), "web-" + hash);
  EXPECT_EQ(api::Annotation(rs, "deployment.kubernetes.io/revision").value_or(""), "1");
  EXPECT_EQ(api::Annotation(rs, "deployment.kubernetes.io/desired-replicas").value_or(""), "3");
  EXPECT_EQ(api::Annotation(rs, "deployment.kubernetes.io/max-replicas").value_or(""), "4");
  EXPECT_EQ(Condition(d, "Progressing", "message"),
            "ReplicaSet \"web-" + hash + "\" has successfully progressed.");
  for (const auto& p : PodsOf("app=web")) {
    EXPECT_EQ(api::Label(p, "pod-template-hash").value_or(""), hash);
    EXPECT_EQ(api::Name(p).rfind("web-" + hash + "-", 0), 0u);
    EXPECT_EQ(api::ControllerOf(p)->name, "web-" + hash);
  }
  EXPECT_EQ(Events("web", "ScalingReplicaSet"),
            std::vector<std::string>{"Scaled up replica set web-" + hash + " from 0 to 3"});
  EXPECT_EQ(Events("web-" + hash, "SuccessfulCreate").size(), 3u);
}

TEST_F(WorkloadsTest, RollingUpdateStaysWithinMaxSurgeAndMaxUnavailable) {
  Json d = Deployment("roll", 4);
  d["spec"]["strategy"] = {{"type", "RollingUpdate"},
                           {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}};
  MustCreate(res::kDeployments, d);
  RunUntil([&] { return Available("roll", 4); }, std::chrono::minutes(2));
  SetImage("roll", "nginx:1.26");
  int max_pods = 0, min_ready = 4;
  RunUntil([&] {
    auto pods = PodsOf("app=roll");
    int active = CountActive(pods);
    int ready = 0;
    for (const auto& p : pods) {
      ready += GetString(p, "metadata.deletionTimestamp").empty() && Condition(p, "Ready") == "True";
    }
    max_pods = std::max(max_pods, active);
    min_ready = std::min(min_ready, ready);
    Json dep = Deploy("roll");
    return api::Annotation(dep, "deployment.kubernetes.io/revision") == std::string("2") &&
           Available("roll", 4) && CountActive(PodsOf("app=roll")) == 4;
  }, std::chrono::minutes(5));
  EXPECT_LE(max_pods, 5);   // replicas + maxSurge
  EXPECT_GE(min_ready, 4);  // replicas - maxUnavailable
  auto rss = List(res::kReplicaSets, "default");
  ASSERT_EQ(rss.size(), 2u);
  for (const auto& rs : rss) {
    const std::string rev = api::Annotation(rs, "deployment.kubernetes.io/revision").value_or("");
    EXPECT_EQ(GetInt(rs, "spec.replicas").value_or(-1), rev == "2" ? 4 : 0) << rev;
  }
  auto scaling = Events("roll", "ScalingReplicaSet");
  EXPECT_GE(scaling.size(), 8u);  // 1 create + 4 up + 4 down
}

TEST_F(WorkloadsTest, RollingBackReusesTheOldReplicaSetUnderANewRevision) {
  MustCreate(res::kDeployments, Deployment("back", 2));
  RunUntil([&] { return Available("back", 2); }, std::chrono::minutes(2));
  SetImage("back", "nginx:1.26");
  RunUntil([&] {
    return api::Annotation(Deploy("back"), "deployment.kubernetes.io/revision") == std::string("2") &&
           Available("back", 2);
  }, std::chrono::minutes(5));
  SetImage("back", "nginx:1.25");
  RunUntil([&] {
    return api::Annotation(Deploy("back"), "deployment.kubernetes.io/revision") == std::string("3") &&
           Available("back", 2);
  }, std::chrono::minutes(5));
  EXPECT_EQ(List(res::kReplicaSets, "default").size(), 2u);
}

TEST_F(WorkloadsTest, RecreateRemovesOldPodsBeforeStartingNewOnes) {
  Json d = Deployment("recreate", 2);
  d["spec"]["strategy"] = {{"type", "Recreate"}};
  MustCreate(res::kDeployments, d);
  RunUntil([&] { return Available("recreate", 2); }, std::chrono::minutes(2));
  SetImage("recreate", "nginx:1.26");
  bool overlap = false;
  RunUntil([&] {
    std::set<std::string> images;
    for (const auto& p : PodsOf("app=recreate")) {
      images.insert(GetString(p["spec"]["containers"][0], "image"));
    }
    overlap |= images.size() > 1;
    return Available("recreate", 2) &&
           api::Annotation(Deploy("recreate"), "deployment.kubernetes.io/revision") == std::string("2");
  }, std::chrono::minutes(5));
  EXPECT_FALSE(overlap);
}

TEST_F(WorkloadsTest, DeploymentThatCannotBecomeReadyExceedsItsProgressDeadline) {
  Json d = Deployment("stuck", 1, "nginx:does-not-exist");
  d["spec"]["progressDeadlineSeconds"] = 60;
  MustCreate(res::kDeployments, d);
  RunUntil([&] { return Condition(Deploy("stuck"), "Progressing", "reason") == "ProgressDeadlineExceeded"; },
           std::chrono::minutes(5));
  Json dep = Deploy("stuck");
  EXPECT_EQ(Condition(dep, "Progressing"), "False");
  EXPECT_EQ(Condition(dep, "Available"), "False");
  EXPECT_EQ(Condition(dep, "Available", "reason"), "MinimumReplicasUnavailable");
  EXPECT_EQ(GetInt(dep, "status.unavailableReplicas").value_or(0), 1);
}

TEST_F(WorkloadsTest, ScalingDownRemovesUnreadyPodsFirst) {
  Json d = Deployment("scale", 3);
  MustCreate(res::kDeployments, d);
  RunUntil([&] { return Available("scale", 3); }, std::chrono::minutes(2));
  Json dep = Deploy("scale");
  dep["spec"]["replicas"] = 1;
  ASSERT_TRUE(client_.Update(res::kDeployments, "default", dep).ok());
  RunUntil([&] { return Available("scale", 1) && PodsOf("app=scale").size() == 1; }, std::chrono::minutes(2));
  auto rs = List(res::kReplicaSets, "default")[0];
  EXPECT_EQ(Events(api::Name(rs), "SuccessfulDelete").size(), 2u);
}

TEST_F(WorkloadsTest, ReplicaSetReplacesADeletedPod) {
  MustCreate(res::kDeployments, Deployment("heal", 2));
  RunUntil([&] { return Available("heal", 2); }, std::chrono::minutes(2));
  std::string victim = api::Name(PodsOf("app=heal")[0]);
  ASSERT_TRUE(client_.Delete(res::kPods, "default", victim).ok());
  RunUntil([&] {
    auto pods = PodsOf("app=heal");
    int ready = 0;
    bool victim_gone = true;
    for (const auto& p : pods) {
      victim_gone &= api::Name(p) != victim;
      ready += Condition(p, "Ready") == "True";
    }
    return victim_gone && ready == 2;
  }, std::chrono::minutes(2));
}

Json StatefulSet(const std::string& name, int replicas, const std::string& policy) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"replicas", replicas},
            {"serviceName", name + "-headless"},
            {"podManagementPolicy", policy},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", Json::array({{{"name", "app"}, {"image", "nginx:1.25"}}})}}}}}}}};
}

TEST_F(WorkloadsTest, OrderedReadyStatefulSetCreatesOrdinalsOneAfterAnother) {
  MustCreate(res::kStatefulSets, StatefulSet("db", 3, "OrderedReady"));
  std::vector<std::string> order;
  RunUntil([&] {
    for (const auto& p : PodsOf("app=db")) {
      std::string n = api::Name(p);
      if (std::find(order.begin(), order.end(), n) == order.end()) {
        // A new ordinal appears only when every lower one is Running and Ready.
        for (const auto& q : PodsOf("app=db")) {
          if (api::Name(q) < n) {
            EXPECT_EQ(Condition(q, "Ready"), "True") << n << " before " << api::Name(q);
          }
        }
        order.push_back(n);
      }
    }
    Json s = MustGet(res::kStatefulSets, "default", "db");
    return GetInt(s, "status.readyReplicas").value_or(0) == 3;
  }, std::chrono::minutes(3));
  EXPECT_EQ(order, (std::vector<std::string>{"db-0", "db-1", "db-2"}));
  Json pod = MustGet(res::kPods, "default", "db-1");
  EXPECT_EQ(GetString(pod, "spec.hostname"), "db-1");
  EXPECT_EQ(GetString(pod, "spec.subdomain"), "db-headless");
  EXPECT_EQ(api::Label(pod, "statefulset.kubernetes.io/pod-name").value_or(""), "db-1");
  EXPECT_EQ(api::Label(pod, "apps.kubernetes.io/pod-index").value_or(""), "1");
  Json s = MustGet(res::kStatefulSets, "default", "db");
  const std::string rev = GetString(s, "status.updateRevision");
  EXPECT_EQ(api::Label(pod, "controller-revision-hash").value_or(""), rev);
  EXPECT_EQ(GetString(s, "status.currentRevision"), rev);
  EXPECT_EQ(GetInt(s, "status.currentReplicas").value_or(0), 3);
  EXPECT_TRUE(Get(res::kControllerRevisions, "default", rev).has_value());
  EXPECT_EQ(Events("db", "SuccessfulCreate").at(0), "create Pod db-0 in StatefulSet db successful");
}

TEST_F(WorkloadsTest, ParallelStatefulSetCreatesAllPodsAtOnce) {
  MustCreate(res::kStatefulSets, StatefulSet("par", 3, "Parallel"));
  Settle(std::chrono::milliseconds(50));
  EXPECT_EQ(PodsOf("app=par").size(), 3u);
}

TEST_F(WorkloadsTest, StatefulSetScalesDownFromTheHighestOrdinal) {
  MustCreate(res::kStatefulSets, StatefulSet("sd", 3, "OrderedReady"));
  RunUntil([&] { return GetInt(MustGet(res::kStatefulSets, "default", "sd"), "status.readyReplicas").value_or(0) == 3; },
           std::chrono::minutes(3));
  Json s = MustGet(res::kStatefulSets, "default", "sd");
  s["spec"]["replicas"] = 1;
  ASSERT_TRUE(client_.Update(res::kStatefulSets, "default", s).ok());
  RunUntil([&] { return PodsOf("app=sd").size() == 1; }, std::chrono::minutes(2));
  EXPECT_EQ(api::Name(PodsOf("app=sd")[0]), "sd-0");
  auto deleted = Events("sd", "SuccessfulDelete");
  EXPECT_EQ(deleted, (std::vector<std::string>{"delete Pod sd-2 in StatefulSet sd successful",
                                               "delete Pod sd-1 in StatefulSet sd successful"}));
}

TEST_F(WorkloadsTest, StatefulSetRollingUpdateReplacesPodsFromTheHighestOrdinal) {
  MustCreate(res::kStatefulSets, StatefulSet("ru", 3, "Parallel"));
  RunUntil([&] { return GetInt(MustGet(res::kStatefulSets, "default", "ru"), "status.readyReplicas").value_or(0) == 3; },
           std::chrono::minutes(3));
  Json s = MustGet(res::kStatefulSets, "default", "ru");
  s["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26";
  ASSERT_TRUE(client_.Update(res::kStatefulSets, "default", s).ok());
  RunUntil([&] {
    Json st = MustGet(res::kStatefulSets, "default", "ru");
    // Like `kubectl rollout status`: only a status that has seen the new generation counts.
    return GetInt(st, "status.observedGeneration").value_or(0) == api::Generation(st) &&
           GetInt(st, "status.updatedReplicas").value_or(0) == 3 &&
           GetInt(st, "status.readyReplicas").value_or(0) == 3 &&
           GetString(st, "status.currentRevision") == GetString(st, "status.updateRevision");
  }, std::chrono::minutes(5));
  auto deleted = Events("ru", "SuccessfulDelete");
  EXPECT_EQ(deleted, (std::vector<std::string>{"delete Pod ru-2 in StatefulSet ru successful",
                                               "delete Pod ru-1 in StatefulSet ru successful",
                                               "delete Pod ru-0 in StatefulSet ru successful"}));
}

Json JobJson(const std::string& name, int completions, int parallelism, const std::string& script,
             int backoff_limit = 6) {
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"completions", completions},
            {"parallelism", parallelism},
            {"backoffLimit", backoff_limit},
            {"template",
             {{"spec",
               {{"restartPolicy", "Never"},
                {"containers", Json::array({{{"name", "work"}, {"image", "busybox:1.36"},
                                             {"command", Json::array({"sh", "-c", script})}}})}}}}}}}};
}

TEST_F(WorkloadsTest, JobRunsCompletionsWithBoundedParallelismAndCompletes) {
  MustCreate(res::kJobs, JobJson("batch", 4, 2, "sleep 5"));
  int max_active = 0;
  RunUntil([&] {
    Json j = MustGet(res::kJobs, "default", "batch");
    max_active = std::max<int>(max_active, static_cast<int>(GetInt(j, "status.active").value_or(0)));
    return Condition(j, "Complete") == "True";
  }, std::chrono::minutes(5));
  Json j = MustGet(res::kJobs, "default", "batch");
  EXPECT_EQ(max_active, 2);
  EXPECT_EQ(GetInt(j, "status.succeeded").value_or(0), 4);
  EXPECT_EQ(GetInt(j, "status.failed").value_or(0), 0);
  EXPECT_EQ(GetInt(j, "status.active").value_or(-1), 0);
  EXPECT_FALSE(GetString(j, "status.startTime").empty());
  EXPECT_FALSE(GetString(j, "status.completionTime").empty());
  EXPECT_EQ(Condition(j, "Complete", "reason"), "CompletionsReached");
  EXPECT_EQ(Events("batch", "SuccessfulCreate").size(), 4u);
  EXPECT_EQ(Events("batch", "Completed"), std::vector<std::string>{"Job completed"});
  // The generated selector and labels; the pods keep no tracking finalizer.
  EXPECT_EQ(j["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], api::Uid(j));
  auto pods = PodsOf("job-name=batch");
  EXPECT_EQ(pods.size(), 4u);
  for (const auto& p : pods) {
    EXPECT_EQ(GetString(p, "status.phase"), "Succeeded");
    EXPECT_FALSE(api::HasFinalizer(p, "batch.kubernetes.io/job-tracking"));
  }
}

TEST_F(WorkloadsTest, JobFailsAfterItsBackoffLimit) {
  MustCreate(res::kJobs, JobJson("flaky", 1, 1, "exit 1", 2));
  RunUntil([&] { return Condition(MustGet(res::kJobs, "default", "flaky"), "Failed") == "True"; },
           std::chrono::minutes(10));
  Json j = MustGet(res::kJobs, "default", "flaky");
  EXPECT_EQ(GetInt(j, "status.failed").value_or(0), 3);
  EXPECT_EQ(Condition(j, "Failed", "reason"), "BackoffLimitExceeded");
  EXPECT_EQ(Condition(j, "Failed", "message"), "Job has reached the specified backoff limit");
  EXPECT_EQ(Events("flaky", "BackoffLimitExceeded"),
            std::vector<std::string>{"Job has reached the specified backoff limit"});
}

TEST_F(WorkloadsTest, ServiceEndpointsFollowReadyPodsAndPublishNotReadyAddresses) {
  Json d = Deployment("svc", 2);
  d["spec"]["template"]["spec"]["containers"][0]["ports"] =
      Json::array({{{"name", "http"}, {"containerPort", 8080}}});
  MustCreate(res::kDeployments, d);
  Json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", "svc"}, {"namespace", "default"}}},
              {"spec", {{"selector", {{"app", "svc"}}},
                        {"ports", Json::array({{{"name", "web"}, {"port", 80}, {"targetPort", "http"}}})}}}};
  MustCreate(res::kServices, svc);
  RunUntil([&] { return Available("svc", 2); }, std::chrono::minutes(2));
  RunUntil([&] {
    auto ep = Get(res::kEndpoints, "default", "svc");
    return ep && FindPath(*ep, "subsets") && (*ep)["subsets"][0].contains("addresses") &&
           (*ep)["subsets"][0]["addresses"].size() == 2;
  }, std::chrono::seconds(10));
  Json ep = MustGet(res::kEndpoints, "default", "svc");
  EXPECT_EQ(ep["subsets"][0]["ports"][0]["port"], 8080);
  EXPECT_EQ(ep["subsets"][0]["ports"][0]["name"], "web");
  auto slices = List(res::kEndpointSlices, "default", "kubernetes.io/service-name=svc");
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_EQ(GetString(slices[0], "addressType"), "IPv4");
  EXPECT_EQ(slices[0]["endpoints"].size(), 2u);
  for (const auto& e : slices[0]["endpoints"]) {
    EXPECT_EQ(e["conditions"]["ready"], true);
    EXPECT_EQ(GetString(e, "targetRef.kind"), "Pod");
    EXPECT_FALSE(GetString(e, "nodeName").empty());
  }
  EXPECT_EQ(api::Label(slices[0], "endpointslice.kubernetes.io/managed-by").value_or(""),
            "endpointslice-controller.k8s.io");

  // An unready pod is a notReadyAddress, unless the service publishes not-ready addresses.
  Json slow = Pod("slow-backend");
  slow["metadata"]["labels"] = {{"app", "svc"}};
  slow["metadata"]["annotations"]["sim.kaito-twin.io/load-seconds"] = "1000";
  Container(slow)["ports"] = Json::array({{{"name", "http"}, {"containerPort", 8080}}});
  Container(slow)["readinessProbe"] = {{"tcpSocket", {{"port", 8080}}}, {"periodSeconds", 5}};
  MustCreate(res::kPods, slow);
  RunUntil([&] {
    auto e = Get(res::kEndpoints, "default", "svc");
    return e && (*e)["subsets"][0].contains("notReadyAddresses");
  }, std::chrono::seconds(30));
  Json s = MustGet(res::kServices, "default", "svc");
  s["spec"]["publishNotReadyAddresses"] = true;
  ASSERT_TRUE(client_.Update(res::kServices, "default", s).ok());
  RunUntil([&] {
    auto e = Get(res::kEndpoints, "default", "svc");
    return e && (*e)["subsets"][0]["addresses"].size() == 3 &&
           !(*e)["subsets"][0].contains("notReadyAddresses");
  }, std::chrono::seconds(10));
}

TEST_F(WorkloadsTest, DeletingADeploymentGarbageCollectsItsReplicaSetsAndPods) {
  MustCreate(res::kDeployments, Deployment("gone", 2));
  RunUntil([&] { return Available("gone", 2); }, std::chrono::minutes(2));
  ASSERT_TRUE(client_.Delete(res::kDeployments, "default", "gone").ok());
  RunUntil([&] { return List(res::kReplicaSets, "default").empty() && PodsOf("app=gone").empty(); },
           std::chrono::minutes(2));
}

}  // namespace
}  // namespace kt::sim::cluster::testing
