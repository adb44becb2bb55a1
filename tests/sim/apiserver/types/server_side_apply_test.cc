// Server-side apply keeps managedFields in fieldsV1 form per manager, creates objects that do
// not exist, merges map lists by key, reports conflicts with another manager's fields in
// kube-apiserver's message shape unless forced (then takes ownership), shares fields applied
// with equal values, removes fields a manager stopped applying unless someone else owns them,
// and records ordinary writes as Update operations. Map-list items are identified by all their
// key fields (a port by port and protocol), omitted key fields taking their defaults.
#include "sim/apiserver/types/field_set.h"
#include "sim/apiserver/types/patch.h"
#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;
using testing::T0;
using testing::Y;
namespace res = api::resources;

class SsaTest : public ::testing::Test {
 protected:
  Result<Json> Apply(const api::GroupVersionResource& gvr, const Json& live, const Json& config,
                     const std::string& manager, bool force = false,
                     const std::string& subresource = "") {
    ApplyRequest req{manager, force, T0(), subresource};
    return ServerSideApply(r_, *r_.Find(gvr), live, config, req);
  }
  const Json* Entry(const Json& obj, const std::string& manager, const std::string& op) {
    for (const Json& e : obj["metadata"]["managedFields"]) {
      if (e["manager"] == manager && e["operation"] == op) return &e;
    }
    return nullptr;
  }
  Json Deploy(int replicas, const char* image) {
    Json d = Y(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: IMG}]}
)");
    d["spec"]["replicas"] = replicas;
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image;
    return d;
  }
  TypeRegistry r_;
};

TEST_F(SsaTest, ApplyOnMissingObjectCreatesItWithManagedFields) {
  auto out = Apply(res::kDeployments, Json(), Deploy(2, "nginx:1"), "kubectl");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)["spec"]["replicas"], 2);
  const Json* e = Entry(*out, "kubectl", "Apply");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ((*e)["apiVersion"], "apps/v1");
  EXPECT_EQ((*e)["fieldsType"], "FieldsV1");
  EXPECT_EQ((*e)["time"], "2026-01-01T00:00:00Z");
  const Json& f = (*e)["fieldsV1"];
  EXPECT_TRUE(f["f:spec"].contains("f:replicas"));
  EXPECT_EQ(f["f:metadata"]["f:labels"], J(R"({".":{},"f:app":{}})"));
  EXPECT_TRUE(f["f:spec"]["f:template"]["f:spec"]["f:containers"].contains(R"(k:{"name":"web"})"));
  EXPECT_TRUE(
      f["f:spec"]["f:template"]["f:spec"]["f:containers"][R"(k:{"name":"web"})"].contains("."));
  EXPECT_FALSE(f.contains("f:apiVersion"));
  EXPECT_FALSE(f["f:metadata"].contains("f:name"));
}

TEST_F(SsaTest, ReapplyBySameManagerUpdatesWithoutConflict) {
  auto first = Apply(res::kDeployments, Json(), Deploy(2, "nginx:1"), "kubectl");
  auto second = Apply(res::kDeployments, *first, Deploy(3, "nginx:2"), "kubectl");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)["spec"]["replicas"], 3);
  EXPECT_EQ((*second)["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:2");
  EXPECT_EQ((*second)["metadata"]["managedFields"].size(), 1u);
}

TEST_F(SsaTest, ConflictWithAnotherManagerIs409WithKubeMessage) {
  auto first = Apply(res::kDeployments, Json(), Deploy(2, "nginx:1"), "kubectl");
  Json other = J(
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}})");
  auto r = Apply(res::kDeployments, *first, other, "hpa-controller");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kConflict));
  EXPECT_EQ(r.status().message(),
            "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas");
}

TEST_F(SsaTest, SeveralConflictsAreListedPerManager) {
  auto first = Apply(res::kDeployments, Json(), Deploy(2, "nginx:1"), "kubectl");
  Json other = Deploy(5, "nginx:9");
  auto r = Apply(res::kDeployments, *first, other, "ci");
  ASSERT_TRUE(r.status().Is(StatusCode::kConflict));
  EXPECT_EQ(r.status().message(),
            "Apply failed with 2 conflicts: conflicts with \"kubectl\":\n"
            "- .spec.replicas\n"
            "- .spec.template.spec.containers[name=\"web\"].image");
}

