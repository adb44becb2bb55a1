#include "sim/cluster/cluster_loop.h"

namespace kt::sim::cluster {

ClusterLoop::ClusterLoop(Env& env) : env_(env), state_(std::make_shared<State>()) {}

ClusterLoop::~ClusterLoop() { Stop(); }

ClusterLoop::TimerId ClusterLoop::After(Duration delay, std::function<void()> fn) {
  std::lock_guard<std::recursive_mutex> lock(state_->mu);
  if (state_->stopped) return kNoTimer;
  const TimerId id = state_->next_id++;
  std::weak_ptr<State> weak = state_;
  // Inserted before the Env can run the callback: the callback needs the lock we hold.
  Env::TimerId env_id = env_.Schedule(delay < Duration(0) ? Duration(0) : delay,
                                      [weak, id, fn = std::move(fn)] {
    auto state = weak.lock();
    if (!state) return;
    std::lock_guard<std::recursive_mutex> l(state->mu);
    if (state->stopped) return;
    if (state->live.erase(id) == 0) return;  // cancelled
    fn();
  });
  state_->live.emplace(id, env_id);
  return id;
}

void ClusterLoop::Cancel(TimerId& id) {
  if (id == kNoTimer) return;
  std::lock_guard<std::recursive_mutex> lock(state_->mu);
  auto it = state_->live.find(id);
  if (it != state_->live.end()) {
    env_.Cancel(it->second);
    state_->live.erase(it);
  }
  id = kNoTimer;
}

std::function<void()> ClusterLoop::Guard(std::function<void()> fn) {
  std::weak_ptr<State> weak = state_;
  return [weak, fn = std::move(fn)] {
    auto state = weak.lock();
    if (!state) return;
    std::lock_guard<std::recursive_mutex> l(state->mu);
    if (state->stopped) return;
    fn();
  };
}

bool ClusterLoop::RunLocked(const std::function<void()>& fn) {
  std::lock_guard<std::recursive_mutex> lock(state_->mu);
  if (state_->stopped) return false;
  fn();
  return true;
}

void ClusterLoop::Stop() {
  std::lock_guard<std::recursive_mutex> lock(state_->mu);
  if (state_->stopped) return;
  state_->stopped = true;
  for (const auto& [id, env_id] : state_->live) env_.Cancel(env_id);
  state_->live.clear();
}

bool ClusterLoop::stopped() const {
  std::lock_guard<std::recursive_mutex> lock(state_->mu);
  return state_->stopped;
}

size_t ClusterLoop::pending_timers() const {
  std::lock_guard<std::recursive_mutex> lock(state_->mu);
  return state_->live.size();
}

}  // namespace kt::sim::cluster
