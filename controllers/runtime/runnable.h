// Runnable: a background activity the Manager starts and stops with everything else
// (controller-runtime's manager.Runnable). Anything that runs on its own - a garbage-collection
// loop, a metrics publisher - is a Runnable, never a free-running thread or timer, so the
// simulation drives it and graceful shutdown stops it.
//
// NeedsLeaderElection(): true (the default) runs it only while this manager leads.
//
// PeriodicRunnable runs fn every `period` (the next run is scheduled when the previous one
// ends, like wait.Until), first after `initial_delay`, on a SerialExecutor of its own: under
// RealEnv fn may block on API calls; under SimEnv each run is an Env event. Stop() waits for a
// run in progress.
#ifndef KT_CONTROLLERS_RUNTIME_RUNNABLE_H_
#define KT_CONTROLLERS_RUNTIME_RUNNABLE_H_

#include <functional>
#include <memory>
#include <string>

#include "base/env.h"
#include "base/status.h"

namespace kt::ctrl {

class SerialExecutor;

class Runnable {
 public:
  virtual ~Runnable() = default;
  virtual std::string name() const = 0;
  // Non-blocking.
  virtual Status Start() = 0;
  // Stops; returns once nothing of it runs any more.
  virtual void Stop() = 0;
  virtual bool NeedsLeaderElection() const { return true; }
};

class PeriodicRunnable final : public Runnable {
 public:
  PeriodicRunnable(Env& env, std::string name, Duration period, std::function<void()> fn,
                   bool needs_leader_election = true, Duration initial_delay = Duration(0));
  ~PeriodicRunnable() override;

  std::string name() const override { return name_; }
  Status Start() override;
  void Stop() override;
  bool NeedsLeaderElection() const override { return needs_leader_; }
  uint64_t runs() const { return runs_; }

 private:
  void RunOnce();

  Env& env_;
  std::string name_;
  Duration period_;
  std::function<void()> fn_;
  bool needs_leader_;
  Duration initial_delay_;
  uint64_t runs_ = 0;  // executor-only
  std::unique_ptr<SerialExecutor> executor_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_RUNNABLE_H_
