// Informer: a cached, watched view of one resource, shared by every component of the cluster
// twin that needs it (as kube-controller-manager shares informers). One list + one watch on the
// in-process ApiServer (the direct Watch with a WatchSink: objects arrive as shared,
// immutable JSON, never copied), a map of the current objects by key ("ns/name" or "name"),
// optional single-valued indexes, and handlers called for every change.
//
// The view lags the server exactly as a real informer does: events arrive through the Env loop
// (and later still when the apiserver.watch_lag fault fires). A dropped watch resumes from the
// last resourceVersion seen; a 410 Gone (or an ERROR event) relists and turns the difference
// into add/update/delete callbacks. Every retry is bounded by a back-off.
//
// Thread-safety: all methods and all handlers run under the ClusterLoop's lock.
// REQUIRES: handlers and indexes are added before Start().
#ifndef KT_SIM_CLUSTER_INFORMER_H_
#define KT_SIM_CLUSTER_INFORMER_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/resource.h"
#include "base/json_fwd.h"
#include "sim/apiserver/api_server.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/json_ptr.h"

namespace kt::sim::cluster {

class Informer {
 public:
  struct Handlers {
    std::function<void(const JsonPtr& obj)> on_add;
    std::function<void(const JsonPtr& old_obj, const JsonPtr& obj)> on_update;
    // `obj` is the last state (the final state the server sent, or the cached one after a
    // relist found it gone).
    std::function<void(const JsonPtr& obj)> on_delete;
  };
  struct Options {
    std::string ns;              // "" = all namespaces
    std::string label_selector;  // server-side filtering
    Duration retry_initial = std::chrono::milliseconds(200);
    Duration retry_max = std::chrono::seconds(30);
  };

  Informer(ClusterLoop& loop, ApiServer& server, api::GroupVersionResource gvr,
           RequestContext ctx, Options options);
  Informer(ClusterLoop& loop, ApiServer& server, api::GroupVersionResource gvr,
           RequestContext ctx)
      : Informer(loop, server, std::move(gvr), std::move(ctx), Options{}) {}
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void AddHandlers(Handlers handlers);
  // An index: every object is filed under index_fn(obj) ("" = not indexed).
  void AddIndex(std::string name, std::function<std::string(const Json&)> index_fn);

  void Start();
  void Stop();

  // The cached object, or null.
  JsonPtr Get(std::string_view key) const;
  JsonPtr Get(std::string_view ns, std::string_view name) const;
  const std::map<std::string, JsonPtr, std::less<>>& items() const { return items_; }
  // Keys filed under `value` in index `name` (empty when none). REQUIRES: the index exists.
  const std::set<std::string>& ByIndex(std::string_view name, std::string_view value) const;
  // Every value of index `name` with its keys. REQUIRES: the index exists.
  const std::map<std::string, std::set<std::string>, std::less<>>& IndexValues(
      std::string_view name) const;
  // True once the first list was applied.
  bool synced() const { return synced_; }
  const api::GroupVersionResource& gvr() const { return gvr_; }

  struct Stats {
    uint64_t events = 0;
    uint64_t relists = 0;
    uint64_t rewatches = 0;
  };
  const Stats& stats() const { return stats_; }

  // "ns/name" or "name".
  static std::string KeyOf(const Json& obj);

 private:
  class Sink;
  struct Index {
    std::function<std::string(const Json&)> fn;
    std::map<std::string, std::set<std::string>, std::less<>> by_value;
  };

  void List();
  void Watch(uint64_t from_rv);
  void RetryLater(bool relist);
  void OnEvent(uint64_t generation, api::WatchEvent::Type type, const JsonPtr& obj);
  void OnClosed(uint64_t generation, const Status& status);
  void Upsert(const std::string& key, const JsonPtr& obj);
  void Remove(const std::string& key, const JsonPtr& final_state);
  // Moves `key` between index values where old's value (null: none) differs from now's.
  void Reindex(const std::string& key, const Json* old, const Json* now);

  ClusterLoop& loop_;
  ApiServer& server_;
  const api::GroupVersionResource gvr_;
  const RequestContext ctx_;
  const Options options_;
  std::vector<Handlers> handlers_;
  std::map<std::string, Index, std::less<>> indexes_;
  std::map<std::string, JsonPtr, std::less<>> items_;
  uint64_t last_rv_ = 0;
  bool synced_ = false;
  bool running_ = false;
  uint64_t generation_ = 0;  // bumped per watch, so a stale sink's events are ignored
  std::unique_ptr<WatchHandle> watch_;
  ClusterLoop::TimerId retry_timer_ = ClusterLoop::kNoTimer;
  Duration retry_delay_;
  Stats stats_;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_INFORMER_H_
