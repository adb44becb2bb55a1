// Strategic merge patch merges lists of built-in kinds by their merge keys (containers and env
// by name, container ports by containerPort, service ports by port, conditions by type,
// finalizers as a set), replaces atomic lists, honors $patch (replace/delete/merge),
// $setElementOrder, $deleteFromPrimitiveList and $retainKeys, handles the exact patch
// `kubectl apply` sends for a Service, and answers 415 for custom resources.
#include "sim/apiserver/types/patch.h"

#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;
using testing::Y;
namespace res = api::resources;

class SmpTest : public ::testing::Test {
 protected:
  Json Patch(const api::GroupVersionResource& gvr, const Json& original, const Json& patch) {
    auto r = ApplyStrategicMergePatch(r_, *r_.Find(gvr), original, patch);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  }
  Json Pod() {
    return Y(R"(
metadata: {name: p, finalizers: [a]}
spec:
  containers:
  - name: app
    image: app:1
    env: [{name: A, value: "1"}, {name: B, value: "2"}]
    ports: [{containerPort: 80, name: http}]
  - {name: side, image: side:1}
  tolerations: [{key: sku, operator: Equal, value: gpu, effect: NoSchedule}]
)");
  }
  TypeRegistry r_;
};

TEST_F(SmpTest, ContainersMergeByName) {
  Json out = Patch(res::kPods, Pod(), J(R"({"spec":{"containers":[{"name":"app","image":"app:2"}]}})"));
  ASSERT_EQ(out["spec"]["containers"].size(), 2u);
  EXPECT_EQ(out["spec"]["containers"][0]["image"], "app:2");
  EXPECT_EQ(out["spec"]["containers"][0]["env"].size(), 2u);
  EXPECT_EQ(out["spec"]["containers"][1]["name"], "side");
}

TEST_F(SmpTest, NewElementsAreAppended) {
  Json out = Patch(res::kPods, Pod(),
                   J(R"({"spec":{"containers":[{"name":"new","image":"n"}]}})"));
  ASSERT_EQ(out["spec"]["containers"].size(), 3u);
  EXPECT_EQ(out["spec"]["containers"][2]["name"], "new");
}

TEST_F(SmpTest, NestedListsMergeByTheirOwnKeys) {
  Json out = Patch(res::kPods, Pod(), J(R"({"spec":{"containers":[{"name":"app",
      "env":[{"name":"B","value":"3"},{"name":"C","value":"4"}],
      "ports":[{"containerPort":443}]}]}})"));
  const Json& app = out["spec"]["containers"][0];
  EXPECT_EQ(app["env"], J(R"([{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}])"));
  EXPECT_EQ(app["ports"].size(), 2u);
}

TEST_F(SmpTest, DeleteDirectiveRemovesAnElement) {
  Json out = Patch(res::kPods, Pod(),
                   J(R"({"spec":{"containers":[{"name":"side","$patch":"delete"}]}})"));
  ASSERT_EQ(out["spec"]["containers"].size(), 1u);
  EXPECT_EQ(out["spec"]["containers"][0]["name"], "app");
}

TEST_F(SmpTest, ReplaceDirectiveReplacesAList) {
  Json out = Patch(res::kPods, Pod(),
                   J(R"({"spec":{"containers":[{"name":"only","image":"o"},{"$patch":"replace"}]}})"));
  EXPECT_EQ(out["spec"]["containers"], J(R"([{"name":"only","image":"o"}])"));
}

TEST_F(SmpTest, ReplaceDirectiveReplacesAMap) {
  Json out = Patch(res::kPods, Y("{metadata: {name: p, labels: {a: '1', b: '2'}}}"),
                   J(R"({"metadata":{"labels":{"c":"3","$patch":"replace"}}})"));
  EXPECT_EQ(out["metadata"]["labels"], J(R"({"c":"3"})"));
}

TEST_F(SmpTest, AtomicListsAreReplaced) {
  Json out = Patch(res::kPods, Pod(), J(R"({"spec":{"tolerations":[{"key":"x","operator":"Exists"}]}})"));
  EXPECT_EQ(out["spec"]["tolerations"], J(R"([{"key":"x","operator":"Exists"}])"));
}

TEST_F(SmpTest, NullDeletesAField) {
  Json out = Patch(res::kPods, Pod(), J(R"({"spec":{"tolerations":null}})"));
  EXPECT_FALSE(out["spec"].contains("tolerations"));
}

TEST_F(SmpTest, FinalizersMergeAsASetAndDeleteFromPrimitiveList) {
  Json out = Patch(res::kPods, Pod(), J(R"({"metadata":{"finalizers":["b","a"]}})"));
  EXPECT_EQ(out["metadata"]["finalizers"], J(R"(["a","b"])"));
  out = Patch(res::kPods, out, J(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})"));
  EXPECT_EQ(out["metadata"]["finalizers"], J(R"(["b"])"));
}

