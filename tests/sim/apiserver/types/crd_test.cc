// CustomResourceDefinitions: registration makes every served version a resource (discovery,
// lookup by kind, shared storage, the storage version marked), the CRD rules and structural
// schema rules reject bad CRDs with kube-apiserver's field errors, and RemoveCrd unserves.
#include "sim/apiserver/types/crd.h"

#include <functional>

#include "sim/apiserver/types/field_error.h"
#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;
using testing::Y;

Json WidgetCrd() {
  Json crd = testing::ExampleCrd("Widget", J(R"({"type":"object","properties":{"spec":{
      "type":"object","properties":{"size":{"type":"integer"}}}}})"));
  crd["spec"]["names"]["shortNames"] = Json::array({"wd"});
  crd["spec"]["versions"][0]["subresources"] = {{"status", Json::object()}};
  return crd;
}

TEST(CrdTest, AddCrdServesEveryServedVersion) {
  TypeRegistry r;
  uint64_t rev = r.Revision();
  ASSERT_TRUE(r.AddCrd(testing::ProjectCrd("kaito.sh_workspaces.yaml")).ok());
  EXPECT_GT(r.Revision(), rev);
  const ResourceType* beta = r.Find(api::resources::kWorkspaces);
  const ResourceType* alpha = r.Find(api::resources::kWorkspacesV1alpha1);
  ASSERT_NE(beta, nullptr);
  ASSERT_NE(alpha, nullptr);
  EXPECT_TRUE(beta->is_custom);
  EXPECT_TRUE(beta->storage_version);
  EXPECT_FALSE(alpha->storage_version);
  EXPECT_EQ(beta->storage_key, alpha->storage_key);
  EXPECT_EQ(beta->crd_name, "workspaces.kaito.sh");
  EXPECT_EQ(beta->short_names, (std::vector<std::string>{"wk", "wks"}));
  EXPECT_EQ(beta->categories, std::vector<std::string>{"workspace"});
  EXPECT_EQ(beta->singular, "workspace");
  EXPECT_EQ(beta->list_kind, "WorkspaceList");
  EXPECT_TRUE(beta->has_status);
  EXPECT_EQ(r.StorageVersionOf(*alpha), beta);
  EXPECT_EQ(r.VersionsOf("kaito.sh/workspaces").size(), 2u);
  EXPECT_EQ(r.FindByKind({"kaito.sh", "v1alpha1", "Workspace"}), alpha);
}

TEST(CrdTest, DiscoveryPrefersTheHighestVersion) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  Json d = r.AggregatedDiscovery(false);
  const Json* kaito = nullptr;
  for (const Json& g : d["items"]) {
    if (g["metadata"]["name"] == "kaito.sh") kaito = &g;
  }
  ASSERT_NE(kaito, nullptr);
  ASSERT_EQ((*kaito)["versions"].size(), 2u);
  EXPECT_EQ((*kaito)["versions"][0]["version"], "v1beta1");
  EXPECT_EQ((*kaito)["versions"][1]["version"], "v1alpha1");
  const Json& ws = (*kaito)["versions"][0]["resources"][0];
  EXPECT_EQ(ws["resource"], "workspaces");
  EXPECT_EQ(ws["responseKind"]["kind"], "Workspace");
  EXPECT_EQ(ws["shortNames"], J(R"(["wk","wks"])"));
  EXPECT_EQ(ws["categories"], J(R"(["workspace"])"));
  EXPECT_EQ(ws["subresources"][0]["subresource"], "status");
  auto legacy = r.LegacyApiResourceList("kaito.sh", "v1beta1");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ((*legacy)["resources"][1]["name"], "workspaces/status");
}

// A Gadget CRD whose schema is loose, or tightened after objects were stored under it.
Json GadgetCrd(bool tight) {
  Json schema = Y(R"(
type: object
properties:
  spec:
    type: object
    properties:
      size: {type: integer}
      color: {type: string}
      parts:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        items:
          type: object
          required: [name]
          properties:
            name: {type: string}
            count: {type: integer}
      tags:
        type: array
        x-kubernetes-list-type: atomic
        items: {type: string}
      slots:
        type: array
        items: {type: integer}
)");
  if (tight) {
    Json& spec = schema["properties"]["spec"]["properties"];
    spec["size"]["maximum"] = 5;
    spec["parts"]["items"]["properties"]["count"]["maximum"] = 5;
    spec["tags"]["items"]["maxLength"] = 3;
    spec["slots"]["items"]["maximum"] = 5;
  }
  return testing::ExampleCrd("Gadget", std::move(schema));
}

