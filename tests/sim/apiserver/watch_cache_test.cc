// sim/apiserver/watch_cache.h: the window keeps the newest events_max events, its floor rises
// with each eviction, and ForEachAfter replays from a resourceVersion.
#include "sim/apiserver/watch_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "base/json.h"

namespace kt::sim {
namespace {

std::shared_ptr<const ChangeEvent> Event(uint64_t rv) {
  auto e = std::make_shared<ChangeEvent>();
  e->rv = rv;
  e->storage_key = "core/configmaps";
  e->object = std::make_shared<const Json>(Json{{"rv", rv}});
  return e;
}

std::vector<uint64_t> After(const WatchCache& w, uint64_t rv) {
  std::vector<uint64_t> out;
  w.ForEachAfter(rv, [&](const std::shared_ptr<const ChangeEvent>& e) { out.push_back(e->rv); });
  return out;
}

TEST(WatchCacheTest, KeepsTheNewestEventsAndRaisesItsFloor) {
  WatchCache w(3, 10);
  EXPECT_TRUE(w.CanResumeFrom(10));
  EXPECT_FALSE(w.CanResumeFrom(9));
  for (uint64_t rv = 11; rv <= 15; ++rv) w.Append(Event(rv));
  EXPECT_EQ(w.size(), 3u);
  EXPECT_EQ(w.compacted_rv(), 12u);
  EXPECT_FALSE(w.CanResumeFrom(11));
  EXPECT_TRUE(w.CanResumeFrom(12));
  EXPECT_EQ(After(w, 12), (std::vector<uint64_t>{13, 14, 15}));
  EXPECT_EQ(After(w, 14), (std::vector<uint64_t>{15}));
  EXPECT_TRUE(After(w, 15).empty());
}

}  // namespace
}  // namespace kt::sim