TEST_F(SsaTest, ConflictsNameUpdatersWithTheirApiVersionAndSortManagers) {
  Json created = Deploy(2, "nginx:1");
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), Json(), created, "zeta-controller", "", T0());
  auto labelled = Apply(res::kDeployments, created,
                        J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)"
                          R"("labels":{"app":"web"}},"spec":{"replicas":2}})"),
                        "alpha");
  ASSERT_TRUE(labelled.ok()) << labelled.status().ToString();
  Json other = Deploy(7, "nginx:1");
  other["metadata"]["labels"]["app"] = "other";
  auto r = Apply(res::kDeployments, *labelled, other, "ci");
  ASSERT_TRUE(r.status().Is(StatusCode::kConflict));
  EXPECT_EQ(r.status().message(),
            "Apply failed with 4 conflicts: conflicts with \"alpha\":\n"
            "- .metadata.labels.app\n"
            "- .spec.replicas\n"
            "conflicts with \"zeta-controller\" using apps/v1:\n"
            "- .metadata.labels.app\n"
            "- .spec.replicas");
}

TEST_F(SsaTest, ForceTakesOwnership) {
  auto first = Apply(res::kDeployments, Json(), Deploy(2, "nginx:1"), "kubectl");
  Json other = J(
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}})");
  auto r = Apply(res::kDeployments, *first, other, "hpa-controller", /*force=*/true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["spec"]["replicas"], 5);
  EXPECT_FALSE((*Entry(*r, "kubectl", "Apply"))["fieldsV1"]["f:spec"].contains("f:replicas"));
  EXPECT_TRUE((*Entry(*r, "hpa-controller", "Apply"))["fieldsV1"]["f:spec"].contains("f:replicas"));
}

TEST_F(SsaTest, EqualValuesAreSharedNotConflicting) {
  auto first = Apply(res::kDeployments, Json(), Deploy(2, "nginx:1"), "kubectl");
  Json same = J(
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}})");
  auto r = Apply(res::kDeployments, *first, same, "other");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE((*Entry(*r, "kubectl", "Apply"))["fieldsV1"]["f:spec"].contains("f:replicas"));
  EXPECT_TRUE((*Entry(*r, "other", "Apply"))["fieldsV1"]["f:spec"].contains("f:replicas"));
}

TEST_F(SsaTest, FieldsNoLongerAppliedAreRemoved) {
  Json with_label = Deploy(2, "nginx:1");
  with_label["metadata"]["labels"]["tier"] = "front";
  auto first = Apply(res::kDeployments, Json(), with_label, "kubectl");
  auto second = Apply(res::kDeployments, *first, Deploy(2, "nginx:1"), "kubectl");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE((*second)["metadata"]["labels"].contains("tier"));
  EXPECT_EQ((*second)["metadata"]["labels"]["app"], "web");
}

TEST_F(SsaTest, FieldsStillOwnedByAnotherManagerStay) {
  Json with_label = Deploy(2, "nginx:1");
  with_label["metadata"]["labels"]["tier"] = "front";
  auto first = Apply(res::kDeployments, Json(), with_label, "kubectl");
  Json tier = J(
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"tier":"front"}}})");
  auto shared = Apply(res::kDeployments, *first, tier, "labeler");
  ASSERT_TRUE(shared.ok());
  auto second = Apply(res::kDeployments, *shared, Deploy(2, "nginx:1"), "kubectl");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)["metadata"]["labels"]["tier"], "front");
}

TEST_F(SsaTest, ListItemsMergeByKeyAndDroppedItemsGo) {
  Json two = Deploy(1, "a");
  two["spec"]["template"]["spec"]["containers"].push_back({{"name", "side"}, {"image", "s"}});
  auto first = Apply(res::kDeployments, Json(), two, "kubectl");
  auto second = Apply(res::kDeployments, *first, Deploy(1, "a"), "kubectl");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)["spec"]["template"]["spec"]["containers"].size(), 1u);
}

