#include "controllers/runtime/work_queue.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "controllers/runtime/metrics.h"

namespace kt::ctrl {

struct WorkQueue::Impl : std::enable_shared_from_this<WorkQueue::Impl> {
  struct Waiting {
    Time ready_at;
    uint64_t token = 0;
    Env::TimerId timer = Env::kNoTimer;
  };
  struct Metrics {
    Gauge* depth = nullptr;
    Counter* adds = nullptr;
    Counter* retries = nullptr;
    Histogram* queue_duration = nullptr;
    Histogram* work_duration = nullptr;
    Gauge* unfinished = nullptr;
    Gauge* longest = nullptr;
  };

  Impl(Env& e, WorkQueueOptions o) : env(e), options(std::move(o)), limiter(e, options.rate_limiter) {}

  Env& env;
  WorkQueueOptions options;
  RateLimiter limiter;
  MetricsRegistry* registry = nullptr;
  uint64_t collector_id = 0;
  Metrics m;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> queue;               // ready keys, FIFO
  std::unordered_set<std::string> dirty;       // need processing (queued or re-queue on Done)
  std::unordered_set<std::string> processing;  // handed to a worker
  std::unordered_map<std::string, Time> added_at;
  std::unordered_map<std::string, Time> started_at;
  std::unordered_map<std::string, Waiting> waiting;
  uint64_t next_token = 1;
  bool shutting_down = false;
  std::function<void()> on_ready;

  // REQUIRES: mu held. Returns true when the key became ready for a worker.
  bool AddLocked(const std::string& key, Status* status) {
    if (shutting_down) {
      *status = Cancelled("work queue " + options.name + " is shutting down");
      return false;
    }
    if (dirty.count(key)) return false;
    if (dirty.size() + waiting.size() >= options.items_max) {
      *status = Unavailable("work queue " + options.name + " is full (" +
                            std::to_string(options.items_max) + " items); dropping " + key);
      return false;
    }
    dirty.insert(key);
    added_at.emplace(key, env.Now());
    if (m.adds) m.adds->Inc();
    if (m.depth) m.depth->Set(static_cast<double>(dirty.size()));
    if (processing.count(key)) return false;  // handed out again after Done()
    queue.push_back(key);
    cv.notify_one();
    return true;
  }

  void NotifyReady() {
    std::function<void()> fn;
    {
      std::lock_guard<std::mutex> lock(mu);
      fn = on_ready;
    }
    if (fn) fn();
  }

  // REQUIRES: mu held, !queue.empty().
  std::string PopLocked() {
    std::string key = std::move(queue.front());
    queue.pop_front();
    const Time now = env.Now();
    processing.insert(key);
    started_at[key] = now;
    dirty.erase(key);
    auto it = added_at.find(key);
    if (it != added_at.end()) {
      if (m.queue_duration) m.queue_duration->Observe(ToSeconds(now - it->second));
      added_at.erase(it);
    }
    if (m.depth) m.depth->Set(static_cast<double>(dirty.size()));
    return key;
  }

  void Collect() {
    std::lock_guard<std::mutex> lock(mu);
    const Time now = env.Now();
    double total = 0, longest = 0;
    for (const auto& [key, t] : started_at) {
      double s = ToSeconds(now - t);
      total += s;
      longest = std::max(longest, s);
    }
    if (m.unfinished) m.unfinished->Set(total);
    if (m.longest) m.longest->Set(longest);
  }
};

WorkQueue::WorkQueue(Env& env, WorkQueueOptions options, MetricsRegistry* metrics)
    : impl_(std::make_shared<Impl>(env, std::move(options))) {
  if (metrics == nullptr) return;
  Impl& i = *impl_;
  i.registry = metrics;
  const MetricLabels labels = {{"name", i.options.name}, {"controller", i.options.name}};
  i.m.depth = &metrics->GetGauge("workqueue_depth", "Current number of keys waiting in the queue",
                                 labels);
  i.m.adds = &metrics->GetCounter("workqueue_adds_total", "Keys added to the queue", labels);
  i.m.retries = &metrics->GetCounter("workqueue_retries_total",
                                     "Delayed (rate-limited or AddAfter) adds to the queue", labels);
  i.m.queue_duration = &metrics->GetHistogram(
      "workqueue_queue_duration_seconds", "Seconds a key waited in the queue before a worker took it",
      WorkQueueDurationBuckets(), labels);
  i.m.work_duration = &metrics->GetHistogram("workqueue_work_duration_seconds",
                                             "Seconds a worker spent on a key",
                                             WorkQueueDurationBuckets(), labels);
  i.m.unfinished = &metrics->GetGauge(
      "workqueue_unfinished_work_seconds",
      "Seconds of work in progress not yet observed by work_duration (grows with stuck workers)",
      labels);
  i.m.longest = &metrics->GetGauge("workqueue_longest_running_processor_seconds",
                                   "Seconds the longest running worker has held its key", labels);
  std::weak_ptr<Impl> weak = impl_;
  i.collector_id = metrics->AddCollector([weak] {
    if (auto impl = weak.lock()) impl->Collect();
  });
}

WorkQueue::~WorkQueue() {
  ShutDown();
  if (impl_->registry) impl_->registry->RemoveCollector(impl_->collector_id);
}

Status WorkQueue::Add(const std::string& key) {
  Status status;
  bool ready;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    ready = impl_->AddLocked(key, &status);
  }
  if (ready) impl_->NotifyReady();
  return status;
}