// CRD validation ratcheting, as kube-apiserver does it since 1.30: after a CRD's schema is
// tightened, an object stored under the old one can still be updated; values equal to the ones
// they replace keep their errors (members by key, map-list items by their keys, other lists'
// items by index, atomic lists only whole), changed values are checked.
TEST(CrdTest, UpdatesOfCustomResourcesRatchetUnchangedValues) {
  TypeRegistry r;
  ASSERT_TRUE(r.AddCrd(GadgetCrd(false)).ok());
  const ResourceType* gadgets = r.Find({"example.com", "v1", "gadgets"});
  ASSERT_NE(gadgets, nullptr);
  Json stored = J(R"({"apiVersion":"example.com/v1","kind":"Gadget",
                      "metadata":{"name":"g","namespace":"default"},
                      "spec":{"size":10,"color":"red","parts":[{"name":"a","count":10}],
                              "tags":["long"],"slots":[10,1]}})");
  ASSERT_TRUE(r.Admit(*gadgets, stored, "Strict").status.ok());
  ASSERT_TRUE(r.AddCrd(GadgetCrd(true)).ok());
  gadgets = r.Find({"example.com", "v1", "gadgets"});
  ASSERT_NE(gadgets, nullptr);
  auto update = [&](const std::function<void(Json&)>& edit) {
    Json next = stored;
    edit(next);
    return r.Admit(*gadgets, next, "Strict", {}, &stored).status;
  };
  auto invalid_at = [](const Status& st, const std::string& field) {
    return st.Is(StatusCode::kInvalid) && st.message().find(field) != std::string::npos;
  };
  // Unchanged values pass however invalid they now are.
  EXPECT_TRUE(update([](Json& g) { g["spec"]["color"] = "blue"; }).ok());
  EXPECT_TRUE(update([](Json& g) { g["spec"]["parts"].insert(g["spec"]["parts"].begin(),
                                                             J(R"({"name":"b","count":1})")); })
                  .ok());
  EXPECT_TRUE(update([](Json& g) { g["spec"]["slots"][1] = 2; }).ok());
  // Changed values are checked.
  EXPECT_TRUE(invalid_at(update([](Json& g) { g["spec"]["size"] = 11; }), "spec.size"));
  EXPECT_TRUE(update([](Json& g) { g["spec"]["size"] = 4; }).ok());
  EXPECT_TRUE(invalid_at(update([](Json& g) { g["spec"]["parts"][0]["count"] = 9; }),
                         "spec.parts[0].count"));
  EXPECT_TRUE(invalid_at(update([](Json& g) { g["spec"]["slots"][0] = 9; }), "spec.slots[0]"));
  // An atomic list changes as a whole: its unchanged items are checked again.
  EXPECT_TRUE(invalid_at(update([](Json& g) { g["spec"]["tags"].push_back("ok"); }),
                         "spec.tags[0]"));
  // Creates are not ratcheted, and neither is metadata.
  Json fresh = stored;
  EXPECT_TRUE(invalid_at(r.Admit(*gadgets, fresh, "Strict").status, "spec.size"));
  Json renamed = stored;
  renamed["metadata"]["name"] = "-bad";
  Json stored_renamed = renamed;
  EXPECT_TRUE(invalid_at(r.Admit(*gadgets, renamed, "Strict", {}, &stored_renamed).status,
                         "metadata.name"));
}

TEST(CrdTest, CustomGroupsFollowBuiltinGroupsInDiscovery) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  auto all = r.All();
  // Custom groups come after every built-in group, sorted by name.
  EXPECT_EQ(all.back()->gvr.group, "karpenter.sh");
  size_t first_custom = 0;
  while (!all[first_custom]->is_custom) ++first_custom;
  EXPECT_EQ(all[first_custom]->gvr.group, "kaito.sh");
  for (size_t i = first_custom; i < all.size(); ++i) EXPECT_TRUE(all[i]->is_custom);
}

