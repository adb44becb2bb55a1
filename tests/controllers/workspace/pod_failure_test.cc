// Proves inference pod failures are classified as Kaito HEAD does (TestDetectInferencePodFailure:
// image pull, crash loop, OOM taking precedence over the crash loop it causes, start/config
// errors, eviction, unschedulable), that healthy or terminating pods report nothing, and that
// workload and Job status read as ready/failed/started/succeeded at the right moments.
#include "controllers/workspace/pod_failure.h"

#include <gtest/gtest.h>

#include "controllers/kaito/conditions.h"
#include "controllers/workspace/workload_status.h"
#include "tests/controllers/workspace/test_util.h"

namespace kt::workspace {
namespace {

Json Pod(const std::string& name, Json container_status, Json extra_status = Json::object()) {
  Json pod = {{"metadata", {{"name", name}, {"namespace", "default"}}},
              {"status", {{"phase", "Running"},
                          {"containerStatuses", Json::array({std::move(container_status)})}}}};
  for (auto& [k, v] : extra_status.items()) pod["status"][k] = v;
  return pod;
}

Json Waiting(const std::string& reason, const std::string& message = "") {
  return {{"name", "ws"}, {"ready", false}, {"restartCount", 3},
          {"state", {{"waiting", {{"reason", reason}, {"message", message}}}}}};
}

TEST(PodFailureTest, ImagePullBackOffAndErrImagePullAreImagePullErrors) {
  for (const char* reason : {"ImagePullBackOff", "ErrImagePull"}) {
    auto f = DetectPodFailure(Pod("p1", Waiting(reason, "Back-off pulling image \"x:1\"")));
    ASSERT_TRUE(f.has_value()) << reason;
    EXPECT_EQ(f->reason, kaito::kReasonImagePullError);
    EXPECT_NE(f->message.find("p1"), std::string::npos);
    EXPECT_NE(f->message.find("Back-off pulling image"), std::string::npos) << f->message;
  }
}

TEST(PodFailureTest, CrashLoopBackOffCarriesTheLastExit) {
  Json cs = Waiting("CrashLoopBackOff", "back-off 20s restarting failed container");
  cs["lastState"] = {{"terminated", {{"reason", "Error"}, {"exitCode", 1}}}};
  auto f = DetectPodFailure(Pod("p1", cs));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, kaito::kReasonContainerCrashLoopBackOff);
  EXPECT_NE(f->message.find("Error, code 1"), std::string::npos) << f->message;
}

TEST(PodFailureTest, OomKilledWinsOverTheCrashLoopItCauses) {
  Json cs = Waiting("CrashLoopBackOff");
  cs["lastState"] = {{"terminated", {{"reason", "OOMKilled"}, {"exitCode", 137}}}};
  auto f = DetectPodFailure(Pod("p1", cs));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, kaito::kReasonContainerOOMKilled);
  EXPECT_NE(f->message.find("OOMKilled"), std::string::npos);
}

TEST(PodFailureTest, AnOldOomOfAContainerThatIsReadyAgainIsNotAFailure) {
  Json cs = {{"name", "ws"}, {"ready", true}, {"restartCount", 1},
             {"state", {{"running", {{"startedAt", "2026-01-01T00:00:00Z"}}}}},
             {"lastState", {{"terminated", {{"reason", "OOMKilled"}, {"exitCode", 137}}}}}};
  EXPECT_FALSE(DetectPodFailure(Pod("p1", cs)).has_value());
}

TEST(PodFailureTest, ConfigErrorsAreStartErrors) {
  auto f = DetectPodFailure(Pod("p1", Waiting("CreateContainerConfigError", "secret \"hf\" not found")));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, kaito::kReasonContainerStartError);
}

TEST(PodFailureTest, EvictedPodsAreReported) {
  Json pod = {{"metadata", {{"name", "p1"}}},
              {"status", {{"phase", "Failed"}, {"reason", "Evicted"},
                          {"message", "The node was low on resource: ephemeral-storage."}}}};
  auto f = DetectPodFailure(pod);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, kaito::kReasonPodEvicted);
  EXPECT_NE(f->message.find("ephemeral-storage"), std::string::npos);
}

TEST(PodFailureTest, UnschedulablePodsCarryTheSchedulersMessage) {
  Json pod = {{"metadata", {{"name", "p1"}}},
              {"status", {{"phase", "Pending"},
                          {"conditions", Json::array({{{"type", "PodScheduled"}, {"status", "False"},
                                                       {"reason", "Unschedulable"},
                                                       {"message", "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."}}})}}}};
  auto f = DetectPodFailure(pod);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, kaito::kReasonUnschedulable);
  EXPECT_NE(f->message.find("Insufficient nvidia.com/gpu"), std::string::npos);
}

