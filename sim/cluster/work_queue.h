// WorkQueue: controller-runtime's work queue in small: keys ("ns/name") waiting to be
// reconciled, each at most once in the queue however often it is added, processed FIFO on the
// ClusterLoop in bounded batches. A reconcile that fails is retried with per-key exponential
// back-off; one that asks for it is re-run after a delay (level-based controllers: they read
// the world again each time, so a key's extra runs are harmless).
//
// Thread-safety: every method runs under the ClusterLoop's lock.
#ifndef KT_SIM_CLUSTER_WORK_QUEUE_H_
#define KT_SIM_CLUSTER_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>

#include "base/status.h"
#include "base/time.h"
#include "sim/cluster/cluster_loop.h"

namespace kt::sim::cluster {

struct ReconcileResult {
  Status status;  // not OK: retried with back-off
  std::optional<Duration> requeue_after;
  static ReconcileResult Done() { return {}; }
  static ReconcileResult After(Duration d) { return {Status::Ok(), d}; }
  static ReconcileResult Error(Status s) { return {std::move(s), std::nullopt}; }
};

class WorkQueue {
 public:
  using Reconcile = std::function<ReconcileResult(const std::string& key)>;
  struct Options {
    size_t batch_items_max = 256;  // keys reconciled per loop turn
    Duration backoff_initial = std::chrono::milliseconds(100);
    Duration backoff_max = std::chrono::seconds(60);
  };

  WorkQueue(ClusterLoop& loop, std::string name, Reconcile reconcile, Options options);
  WorkQueue(ClusterLoop& loop, std::string name, Reconcile reconcile)
      : WorkQueue(loop, std::move(name), std::move(reconcile), Options{}) {}
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  // Adds the key after `delay` (an earlier pending delay for the key wins).
  void AddAfter(const std::string& key, Duration delay);
  void Stop();

  size_t queued() const { return queue_.size(); }
  size_t delayed() const { return delayed_.size(); }
  uint64_t reconciles() const { return reconciles_; }
  uint64_t failures() const { return failures_; }

 private:
  void ScheduleDrain();
  void Drain();

  ClusterLoop& loop_;
  const std::string name_;
  Reconcile reconcile_;
  const Options options_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> queued_;
  struct Delayed {
    Time due;
    ClusterLoop::TimerId timer = ClusterLoop::kNoTimer;
  };
  std::map<std::string, Delayed> delayed_;
  std::map<std::string, int> failures_by_key_;
  ClusterLoop::TimerId drain_timer_ = ClusterLoop::kNoTimer;
  bool stopped_ = false;
  uint64_t reconciles_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_WORK_QUEUE_H_
