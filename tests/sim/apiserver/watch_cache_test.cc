// sim/apiserver/watch_cache.h: the window keeps the newest events_max events, its floor rises
// with each eviction, dropped events release what they held, and ForEachAfter replays from a
// resourceVersion.
#include "sim/apiserver/watch_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// A full window larger than its read-ahead drops one event per append, oldest first, and
// lets go of what the dropped events held (updates hold the version before, creates none).
TEST(WatchCacheTest, AFullWindowDropsTheOldestAndReleasesWhatTheyHeld) {
  WatchCache w(40, 0);
  std::vector<std::weak_ptr<const Json>> held;
  for (uint64_t rv = 1; rv <= 200; ++rv) {
    auto e = std::make_shared<ChangeEvent>();
    e->rv = rv;
    e->object = std::make_shared<const Json>(Json{{"rv", rv}});
    if (rv % 2 == 0) e->prev = std::make_shared<const Json>(Json{{"rv", rv - 1}});
    held.push_back(e->object);
    w.Append(std::move(e));
    EXPECT_EQ(w.size(), std::min<uint64_t>(rv, 40));
  }
  EXPECT_EQ(w.compacted_rv(), 160u);
  std::vector<uint64_t> expected;
  for (uint64_t rv = 161; rv <= 200; ++rv) expected.push_back(rv);
  EXPECT_EQ(After(w, 160), expected);
  for (uint64_t rv = 1; rv <= 200; ++rv) EXPECT_EQ(held[rv - 1].expired(), rv <= 160) << rv;
}

}  // namespace
}  // namespace kt::sim
