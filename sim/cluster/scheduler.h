// Scheduler: kube-scheduler's default profile, in process. It watches pods (through the shared
// pod informer) and nodes, keeps kube-scheduler's cache (each node's allocatable minus what its
// bound, non-terminal pods request, with pods it just bound "assumed" at once), and schedules
// pending pods whose schedulerName is its own:
//   queue    activeQ ordered by priority, then arrival; failed pods wait in unschedulable until a
//            node or pod change could help (node added or changed, a bound pod went away) or
//            5 minutes passed, then sit out their back-off (1 s doubling to 10 s);
//   filter   NodeUnschedulable, TaintToleration (NoSchedule/NoExecute), NodeAffinity
//            (nodeSelector + required terms), NodeResourcesFit (cpu, memory, ephemeral-storage,
//            nvidia.com/gpu and other extended resources, pod count) - stopping after
//            numFeasibleNodesToFind feasible nodes from a rotating start, as kube-scheduler does;
//   score    LeastAllocated + BalancedAllocation over cpu/memory (non-zero requests), plus
//            TaintToleration (PreferNoSchedule) and preferred node affinity; ties broken by a
//            seeded reservoir draw;
//   bind     the pods/binding subresource; a "Scheduled" event on success;
//   failure  a "FailedScheduling" event and the PodScheduled=False/Unschedulable condition with
//            kube-scheduler's message ("0/3 nodes are available: 1 Insufficient nvidia.com/gpu,
//            2 node(s) had untolerated taint {sku: gpu}. preemption: 0/3 nodes are available:
//            3 Preemption is not helpful for scheduling.").
// Not modelled: preemption itself (the post-filter message is produced, no victim is evicted),
// pod (anti-)affinity, topology spread, volumes, image locality.
//
// Decisions are traced ({"k":"cluster.scheduler"}). Fault point cluster.bind_fail.
// Thread-safety: under the ClusterLoop's lock. REQUIRES: constructed before the informers start.
#ifndef KT_SIM_CLUSTER_SCHEDULER_H_
#define KT_SIM_CLUSTER_SCHEDULER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "api/object.h"
#include "base/status.h"
#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/event_recorder.h"
#include "sim/cluster/informer.h"
#include "sim/cluster/node_affinity.h"
#include "sim/cluster/resources.h"
#include "sim/cluster/taints.h"

namespace kt::sim::cluster {

struct SchedulerOptions {
  std::string scheduler_name = "default-scheduler";
  // 0: kube-scheduler's adaptive percentage (50 - nodes/125, at least 5, at least 100 nodes).
  int percentage_of_nodes_to_score = 0;
  Duration pod_initial_backoff = std::chrono::seconds(1);
  Duration pod_max_backoff = std::chrono::seconds(10);
  // Unschedulable pods are retried after this even without a helpful cluster change.
  Duration unschedulable_pods_max = std::chrono::minutes(5);
  Duration unschedulable_flush_interval = std::chrono::seconds(30);
  size_t batch_pods_max = 1000;  // pods scheduled per loop turn
};

class Scheduler {
 public:
  Scheduler(ClusterLoop& loop, ApiServer& server, Informer& pods, Informer& nodes,
            EventRecorder& events, SchedulerOptions options);
  ~Scheduler();

  void Start();
  void Stop();

  struct Stats {
    uint64_t attempts = 0;
    uint64_t scheduled = 0;
    uint64_t unschedulable = 0;
    uint64_t bind_errors = 0;
  };
  const Stats& stats() const { return stats_; }
  size_t pending_pods() const { return active_.size() + backoff_.size() + unschedulable_.size(); }
  // What the scheduler's cache holds for a node (tests): allocatable and requested.
  struct NodeView {
    ResourceVec allocatable;
    ResourceVec requested;
  };
  std::optional<NodeView> node_view(const std::string& name) const;

  // kube-scheduler's numFeasibleNodesToFind.
  static int NumFeasibleNodesToFind(int percentage, int all_nodes);