TEST_F(SmpTest, ConditionsMergeByType) {
  Json node = Y(R"(
metadata: {name: n}
status: {conditions: [{type: Ready, status: "False"}, {type: MemoryPressure, status: "False"}]}
)");
  Json out = Patch(res::kNodes, node, J(R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})"));
  EXPECT_EQ(out["status"]["conditions"],
            J(R"([{"type":"Ready","status":"True"},{"type":"MemoryPressure","status":"False"}])"));
}

TEST_F(SmpTest, DeploymentPodTemplateUsesPodSpecKeys) {
  Json d = Y(R"(
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: ws, image: a, env: [{name: X, value: "1"}]}]
      volumes: [{name: v1, emptyDir: {}}]
)");
  Json out = Patch(res::kDeployments, d, J(R"({"spec":{"template":{"spec":{
      "containers":[{"name":"ws","env":[{"name":"Y","value":"2"}]}],
      "volumes":[{"name":"v2","emptyDir":{}}]}}}})"));
  EXPECT_EQ(out["spec"]["template"]["spec"]["containers"][0]["env"].size(), 2u);
  EXPECT_EQ(out["spec"]["template"]["spec"]["volumes"].size(), 2u);
}

TEST_F(SmpTest, KubectlApplyOfAServiceWithSetElementOrder) {
  // What kubectl 1.32 sends when a Service's manifest drops port 8080 and adds 443.
  Json svc = Y(R"(
metadata:
  name: web
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
spec:
  clusterIP: 10.0.0.10
  ports:
  - {name: http, port: 80, protocol: TCP, targetPort: 5000}
  - {name: metrics, port: 8080, protocol: TCP, targetPort: 8080}
  selector: {app: web}
)");
  Json patch = J(R"({
    "metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"new\":1}\n"}},
    "spec":{"$setElementOrder/ports":[{"port":443},{"port":80}],
            "ports":[{"name":"https","port":443,"targetPort":8443},{"$patch":"delete","port":8080}]}})");
  Json out = Patch(res::kServices, svc, patch);
  EXPECT_EQ(out["spec"]["ports"],
            J(R"([{"name":"https","port":443,"targetPort":8443},
                  {"name":"http","port":80,"protocol":"TCP","targetPort":5000}])"));
  EXPECT_EQ(out["spec"]["clusterIP"], "10.0.0.10");
  EXPECT_EQ(out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
            "{\"new\":1}\n");
  EXPECT_FALSE(out["spec"].contains("$setElementOrder/ports"));
}

TEST_F(SmpTest, RetainKeysDropsUnlistedFields) {
  Json d = Y("{metadata: {name: d}, spec: {strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}}}");
  Json out = Patch(res::kDeployments, d,
                   J(R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})"));
  EXPECT_EQ(out["spec"]["strategy"], J(R"({"type":"Recreate"})"));
}

TEST_F(SmpTest, PatchDeleteOnAMapRemovesIt) {
  Json out = Patch(res::kPods, Y("{metadata: {name: p}, spec: {securityContext: {runAsUser: 1}}}"),
                   J(R"({"spec":{"securityContext":{"$patch":"delete"}}})"));
  EXPECT_FALSE(out["spec"].contains("securityContext"));
}

TEST_F(SmpTest, DirectivesNeverLeakIntoNewFields) {
  Json out = Patch(res::kPods, Y("{metadata: {name: p}}"),
                   J(R"({"spec":{"containers":[{"name":"a","env":[{"name":"X","$patch":"delete"}]}]}})"));
  EXPECT_EQ(out["spec"]["containers"], J(R"([{"name":"a","env":[]}])"));
}

TEST_F(SmpTest, MissingMergeKeyIsBadRequest) {
  auto r = ApplyStrategicMergePatch(r_, *r_.Find(res::kPods), Pod(),
                                    J(R"({"spec":{"containers":[{"image":"x"}]}})"));
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
  EXPECT_NE(r.status().message().find("does not contain declared merge key: name"),
            std::string::npos);
}

TEST_F(SmpTest, UnknownPatchDirectiveIsBadRequest) {
  auto r = ApplyStrategicMergePatch(r_, *r_.Find(res::kPods), Pod(),
                                    J(R"({"spec":{"$patch":"explode"}})"));
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
}

TEST_F(SmpTest, CustomResourcesAreUnsupportedMediaType) {
  testing::InstallProjectCrds(r_);
  auto r = ApplyStrategicMergePatch(r_, *r_.Find(res::kWorkspaces), J("{}"), J("{}"));
  EXPECT_TRUE(r.status().Is(StatusCode::kUnsupportedMediaType));
}

TEST_F(SmpTest, NonObjectPatchIsBadRequest) {
  auto r = ApplyStrategicMergePatch(r_, *r_.Find(res::kPods), Pod(), J("[1]"));
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
}

}  // namespace
}  // namespace kt::sim