Status WorkQueue::AddAfter(const std::string& key, Duration delay) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->shutting_down) {
      return Cancelled("work queue " + impl_->options.name + " is shutting down");
    }
    if (impl_->m.retries) impl_->m.retries->Inc();
  }
  if (delay <= Duration(0)) return Add(key);
  Env& env = impl_->env;
  const Time ready_at = env.Now() + delay;
  uint64_t token;
  Env::TimerId cancel = Env::kNoTimer;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->waiting.find(key);
    if (it != impl_->waiting.end()) {
      if (it->second.ready_at <= ready_at) return Status::Ok();  // an earlier add wins
      cancel = it->second.timer;
    } else if (impl_->dirty.size() + impl_->waiting.size() >= impl_->options.items_max) {
      return Unavailable("work queue " + impl_->options.name + " is full (" +
                         std::to_string(impl_->options.items_max) + " items); dropping " + key);
    }
    token = impl_->next_token++;
    impl_->waiting[key] = Impl::Waiting{ready_at, token, Env::kNoTimer};
  }
  if (cancel != Env::kNoTimer) env.Cancel(cancel);
  std::weak_ptr<Impl> weak = impl_;
  Env::TimerId id = env.Schedule(delay, [weak, key, token] {
    auto impl = weak.lock();
    if (!impl) return;
    Status status;
    bool ready = false;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      auto it = impl->waiting.find(key);
      if (it == impl->waiting.end() || it->second.token != token) return;
      impl->waiting.erase(it);
      ready = impl->AddLocked(key, &status);
    }
    if (ready) impl->NotifyReady();
  });
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->waiting.find(key);
  if (it != impl_->waiting.end() && it->second.token == token) it->second.timer = id;
  return Status::Ok();
}

Status WorkQueue::AddRateLimited(const std::string& key) {
  return AddAfter(key, impl_->limiter.When(key));
}

void WorkQueue::Forget(const std::string& key) { impl_->limiter.Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) const { return impl_->limiter.NumRequeues(key); }

std::optional<std::string> WorkQueue::TryGet() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->shutting_down || impl_->queue.empty()) return std::nullopt;
  return impl_->PopLocked();
}

bool WorkQueue::Get(std::string* key) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->shutting_down || !impl_->queue.empty(); });
  if (impl_->shutting_down) return false;
  *key = impl_->PopLocked();
  return true;
}

void WorkQueue::Done(const std::string& key) {
  bool ready = false;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->processing.erase(key) == 0) return;
    auto it = impl_->started_at.find(key);
    if (it != impl_->started_at.end()) {
      if (impl_->m.work_duration) {
        impl_->m.work_duration->Observe(ToSeconds(impl_->env.Now() - it->second));
      }
      impl_->started_at.erase(it);
    }
    if (impl_->dirty.count(key) && !impl_->shutting_down) {
      impl_->queue.push_back(key);
      impl_->cv.notify_one();
      ready = true;
    }
  }
  if (ready) impl_->NotifyReady();
}

void WorkQueue::ShutDown() {
  std::vector<Env::TimerId> timers;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->shutting_down) return;
    impl_->shutting_down = true;
    for (const auto& [key, w] : impl_->waiting) {
      if (w.timer != Env::kNoTimer) timers.push_back(w.timer);
    }
    impl_->waiting.clear();
    impl_->cv.notify_all();
  }
  for (Env::TimerId id : timers) impl_->env.Cancel(id);
}

bool WorkQueue::shutting_down() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->shutting_down;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->queue.size();
}

size_t WorkQueue::waiting() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->waiting.size();
}

size_t WorkQueue::processing() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->processing.size();
}

void WorkQueue::SetReadyCallback(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->on_ready = std::move(fn);
}

}  // namespace kt::ctrl
