#include "sim/cluster/work_queue.h"

#include <algorithm>
#include <cstdio>

#include "base/log.h"

namespace kt::sim::cluster {

WorkQueue::WorkQueue(ClusterLoop& loop, std::string name, Reconcile reconcile, Options options)
    : loop_(loop), name_(std::move(name)), reconcile_(std::move(reconcile)), options_(options) {}

WorkQueue::~WorkQueue() { Stop(); }

void WorkQueue::Stop() {
  stopped_ = true;
  loop_.Cancel(drain_timer_);
  for (auto& [key, d] : delayed_) loop_.Cancel(d.timer);
  delayed_.clear();
  queue_.clear();
  queued_.clear();
}

void WorkQueue::Add(const std::string& key) {
  if (stopped_) return;
  if (!queued_.insert(key).second) return;
  queue_.push_back(key);
  ScheduleDrain();
}

void WorkQueue::AddAfter(const std::string& key, Duration delay) {
  if (stopped_) return;
  if (delay <= Duration(0)) {
    Add(key);
    return;
  }
  const Time due = loop_.Now() + delay;
  auto it = delayed_.find(key);
  if (it != delayed_.end()) {
    if (it->second.due <= due) return;
    loop_.Cancel(it->second.timer);
    delayed_.erase(it);
  }
  Delayed d;
  d.due = due;
  d.timer = loop_.After(delay, [this, key] {
    delayed_.erase(key);
    Add(key);
  });
  delayed_.emplace(key, d);
}

void WorkQueue::ScheduleDrain() {
  if (drain_timer_ != ClusterLoop::kNoTimer || queue_.empty()) return;
  drain_timer_ = loop_.After(Duration(0), [this] {
    drain_timer_ = ClusterLoop::kNoTimer;
    Drain();
  });
}

void WorkQueue::Drain() {
  for (size_t n = 0; n < options_.batch_items_max && !queue_.empty() && !stopped_; ++n) {
    std::string key = std::move(queue_.front());
    queue_.pop_front();
    queued_.erase(key);
    ++reconciles_;
    ReconcileResult r = reconcile_(key);
    if (stopped_) return;
    if (!r.status.ok()) {
      ++failures_;
      int& f = failures_by_key_[key];
      Duration delay = options_.backoff_initial;
      for (int i = 0; i < f && delay < options_.backoff_max; ++i) delay *= 2;
      delay = std::min(delay, options_.backoff_max);
      ++f;
      KT_LOG(DEBUG) << name_ << ": reconcile " << key << " failed (retry in "
                    << ToSeconds(delay) << "s): " << r.status.ToString();
      AddAfter(key, delay);
      continue;
    }
    failures_by_key_.erase(key);
    if (r.requeue_after) AddAfter(key, *r.requeue_after);
  }
  ScheduleDrain();
}

}  // namespace kt::sim::cluster
