// PodWorker: one pod on one node, as the kubelet runs it. A state machine driven by timers:
//   sandbox      PodReadyToStartContainers after `sandbox_create`, pod IP assigned;
//   images       per container: "already present", or Pulling -> Pulled (size / bandwidth,
//                serialized per node) or Failed -> ErrImagePull -> ImagePullBackOff and retry
//                (10 s doubling to 5 min); pull policy Never without the image ->
//                ErrImageNeverPull;
//   init         init containers one at a time, in order, each to exit 0;
//   containers   Created/Started; the app becomes healthy `load_s` after start; it may exit on
//                its own (run_s, exit code), be OOMKilled (exit 137) when it needs more GPU
//                memory than its GPUs have, or crash (fault cluster.container_crash);
//   probes       startup, liveness, readiness with initialDelaySeconds, periodSeconds,
//                failureThreshold, successThreshold: a probe passes once the app is healthy
//                (unless cluster.probe_fail fires); liveness/startup failure kills the
//                container ("failed liveness probe, will be restarted");
//   restarts     restartPolicy Always/OnFailure/Never; the first restart is immediate, later
//                ones wait CrashLoopBackOff 10 s doubling to 5 min (reset after 10 min running);
//   deletion     deletionTimestamp: "Killing" events, containers stop after their stop time or
//                are killed (137) at the grace period, the final status is written, then the
//                kubelet deletes the pod with grace 0.
// RenderStatus() produces status.phase, conditions (PodReadyToStartContainers, Initialized,
// Ready, ContainersReady; others' conditions are kept), containerStatuses and
// initContainerStatuses (state, lastState, ready, started, restartCount, image, imageID,
// containerID), hostIP(s), podIP(s), startTime - the shapes a real kubelet writes.
//
// Thread-safety: under the ClusterLoop's lock. Owned by its Kubelet.
#ifndef KT_SIM_CLUSTER_POD_WORKER_H_
#define KT_SIM_CLUSTER_POD_WORKER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/image_catalog.h"
#include "sim/cluster/image_puller.h"
#include "sim/cluster/json_ptr.h"
#include "sim/cluster/pod_host.h"

namespace kt::sim::cluster {

class PodWorker {
 public:
  // Starts running `pod` (bound to the host's node).
  PodWorker(PodHost& host, const JsonPtr& pod);
  ~PodWorker();
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  // A newer version of the pod (deletion is noticed here).
  void Update(const JsonPtr& pod);
  // The status the kubelet would write now, over `current` (the pod as the server has it).
  Json RenderStatus(const Json& current);
  // Deletion requested, every container stopped: after its final status, delete the pod.
  bool ready_to_delete() const { return deleting_ && all_stopped_; }

  const std::string& key() const { return key_; }
  const std::string& uid() const { return uid_; }
  std::string phase() const;

 private:
  struct Probe {
    bool defined = false;
    std::string kind;  // "Readiness" | "Liveness" | "Startup"
    int initial_delay_s = 0;
    int period_s = 10;
    int failure_threshold = 3;
    int success_threshold = 1;
    std::string failure_text;  // what a failing probe reports
    int failures = 0;
    int successes = 0;
    ClusterLoop::TimerId timer = ClusterLoop::kNoTimer;
  };
  struct Terminated {
    int exit_code = 0;
    std::string reason;
    std::string message;
    Time started;
    Time finished;
    std::string container_id;
  };
  enum class State { kWaiting, kRunning, kTerminated };
  struct Container {
    std::string name;
    bool init = false;
    Json spec;
    ImageFacts facts;
    std::string image;       // as written in the spec
    std::string normalized;  // docker.io/library/...
    std::string pull_policy;
    int gpus = 0;  // nvidia.com/gpu limit

    State state = State::kWaiting;
    std::string waiting_reason;  // ContainerCreating, PodInitializing, ErrImagePull, ...
    std::string waiting_message;
    Time started_at;
    std::optional<Terminated> terminated;
    std::optional<Terminated> last_terminated;
    int restart_count = 0;
    bool ready = false;
    bool started = false;
    bool ever_ran = false;
    std::string container_id;
    bool image_known = false;  // imageID shown once the image was resolved
    Time healthy_at;
    int pull_failures = 0;
    Duration crash_backoff{0};
    ClusterLoop::TimerId timer = ClusterLoop::kNoTimer;  // next lifecycle step
    ImagePuller::Ticket pull = 0;
    Probe readiness, liveness, startup;
  };
  struct CondState {
    std::string status;
    Time since;
  };

  Container MakeContainer(const Json& pod, const Json& spec, bool init);
  std::string FieldPath(const Container& c) const;
  void Event(const Container& c, std::string_view type, std::string_view reason,
             std::string message);
  void Dirty();
  void Trace(std::string_view what, const Json& fields);

  void SandboxReady();
  void StartNextInit();
  void StartRegular();
  void StartContainer(Container& c);
  void OnPulled(Container& c, const Status& s, Duration pulling, Duration waited);
  void PullFailed(Container& c, const std::string& message);
  void CreateContainer(Container& c);
  void Run(Container& c);
  void Exit(Container& c, int code, const std::string& reason, const std::string& message = "");
  void AfterExit(Container& c);
  // Arms the exit of sidecars with exits_after_others_s once every other container has
  // exited with 0.
  void FinishWaitingSidecars();
  void RestartLater(Container& c);
  void Restart(Container& c);
  bool ShouldRestart(const Container& c) const;
  void StopTimers(Container& c);

  void ArmProbe(Container& c, Probe& p, Duration delay);
  void ProbeTick(Container& c, Probe& p);
  bool AppHealthy(const Container& c) const;

  void BeginTermination();
  void CheckAllStopped();
  void ReleaseSandbox();

  Json ContainerStatus(const Container& c) const;
  void SetCondition(Json& conds, const std::string& type, const std::string& status,
                    const std::string& reason, const std::string& message);
  Container* Find(const std::string& name);

  PodHost& host_;
  std::string key_, uid_, ns_, name_;
  std::string restart_policy_;
  int64_t grace_seconds_ = 30;
  JsonPtr pod_;  // the latest version seen (events reference it)
  Time start_time_;
  std::string pod_ip_;
  bool sandbox_ready_ = false;
  bool ip_released_ = false;
  std::vector<Container> init_;
  std::vector<Container> containers_;
  size_t next_init_ = 0;
  bool init_done_ = false;
  bool init_failed_ = false;
  bool deleting_ = false;
  bool all_stopped_ = false;
  ClusterLoop::TimerId sandbox_timer_ = ClusterLoop::kNoTimer;
  std::map<std::string, CondState> conditions_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_POD_WORKER_H_