TEST(PodFailureTest, HealthyStartingAndTerminatingPodsReportNothing) {
  Json ok = {{"name", "ws"}, {"ready", true}, {"state", {{"running", Json::object()}}}};
  EXPECT_FALSE(DetectPodFailure(Pod("p1", ok)).has_value());
  EXPECT_FALSE(DetectPodFailure(Pod("p2", Waiting("ContainerCreating"))).has_value());
  Json dying = Pod("p3", Waiting("CrashLoopBackOff"));
  dying["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(DetectPodFailure(dying).has_value());
}

TEST(PodFailureTest, InitContainersCount) {
  Json pod = Pod("p1", {{"name", "ws"}, {"ready", false}, {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}});
  Json init = Waiting("ImagePullBackOff");
  init["name"] = "puller-adapter";
  pod["status"]["initContainerStatuses"] = Json::array({init});
  auto f = DetectPodFailure(pod);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, kaito::kReasonImagePullError);
  EXPECT_NE(f->message.find("puller-adapter"), std::string::npos);
}

TEST(PodFailureTest, AcrossPodsTheMostSevereWinsThenTheFirstByName) {
  Json a = Pod("b-pod", Waiting("ImagePullBackOff"));
  Json oom = Waiting("CrashLoopBackOff");
  oom["lastState"] = {{"terminated", {{"reason", "OOMKilled"}}}};
  Json b = Pod("c-pod", oom);
  Json c = Pod("a-pod", Waiting("ErrImagePull"));
  auto f = DetectPodsFailure({&a, &b, &c});
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, kaito::kReasonContainerOOMKilled);
  f = DetectPodsFailure({&a, &c});
  ASSERT_TRUE(f.has_value());
  EXPECT_NE(f->message.find("a-pod"), std::string::npos);
  EXPECT_FALSE(DetectPodsFailure({}).has_value());
}

TEST(WorkloadStatusTest, DeploymentIsReadyOnlyWhenTheLatestTemplateIsFullyReady) {
  Json d = {{"kind", "Deployment"}, {"metadata", {{"name", "ws"}, {"generation", 2}}},
            {"spec", {{"replicas", 2}}},
            {"status", {{"observedGeneration", 2}, {"updatedReplicas", 2}, {"readyReplicas", 1}}}};
  EXPECT_FALSE(ReadWorkload(d).ready);
  EXPECT_EQ(ReadWorkload(d).message, "1/2 replicas ready");
  d["status"]["readyReplicas"] = 2;
  EXPECT_TRUE(ReadWorkload(d).ready);
  d["status"]["observedGeneration"] = 1;
  EXPECT_FALSE(ReadWorkload(d).ready) << "the controller has not seen the new template yet";
  d["status"]["observedGeneration"] = 2;
  d["status"]["conditions"] = Json::array({{{"type", "Progressing"}, {"status", "False"},
                                            {"reason", "ProgressDeadlineExceeded"}, {"message", "too slow"}}});
  EXPECT_TRUE(ReadWorkload(d).failed);
  EXPECT_NE(ReadWorkload(d).message.find("ProgressDeadlineExceeded"), std::string::npos);
}

TEST(WorkloadStatusTest, StatefulSetIsReadyWhenAllReplicasAreReady) {
  Json s = {{"kind", "StatefulSet"}, {"metadata", {{"name", "ws"}, {"generation", 1}}},
            {"spec", {{"replicas", 2}}}, {"status", {{"observedGeneration", 1}, {"readyReplicas", 2}}}};
  EXPECT_TRUE(ReadWorkload(s).ready);
  s["status"]["readyReplicas"] = 1;
  EXPECT_FALSE(ReadWorkload(s).ready);
}

TEST(WorkloadStatusTest, JobStartsWhenAPodIsReadyAndSucceedsOrFailsByItsStatus) {
  Json j = {{"status", {{"active", 1}}}};
  EXPECT_FALSE(ReadJob(j).started);
  j["status"]["ready"] = 1;
  EXPECT_TRUE(ReadJob(j).started);
  EXPECT_FALSE(ReadJob(j).complete);
  j["status"] = {{"succeeded", 1}};
  EXPECT_TRUE(ReadJob(j).complete);
  EXPECT_TRUE(ReadJob(j).started);
  j["status"] = {{"failed", 7}, {"conditions", Json::array({{{"type", "Failed"}, {"status", "True"},
      {"reason", "BackoffLimitExceeded"}, {"message", "Job has reached the specified backoff limit"}}})}};
  EXPECT_TRUE(ReadJob(j).failed_terminally);
  EXPECT_NE(ReadJob(j).message.find("BackoffLimitExceeded"), std::string::npos);
}

}  // namespace
}  // namespace kt::workspace
