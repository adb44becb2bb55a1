// Object accessors read and write metadata, owner references and conditions like
// apimachinery's helpers.
#include "api/object.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace kt::api {
namespace {

TEST(ObjectTest, MetadataAccessorsTolerateMissingFields) {
  Json o = Json::object();
  EXPECT_EQ(Name(o), "");
  EXPECT_TRUE(GetLabels(o).empty());
  EXPECT_FALSE(IsDeleting(o));
  SetName(o, "ws");
  SetNamespace(o, "default");
  SetLabel(o, "app", "phi");
  SetAnnotation(o, "a", "b");
  EXPECT_EQ(KeyOf(o), "default/ws");
  EXPECT_EQ(Label(o, "app"), "phi");
  EXPECT_EQ(Annotation(o, "a"), "b");
  EXPECT_EQ(Label(o, "nope"), std::nullopt);
}

TEST(ObjectTest, MetaFieldReadsOneMetadataMemberInPlace) {
  const Json o = Json::parse(R"({"metadata":{"ownerReferences":[{"uid":"u"}],"name":"ws"}})");
  EXPECT_EQ(MetaField(o, "ownerReferences"), &o["metadata"]["ownerReferences"]);
  EXPECT_EQ(MetaField(o, "labels"), nullptr);
  EXPECT_EQ(MetaField(Json::parse(R"({"metadata":"x"})"), "name"), nullptr);
  EXPECT_EQ(MetaField(Json::object(), "name"), nullptr);
  EXPECT_EQ(MetaField(Json::array(), "name"), nullptr);
}

TEST(ObjectTest, FinalizersAddOnceAndRemoveCleanly) {
  Json o = Json::object();
  EXPECT_TRUE(AddFinalizer(o, "workspace.finalizer.kaito.sh"));
  EXPECT_FALSE(AddFinalizer(o, "workspace.finalizer.kaito.sh"));
  EXPECT_TRUE(HasFinalizer(o, "workspace.finalizer.kaito.sh"));
  EXPECT_TRUE(RemoveFinalizer(o, "workspace.finalizer.kaito.sh"));
  EXPECT_FALSE(RemoveFinalizer(o, "workspace.finalizer.kaito.sh"));
  EXPECT_FALSE(o["metadata"].contains("finalizers"));
}

TEST(ObjectTest, ControllerReferencePointsAtOwner) {
  Json owner = Json::parse(
      R"({"apiVersion":"kaito.sh/v1beta1","kind":"Workspace","metadata":{"name":"ws","uid":"u1"}})");
  Json child = Json::object();
  SetControllerReference(child, owner);
  SetControllerReference(child, owner);  // idempotent
  auto refs = OwnerReferences(child);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_TRUE(refs[0].controller);
  EXPECT_EQ(ControllerOf(child)->uid, "u1");
  EXPECT_EQ(GvkOf(owner).group, "kaito.sh");
}

TEST(ObjectTest, SetConditionKeepsTransitionTimeUnlessStatusChanges) {
  Json o = Json::object();
  Time t0 = FromUnixSeconds(1767225600);
  EXPECT_TRUE(SetCondition(o, {"ResourceReady", "False", "Pending", "waiting", "", 1}, t0));
  EXPECT_FALSE(SetCondition(o, {"ResourceReady", "False", "Pending", "waiting", "", 1}, t0 + 5s));
  EXPECT_TRUE(SetCondition(o, {"ResourceReady", "False", "Pending", "still", "", 1}, t0 + 6s));
  EXPECT_EQ(FindCondition(o, "ResourceReady")->last_transition_time, "2026-01-01T00:00:00Z");
  EXPECT_TRUE(SetCondition(o, {"ResourceReady", "True", "Ready", "", "", 2}, t0 + 9s));
  auto c = FindCondition(o, "ResourceReady");
  EXPECT_EQ(c->last_transition_time, "2026-01-01T00:00:09Z");
  EXPECT_EQ(c->observed_generation, 2);
  EXPECT_TRUE(IsConditionTrue(o, "ResourceReady"));
}

}  // namespace
}  // namespace kt::api