 private:
  struct NodeState {
    std::string name;
    api::Labels labels;
    std::vector<Taint> taints;
    bool unschedulable = false;
    bool has_prefer_no_schedule = false;
    ResourceVec alloc;
    ResourceVec requested;
    int64_t nonzero_cpu = 0;     // scoring: requests with kube-scheduler's non-zero defaults
    int64_t nonzero_memory = 0;
  };
  struct Assigned {
    std::string node;
    ResourceVec req;
    int64_t nonzero_cpu = 0;
    int64_t nonzero_memory = 0;
  };
  enum class Where { kNone, kActive, kBackoff, kUnschedulable };
  struct PodEntry {
    std::string uid;
    ResourceVec req;
    int64_t nonzero_cpu = 0;
    int64_t nonzero_memory = 0;
    std::vector<Toleration> tolerations;
    Result<NodeAffinity> affinity = NodeAffinity();
    int64_t priority = 0;
    bool preemption_never = false;
    int attempts = 0;
    uint64_t seq = 0;
    Where where = Where::kNone;
    Time last_attempt;
    Time unschedulable_since;
    Time backoff_until;
    std::string last_message;
  };
  // Failure of one node for one pod.
  struct Diagnosis {
    bool unresolvable = false;
    std::vector<std::string> reasons;
  };

  // informer handlers (scheduler.cc)
  void OnPodAdd(const JsonPtr& pod);
  void OnPodUpdate(const JsonPtr& old_pod, const JsonPtr& pod);
  void OnPodDelete(const JsonPtr& pod);
  void OnNodeAdd(const JsonPtr& node);
  void OnNodeUpdate(const JsonPtr& old_node, const JsonPtr& node);
  void OnNodeDelete(const JsonPtr& node);
  bool Responsible(const Json& pod) const;
  // Counts `pod` against `node` (its spec.nodeName when empty).
  void Account(const std::string& key, const Json& pod, const std::string& node = "");
  void Unaccount(const std::string& key);
  void FillNodeState(NodeState& ns, const Json& node);

  // queue (scheduler.cc)
  void Enqueue(const std::string& key, const Json& pod);
  void Forget(const std::string& key);
  void RemoveFromQueues(const std::string& key, PodEntry& e);
  void PushActive(const std::string& key, PodEntry& e);
  void PushBackoff(const std::string& key, PodEntry& e);
  void MoveAllToActiveOrBackoff();
  void ArmBackoffTimer();
  void FlushBackoff();
  void FlushUnschedulable();
  void ScheduleSoon();
  void RunBatch();

  // one scheduling attempt (scheduler_cycle.cc)
  void ScheduleOne(const std::string& key);
  bool Fits(const NodeState& n, const PodEntry& p) const;
  Diagnosis Diagnose(const NodeState& n, const PodEntry& p) const;
  int64_t Score(const NodeState& n, const PodEntry& p, int64_t taint_count, int64_t max_taints,
                int64_t affinity, int64_t max_affinity) const;
  std::string FailureMessage(const PodEntry& p) const;
  void Fail(const std::string& key, PodEntry& e, const Json& pod, const std::string& message);
  void Bind(const std::string& key, PodEntry& e, const Json& pod, size_t node_index);

  ClusterLoop& loop_;
  ApiServer& server_;
  Informer& pods_;
  Informer& nodes_informer_;
  EventRecorder& events_;
  const SchedulerOptions options_;
  RequestContext ctx_;
  EventSource source_;
  Rng* rng_;

  std::vector<NodeState> nodes_;
  std::unordered_map<std::string, size_t> node_index_;
  size_t next_start_ = 0;
  std::vector<size_t> scratch_feasible_;  // ScheduleOne's buffers, reused across pods
  std::vector<int64_t> scratch_taints_;
  std::vector<int64_t> scratch_affinity_;
  std::unordered_map<std::string, Assigned> assigned_;
  std::unordered_map<std::string, PodEntry> entries_;  // pods the scheduler has queued
  std::set<std::tuple<int64_t, uint64_t, std::string>> active_;  // (-priority, seq, key)
  std::set<std::tuple<Time, uint64_t, std::string>> backoff_;    // (ready, seq, key)
  std::set<std::string> unschedulable_;
  uint64_t next_seq_ = 1;
  ClusterLoop::TimerId batch_timer_ = ClusterLoop::kNoTimer;
  ClusterLoop::TimerId backoff_timer_ = ClusterLoop::kNoTimer;
  Time backoff_timer_due_;
  ClusterLoop::TimerId flush_timer_ = ClusterLoop::kNoTimer;
  bool running_ = false;
  Stats stats_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_SCHEDULER_H_