// A Service's ports are keyed by port AND protocol (listMapKeys), so DNS's 53/TCP and 53/UDP
// are two items; an omitted protocol is TCP, so re-applying without it is the same item.
TEST_F(SsaTest, PortsAreKeyedByPortAndProtocolWithTcpDefault) {
  Json svc = Y(R"(
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: default}
spec:
  selector: {app: dns}
  ports: [{name: dns-tcp, port: 53, protocol: TCP}, {name: dns, port: 53, protocol: UDP}]
)");
  auto first = Apply(res::kServices, Json(), svc, "kubectl");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ((*first)["spec"]["ports"].size(), 2u);
  const Json& ports = (*Entry(*first, "kubectl", "Apply"))["fieldsV1"]["f:spec"]["f:ports"];
  EXPECT_TRUE(ports.contains(R"(k:{"port":53,"protocol":"TCP"})")) << ports.dump();
  EXPECT_TRUE(ports.contains(R"(k:{"port":53,"protocol":"UDP"})")) << ports.dump();

  // The TCP port again, protocol omitted, renamed: the same item, updated; UDP dropped.
  svc["spec"]["ports"] = J(R"([{"name": "tcp", "port": 53}])");
  auto second = Apply(res::kServices, *first, svc, "kubectl");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ((*second)["spec"]["ports"].size(), 1u) << (*second)["spec"]["ports"].dump();
  EXPECT_EQ((*second)["spec"]["ports"][0]["name"], "tcp");
  EXPECT_EQ((*second)["spec"]["ports"][0]["protocol"], "TCP");

  // Another manager setting the TCP item's name conflicts on that field.
  Json other = Y(R"(
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: default}
spec:
  ports: [{name: other, port: 53}]
)");
  auto clash = Apply(res::kServices, *second, other, "helm");
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.status().message().find(R"(.spec.ports[port=53,protocol="TCP"].name)"),
            std::string::npos)
      << clash.status().message();
}

TEST_F(SsaTest, ApplyAfterClientSideCreateConflictsWithItsManager) {
  Json created = Deploy(2, "nginx:1");
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), Json(), created, "kubectl-client-side-apply", "", T0());
  auto r = Apply(res::kDeployments, created, Deploy(4, "nginx:1"), "kubectl");
  ASSERT_TRUE(r.status().Is(StatusCode::kConflict));
  EXPECT_NE(r.status().message().find("conflict with \"kubectl-client-side-apply\" using apps/v1: "
                                      ".spec.replicas"),
            std::string::npos);
}

TEST_F(SsaTest, TypedUpdateOwnsListItemsSoConflictsNameTheItemField) {
  Json created = Deploy(2, "nginx:1");
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), Json(), created, "kubectl-client-side-apply",
                      "", T0());
  const Json& f = (*Entry(created, "kubectl-client-side-apply", "Update"))["fieldsV1"];
  EXPECT_TRUE(f["f:spec"]["f:template"]["f:spec"]["f:containers"][R"(k:{"name":"web"})"].contains(
      "f:image"));
  auto r = Apply(res::kDeployments, created, Deploy(2, "nginx:2"), "kubectl");
  ASSERT_TRUE(r.status().Is(StatusCode::kConflict));
  EXPECT_EQ(r.status().message(),
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using "
            "apps/v1: .spec.template.spec.containers[name=\"web\"].image");
}

TEST_F(SsaTest, TypedUpdateMovesOnlyTheChangedItemFields) {
  Json v1 = Deploy(2, "nginx:1");
  auto applied = Apply(res::kDeployments, Json(), v1, "kubectl");
  ASSERT_TRUE(applied.ok());
  Json v2 = *applied;
  v2["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), *applied, v2, "rollout", "", T0());
  const Json& mine = (*Entry(v2, "rollout", "Update"))["fieldsV1"];
  EXPECT_EQ(mine, J(R"({"f:spec":{"f:template":{"f:spec":{"f:containers":)"
                    R"({"k:{\"name\":\"web\"}":{"f:image":{}}}}}}})"));
  const Json& theirs = (*Entry(v2, "kubectl", "Apply"))["fieldsV1"];
  const Json& item =
      theirs["f:spec"]["f:template"]["f:spec"]["f:containers"][R"(k:{"name":"web"})"];
  EXPECT_TRUE(item.contains("f:name"));
  EXPECT_FALSE(item.contains("f:image"));
  EXPECT_TRUE(theirs["f:spec"].contains("f:replicas"));
}

