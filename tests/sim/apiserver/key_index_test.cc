// sim/apiserver/key_index.h: finds what was inserted and nothing else, through growth, and
// through erases that shift probe chains back (checked against std::map, with keys that share
// home slots and chains that wrap around the end of the table).
#include "sim/apiserver/key_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>

namespace kt::sim {
namespace {

using Map = std::map<std::string, int, std::less<>>;
using Index = KeyIndex<Map::value_type>;

TEST(KeyIndexTest, FindsInsertedNodesAndNothingElse) {
  Map m;
  Index idx;
  EXPECT_EQ(idx.Find("a"), nullptr);
  idx.Erase("a");  // absent: nothing happens
  for (int i = 0; i < 1000; ++i) {
    auto* node = &*m.emplace("default/pod-" + std::to_string(i), i).first;
    idx.Insert(node);
  }
  EXPECT_EQ(idx.size(), 1000u);
  for (const auto& [k, v] : m) {
    auto* node = idx.Find(k);
    ASSERT_NE(node, nullptr) << k;
    EXPECT_EQ(node->second, v);
  }
  EXPECT_EQ(idx.Find("default/pod-1000"), nullptr);
  EXPECT_EQ(idx.Find(""), nullptr);
}

// Random inserts and erases over small key spaces, so that the table stays small (16 slots for
// 6 keys), chains collide and wrap, and erases shift them: after every step the index agrees
// with the map.
TEST(KeyIndexTest, AgreesWithTheMapUnderRandomInsertsAndErases) {
  for (const int keys : {6, 40}) {
    Map m;
    Index idx;
    std::mt19937 rng(11);
    for (int step = 0; step < 20000; ++step) {
      const std::string key = "ns/obj-" + std::to_string(rng() % keys);
      auto it = m.find(key);
      if (it != m.end() && rng() % 2 == 0) {
        idx.Erase(key);
        m.erase(it);
      } else if (it == m.end()) {
        idx.Insert(&*m.emplace(key, step).first);
      }
      ASSERT_EQ(idx.size(), m.size());
      for (int k = 0; k < keys; ++k) {
        const std::string probe = "ns/obj-" + std::to_string(k);
        auto mit = m.find(probe);
        ASSERT_EQ(idx.Find(probe), mit == m.end() ? nullptr : &*mit)
            << keys << " keys, step " << step << ", " << probe;
      }
    }
  }
}

// Prefetch is a hint: on an empty index and on a filled one, for keys present or not, it
// changes nothing a lookup answers.
TEST(KeyIndexTest, PrefetchChangesNoAnswer) {
  Map m;
  Index idx;
  idx.Prefetch("ns/a");
  EXPECT_EQ(idx.Find("ns/a"), nullptr);
  for (int i = 0; i < 100; ++i) {
    const std::string key = "ns/obj-" + std::to_string(i);
    idx.Insert(&*m.emplace(key, i).first);
  }
  for (const std::string key : {"ns/obj-7", "ns/obj-99", "ns/missing", ""}) {
    idx.Prefetch(key);
    auto mit = m.find(key);
    EXPECT_EQ(idx.Find(key), mit == m.end() ? nullptr : &*mit) << key;
  }
}

}  // namespace
}  // namespace kt::sim
