// WatchCache: the bounded window of recent changes that watches resume from. Every committed
// change (ADDED, MODIFIED, DELETED) of every resource is appended in resourceVersion order;
// once more than `events_max` are held, the oldest go and the window's floor (compacted_rv)
// rises. A watch from a resourceVersion below the floor must relist (410 Gone), as on a real
// server after etcd compaction.
//
// Owner: the ApiServer core. Thread-safety: none; the core's mutex guards it.
#ifndef KT_SIM_APISERVER_WATCH_CACHE_H_
#define KT_SIM_APISERVER_WATCH_CACHE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "api/kube_client.h"

namespace kt::sim {

struct ChangeEvent {
  uint64_t rv = 0;
  api::WatchEvent::Type type = api::WatchEvent::Type::kAdded;
  std::string storage_key;
  std::string ns;
  std::shared_ptr<const Json> object;  // the new state (DELETED: the final state)
  std::shared_ptr<const Json> prev;    // the state before (null for ADDED)
};

class WatchCache {
 public:
  // `initial_rv`: the resourceVersion the window starts after (nothing older is replayable).
  WatchCache(size_t events_max, uint64_t initial_rv);

  void Append(std::shared_ptr<const ChangeEvent> event);

  // Events with rv > from_rv are all still held.
  bool CanResumeFrom(uint64_t from_rv) const { return from_rv >= compacted_rv_; }
  uint64_t compacted_rv() const { return compacted_rv_; }
  size_t size() const { return events_.size(); }

  // Calls fn for each held event with rv > from_rv, oldest first.
  // REQUIRES: CanResumeFrom(from_rv).
  template <typename Fn>
  void ForEachAfter(uint64_t from_rv, Fn&& fn) const;

 private:
  // How many appends ahead of its drop an event is fetched (see Append).
  static constexpr size_t kPrefetchAhead = 16;

  size_t events_max_;
  uint64_t compacted_rv_;
  std::deque<std::shared_ptr<const ChangeEvent>> events_;
};

template <typename Fn>
void WatchCache::ForEachAfter(uint64_t from_rv, Fn&& fn) const {
  // Binary search: events are in rv order.
  size_t lo = 0, hi = events_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (events_[mid]->rv <= from_rv) lo = mid + 1;
    else hi = mid;
  }
  for (size_t i = lo; i < events_.size(); ++i) fn(events_[i]);
}

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_WATCH_CACHE_H_