TEST(CrdTest, RemoveCrdStopsServingItsResources) {
  TypeRegistry r;
  ASSERT_TRUE(r.AddCrd(WidgetCrd()).ok());
  ASSERT_NE(r.Find({"example.com", "v1", "widgets"}), nullptr);
  r.RemoveCrd("widgets.example.com");
  EXPECT_EQ(r.Find({"example.com", "v1", "widgets"}), nullptr);
  EXPECT_TRUE(r.LegacyApiResourceList("example.com", "v1").status().Is(StatusCode::kNotFound));
}

TEST(CrdTest, UpdatingCrdKeepsResourcePointersOfVersionsStillServed) {
  TypeRegistry r;
  Json crd = WidgetCrd();
  ASSERT_TRUE(r.AddCrd(crd).ok());
  const ResourceType* v1 = r.Find({"example.com", "v1", "widgets"});
  crd["spec"]["names"]["shortNames"] = J(R"(["wd","wdg"])");
  ASSERT_TRUE(r.AddCrd(crd).ok());
  EXPECT_EQ(r.Find({"example.com", "v1", "widgets"}), v1);
  EXPECT_EQ(v1->short_names.size(), 2u);
}

TEST(CrdTest, UnservedVersionsAreNotResources) {
  TypeRegistry r;
  Json crd = WidgetCrd();
  Json v2 = crd["spec"]["versions"][0];
  v2["name"] = "v2";
  v2["served"] = false;
  v2["storage"] = false;
  crd["spec"]["versions"].push_back(v2);
  ASSERT_TRUE(r.AddCrd(crd).ok());
  EXPECT_EQ(r.Find({"example.com", "v2", "widgets"}), nullptr);
}

std::string Message(const Json& crd) {
  TypeRegistry r;
  Status s = r.ValidateCrd(crd);
  EXPECT_TRUE(s.Is(StatusCode::kInvalid)) << s.ToString();
  return s.message();
}

TEST(CrdTest, NameMustBePluralDotGroup) {
  Json crd = WidgetCrd();
  crd["metadata"]["name"] = "gadgets.example.com";
  EXPECT_EQ(Message(crd),
            "CustomResourceDefinition.apiextensions.k8s.io \"gadgets.example.com\" is invalid: "
            "metadata.name: Invalid value: \"gadgets.example.com\": must be "
            "spec.names.plural+\".\"+spec.group");
}

TEST(CrdTest, GroupNeedsADot) {
  Json crd = WidgetCrd();
  crd["spec"]["group"] = "example";
  crd["metadata"]["name"] = "widgets.example";
  EXPECT_NE(Message(crd).find("spec.group: Invalid value: \"example\": should be a domain with at "
                              "least one dot"),
            std::string::npos);
}

TEST(CrdTest, ExactlyOneStorageVersion) {
  Json crd = WidgetCrd();
  crd["spec"]["versions"][0]["storage"] = false;
  EXPECT_NE(Message(crd).find("must have exactly one version marked as storage version"),
            std::string::npos);
}

TEST(CrdTest, ScopeMustBeClusterOrNamespaced) {
  Json crd = WidgetCrd();
  crd["spec"]["scope"] = "Galaxy";
  EXPECT_NE(Message(crd).find("spec.scope: Unsupported value: \"Galaxy\": supported values: "
                              "\"Cluster\", \"Namespaced\""),
            std::string::npos);
}

TEST(CrdTest, SchemaIsRequired) {
  Json crd = WidgetCrd();
  crd["spec"]["versions"][0].erase("schema");
  EXPECT_NE(Message(crd).find("spec.versions[0].schema.openAPIV3Schema: Required value: schemas "
                              "are required"),
            std::string::npos);
}

TEST(CrdTest, NonStructuralSchemaIsRejected) {
  Json crd = WidgetCrd();
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].erase("type");
  EXPECT_NE(Message(crd).find("spec.versions[0].schema.openAPIV3Schema.properties[spec].type: "
                              "Required value: must not be empty for specified object fields"),
            std::string::npos);
}

TEST(CrdTest, PropertiesAndAdditionalPropertiesAreExclusive) {
  Json crd = WidgetCrd();
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
     ["additionalProperties"] = J(R"({"type":"string"})");
  EXPECT_NE(Message(crd).find("additionalProperties and properties are mutual exclusive"),
            std::string::npos);
}

