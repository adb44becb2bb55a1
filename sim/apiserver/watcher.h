// Watcher: one open watch. It filters committed changes (resource, namespace, label and field
// selectors, including the ADDED/DELETED a selector transition implies), queues what its client
// should see, and delivers the queue to a WatchSink on the Env loop: under SimEnv through
// Env::Post, so delivery stays on the simulation thread and in a deterministic order; under
// RealEnv on an io thread, one delivery at a time per watcher, in order.
//
// The queue is bounded: a client more than `backlog_events_max` events behind is closed with
// Unavailable (kube-apiserver drops unresponsive watchers the same way) and resumes from its
// last resourceVersion. Synthetic initial events do not count against the bound.
//
// Faults (SimEnv only): apiserver.watch_lag delays a delivery by a seeded amount;
// apiserver.watch_drop ends the stream with Unavailable.
//
// Thread-safety: Offer/Queue*/Finish are called with the ApiServer core's mutex held; Stop()
// from any thread, including from inside the sink's callback. After Stop() returns no callback
// starts (a callback already running on another thread finishes first).
#ifndef KT_SIM_APISERVER_WATCHER_H_
#define KT_SIM_APISERVER_WATCHER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/field_selector.h"
#include "api/kube_client.h"
#include "api/label_selector.h"
#include "base/env.h"
#include "sim/apiserver/watch_cache.h"

namespace kt::sim {

struct WatchEventOut {
  api::WatchEvent::Type type = api::WatchEvent::Type::kAdded;
  std::shared_ptr<const Json> object;  // for kError a metav1.Status
};

class WatchSink {
 public:
  virtual ~WatchSink() = default;
  // On the Env loop; never concurrently for one watch.
  virtual void OnEvent(const WatchEventOut& event) = 0;
  // Exactly once, after the last event: OK (timeoutSeconds reached or the server closed the
  // watch), Gone (resourceVersion too old), Unavailable (dropped). Not called after Stop().
  virtual void OnClosed(const Status& status) = 0;
};

struct WatchFilter {
  std::string storage_key;
  std::string ns;  // "" = all namespaces
  std::string group;
  std::string resource;
  std::string api_version;  // objects are served at this version
  std::string kind;
  api::LabelSelector labels;
  api::FieldSelector fields;
};

class Watcher : public std::enable_shared_from_this<Watcher> {
 public:
  Watcher(Env& env, uint64_t id, WatchFilter filter, std::shared_ptr<WatchSink> sink,
          size_t backlog_events_max, bool bookmarks, bool faults);
  ~Watcher();

  uint64_t id() const { return id_; }
  const WatchFilter& filter() const { return filter_; }
  bool bookmarks() const { return bookmarks_; }

  // REQUIRES for the next five: the core's mutex is held.
  // Queues what this watcher should see of `e`. Returns false when the backlog overflowed: the
  // watcher has then finished with Unavailable.
  bool Offer(const ChangeEvent& e);
  void QueueInitial(const std::shared_ptr<const Json>& object);
  void QueueBookmark(uint64_t rv, bool initial_events_end);
  void QueueError(const Json& status);
  // Delivers what is queued, then OnClosed(status).
  void Finish(const Status& status);
  // The newest resourceVersion queued so far (for bookmark decisions).
  uint64_t last_rv() const { return last_rv_; }
  void set_last_rv(uint64_t rv) { last_rv_ = rv; }

  // Timers the core armed for this watcher (cancelled when it ends). Core mutex held.
  Env::TimerId timeout_timer = Env::kNoTimer;
  Env::TimerId bookmark_timer = Env::kNoTimer;

  // From any thread.
  void Stop();
  // Finished or stopped: the core drops it.
  bool done() const { return done_.load(); }

 private:
  struct Item {
    WatchEventOut event;
    std::optional<Status> close;  // set: end of stream
  };
  bool Matches(const Json& obj) const;
  std::shared_ptr<const Json> AtServedVersion(const std::shared_ptr<const Json>& obj) const;
  void Enqueue(Item item, bool counts);
  void ScheduleDrain();
  void Drain();

  Env& env_;
  const uint64_t id_;
  const WatchFilter filter_;
  const bool bookmarks_;
  const bool faults_;
  const size_t backlog_events_max_;
  uint64_t last_rv_ = 0;
  std::shared_ptr<WatchSink> sink_;

  std::mutex queue_mu_;
  std::deque<Item> queue_;     // guarded by queue_mu_
  size_t pending_counted_ = 0; // guarded by queue_mu_
  bool drain_scheduled_ = false;  // guarded by queue_mu_
  bool finishing_ = false;        // guarded by queue_mu_

  std::recursive_mutex deliver_mu_;  // held while a callback runs
  std::atomic<bool> stopped_{false};
  std::atomic<bool> done_{false};
};

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_WATCHER_H_
