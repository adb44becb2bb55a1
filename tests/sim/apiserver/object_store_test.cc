// sim/apiserver/object_store.h: point lookups, ordered and namespace-scoped scans, and the owner
// index kept in step through create, replace and erase.
#include "sim/apiserver/object_store.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/json.h"

namespace kt::sim {
namespace {

constexpr const char* kPods = "core/pods";

StoredObject Object(const std::string& uid, uint64_t rv, const std::vector<std::string>& owners = {}) {
  Json obj = {{"metadata", {{"uid", uid}}}};
  for (const std::string& o : owners) obj["metadata"]["ownerReferences"].push_back({{"uid", o}});
  return StoredObject{std::make_shared<const Json>(std::move(obj)), rv};
}

std::vector<std::string> Keys(const ObjectStore& s, std::string_view storage_key, std::string_view ns) {
  std::vector<std::string> out;
  s.ForEachIn(storage_key, ns, [&](const std::string& k, const StoredObject&) { out.push_back(k); });
  return out;
}

TEST(ObjectStoreTest, GetFindsWhatPutStoredAndPutReplaces) {
  ObjectStore s;
  EXPECT_EQ(s.Get(kPods, "default/a"), nullptr);
  EXPECT_EQ(s.Put(kPods, "default/a", Object("u-a", 1)), nullptr);  // nothing replaced
  ASSERT_NE(s.Get(kPods, "default/a"), nullptr);
  EXPECT_EQ(s.Get(kPods, "default/a")->rv, 1u);
  EXPECT_EQ(s.Get("core/configmaps", "default/a"), nullptr);
  const std::shared_ptr<const Json> first = s.Get(kPods, "default/a")->object;
  EXPECT_EQ(s.Put(kPods, "default/a", Object("u-a", 2)), first);  // hands back what it replaced
  EXPECT_EQ(s.Get(kPods, "default/a")->rv, 2u);
  EXPECT_EQ(s.size(), 1u);
  s.Erase(kPods, "default/a");
  EXPECT_EQ(s.Get(kPods, "default/a"), nullptr);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.FindBucket(kPods), nullptr);  // an empty bucket goes away
  EXPECT_TRUE(s.StorageKeys().empty());
}

TEST(ObjectStoreTest, ScansAreInKeyOrderAndScopedToANamespace) {
  ObjectStore s;
  for (const char* k : {"ns-b/x", "ns-a/z", "ns-a/y", "ns-ab/w", "ns-a/a"}) {
    s.Put(kPods, k, Object(std::string("u-") + k, 1));
  }
  EXPECT_EQ(Keys(s, kPods, ""),
            (std::vector<std::string>{"ns-a/a", "ns-a/y", "ns-a/z", "ns-ab/w", "ns-b/x"}));
  EXPECT_EQ(Keys(s, kPods, "ns-a"), (std::vector<std::string>{"ns-a/a", "ns-a/y", "ns-a/z"}));
  EXPECT_TRUE(Keys(s, kPods, "ns-c").empty());
  EXPECT_TRUE(Keys(s, "core/nodes", "").empty());
}

TEST(ObjectStoreTest, DependentsFollowOwnerReferences) {
  ObjectStore s;
  s.Put(kPods, "default/p1", Object("p1", 1, {"rs-1"}));
  s.Put(kPods, "default/p2", Object("p2", 2, {"rs-1", "rs-2"}));
  EXPECT_EQ(s.Dependents("rs-1").size(), 2u);
  ASSERT_EQ(s.Dependents("rs-2").size(), 1u);
  EXPECT_EQ(s.Dependents("rs-2")[0].key, "default/p2");
  // An update that drops an owner drops the dependency; one that keeps them keeps it.
  s.Put(kPods, "default/p2", Object("p2", 3, {"rs-2"}));
  ASSERT_EQ(s.Dependents("rs-1").size(), 1u);
  EXPECT_EQ(s.Dependents("rs-1")[0].key, "default/p1");
  s.Put(kPods, "default/p1", Object("p1", 4, {"rs-1"}));
  EXPECT_EQ(s.Dependents("rs-1").size(), 1u);
  s.Erase(kPods, "default/p1");
  EXPECT_TRUE(s.Dependents("rs-1").empty());
  EXPECT_EQ(s.Dependents("rs-2").size(), 1u);
  EXPECT_TRUE(s.Get(kPods, "default/p2")->owned);
  // An update that drops every owner leaves no dependency behind.
  s.Put(kPods, "default/p2", Object("p2", 5));
  EXPECT_FALSE(s.Get(kPods, "default/p2")->owned);
  EXPECT_TRUE(s.Dependents("rs-2").empty());
}

// Random puts and erases over a few buckets, checked against a plain ordered model: lookups,
// scans and the owner index agree at the end.
TEST(ObjectStoreTest, AgreesWithAnOrderedModelUnderRandomOperations) {
  ObjectStore s;
  struct Entry {
    std::string uid;
    std::string owner;  // "" for none
  };
  std::map<std::string, std::map<std::string, Entry>> model;  // bucket -> key -> entry
  std::mt19937 rng(7);
  const std::vector<std::string> buckets = {"core/pods", "core/events", "apps/deployments"};
  const std::vector<std::string> owners = {"", "", "o-1", "o-2", "o-3"};
  for (int i = 0; i < 5000; ++i) {
    const std::string& b = buckets[rng() % buckets.size()];
    const std::string key = "ns-" + std::to_string(rng() % 3) + "/obj-" + std::to_string(rng() % 200);
    if (rng() % 4 == 0) {
      s.Erase(b, key);
      model[b].erase(key);
    } else {
      const Entry e{"uid-" + std::to_string(i), owners[rng() % owners.size()]};
      std::vector<std::string> refs;
      if (!e.owner.empty()) refs.push_back(e.owner);
      s.Put(b, key, Object(e.uid, static_cast<uint64_t>(i), refs));
      model[b][key] = e;
    }
  }
  size_t total = 0;
  std::map<std::string, std::set<ObjectLocation>> dependents;
  for (const std::string& b : buckets) {
    std::vector<std::string> want;
    for (const auto& [k, e] : model[b]) {
      want.push_back(k);
      const StoredObject* got = s.Get(b, k);
      ASSERT_NE(got, nullptr) << b << " " << k;
      EXPECT_EQ(GetString(*got->object, "metadata.uid"), e.uid);
      if (!e.owner.empty()) dependents[e.owner].insert(ObjectLocation{b, k});
    }
    EXPECT_EQ(Keys(s, b, ""), want);
    total += want.size();
  }
  EXPECT_EQ(s.size(), total);
  for (const char* o : {"o-1", "o-2", "o-3"}) {
    const std::vector<ObjectLocation> got = s.Dependents(o);
    EXPECT_EQ(std::set<ObjectLocation>(got.begin(), got.end()), dependents[o]) << o;
  }
}

}  // namespace
}  // namespace kt::sim