TEST(CrdTest, MetadataSchemaMayOnlyRestrictNameAndGenerateName) {
  Json crd = WidgetCrd();
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["metadata"] =
      J(R"({"type":"object","properties":{"labels":{"type":"object"}}})");
  EXPECT_NE(Message(crd).find("properties[metadata]: Forbidden: must not specify anything other "
                              "than name and generateName"),
            std::string::npos);
}

TEST(CrdTest, DefaultsMustValidate) {
  Json crd = WidgetCrd();
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
     ["size"]["default"] = "big";
  EXPECT_NE(Message(crd).find("properties[size].default: Invalid value: \"string\""),
            std::string::npos);
}

TEST(CrdTest, PrinterColumnsNeedAKnownTypeAndAJsonPath) {
  Json crd = WidgetCrd();
  crd["spec"]["versions"][0]["additionalPrinterColumns"] =
      J(R"([{"name":"Size","type":"float","jsonPath":".spec.size"},
            {"name":"Bad","type":"string","jsonPath":"spec.size"}])");
  std::string m = Message(crd);
  EXPECT_NE(m.find("additionalPrinterColumns[0].type: Unsupported value: \"float\""),
            std::string::npos);
  EXPECT_NE(m.find("additionalPrinterColumns[1].jsonPath: Invalid value: \"spec.size\": must be "
                   "a simple json path starting with ."),
            std::string::npos);
}

TEST(CrdTest, DuplicateVersionNamesAreRejected) {
  Json crd = WidgetCrd();
  Json v = crd["spec"]["versions"][0];
  v["storage"] = false;
  crd["spec"]["versions"].push_back(v);
  EXPECT_NE(Message(crd).find("spec.versions[1].name: Duplicate value: \"v1\""),
            std::string::npos);
}

TEST(CrdTest, KindMayNotBeReusedInTheSameGroup) {
  TypeRegistry r;
  ASSERT_TRUE(r.AddCrd(WidgetCrd()).ok());
  Json other = WidgetCrd();
  other["metadata"]["name"] = "gizmos.example.com";
  other["spec"]["names"]["plural"] = "gizmos";
  Status s = r.AddCrd(other);
  EXPECT_TRUE(s.Is(StatusCode::kInvalid)) << s.ToString();
}

TEST(CrdTest, DefaultCrdFillsSingularListKindAndConversion) {
  Json crd = WidgetCrd();
  DefaultCrd(crd);
  EXPECT_EQ(crd["spec"]["names"]["singular"], "widget");
  EXPECT_EQ(crd["spec"]["names"]["listKind"], "WidgetList");
  EXPECT_EQ(crd["spec"]["conversion"]["strategy"], "None");
}

TEST(CrdTest, AcceptedStatusIsEstablished) {
  Json crd = WidgetCrd();
  Json status = CrdAcceptedStatus(crd, testing::T0());
  EXPECT_EQ(status["acceptedNames"]["kind"], "Widget");
  EXPECT_EQ(status["acceptedNames"]["singular"], "widget");
  EXPECT_EQ(status["storedVersions"], J(R"(["v1"])"));
  ASSERT_EQ(status["conditions"].size(), 2u);
  EXPECT_EQ(status["conditions"][1]["type"], "Established");
  EXPECT_EQ(status["conditions"][1]["status"], "True");
  EXPECT_EQ(status["conditions"][1]["lastTransitionTime"], "2026-01-01T00:00:00Z");
}

TEST(CrdTest, CrdObjectsAreValidatedAsCustomResourceDefinitions) {
  TypeRegistry r;
  const ResourceType* crds = r.Find(api::resources::kCustomResourceDefinitions);
  Json bad = WidgetCrd();
  bad["spec"]["scope"] = "Nowhere";
  ValidationResult v = r.Validate(*crds, bad, "Strict");
  EXPECT_TRUE(v.status.Is(StatusCode::kInvalid)) << v.status.ToString();
  EXPECT_TRUE(r.Validate(*crds, WidgetCrd(), "Strict").status.ok());
}

TEST(CrdTest, ProjectCrdsAreStructuralAndValid) {
  TypeRegistry r;
  for (const char* f : {"kaito.sh_workspaces.yaml", "karpenter.sh_nodeclaims.yaml"}) {
    Status s = r.ValidateCrd(testing::ProjectCrd(f));
    EXPECT_TRUE(s.ok()) << f << ": " << s.ToString();
  }
}

}  // namespace
}  // namespace kt::sim
