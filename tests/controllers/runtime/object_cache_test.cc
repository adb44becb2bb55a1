// The informer's store: snapshots stay valid and unchanged after the cache moves on (the
// ownership rule), Replace reports what was there, indexes follow updates and removals.
#include "controllers/runtime/object_cache.h"

#include <gtest/gtest.h>

#include "api/object.h"
#include "base/json.h"
#include "tests/controllers/runtime/test_objects.h"

namespace kt::ctrl {
namespace {

ObjectPtr Ptr(Json j) { return std::make_shared<const Json>(std::move(j)); }

TEST(ObjectCacheTest, SnapshotsSurviveLaterUpdatesUnchanged) {
  ObjectCache c;
  c.Upsert(Ptr(testing::ConfigMap("ns", "a", {}, "one")));
  ObjectPtr held = c.Get("ns/a");
  ObjectPtr old = c.Upsert(Ptr(testing::ConfigMap("ns", "a", {}, "two")));
  EXPECT_EQ(old, held);
  EXPECT_EQ(GetString(*held, "data.k"), "one");
  EXPECT_EQ(GetString(*c.Get("ns/a"), "data.k"), "two");
  c.Remove("ns/a");
  EXPECT_EQ(c.Get("ns/a"), nullptr);
  EXPECT_EQ(GetString(*held, "data.k"), "one");
}

TEST(ObjectCacheTest, ReplaceReportsThePreviousContentsAndRebuildsIndexes) {
  ObjectCache c;
  ASSERT_TRUE(c.AddIndex("app", IndexByLabel("app")).ok());
  EXPECT_TRUE(c.AddIndex("app", IndexByLabel("app")).Is(StatusCode::kAlreadyExists));
  c.Upsert(Ptr(testing::ConfigMap("ns", "a", {{"app", "x"}})));
  c.Upsert(Ptr(testing::ConfigMap("ns", "b", {{"app", "x"}})));
  std::map<std::string, ObjectPtr> next = {
      {"ns/b", Ptr(testing::ConfigMap("ns", "b", {{"app", "y"}}))},
      {"ns/c", Ptr(testing::ConfigMap("ns", "c", {{"app", "x"}}))}};
  std::map<std::string, ObjectPtr> old;
  c.Replace(next, &old);
  EXPECT_EQ(old.size(), 2u);
  EXPECT_EQ(c.Keys(), (std::vector<std::string>{"ns/b", "ns/c"}));
  EXPECT_EQ(c.ByIndex("app", "x")->size(), 1u);
  EXPECT_EQ(c.ByIndex("app", "y")->size(), 1u);
}

TEST(ObjectCacheTest, OwnerIndexesFindDependents) {
  ObjectCache c;
  ASSERT_TRUE(c.AddIndex("owner", IndexByOwnerUid()).ok());
  ASSERT_TRUE(c.AddIndex("controller", IndexByControllerUid()).ok());
  Json owner = testing::Workspace("ns", "w");
  owner["metadata"]["uid"] = "w-uid";
  Json dep = testing::ConfigMap("ns", "d");
  api::SetControllerReference(dep, owner);
  c.Upsert(Ptr(dep));
  EXPECT_EQ(c.ByIndex("owner", "w-uid")->size(), 1u);
  EXPECT_EQ(c.ByIndex("controller", "w-uid")->size(), 1u);
  c.Remove("ns/d");
  EXPECT_TRUE(c.ByIndex("owner", "w-uid")->empty());
}

}  // namespace
}  // namespace kt::ctrl