TEST_F(SsaTest, StatusSubresourceApplyOwnsOnlyStatus) {
  testing::InstallProjectCrds(r_);
  Json ws = Y(R"(
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata: {name: ws, namespace: default}
resource: {count: 1, labelSelector: {matchLabels: {a: b}}}
)");
  auto created = Apply(res::kWorkspaces, Json(), ws, "kubectl");
  ASSERT_TRUE(created.ok());
  Json status = Y(R"(
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata: {name: ws}
resource: {count: 7}
status: {workerNodes: [n1]}
)");
  auto r = Apply(res::kWorkspaces, *created, status, "controller", false, "status");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["status"]["workerNodes"], J(R"(["n1"])"));
  EXPECT_EQ((*r)["resource"]["count"], 1);
  const Json* e = Entry(*r, "controller", "Apply");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ((*e)["subresource"], "status");
  EXPECT_EQ((*e)["fieldsV1"], J(R"({"f:status":{"f:workerNodes":{}}})"));
}

TEST_F(SsaTest, MissingManagerIsBadRequest) {
  auto r = Apply(res::kDeployments, Json(), Deploy(1, "a"), "");
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
  EXPECT_TRUE(Apply(res::kDeployments, Json(), J("[1]"), "m").status().Is(StatusCode::kBadRequest));
}

TEST_F(SsaTest, UpdateRecordsChangedFieldsForItsManager) {
  Json obj = Deploy(1, "a");
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), Json(), obj, "kubectl-create", "", T0());
  ASSERT_EQ(obj["metadata"]["managedFields"].size(), 1u);
  EXPECT_EQ(obj["metadata"]["managedFields"][0]["operation"], "Update");
  Json next = obj;
  next["spec"]["replicas"] = 3;
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), obj, next, "kubectl-scale", "", T0() + 5s);
  const Json* scaler = Entry(next, "kubectl-scale", "Update");
  ASSERT_NE(scaler, nullptr);
  EXPECT_EQ((*scaler)["fieldsV1"], J(R"({"f:spec":{"f:replicas":{}}})"));
  EXPECT_EQ((*scaler)["time"], "2026-01-01T00:00:05Z");
  EXPECT_FALSE(
      (*Entry(next, "kubectl-create", "Update"))["fieldsV1"]["f:spec"].contains("f:replicas"));
}

TEST_F(SsaTest, UpdateWithoutChangesKeepsEntries) {
  Json obj = Deploy(1, "a");
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), Json(), obj, "creator", "", T0());
  Json same = obj;
  same["metadata"].erase("managedFields");
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), obj, same, "other", "", T0() + 1s);
  EXPECT_EQ(same["metadata"]["managedFields"], obj["metadata"]["managedFields"]);
}

TEST_F(SsaTest, EmptyManagedFieldsListResetsOwnership) {
  Json obj = Deploy(1, "a");
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), Json(), obj, "creator", "", T0());
  Json next = obj;
  next["metadata"]["managedFields"] = Json::array();
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), obj, next, "x", "", T0());
  EXPECT_FALSE(next["metadata"].contains("managedFields"));
}

TEST_F(SsaTest, EmptyManagerRecordsNothing) {
  Json obj = Deploy(1, "a");
  UpdateManagedFields(r_, *r_.Find(res::kDeployments), Json(), obj, "", "", T0());
  EXPECT_FALSE(obj["metadata"].contains("managedFields"));
}

TEST(FieldSetTest, FieldsV1RoundTrips) {
  Json f = J(R"({"f:metadata":{"f:labels":{".":{},"f:a":{}}},
                 "f:spec":{"f:containers":{"k:{\"name\":\"x\"}":{".":{},"f:image":{},"f:name":{}}},
                           "f:replicas":{}}})");
  EXPECT_EQ(FieldSet::FromFieldsV1(f).ToFieldsV1(), f);
  EXPECT_EQ(PathString({"f:spec", "f:containers", R"(k:{"name":"x"})", "f:image"}),
            ".spec.containers[name=\"x\"].image");
  EXPECT_EQ(PathString({"f:metadata", "f:finalizers", R"(v:"a")"}), ".metadata.finalizers[=\"a\"]");
}

}  // namespace
}  // namespace kt::sim
