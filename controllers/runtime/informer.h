// Informer: keeps an ObjectCache in step with the API server for one resource (client-go's
// reflector + shared indexed informer) and tells event handlers about every change.
//
// How it follows the server:
//   - List (paged, list_page_size) -> replace the cache -> watch from the list's
//     resourceVersion with bookmarks and a server-side timeout drawn in
//     [watch_timeout_min, 2*watch_timeout_min);
//   - a watch that ends cleanly resumes from the last resourceVersion seen (events and
//     bookmarks) at once; one that drops (Unavailable, other errors) resumes after an
//     exponential back-off with jitter (backoff_initial .. backoff_max, reset by progress);
//   - 410 Gone (too old a resourceVersion, from StartWatch, on_closed or an ERROR event)
//     relists; the relist is diffed against the cache, so handlers see adds, updates and the
//     deletes that happened while the watch was down;
//   - more than backlog_max changes received but not yet applied: the watch is dropped and the
//     informer relists (a bounded buffer, never a silent loss).
//
// Staleness injection (for simulations): with lag_max > 0 every change (list or event) is
// applied to the cache after a delay drawn uniformly from [0, lag_max] on the Env stream
// "informer/<resource>[.<group>]" (or options.random_stream), never before an earlier change:
// order is preserved, only freshness suffers, as with a slow real informer. HasSynced turns
// true when the first list has been applied.
//
// Handlers run on the informer's SerialExecutor after the cache has been updated, in event
// order: on_add(new), on_update(old, new) (also for every object present before and after a
// relist, and on resync), on_delete(last known state). A handler added to a running informer
// first receives on_add for every object in the cache. Handlers must be quick and must not
// block: they enqueue keys.
//
// Threading: Start/Stop/AddEventHandler/RemoveEventHandler from any thread; all the
// informer's own work runs on its executor (SimEnv: the loop; RealEnv: a thread that may block
// in List). Cache reads (store()) are safe from any thread.
#ifndef KT_CONTROLLERS_RUNTIME_INFORMER_H_
#define KT_CONTROLLERS_RUNTIME_INFORMER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/kube_client.h"
#include "base/env.h"
#include "controllers/runtime/object_cache.h"
#include "controllers/runtime/serial_executor.h"

namespace kt::ctrl {

struct InformerOptions {
  api::GroupVersionResource gvr;
  std::string ns;  // "" = every namespace
  std::string label_selector;
  std::string field_selector;
  int64_t list_page_size = 500;
  Duration lag_max{0};
  Duration resync_period{0};  // 0 = never (on_update(obj, obj) for every object each period)
  Duration watch_timeout_min = std::chrono::minutes(5);
  Duration backoff_initial = std::chrono::milliseconds(800);
  Duration backoff_max = std::chrono::seconds(30);
  size_t backlog_max = 100'000;
  std::string random_stream;  // default "informer/" + gvr.GroupResource()
};

struct EventHandler {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  std::function<void(const ObjectPtr& obj)> on_delete;
};

class Informer {
 public:
  struct Stats {
    uint64_t lists = 0;             // successful full lists
    uint64_t list_errors = 0;
    uint64_t relists_after_gone = 0;
    uint64_t relists_after_overflow = 0;
    uint64_t watches_started = 0;
    uint64_t watch_drops = 0;       // watches that ended with an error (not OK, not Gone)
    uint64_t events_applied = 0;    // watch events applied to the cache (bookmarks excluded)
  };

  Informer(Env& env, api::KubeClient& client, InformerOptions options);
  ~Informer();  // Stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void Start();  // idempotent; an informer is started at most once
  void Stop();
  bool started() const { return started_.load(); }
  bool HasSynced() const { return synced_.load(); }

  uint64_t AddEventHandler(EventHandler handler);
  // After it returns (from outside the executor), the handler is not called again.
  void RemoveEventHandler(uint64_t id);

  Status AddIndex(std::string name, IndexFunc fn) { return store_.AddIndex(std::move(name), std::move(fn)); }
  const ObjectCache& store() const { return store_; }
  const InformerOptions& options() const { return options_; }
  Stats stats() const;
  // The resourceVersion a watch would resume from (last list, event or bookmark seen).
  std::string last_resource_version() const;

 private:
  // A change on its way into the cache.
  struct Change {
    enum class Kind { kReplace, kEvent } kind = Kind::kEvent;
    std::vector<Json> items;  // kReplace
    api::WatchEvent event{api::WatchEvent::Type::kBookmark, {}};  // kEvent
    Time due;
  };
  // What a watch callback hands to the executor.
  struct Incoming {
    uint64_t generation = 0;
    bool closed = false;
    Status status;            // when closed
    api::WatchEvent event{api::WatchEvent::Type::kBookmark, {}};  // when !closed
  };
  struct HandlerSlot {
    EventHandler handler;
    std::atomic<bool> removed{false};
  };

  void ListAndWatch();                   // executor
  void WatchFrom(const std::string& rv); // executor
  void OnWatchEnded(const Status& s, bool delivered_events);  // executor
  void RetryLater(bool relist);          // executor
  void Drain();                          // executor
  void Enqueue(Change change);           // executor: through the lag pipe
  void ApplyDue();                       // executor
  void Apply(Change& change);            // executor
  void Resync();                         // executor
  Duration NextBackoff();                // executor
  std::vector<std::shared_ptr<HandlerSlot>> Handlers() const;

  Env& env_;
  api::KubeClient& client_;
  InformerOptions options_;
  ObjectCache store_;
  std::atomic<bool> started_{false};
  std::atomic<bool> synced_{false};

  // Fed by watch callbacks (any thread).
  mutable std::mutex in_mu_;
  uint64_t generation_ = 0;           // guarded by in_mu_; bumped per watch
  std::deque<Incoming> incoming_;     // guarded by in_mu_
  bool drain_posted_ = false;         // guarded by in_mu_
  bool overflowed_ = false;           // guarded by in_mu_
  std::string last_rv_;               // guarded by in_mu_ (written on the executor)
  Stats stats_;                       // guarded by in_mu_

  // Executor-only state.
  std::unique_ptr<api::Watch> watch_;
  Time watch_started_at_;
  bool watch_delivered_ = false;
  int backoff_steps_ = 0;
  int gone_streak_ = 0;  // 410s in a row without an event in between
  std::deque<Change> pending_;  // the lag pipe
  Time last_due_;
  bool apply_armed_ = false;

  mutable std::mutex handlers_mu_;
  uint64_t next_handler_ = 1;  // guarded by handlers_mu_
  // Every handler not removed, by id (registered or still waiting for the executor).
  std::map<uint64_t, std::shared_ptr<HandlerSlot>> slots_;  // guarded by handlers_mu_
  // Registered handlers in registration order; read on the executor.
  std::vector<std::pair<uint64_t, std::shared_ptr<HandlerSlot>>> handlers_;  // guarded

  SerialExecutor executor_;  // declared last: built after, and stopped before, the rest
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_INFORMER_H_
