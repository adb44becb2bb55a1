// ClusterLoop: the one serialization point of the cluster twin. Every entry into sim/cluster -
// a watch delivery, a timer, a VmObserver call, a public method - runs holding its mutex, so
// the components (scheduler, controllers, kubelets) are written as single-threaded code.
// Under SimEnv the lock is uncontended and everything runs on the simulation thread in
// (time, sequence) order; under RealEnv (kaito-twin up) watch deliveries and timers arrive on
// io threads and queue on the lock.
//
// Timers: After() schedules a callback that runs with the lock held unless it was cancelled
// (Cancel) or the loop stopped first. A cancelled timer never runs, even when the Env had
// already dequeued it on another thread. After Stop() returns no callback starts.
//
// Ownership: the state the Env's pending callbacks reference is shared, so a ClusterLoop may be
// destroyed while timers are still queued in the Env (they become no-ops).
// Thread-safety: every method may be called from any thread.
#ifndef KT_SIM_CLUSTER_CLUSTER_LOOP_H_
#define KT_SIM_CLUSTER_CLUSTER_LOOP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "base/env.h"

namespace kt::sim::cluster {

class ClusterLoop {
 public:
  using TimerId = uint64_t;
  static constexpr TimerId kNoTimer = 0;

  explicit ClusterLoop(Env& env);
  ~ClusterLoop();  // Stop()s
  ClusterLoop(const ClusterLoop&) = delete;
  ClusterLoop& operator=(const ClusterLoop&) = delete;

  Env& env() { return env_; }
  Time Now() { return env_.Now(); }

  // The lock every entry point holds (recursive: a locked component may call another).
  std::recursive_mutex& mu() { return state_->mu; }

  // Runs `fn` after `delay` with the lock held. Returns an id for Cancel.
  TimerId After(Duration delay, std::function<void()> fn);
  // Cancels a pending timer (no-op for kNoTimer or a timer that ran) and resets `id`.
  void Cancel(TimerId& id);

  // Wraps `fn` so it runs with the lock held and only while the loop is running: for
  // callbacks handed to other components (watch sinks, observers).
  std::function<void()> Guard(std::function<void()> fn);
  // Runs `fn` now with the lock held, unless stopped. Returns false when stopped.
  bool RunLocked(const std::function<void()>& fn);

  void Stop();
  bool stopped() const;
  size_t pending_timers() const;

 private:
  struct State {
    std::recursive_mutex mu;
    bool stopped = false;                                    // guarded by mu
    TimerId next_id = 1;                                     // guarded by mu
    std::unordered_map<TimerId, Env::TimerId> live;          // guarded by mu
  };
  Env& env_;
  std::shared_ptr<State> state_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_CLUSTER_LOOP_H_
