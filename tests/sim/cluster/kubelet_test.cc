// The kubelet twin, as a specification: node registration (AKS labels, Ready after the runtime
// network is up, a Lease renewed every 10 s, nvidia.com/gpu published by the device plugin),
// and the pod lifecycle as a real kubelet reports it - Pending/ContainerCreating, image pulls
// (time = size / bandwidth, a per-node cache, serialized pulls, ErrImagePull ->
// ImagePullBackOff, ErrImageNeverPull), init containers in order, probes, restarts with
// CrashLoopBackOff back-off, OOMKilled, restart policies, graceful termination and removal -
// with the events and messages kubectl shows.
#include <gtest/gtest.h>

#include "cluster_fixture.h"
#include "sim/cluster/kubelet.h"
#include "sim/cluster/kubelet_fleet.h"

namespace kt::sim::cluster::testing {
namespace {

class KubeletTest : public ClusterTest {
 protected:
  KubeletTest() { AddReadyNode("node-1"); }

  Json MustPod(const std::string& name) { return MustGet(res::kPods, "default", name); }
  Json ContainerStatus(const std::string& pod, size_t i = 0, const char* list = "containerStatuses") {
    Json p = MustPod(pod);
    const Json* cs = FindPath(p, std::string("status.") + list);
    if (cs == nullptr || !cs->is_array() || cs->size() <= i) return Json::object();
    return (*cs)[i];
  }
  std::string WaitingReason(const std::string& pod, size_t i = 0) {
    return GetString(ContainerStatus(pod, i), "state.waiting.reason");
  }
  bool Running(const std::string& pod) { return Phase(pod) == "Running"; }
  bool Ready(const std::string& pod) {
    auto p = Get(res::kPods, "default", pod);
    return p && Condition(*p, "Ready") == "True";
  }
};

TEST_F(KubeletTest, NodeRegistersWithAksLabelsNotReadyThenReadyAndRenewsItsLease) {
  ASSERT_TRUE(AddNode("node-2").ok());
  Settle();
  Json node = MustGet(res::kNodes, "", "node-2");
  EXPECT_EQ(Condition(node, "Ready"), "False");
  EXPECT_EQ(Condition(node, "Ready", "reason"), "KubeletNotReady");
  EXPECT_EQ(api::Label(node, "kubernetes.azure.com/agentpool").value_or(""), "nodepool1");
  EXPECT_EQ(api::Label(node, "node.kubernetes.io/instance-type").value_or(""), "Standard_D16s_v3");
  EXPECT_FALSE(GetString(node, "spec.providerID").empty());
  EXPECT_EQ(GetString(node, "status.nodeInfo.kubeletVersion"), "v1.32.0");
  EXPECT_EQ(GetString(node, "status.capacity.pods"), "110");
  RunUntil([&] { return Condition(MustGet(res::kNodes, "", "node-2"), "Ready") == "True"; },
           std::chrono::seconds(30));
  EXPECT_EQ(Condition(MustGet(res::kNodes, "", "node-2"), "Ready", "reason"), "KubeletReady");

  Json lease = MustGet(res::kLeases, "kube-node-lease", "node-2");
  EXPECT_EQ(GetString(lease, "spec.holderIdentity"), "node-2");
  EXPECT_EQ(GetInt(lease, "spec.leaseDurationSeconds").value_or(0), 40);
  EXPECT_EQ(GetString(lease, "metadata.ownerReferences.0.kind", "Node"), "Node");
  // Renewals come every 10 s (the first one at the node's heartbeat slot).
  auto renew = [&] { return GetString(MustGet(res::kLeases, "kube-node-lease", "node-2"), "spec.renewTime"); };
  std::string prev = renew();
  std::vector<Time> renewals;
  RunUntil([&] {
    std::string now = renew();
    if (now != prev) {
      prev = now;
      renewals.push_back(ParseRfc3339(now).value());
    }
    return renewals.size() == 3;
  }, std::chrono::seconds(40));
  ASSERT_EQ(renewals.size(), 3u);
  EXPECT_EQ(renewals[2] - renewals[1], std::chrono::seconds(10));
  EXPECT_EQ(renewals[1] - renewals[0], std::chrono::seconds(10));
}

TEST_F(KubeletTest, PodGoesPendingContainerCreatingThenRunningWithRealStatuses) {
  MustCreate(res::kPods, Pod("web"));
  // Scheduled and admitted: Pending, ContainerCreating, no IP yet.
  RunUntil([&] { return WaitingReason("web") == "ContainerCreating"; }, std::chrono::seconds(5));
  Json p = MustPod("web");
  EXPECT_EQ(GetString(p, "status.phase"), "Pending");
  EXPECT_EQ(Condition(p, "PodScheduled"), "True");
  EXPECT_EQ(Condition(p, "Initialized"), "True");
  EXPECT_EQ(Condition(p, "Ready"), "False");
  EXPECT_EQ(Condition(p, "Ready", "reason"), "ContainersNotReady");
  EXPECT_EQ(Condition(p, "Ready", "message"), "containers with unready status: [app]");
  EXPECT_EQ(GetString(p, "status.hostIP"), Cluster::TestVm("node-1", 16, 64).internal_ip);
  EXPECT_FALSE(GetBool(ContainerStatus("web"), "ready"));
  EXPECT_FALSE(GetBool(ContainerStatus("web"), "started"));

  RunUntil([&] { return Ready("web"); }, std::chrono::seconds(30));
  p = MustPod("web");
  EXPECT_EQ(GetString(p, "status.phase"), "Running");
  for (const char* c : {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    EXPECT_EQ(Condition(p, c), "True") << c;
  }
  EXPECT_TRUE(GetString(p, "status.podIP").rfind("10.244.", 0) == 0) << GetString(p, "status.podIP");
  Json cs = ContainerStatus("web");
  EXPECT_TRUE(GetBool(cs, "ready"));
  EXPECT_TRUE(GetBool(cs, "started"));
  EXPECT_EQ(GetInt(cs, "restartCount").value_or(-1), 0);
  EXPECT_EQ(GetString(cs, "image"), "docker.io/library/nginx:1.25");
  EXPECT_TRUE(GetString(cs, "imageID").rfind("docker.io/library/nginx@sha256:", 0) == 0);
  EXPECT_TRUE(GetString(cs, "containerID").rfind("containerd://", 0) == 0);
  EXPECT_FALSE(GetString(cs, "state.running.startedAt").empty());

  // nginx (72 MB at 20 MB/s) took 3.6 s to pull.
  EXPECT_EQ(Events("web", "Pulling"), std::vector<std::string>{"Pulling image \"nginx:1.25\""});
  EXPECT_EQ(Events("web", "Pulled"),
            std::vector<std::string>{"Successfully pulled image \"nginx:1.25\" in 3.6s (3.6s "
                                     "including waiting). Image size: 72000000 bytes."});
  EXPECT_EQ(Events("web", "Created"), std::vector<std::string>{"Created container: app"});
  EXPECT_EQ(Events("web", "Started"), std::vector<std::string>{"Started container app"});
}

TEST_F(KubeletTest, ImagePullTimeFollowsSizeAndTheNodeCachesImages) {
  // The phi-3 model image: 16,235,726,848 bytes at 20 MB/s = 811.8 s.
  const std::string image = "mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-4k-instruct:0.2.0";
  Json p = Pod("first", image);
  p["metadata"]["annotations"]["sim.kaito-twin.io/load-seconds"] = "0";
  MustCreate(res::kPods, p);
  const Time t0 = env_.Now();
  RunUntil([&] { return Running("first"); }, std::chrono::hours(1));
  const double took = ToSeconds(env_.Now() - t0);
  EXPECT_GT(took, 811.0);
  EXPECT_LT(took, 815.0);
  EXPECT_EQ(Events("first", "Pulled").at(0),
            "Successfully pulled image \"" + image +
                "\" in 13m31.786s (13m31.786s including waiting). Image size: 16235726848 bytes.");

  Json again = Pod("second", image);
  MustCreate(res::kPods, again);
  const Time t1 = env_.Now();
  RunUntil([&] { return Running("second"); }, std::chrono::minutes(1));
  EXPECT_LT(ToSeconds(env_.Now() - t1), 5.0);
  EXPECT_EQ(Events("second", "Pulled"),
            std::vector<std::string>{"Container image \"" + image + "\" already present on machine"});
  // The node reports the image.
  Json node = MustGet(res::kNodes, "", "node-1");
  env_.RunFor(std::chrono::minutes(6));  // the periodic node status report
  node = MustGet(res::kNodes, "", "node-1");
  bool listed = false;
  for (const auto& img : node["status"]["images"]) {
    for (const auto& n : img["names"]) listed |= n.get<std::string>() == image;
  }
  EXPECT_TRUE(listed) << node["status"]["images"].dump();
}

TEST_F(KubeletTest, PullsOnOneNodeAreSerialized) {
  MustCreate(res::kPods, Pod("a", "python:3.12"));  // 380 MB: 19 s
  MustCreate(res::kPods, Pod("b", "redis:7"));      // 45 MB: 2.25 s, after python
  RunUntil([&] { return Running("a") && Running("b"); }, std::chrono::minutes(2));
  std::string b_pulled = Events("b", "Pulled").at(0);
  EXPECT_NE(b_pulled.find("in 2.25s (21.25s including waiting)"), std::string::npos) << b_pulled;
}

TEST_F(KubeletTest, MissingImageGoesErrImagePullThenImagePullBackOffAndRetries) {
  MustCreate(res::kPods, Pod("bad", "nginx:does-not-exist"));
  RunUntil([&] { return WaitingReason("bad") == "ErrImagePull"; }, std::chrono::seconds(10));
  RunUntil([&] { return WaitingReason("bad") == "ImagePullBackOff"; }, std::chrono::seconds(10));
  EXPECT_EQ(GetString(ContainerStatus("bad"), "state.waiting.message"),
            "Back-off pulling image \"nginx:does-not-exist\"");
  EXPECT_EQ(Phase("bad"), "Pending");
  auto failed = Events("bad", "Failed");
  ASSERT_GE(failed.size(), 3u);
  EXPECT_EQ(failed[0].rfind("Failed to pull image \"nginx:does-not-exist\": rpc error: code = NotFound", 0), 0u)
      << failed[0];
  EXPECT_NE(std::find(failed.begin(), failed.end(), "Error: ErrImagePull"), failed.end());
  EXPECT_NE(std::find(failed.begin(), failed.end(), "Error: ImagePullBackOff"), failed.end());
  EXPECT_EQ(Events("bad", "BackOff").at(0), "Back-off pulling image \"nginx:does-not-exist\"");
  // Retried after the back-off: a second Pulling (the event's count goes up).
  env_.RunFor(std::chrono::seconds(15));
  bool counted = false;
  for (const auto& e : List(res::kEvents, "default")) {
    if (GetString(e, "involvedObject.name") == "bad" && GetString(e, "reason") == "Pulling") {
      counted = GetInt(e, "count").value_or(0) >= 2;
    }
  }
  EXPECT_TRUE(counted);
}

TEST_F(KubeletTest, PullPolicyNeverWithoutTheImageIsErrImageNeverPull) {
  Json p = Pod("never", "nginx:1.25");
  Container(p)["imagePullPolicy"] = "Never";
  MustCreate(res::kPods, p);
  RunUntil([&] { return WaitingReason("never") == "ErrImageNeverPull"; }, std::chrono::seconds(10));
  EXPECT_EQ(GetString(ContainerStatus("never"), "state.waiting.message"),
            "Container image \"nginx:1.25\" is not present with pull policy of Never");
}

TEST_F(KubeletTest, InitContainersRunOneAfterAnotherBeforeTheApp) {
  Json p = Pod("init", "nginx:1.25");
  p["spec"]["initContainers"] = Json::array(
      {{{"name", "first"}, {"image", "busybox:1.36"}, {"command", Json::array({"sh", "-c", "sleep 5"})}},
       {{"name", "second"}, {"image", "busybox:1.36"}, {"command", Json::array({"sh", "-c", "sleep 3"})}}});
  MustCreate(res::kPods, p);
  RunUntil([&] { return WaitingReason("init") == "PodInitializing"; }, std::chrono::seconds(5));
  Json pod = MustPod("init");
  EXPECT_EQ(Condition(pod, "Initialized"), "False");
  EXPECT_EQ(Condition(pod, "Initialized", "message"), "containers with incomplete status: [first second]");
  RunUntil([&] { return !GetString(ContainerStatus("init", 0, "initContainerStatuses"), "state.running.startedAt").empty(); },
           std::chrono::seconds(10));
  EXPECT_EQ(GetString(ContainerStatus("init", 1, "initContainerStatuses"), "state.waiting.reason"),
            "PodInitializing");
  RunUntil([&] { return Running("init"); }, std::chrono::minutes(1));
  Json first = ContainerStatus("init", 0, "initContainerStatuses");
  Json second = ContainerStatus("init", 1, "initContainerStatuses");
  EXPECT_EQ(GetString(first, "state.terminated.reason"), "Completed");
  EXPECT_EQ(GetInt(first, "state.terminated.exitCode").value_or(-1), 0);
  EXPECT_TRUE(GetBool(first, "ready"));
  auto f_done = ParseRfc3339(GetString(first, "state.terminated.finishedAt"));
  auto s_start = ParseRfc3339(GetString(second, "state.terminated.startedAt"));
  ASSERT_TRUE(f_done.ok() && s_start.ok());
  EXPECT_LE(*f_done, *s_start);
  EXPECT_EQ(Condition(MustPod("init"), "Initialized"), "True");
}

TEST_F(KubeletTest, ReadinessProbePassesOnceTheAppHasLoaded) {
  Json p = Pod("model", "nginx:1.25");
  p["metadata"]["annotations"]["sim.kaito-twin.io/load-seconds"] = "30";
  Container(p)["readinessProbe"] = {{"httpGet", {{"path", "/health"}, {"port", 5000}}},
                                    {"periodSeconds", 10}};
  MustCreate(res::kPods, p);
  RunUntil([&] { return Running("model"); }, std::chrono::seconds(30));
  const Time started = env_.Now();
  EXPECT_FALSE(Ready("model"));
  RunUntil([&] { return Ready("model"); }, std::chrono::minutes(2));
  const double after = ToSeconds(env_.Now() - started);
  EXPECT_GE(after, 29.0);
  EXPECT_LE(after, 41.0);
  auto unhealthy = Events("model", "Unhealthy");
  ASSERT_EQ(unhealthy.size(), 1u);  // one Event object, count > 1
  std::string ip = GetString(MustPod("model"), "status.podIP");
  EXPECT_EQ(unhealthy[0], "Readiness probe failed: Get \"http://" + ip + ":5000/health\": dial tcp " +
                              ip + ":5000: connect: connection refused");
}

TEST_F(KubeletTest, LivenessFailuresRestartTheContainerIntoCrashLoopBackOff) {
  Json p = Pod("slow", "nginx:1.25");
  p["metadata"]["annotations"]["sim.kaito-twin.io/load-seconds"] = "600";
  Container(p)["livenessProbe"] = {{"tcpSocket", {{"port", 8080}}}, {"initialDelaySeconds", 10},
                                   {"periodSeconds", 10}, {"failureThreshold", 3}};
  MustCreate(res::kPods, p);
  RunUntil([&] { return GetInt(ContainerStatus("slow"), "restartCount").value_or(0) >= 2; },
           std::chrono::minutes(5));
  auto killing = Events("slow", "Killing");
  ASSERT_FALSE(killing.empty());
  EXPECT_EQ(killing[0], "Container app failed liveness probe, will be restarted");
  Json cs = ContainerStatus("slow");
  EXPECT_EQ(GetInt(cs, "lastState.terminated.exitCode").value_or(0), 137);
  RunUntil([&] { return WaitingReason("slow") == "CrashLoopBackOff"; }, std::chrono::minutes(5));
  EXPECT_EQ(Phase("slow"), "Running");  // a crash-looping pod stays in phase Running
}

TEST_F(KubeletTest, StartupProbeHoldsLivenessAndReadinessUntilItPasses) {
  Json p = Pod("boot", "nginx:1.25");
  p["metadata"]["annotations"]["sim.kaito-twin.io/load-seconds"] = "45";
  Container(p)["startupProbe"] = {{"httpGet", {{"path", "/health"}, {"port", 5000}}},
                                  {"periodSeconds", 10}, {"failureThreshold", 30}};
  Container(p)["livenessProbe"] = {{"httpGet", {{"path", "/health"}, {"port", 5000}}},
                                   {"periodSeconds", 10}, {"failureThreshold", 1}};
  MustCreate(res::kPods, p);
  RunUntil([&] { return Running("boot"); }, std::chrono::seconds(30));
  EXPECT_FALSE(GetBool(ContainerStatus("boot"), "started"));
  RunUntil([&] { return Ready("boot"); }, std::chrono::minutes(2));
  Json cs = ContainerStatus("boot");
  EXPECT_TRUE(GetBool(cs, "started"));
  EXPECT_EQ(GetInt(cs, "restartCount").value_or(-1), 0);  // liveness never saw the load
}

TEST_F(KubeletTest, CrashLoopBackOffWaitsTenSecondsDoublingUpToFiveMinutes) {
  Json p = Pod("crash", "busybox:1.36");
  Container(p)["command"] = Json::array({"sh", "-c", "sleep 1; exit 3"});
  MustCreate(res::kPods, p);
  RunUntil([&] { return GetInt(ContainerStatus("crash"), "restartCount").value_or(0) >= 1; },
           std::chrono::minutes(1));
  // First restart was immediate; the next exit waits 10 s.
  RunUntil([&] { return WaitingReason("crash") == "CrashLoopBackOff"; }, std::chrono::minutes(1));
  Json cs = ContainerStatus("crash");
  Json pod = MustPod("crash");
  const std::string who = "crash_default(" + api::Uid(pod) + ")";
  EXPECT_EQ(GetString(cs, "state.waiting.message"),
            "back-off 10s restarting failed container=app pod=" + who);
  EXPECT_EQ(GetInt(cs, "lastState.terminated.exitCode").value_or(0), 3);
  EXPECT_EQ(GetString(cs, "lastState.terminated.reason"), "Error");
  EXPECT_EQ(Events("crash", "BackOff").at(0), "Back-off restarting failed container app in pod " + who);
  std::vector<std::string> seen;
  RunUntil([&] {
    std::string m = GetString(ContainerStatus("crash"), "state.waiting.message");
    if (!m.empty() && (seen.empty() || seen.back() != m)) seen.push_back(m);
    return m.find("back-off 5m0s") != std::string::npos;
  }, std::chrono::hours(1));
  std::vector<std::string> delays;
  for (const auto& m : seen) delays.push_back(m.substr(9, m.find(' ', 9) - 9));
  EXPECT_EQ(delays, (std::vector<std::string>{"10s", "20s", "40s", "1m20s", "2m40s", "5m0s"}));
}

TEST_F(KubeletTest, ContainerNeedingMoreGpuMemoryThanTheNodeHasIsOOMKilled) {
  AddReadyNode("gpu-1", 24, 220, 1, 16);
  RunUntil([&] {
    return MustGet(res::kNodes, "", "gpu-1")["status"]["allocatable"].contains("nvidia.com/gpu");
  }, std::chrono::minutes(2));
  Json p = Pod("llm", "mcr.microsoft.com/aks/kaito/kaito-qwen2.5-coder-7b-instruct:0.2.0");  // 24 GiB
  Container(p)["resources"]["limits"] = {{"nvidia.com/gpu", "1"}};
  p["metadata"]["annotations"]["sim.kaito-twin.io/load-seconds"] = "100";
  MustCreate(res::kPods, p);
  RunUntil([&] { return GetInt(ContainerStatus("llm"), "restartCount").value_or(0) >= 1; },
           std::chrono::hours(1));
  Json cs = ContainerStatus("llm");
  EXPECT_EQ(GetString(cs, "lastState.terminated.reason"), "OOMKilled");
  EXPECT_EQ(GetInt(cs, "lastState.terminated.exitCode").value_or(0), 137);
  EXPECT_EQ(GetString(MustPod("llm"), "spec.nodeName"), "gpu-1");
}

TEST_F(KubeletTest, RestartPolicyDecidesWhatAnExitMeans) {
  Json never_fail = Pod("never-fail", "busybox:1.36");
  never_fail["spec"]["restartPolicy"] = "Never";
  Container(never_fail)["command"] = Json::array({"sh", "-c", "exit 2"});
  Json never_ok = Pod("never-ok", "busybox:1.36");
  never_ok["spec"]["restartPolicy"] = "Never";
  Container(never_ok)["command"] = Json::array({"sh", "-c", "sleep 2"});
  Json onfailure = Pod("onfailure", "busybox:1.36");
  onfailure["spec"]["restartPolicy"] = "OnFailure";
  Container(onfailure)["command"] = Json::array({"sh", "-c", "exit 1"});
  for (const Json* p : {&never_fail, &never_ok, &onfailure}) MustCreate(res::kPods, *p);
  RunUntil([&] {
    return Phase("never-fail") == "Failed" && Phase("never-ok") == "Succeeded" &&
           GetInt(ContainerStatus("onfailure"), "restartCount").value_or(0) >= 2;
  }, std::chrono::minutes(2));
  Json done = MustPod("never-ok");
  EXPECT_EQ(Condition(done, "Ready", "reason"), "PodCompleted");
  EXPECT_EQ(GetString(ContainerStatus("never-ok"), "state.terminated.reason"), "Completed");
  EXPECT_EQ(GetInt(ContainerStatus("never-fail"), "state.terminated.exitCode").value_or(0), 2);
  EXPECT_EQ(Phase("onfailure"), "Running");
}

// Kaito's tuning pod: the pusher sidecar polls for the trainer's output and exits after its
// push once the trainer exited 0 (the image catalog's exits_after_others_s); after a failed
// trainer it polls forever, so the pod stays Running.
TEST_F(KubeletTest, AWaitingSidecarEndsAfterTheOtherContainersSucceed) {
  auto tuning_pod = [&](const std::string& name, const std::string& trainer) {
    Json p = Pod(name, "busybox:1.36");
    p["spec"]["restartPolicy"] = "Never";
    Container(p)["command"] = Json::array({"sh", "-c", trainer});
    p["spec"]["containers"].push_back(
        {{"name", "pusher"},
         {"image", "ghcr.io/oras-project/oras:v1.2.2"},
         {"command", Json::array({"/bin/sh", "-c",
                                  "while [ ! -f /mnt/results/fine_tuning_completed.txt ]; do "
                                  "sleep 10; done; oras push x"})}});
    return p;
  };
  MustCreate(res::kPods, tuning_pod("ok", "sleep 60"));
  MustCreate(res::kPods, tuning_pod("failed", "sleep 60; exit 3"));
  RunUntil([&] { return Running("ok") && Running("failed"); }, std::chrono::minutes(2));
  const Time started = env_.Now();
  RunUntil([&] { return Phase("ok") == "Succeeded"; }, std::chrono::minutes(5));
  EXPECT_EQ(Phase("ok"), "Succeeded");
  // The sidecar outlived the trainer by its 20 s push.
  EXPECT_GE(env_.Now() - started, std::chrono::seconds(60 + 20 - 5));
  EXPECT_EQ(GetString(ContainerStatus("ok", 1), "state.terminated.reason"), "Completed");
  Settle(std::chrono::minutes(10));
  EXPECT_EQ(Phase("failed"), "Running");
  EXPECT_EQ(GetInt(ContainerStatus("failed", 0), "state.terminated.exitCode").value_or(0), 3);
  EXPECT_FALSE(ContainerStatus("failed", 1)["state"].contains("terminated"));
}

TEST_F(KubeletTest, DeletionStopsContainersGracefullyThenRemovesThePod) {
  MustCreate(res::kPods, Pod("bye"));
  RunUntil([&] { return Ready("bye"); }, std::chrono::seconds(30));
  ASSERT_TRUE(client_.Delete(res::kPods, "default", "bye").ok());
  Settle();
  Json p = MustPod("bye");
  EXPECT_FALSE(GetString(p, "metadata.deletionTimestamp").empty());
  EXPECT_EQ(Events("bye", "Killing"), std::vector<std::string>{"Stopping container app"});
  RunUntil([&] { return !Get(res::kPods, "default", "bye").has_value(); }, std::chrono::seconds(10));
}

TEST_F(KubeletTest, AnAppSlowerThanTheGracePeriodIsKilledAtTheGracePeriod) {
  Json slow = Pod("stubborn");
  slow["spec"]["terminationGracePeriodSeconds"] = 2;
  slow["metadata"]["annotations"]["sim.kaito-twin.io/stop-seconds"] = "20";
  Json quick = Pod("quick");
  quick["metadata"]["annotations"]["sim.kaito-twin.io/stop-seconds"] = "1";
  MustCreate(res::kPods, slow);
  MustCreate(res::kPods, quick);
  RunUntil([&] { return Ready("stubborn") && Ready("quick"); }, std::chrono::seconds(30));
  const Time t0 = env_.Now();
  ASSERT_TRUE(client_.Delete(res::kPods, "default", "stubborn").ok());
  ASSERT_TRUE(client_.Delete(res::kPods, "default", "quick").ok());
  RunUntil([&] { return !Get(res::kPods, "default", "quick").has_value(); }, std::chrono::seconds(10));
  EXPECT_NEAR(ToSeconds(env_.Now() - t0), 1.0, 0.05);
  RunUntil([&] { return !Get(res::kPods, "default", "stubborn").has_value(); }, std::chrono::seconds(10));
  EXPECT_NEAR(ToSeconds(env_.Now() - t0), 2.0, 0.05);
}

TEST_F(KubeletTest, AdmissionAddsTheDefaultNotReadyAndUnreachableTolerations) {
  Json p = MustCreate(res::kPods, Pod("tol"));
  int found = 0;
  for (const auto& t : p["spec"]["tolerations"]) {
    std::string key = GetString(t, "key");
    if ((key == "node.kubernetes.io/not-ready" || key == "node.kubernetes.io/unreachable") &&
        GetString(t, "effect") == "NoExecute" && GetInt(t, "tolerationSeconds").value_or(0) == 300) {
      ++found;
    }
  }
  EXPECT_EQ(found, 2);
  EXPECT_EQ(GetString(p, "spec.restartPolicy"), "Always");
  EXPECT_EQ(GetString(p["spec"]["containers"][0], "imagePullPolicy"), "IfNotPresent");
}

TEST_F(KubeletTest, StoppedKubeletTurnsNodeUnknownTaintsItAndEvictsPodsAfterTheirToleration) {
  MustCreate(res::kPods, Pod("victim"));
  RunUntil([&] { return Ready("victim"); }, std::chrono::seconds(30));
  ASSERT_TRUE(cluster_->StopKubelet("node-1").ok());
  const Time stopped = env_.Now();
  RunUntil([&] { return Condition(MustGet(res::kNodes, "", "node-1"), "Ready") == "Unknown"; },
           std::chrono::minutes(2));
  const double detect = ToSeconds(env_.Now() - stopped);
  EXPECT_GT(detect, 40.0);
  EXPECT_LT(detect, 56.0);
  Json node = MustGet(res::kNodes, "", "node-1");
  EXPECT_EQ(Condition(node, "Ready", "message"), "Kubelet stopped posting node status.");
  RunUntil([&] {
    Json n = MustGet(res::kNodes, "", "node-1");
    const Json* ts = FindPath(n, "spec.taints");
    int found = 0;
    if (ts) {
      for (const auto& t : *ts) found += GetString(t, "key") == "node.kubernetes.io/unreachable";
    }
    return found == 2;
  }, std::chrono::seconds(10));
  RunUntil([&] { return !Ready("victim"); }, std::chrono::seconds(10));
  EXPECT_EQ(Events("victim", "NodeNotReady"), std::vector<std::string>{"Node is not ready"});
  // 300 s of toleration later the taint manager deletes it; with the kubelet down it stays
  // Terminating.
  RunUntil([&] { return !GetString(MustPod("victim"), "metadata.deletionTimestamp").empty(); },
           std::chrono::minutes(6));
  EXPECT_GE(ToSeconds(env_.Now() - stopped), 300.0);
  EXPECT_EQ(Condition(MustPod("victim"), "DisruptionTarget", "reason"), "DeletionByTaintManager");
  EXPECT_EQ(Events("victim", "TaintManagerEviction"),
            std::vector<std::string>{"Marking for deletion Pod default/victim"});
  // The kubelet returns: the node is Ready again, untainted, and the pod goes away.
  ASSERT_TRUE(cluster_->StartKubelet("node-1").ok());
  RunUntil([&] { return !Get(res::kPods, "default", "victim").has_value(); }, std::chrono::minutes(1));
  RunUntil([&] {
    Json n = MustGet(res::kNodes, "", "node-1");
    return Condition(n, "Ready") == "True" && FindPath(n, "spec.taints") == nullptr;
  }, std::chrono::minutes(1));
}

TEST_F(KubeletTest, DevicePluginPublishesGpusSomeTimeAfterTheNodeIsReady) {
  ASSERT_TRUE(AddNode("gpu-node", 24, 220, 2, 80).ok());
  RunUntil([&] { return Condition(MustGet(res::kNodes, "", "gpu-node"), "Ready") == "True"; },
           std::chrono::seconds(30));
  const Time ready = env_.Now();
  EXPECT_FALSE(MustGet(res::kNodes, "", "gpu-node")["status"]["allocatable"].contains("nvidia.com/gpu"));
  RunUntil([&] {
    return MustGet(res::kNodes, "", "gpu-node")["status"]["allocatable"].contains("nvidia.com/gpu");
  }, std::chrono::minutes(2));
  const double delay = ToSeconds(env_.Now() - ready);
  EXPECT_GE(delay, 14.0);
  EXPECT_LE(delay, 46.0);
  Json node = MustGet(res::kNodes, "", "gpu-node");
  EXPECT_EQ(node["status"]["capacity"]["nvidia.com/gpu"], "2");
  EXPECT_EQ(node["status"]["allocatable"]["nvidia.com/gpu"], "2");
}

TEST_F(KubeletTest, DeletedVmRemovesTheNodeAndPodGcCollectsItsPods) {
  MustCreate(res::kPods, Pod("orphan"));
  RunUntil([&] { return Ready("orphan"); }, std::chrono::seconds(30));
  cluster_->vm_observer().VmDeleted(Cluster::TestVm("node-1", 16, 64));
  Settle();
  EXPECT_FALSE(Get(res::kNodes, "", "node-1").has_value());
  RunUntil([&] { return !Get(res::kPods, "default", "orphan").has_value(); }, std::chrono::minutes(2));
}

}  // namespace
}  // namespace kt::sim::cluster::testing
