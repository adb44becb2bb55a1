#include "controllers/runtime/serial_executor.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "base/check.h"

namespace kt::ctrl {

using ThreadId = decltype(std::this_thread::get_id());

struct SerialExecutor::State {
  Env* env = nullptr;
  bool simulated = false;
  size_t tasks_max = 0;
  std::string name;

  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;            // guarded by mu
  std::deque<std::function<void()>> tasks;  // RealEnv queue; guarded by mu
  size_t sim_pending = 0;          // SimEnv: posted, not yet run
  bool sim_in_task = false;        // SimEnv: a task of this executor is running
  ThreadId thread_id{};            // RealEnv: the executor thread; guarded by mu
  bool thread_exited = false;      // guarded by mu
  uint64_t tasks_finished = 0;     // RealEnv: count of tasks run; guarded by mu
  uint64_t next_timer_token = 1;   // guarded by mu
  std::map<uint64_t, Env::TimerId> timers;  // pending delayed tasks; guarded by mu
  std::set<uint64_t> fired_before_registered;  // RealEnv race; guarded by mu

  void RunSim(const std::function<void()>& task) {
    sim_in_task = true;
    task();
    sim_in_task = false;
  }

  // RealEnv: queue a task for the thread.
  void Enqueue(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) return;
    KT_CHECK(tasks.size() < tasks_max) << "executor " << name << " has " << tasks.size()
                                       << " queued tasks (tasks_max)";
    tasks.push_back(std::move(task));
    cv.notify_all();
  }

  void ThreadLoop() {
    std::unique_lock<std::mutex> lock(mu);
    thread_id = std::this_thread::get_id();
    for (;;) {
      cv.wait(lock, [&] { return stopped || !tasks.empty(); });
      if (stopped) break;
      std::function<void()> task = std::move(tasks.front());
      tasks.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // release captures outside the lock
      lock.lock();
      ++tasks_finished;
      cv.notify_all();
    }
    thread_exited = true;
    cv.notify_all();
  }
};

SerialExecutor::SerialExecutor(Env& env, std::string name, size_t tasks_max)
    : env_(env), name_(std::move(name)), state_(std::make_shared<State>()) {
  state_->env = &env;
  state_->simulated = env.IsSimulated();
  state_->tasks_max = tasks_max;
  state_->name = name_;
  if (!state_->simulated) {
    std::shared_ptr<State> state = state_;
    env.StartThread(name_, [state] { state->ThreadLoop(); });
  }
}

SerialExecutor::~SerialExecutor() { Stop(); }

void SerialExecutor::Post(std::function<void()> task) {
  if (!state_->simulated) {
    state_->Enqueue(std::move(task));
    return;
  }
  if (state_->stopped) return;
  KT_CHECK(state_->sim_pending < state_->tasks_max)
      << "executor " << name_ << " has " << state_->sim_pending << " queued tasks (tasks_max)";
  ++state_->sim_pending;
  std::shared_ptr<State> state = state_;
  env_.Post([state, task = std::move(task)] {
    if (state->stopped) return;
    --state->sim_pending;
    state->RunSim(task);
  });
}

void SerialExecutor::PostAfter(Duration delay, std::function<void()> task) {
  if (delay <= Duration(0)) {
    Post(std::move(task));
    return;
  }
  uint64_t token;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopped) return;
    token = state_->next_timer_token++;
  }
  std::shared_ptr<State> state = state_;
  Env::TimerId id = env_.Schedule(delay, [state, token, task = std::move(task)]() mutable {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->timers.erase(token) == 0) state->fired_before_registered.insert(token);
      if (state->stopped) return;
    }
    if (state->simulated) {
      state->RunSim(task);
    } else {
      state->Enqueue(std::move(task));
    }
  });
  bool cancel = false;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->fired_before_registered.erase(token) > 0) return;
    if (state_->stopped) {
      cancel = true;
    } else {
      state_->timers.emplace(token, id);
    }
  }
  if (cancel) env_.Cancel(id);
}

bool SerialExecutor::RunSync(std::function<void()> task) {
  if (state_->simulated || InExecutor()) {
    if (stopped()) return false;
    if (state_->simulated && !state_->sim_in_task) {
      state_->RunSim(task);
    } else {
      task();
    }
    return true;
  }
  auto done = std::make_shared<bool>(false);
  std::shared_ptr<State> state = state_;
  state_->Enqueue([state, done, task = std::move(task)] {
    task();
    std::lock_guard<std::mutex> lock(state->mu);
    *done = true;
  });
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait(lock, [&] { return *done || (state_->stopped && state_->thread_exited); });
  return *done;
}

void SerialExecutor::Stop() {
  std::deque<std::function<void()>> discarded;
  std::vector<Env::TimerId> timers;
  bool wait_for_thread = false;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->stopped) {
      state_->stopped = true;
      discarded.swap(state_->tasks);
      for (const auto& [token, id] : state_->timers) timers.push_back(id);
      state_->timers.clear();
      state_->cv.notify_all();
    }
    wait_for_thread = !state_->simulated && state_->thread_id != std::this_thread::get_id();
  }
  for (Env::TimerId id : timers) env_.Cancel(id);
  discarded.clear();
  if (wait_for_thread) {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->cv.wait(lock, [&] { return state_->thread_exited; });
  }
}

bool SerialExecutor::stopped() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->stopped;
}

bool SerialExecutor::InExecutor() const {
  if (state_->simulated) return state_->sim_in_task;
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->thread_id == std::this_thread::get_id();
}

}  // namespace kt::ctrl
