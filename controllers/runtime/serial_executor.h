// SerialExecutor: runs one component's asynchronous work one task at a time, in the order the
// tasks were posted, on the context that suits the Env:
//   SimEnv  - each task is an event on the Env's single loop (deterministic, virtual time);
//   RealEnv - tasks run on one dedicated thread (Env::StartThread), so a task may block on a
//             synchronous KubeClient call without holding up the Env's io threads (which also
//             serve HTTP).
// Delayed tasks go through Env::Schedule. Informers, leader election, the event recorder and
// periodic runnables each own one executor, which is what makes their state single-threaded.
//
// Lifetime: Stop() discards queued and delayed tasks; once it returns no task runs any more
// (called from inside a task: from the next task on). Every closure handed to the Env holds
// the executor's shared state, never the executor, so an Env that outlives the executor (a
// SimEnv in a test) only runs no-ops. A component must Stop() its executor before its own
// members go away (its destructor does so first).
//
// Bounds: at most tasks_max queued tasks; posting more is a bug (KT_CHECK): components post a
// bounded number of control tasks and keep bulk data (watch events, Events) in queues of
// their own with their own limits.
//
// Thread-safety: every method may be called from any thread.
#ifndef KT_CONTROLLERS_RUNTIME_SERIAL_EXECUTOR_H_
#define KT_CONTROLLERS_RUNTIME_SERIAL_EXECUTOR_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "base/env.h"

namespace kt::ctrl {

class SerialExecutor {
 public:
  static constexpr size_t kTasksMaxDefault = 100'000;

  SerialExecutor(Env& env, std::string name, size_t tasks_max = kTasksMaxDefault);
  ~SerialExecutor();  // Stop()
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  void Post(std::function<void()> task);
  void PostAfter(Duration delay, std::function<void()> task);

  // Runs `task` on the executor and returns once it has run (RealEnv: waits for the thread;
  // SimEnv, or when already on the executor: runs it inline). Returns false when the executor
  // was stopped and the task did not run.
  bool RunSync(std::function<void()> task);

  void Stop();
  bool stopped() const;
  // True while the calling code runs inside one of this executor's tasks.
  bool InExecutor() const;

  Env& env() const { return env_; }
  const std::string& name() const { return name_; }

 private:
  struct State;
  Env& env_;
  std::string name_;
  std::shared_ptr<State> state_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_SERIAL_EXECUTOR_H_
