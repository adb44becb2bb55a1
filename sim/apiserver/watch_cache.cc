#include "sim/apiserver/watch_cache.h"

#include "base/check.h"

namespace kt::sim {

WatchCache::WatchCache(size_t events_max, uint64_t initial_rv)
    : events_max_(events_max == 0 ? 1 : events_max), compacted_rv_(initial_rv) {}

void WatchCache::Append(std::shared_ptr<const ChangeEvent> event) {
  KT_CHECK(events_.empty() || events_.back()->rv < event->rv) << "watch events out of order";
  events_.push_back(std::move(event));
  while (events_.size() > events_max_) {
    compacted_rv_ = events_.front()->rv;
    events_.pop_front();
  }
  // A full window drops one event per append, made thousands of writes ago and cold: letting it
  // go reads its ChangeEvent (two cache lines), then its objects' counts (one line each), each
  // a miss that waits for the one before. They are fetched ahead instead, the ChangeEvent
  // kPrefetchAhead appends before it goes and its objects half as many, so that the misses of
  // several appends overlap with the work in between.
  if (events_.size() == events_max_ && events_.size() > kPrefetchAhead) {
    const auto* far = reinterpret_cast<const char*>(events_[kPrefetchAhead].get());
    __builtin_prefetch(far);
    __builtin_prefetch(far + sizeof(ChangeEvent) - 1);
    const ChangeEvent& near = *events_[kPrefetchAhead / 2];
    if (near.object != nullptr) __builtin_prefetch(near.object.get());
    if (near.prev != nullptr) __builtin_prefetch(near.prev.get());
  }
}

}  // namespace kt::sim
