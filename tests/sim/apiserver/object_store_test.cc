// sim/apiserver/object_store.h: point lookups, ordered and namespace-scoped scans, and the uid
// and owner indexes kept in step through create, replace and erase.
#include "sim/apiserver/object_store.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
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
  s.Put(kPods, "default/a", Object("u-a", 1));
  ASSERT_NE(s.Get(kPods, "default/a"), nullptr);
  EXPECT_EQ(s.Get(kPods, "default/a")->rv, 1u);
  EXPECT_EQ(s.Get("core/configmaps", "default/a"), nullptr);
  s.Put(kPods, "default/a", Object("u-a", 2));
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

TEST(ObjectStoreTest, UidIndexFollowsCreateReplaceAndErase) {
  ObjectStore s;
  s.Put(kPods, "default/a", Object("u-1", 1));
  s.Put("core/nodes", "n1", Object("u-2", 2));
  auto a = s.FindUid("u-1");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->storage_key, kPods);
  EXPECT_EQ(a->key, "default/a");
  EXPECT_EQ(s.FindUid("u-2")->key, "n1");
  EXPECT_FALSE(s.FindUid("u-3").has_value());
  // Same name, new object (delete and re-create): the new uid is found, the old one is not.
  s.Put(kPods, "default/a", Object("u-3", 3));
  EXPECT_FALSE(s.FindUid("u-1").has_value());
  EXPECT_EQ(s.FindUid("u-3")->key, "default/a");
  s.Erase(kPods, "default/a");
  EXPECT_FALSE(s.FindUid("u-3").has_value());
  EXPECT_EQ(s.FindUid("u-2")->key, "n1");
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
}

// Random puts and erases over a few buckets, checked against a plain ordered model: lookups,
// scans and the uid index agree after every step.
TEST(ObjectStoreTest, AgreesWithAnOrderedModelUnderRandomOperations) {
  ObjectStore s;
  std::map<std::string, std::map<std::string, std::string>> model;  // bucket -> key -> uid
  std::mt19937 rng(7);
  const std::vector<std::string> buckets = {"core/pods", "core/events", "apps/deployments"};
  for (int i = 0; i < 5000; ++i) {
    const std::string& b = buckets[rng() % buckets.size()];
    const std::string key = "ns-" + std::to_string(rng() % 3) + "/obj-" + std::to_string(rng() % 200);
    if (rng() % 4 == 0) {
      s.Erase(b, key);
      model[b].erase(key);
    } else {
      const std::string uid = "uid-" + std::to_string(i);
      s.Put(b, key, Object(uid, static_cast<uint64_t>(i)));
      model[b][key] = uid;
    }
  }
  size_t total = 0;
  for (const std::string& b : buckets) {
    std::vector<std::string> want;
    for (const auto& [k, uid] : model[b]) {
      want.push_back(k);
      const StoredObject* got = s.Get(b, k);
      ASSERT_NE(got, nullptr) << b << " " << k;
      EXPECT_EQ(GetString(*got->object, "metadata.uid"), uid);
      auto loc = s.FindUid(uid);
      ASSERT_TRUE(loc.has_value()) << uid;
      EXPECT_EQ(loc->storage_key, b);
      EXPECT_EQ(loc->key, k);
    }
    EXPECT_EQ(Keys(s, b, ""), want);
    total += want.size();
  }
  EXPECT_EQ(s.size(), total);
}

}  // namespace
}  // namespace kt::sim
