// Proves ControllerRevision bookkeeping follows Kaito v0.4.6 (TestUpdateControllerRevision1):
// no new revision for an unchanged spec, a new one numbered past the latest when the spec
// changes, the oldest deleted beyond the history limit, a name clash with another hash
// refused, and the revision manifest's name, labels, annotations, data and owner.
#include "controllers/workspace/revision.h"

#include <gtest/gtest.h>

#include "tests/controllers/workspace/test_util.h"

namespace kt::workspace {
namespace {

Json Ws() {
  Json ws = testing::FromYaml(testing::Phi3Yaml("ws1"));
  ws["metadata"]["uid"] = "uid-1";
  return ws;
}

TEST(WorkspaceHashTest, CoversResourceInferenceAndTuningOnly) {
  Json a = Ws();
  Json b = Ws();
  b["metadata"]["labels"] = {{"x", "y"}};
  b["status"] = {{"workerNodes", {"n1"}}};
  EXPECT_EQ(WorkspaceHash(a), WorkspaceHash(b)) << "metadata and status do not count";
  b["inference"]["adapters"] = Json::array({{{"source", {{"name", "a"}, {"image", "x/y:1"}}}}});
  EXPECT_NE(WorkspaceHash(a), WorkspaceHash(b));
  EXPECT_EQ(WorkspaceHash(a).size(), 64u);
}

TEST(ControllerRevisionManifestTest, NamesLabelsAnnotatesAndOwnsTheRevision) {
  Json ws = Ws();
  const std::string hash = WorkspaceHash(ws);
  Json rev = ControllerRevisionManifest(ws, hash, 3);
  EXPECT_EQ(rev["kind"], "ControllerRevision");
  EXPECT_EQ(rev["metadata"]["name"], "ws1-" + hash.substr(0, 5));
  EXPECT_EQ(rev["metadata"]["namespace"], "default");
  EXPECT_EQ(rev["metadata"]["labels"]["workspace.kaito.io/name"], "ws1");
  EXPECT_EQ(rev["metadata"]["annotations"]["workspace.kaito.io/hash"], hash);
  EXPECT_EQ(rev["revision"], 3);
  EXPECT_EQ(rev["data"]["resource"], ws["resource"]);
  EXPECT_EQ(rev["data"]["inference"], ws["inference"]);
  EXPECT_FALSE(rev["data"].contains("tuning"));
  auto owner = api::ControllerOf(rev);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->kind, "Workspace");
  EXPECT_EQ(owner->uid, "uid-1");
}

std::vector<Json> History(const Json& ws, int n) {
  std::vector<Json> out;
  for (int i = 1; i <= n; ++i) {
    Json variant = ws;
    variant["inference"]["config"] = "cfg-" + std::to_string(i);
    out.push_back(ControllerRevisionManifest(variant, WorkspaceHash(variant), i));
  }
  return out;
}

std::vector<const Json*> Ptrs(const std::vector<Json>& v) {
  std::vector<const Json*> out;
  for (const Json& j : v) out.push_back(&j);
  return out;
}

TEST(PlanRevisionTest, FirstRevisionIsNumberOne) {
  auto plan = PlanRevision(Ws(), {}, 10);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->revision, 1);
  EXPECT_TRUE(plan->create);
  EXPECT_TRUE(plan->to_delete.empty());
}

TEST(PlanRevisionTest, UnchangedSpecCreatesNoNewRevision) {
  Json ws = Ws();
  std::vector<Json> revs = History(ws, 2);
  revs.push_back(ControllerRevisionManifest(ws, WorkspaceHash(ws), 3));
  auto plan = PlanRevision(ws, Ptrs(revs), 10);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->create);
  EXPECT_EQ(plan->revision, 3);
}

TEST(PlanRevisionTest, ChangedSpecGetsTheNextNumber) {
  Json ws = Ws();
  std::vector<Json> revs = History(ws, 4);
  auto plan = PlanRevision(ws, Ptrs(revs), 10);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->create);
  EXPECT_EQ(plan->revision, 5);
}

TEST(PlanRevisionTest, DeletesTheOldestBeyondTheHistoryLimit) {
  Json ws = Ws();
  std::vector<Json> revs = History(ws, 10);
  auto plan = PlanRevision(ws, Ptrs(revs), 10);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->revision, 11);
  ASSERT_EQ(plan->to_delete.size(), 1u);
  EXPECT_EQ(plan->to_delete[0], api::Name(revs[0]));
}

TEST(PlanRevisionTest, SameNameWithAnotherHashIsAConflict) {
  Json ws = Ws();
  Json clash = ControllerRevisionManifest(ws, WorkspaceHash(ws), 1);
  clash["metadata"]["annotations"]["workspace.kaito.io/hash"] = "something-else";
  auto plan = PlanRevision(ws, {&clash}, 10);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.status().Is(StatusCode::kConflict));
  EXPECT_NE(plan.status().message().find("revision name conflicts"), std::string::npos);
}

}  // namespace
}  // namespace kt::workspace
