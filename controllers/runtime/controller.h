// Controller: watches resources, turns their changes into Requests on a WorkQueue, and runs a
// Reconciler over them with up to max_concurrent_reconciles workers (controller-runtime's
// builder + internal controller).
//
// Wiring (before Start):
//   For({gvr, kind})         the reconciled resource; each change enqueues the object itself;
//   Owns(gvr)                changes of objects whose *controller* ownerReference points at the
//                            For kind (same API group and kind) enqueue that owner;
//   Watches(gvr, map_fn)     changes enqueue whatever map_fn returns (both old and new object
//                            on updates), e.g. a NodeClaim -> its Workspace via labels.
// Each takes an optional Predicate that filters create/update/delete events.
//
// Running: Start() registers the event handlers on the manager's informers and starts the
// workers once every watched informer has synced. Results are handled as controller-runtime
// does (see reconciler.h). Workers:
//   SimEnv  - one thread; each reconcile is an Env event, at most max_concurrent_reconciles
//             posted or running at once (logical worker slots), FIFO: deterministic;
//   RealEnv - max_concurrent_reconciles threads (Env::StartThread) blocking on the queue, so a
//             reconcile may make synchronous KubeClient calls; the queue keeps one key out of
//             two workers at once.
// Stop() stops taking work: the queue shuts down, handlers are removed, a reconcile already
// running finishes (WaitForIdle waits for that, with a deadline). A controller runs once.
//
// Metrics: controller_runtime_reconcile_total{controller,result=success|error|requeue|
// requeue_after}, controller_runtime_reconcile_errors_total,
// controller_runtime_terminal_reconcile_errors_total, controller_runtime_reconcile_time_seconds,
// controller_runtime_max_concurrent_reconciles, controller_runtime_active_workers, plus the
// work queue's (work_queue.h).
//
// Thread-safety: wiring before Start from one thread; Start/Stop/WaitForIdle from any thread.
#ifndef KT_CONTROLLERS_RUNTIME_CONTROLLER_H_
#define KT_CONTROLLERS_RUNTIME_CONTROLLER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/resource.h"
#include "base/env.h"
#include "base/json_fwd.h"
#include "controllers/runtime/informer.h"
#include "controllers/runtime/object_cache.h"
#include "controllers/runtime/rate_limiter.h"
#include "controllers/runtime/reconciler.h"

namespace kt::ctrl {

class Cache;
class Counter;
class Gauge;
class Histogram;
class MetricsRegistry;
class SerialExecutor;
class WorkQueue;

// Filters events before they enqueue anything. An unset function lets every event through.
struct Predicate {
  std::function<bool(const Json& obj)> create;
  std::function<bool(const Json& old_obj, const Json& new_obj)> update;
  std::function<bool(const Json& obj)> del;
};
// Updates pass only when metadata.generation changed (spec edits, not status writes).
Predicate GenerationChangedPredicate();
// Updates pass only when metadata.resourceVersion changed (drops resyncs and relist echoes).
Predicate ResourceVersionChangedPredicate();

using MapFunc = std::function<std::vector<Request>(const Json& obj)>;

struct ForResource {
  api::GroupVersionResource gvr;
  std::string kind;        // matched against ownerReferences[].kind for Owns()
  bool namespaced = true;  // false: owners are cluster-scoped, requests carry no namespace
};

struct ControllerOptions {
  std::string name;  // required: metrics label, logs, Event source
  int max_concurrent_reconciles = 1;
  RateLimiterOptions rate_limiter;
  size_t queue_items_max = 1'000'000;
  Duration cache_sync_poll = std::chrono::milliseconds(100);
};

class Controller {
 public:
  Controller(Env& env, Cache& cache, MetricsRegistry& metrics, Reconciler& reconciler,
             ControllerOptions options);
  ~Controller();  // Stop(); WaitForIdle
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  Controller& For(ForResource resource, Predicate predicate = {});
  Controller& Owns(const api::GroupVersionResource& gvr, Predicate predicate = {});
  Controller& Watches(const api::GroupVersionResource& gvr, MapFunc map, Predicate predicate = {});

  // REQUIRES: For() was called. Non-blocking.
  void Start();
  void Stop();
  // True once no reconcile is running (after Stop: all workers finished), false when
  // `timeout` passed first. Under SimEnv nothing runs concurrently and it returns at once.
  bool WaitForIdle(Duration timeout);

  bool started() const { return started_.load(); }
  bool workers_running() const { return workers_running_.load(); }
  int active_workers() const { return active_.load(); }
  const std::string& name() const { return options_.name; }
  WorkQueue& queue() { return *queue_; }
  const ForResource& for_resource() const { return for_; }

 private:
  struct Source {
    api::GroupVersionResource gvr;
    EventHandler handler;
    uint64_t handler_id = 0;
  };

  EventHandler MakeHandler(std::function<std::vector<Request>(const Json&)> requests,
                           Predicate predicate);
  bool SourcesSynced() const;
  void WaitForSyncSim();
  void Dispatch();                         // SimEnv
  void WorkerLoop();                       // RealEnv thread
  void ProcessItem(const std::string& key);
  void WorkerExited();

  Env& env_;
  Cache& cache_;
  Reconciler& reconciler_;
  ControllerOptions options_;
  ForResource for_;
  std::vector<Source> sources_;
  std::shared_ptr<WorkQueue> queue_;
  std::unique_ptr<SerialExecutor> sim_executor_;  // SimEnv only

  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> workers_running_{false};
  std::atomic<int> active_{0};
  int sim_busy_ = 0;    // SimEnv: slots posted or running
  int sim_posted_ = 0;  // SimEnv: slots posted, not yet running

  std::atomic<int> threads_alive_{0};  // RealEnv worker threads not yet exited

  struct Metrics {
    Counter* success = nullptr;
    Counter* error = nullptr;
    Counter* requeue = nullptr;
    Counter* requeue_after = nullptr;
    Counter* errors = nullptr;
    Counter* terminal_errors = nullptr;
    Histogram* time = nullptr;
    Gauge* active = nullptr;
  } m_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_CONTROLLER_H_
