// WorkQueue: the rate-limited, de-duplicating queue between event handlers and reconcile
// workers (client-go's workqueue with controller-runtime's use of it).
//
// Guarantees:
//   - de-duplication: a key added several times before a worker takes it is processed once;
//   - exclusivity: a key is handed to at most one worker at a time. A key added while a worker
//     processes it is marked dirty and handed out again after that worker calls Done();
//   - FIFO among ready keys (deterministic under SimEnv);
//   - AddAfter: the key becomes ready after the delay (an earlier pending AddAfter of the same
//     key wins); AddRateLimited: AddAfter(the rate limiter's delay), see rate_limiter.h;
//     Forget() ends a key's back-off streak;
//   - bounded: at most items_max distinct keys queued or waiting; Add beyond that is refused
//     with Unavailable (a controller's keys are its objects, so this only trips on a runaway);
//   - ShutDown(): no new adds, pending delays are dropped and Get()/TryGet() hand out nothing
//     more (workers finish the key they hold). "Stop taking work" for graceful shutdown.
//
// Metrics (when a registry is given), labelled {name, controller} like controller-runtime's:
// workqueue_depth, workqueue_adds_total, workqueue_retries_total,
// workqueue_queue_duration_seconds, workqueue_work_duration_seconds,
// workqueue_unfinished_work_seconds, workqueue_longest_running_processor_seconds.
//
// Workers either poll with TryGet() (SimEnv: the controller posts one Env event per item and
// learns about new items through the ready callback) or block in Get() (RealEnv threads).
//
// Thread-safety: every method is safe from any thread. The ready callback is called without
// the queue's lock held, from whichever thread made a key ready (handler, timer, Done()).
#ifndef KT_CONTROLLERS_RUNTIME_WORK_QUEUE_H_
#define KT_CONTROLLERS_RUNTIME_WORK_QUEUE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/env.h"
#include "base/status.h"
#include "controllers/runtime/rate_limiter.h"

namespace kt::ctrl {

class MetricsRegistry;

struct WorkQueueOptions {
  std::string name;  // metrics label; the controller's name
  size_t items_max = 1'000'000;
  RateLimiterOptions rate_limiter;
};

class WorkQueue {
 public:
  WorkQueue(Env& env, WorkQueueOptions options, MetricsRegistry* metrics = nullptr);
  ~WorkQueue();  // ShutDown()
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  Status Add(const std::string& key);
  Status AddAfter(const std::string& key, Duration delay);
  Status AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // The next ready key, if any. The caller must call Done(key) when finished with it.
  std::optional<std::string> TryGet();
  // Blocks until a key is ready (true) or the queue shuts down (false). RealEnv workers only.
  bool Get(std::string* key);
  void Done(const std::string& key);

  void ShutDown();
  bool shutting_down() const;

  size_t Len() const;          // ready keys
  size_t waiting() const;      // keys in AddAfter delays
  size_t processing() const;   // keys handed out, not yet Done

  void SetReadyCallback(std::function<void()> fn);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_WORK_QUEUE_H_
