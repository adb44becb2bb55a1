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
}

}  // namespace kt::sim
