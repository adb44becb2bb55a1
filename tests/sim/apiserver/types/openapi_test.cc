// The OpenAPI v3 index and documents have what kubectl 1.32 needs (kubectl-protocol.md §3):
// every served group version in the index with a hash that changes when its document
// changes; every kind with a PATCH operation carrying x-kubernetes-group-version-kind and the
// fieldValidation parameter; components.schemas with the GVK list and nested properties so
// `kubectl explain workspace.resource.instanceType` works.
#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;

const Json* PatchFor(const Json& doc, const std::string& kind) {
  for (const auto& [path, item] : doc["paths"].items()) {
    if (!item.contains("patch")) continue;
    if (item["patch"]["x-kubernetes-group-version-kind"]["kind"] == kind) return &item["patch"];
  }
  return nullptr;
}

bool HasFieldValidation(const Json& op) {
  for (const Json& p : op["parameters"]) {
    if (p["name"] == "fieldValidation" && p["in"] == "query") return true;
  }
  return false;
}

TEST(OpenApiTest, IndexListsEveryServedGroupVersion) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  Json index = r.OpenApiIndex();
  for (const char* gv : {"api/v1", "apis/apps/v1", "apis/batch/v1", "apis/apiextensions.k8s.io/v1",
                         "apis/kaito.sh/v1beta1", "apis/kaito.sh/v1alpha1", "apis/karpenter.sh/v1",
                         "apis/rbac.authorization.k8s.io/v1", "apis/events.k8s.io/v1"}) {
    ASSERT_TRUE(index["paths"].contains(gv)) << gv;
    std::string url = index["paths"][gv]["serverRelativeURL"];
    EXPECT_EQ(url.rfind(std::string("/openapi/v3/") + gv + "?hash=", 0), 0u) << url;
  }
}

TEST(OpenApiTest, EveryKindHasPatchWithGvkAndFieldValidation) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  for (const ResourceType* t : r.All()) {
    std::string gv = t->gvr.group.empty() ? "api/" + t->gvr.version
                                          : "apis/" + t->gvr.group + "/" + t->gvr.version;
    auto doc = r.OpenApiDocument(gv);
    ASSERT_TRUE(doc.ok()) << gv;
    const Json* patch = PatchFor(*doc, t->kind);
    ASSERT_NE(patch, nullptr) << t->kind << " in " << gv;
    EXPECT_EQ((*patch)["x-kubernetes-group-version-kind"],
              (Json{{"group", t->gvr.group}, {"version", t->gvr.version}, {"kind", t->kind}}));
    EXPECT_TRUE(HasFieldValidation(*patch)) << t->kind;
  }
}

TEST(OpenApiTest, WorkspaceSchemaSupportsExplain) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  auto doc = r.OpenApiDocument("apis/kaito.sh/v1beta1");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["openapi"], "3.0.0");
  const Json& schemas = (*doc)["components"]["schemas"];
  ASSERT_TRUE(schemas.contains("sh.kaito.v1beta1.Workspace"));
  const Json& ws = schemas["sh.kaito.v1beta1.Workspace"];
  EXPECT_EQ(ws["x-kubernetes-group-version-kind"],
            J(R"([{"group":"kaito.sh","version":"v1beta1","kind":"Workspace"}])"));
  EXPECT_EQ(ws["type"], "object");
  EXPECT_FALSE(ws["description"].get<std::string>().empty());
  EXPECT_EQ(ws["properties"]["resource"]["properties"]["instanceType"]["type"], "string");
  EXPECT_FALSE(ws["properties"]["resource"]["properties"]["instanceType"]["description"]
                   .get<std::string>()
                   .empty());
  EXPECT_EQ(ws["properties"]["metadata"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_TRUE(schemas.contains("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  EXPECT_TRUE(schemas.contains("sh.kaito.v1beta1.WorkspaceList"));
}

TEST(OpenApiTest, BuiltinSchemaNamesFollowKubeConventions) {
  TypeRegistry r;
  auto core = r.OpenApiDocument("api/v1");
  ASSERT_TRUE(core.ok());
  EXPECT_TRUE((*core)["components"]["schemas"].contains("io.k8s.api.core.v1.Pod"));
  auto apps = r.OpenApiDocument("apis/apps/v1");
  EXPECT_TRUE((*apps)["components"]["schemas"].contains("io.k8s.api.apps.v1.Deployment"));
  auto crd = r.OpenApiDocument("apis/apiextensions.k8s.io/v1");
  EXPECT_TRUE((*crd)["components"]["schemas"].contains(
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"));
}

TEST(OpenApiTest, CustomResourcesDoNotOfferStrategicMergePatch) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  auto doc = r.OpenApiDocument("apis/kaito.sh/v1beta1");
  const Json* patch = PatchFor(*doc, "Workspace");
  ASSERT_NE(patch, nullptr);
  EXPECT_FALSE((*patch)["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  auto core = r.OpenApiDocument("api/v1");
  EXPECT_TRUE((*PatchFor(*core, "Service"))["requestBody"]["content"].contains(
      "application/strategic-merge-patch+json"));
}

TEST(OpenApiTest, HashChangesWhenADocumentChanges) {
  TypeRegistry r;
  Json crd = testing::ProjectCrd("kaito.sh_workspaces.yaml");
  ASSERT_TRUE(r.AddCrd(crd).ok());
  std::string before = r.OpenApiIndex()["paths"]["apis/kaito.sh/v1beta1"]["serverRelativeURL"];
  std::string core_before = r.OpenApiIndex()["paths"]["api/v1"]["serverRelativeURL"];
  crd["spec"]["versions"][1]["schema"]["openAPIV3Schema"]["description"] = "changed";
  ASSERT_TRUE(r.AddCrd(crd).ok());
  EXPECT_NE(r.OpenApiIndex()["paths"]["apis/kaito.sh/v1beta1"]["serverRelativeURL"], before);
  EXPECT_EQ(r.OpenApiIndex()["paths"]["api/v1"]["serverRelativeURL"], core_before);
}

TEST(OpenApiTest, NewCrdAppearsInIndexAndRemovedOneDisappears) {
  TypeRegistry r;
  EXPECT_FALSE(r.OpenApiIndex()["paths"].contains("apis/kaito.sh/v1beta1"));
  ASSERT_TRUE(r.AddCrd(testing::ProjectCrd("kaito.sh_workspaces.yaml")).ok());
  EXPECT_TRUE(r.OpenApiIndex()["paths"].contains("apis/kaito.sh/v1beta1"));
  r.RemoveCrd("workspaces.kaito.sh");
  EXPECT_FALSE(r.OpenApiIndex()["paths"].contains("apis/kaito.sh/v1beta1"));
  EXPECT_TRUE(r.OpenApiDocument("apis/kaito.sh/v1beta1").status().Is(StatusCode::kNotFound));
}

TEST(OpenApiTest, NamespacedAndClusterPathsDiffer) {
  TypeRegistry r;
  auto core = r.OpenApiDocument("api/v1");
  EXPECT_TRUE((*core)["paths"].contains("/api/v1/namespaces/{namespace}/pods/{name}"));
  EXPECT_TRUE((*core)["paths"].contains("/api/v1/nodes/{name}"));
  EXPECT_TRUE((*core)["paths"].contains("/api/v1/namespaces/{namespace}/pods/{name}/status"));
}

}  // namespace
}  // namespace kt::sim
