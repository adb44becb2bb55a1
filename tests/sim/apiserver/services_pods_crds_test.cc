// Proves the kind-specific behaviour under SimEnv: Service ClusterIPs from the loopback range
// (clusterIPs[0] = clusterIP, headless untouched, taken/out-of-range addresses refused,
// allocations kept across updates and released on delete), NodePorts; pods/binding and
// pods/eviction; the scale subresource; CRD lifecycle (registration, status conditions,
// deletion removing the CRD's objects, loading CRD files, several served versions).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "tests/sim/apiserver/sim_fixture.h"

namespace kt::sim::testing {
namespace {

using api::PatchType;
namespace res = api::resources;

class KindSpecific : public SimApiServerTest {
 protected:
  static Json Service(const std::string& name, const std::string& type = "ClusterIP") {
    return {{"apiVersion", "v1"}, {"kind", "Service"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", {{"type", type}, {"selector", {{"app", name}}},
                      {"ports", Json::array({{{"port", 80}}})}}}};
  }
};

TEST_F(KindSpecific, ServicesGetLoopbackClusterIps) {
  Json a = MustCreate(res::kServices, Service("a"));
  Json b = MustCreate(res::kServices, Service("b"));
  EXPECT_EQ(GetString(a, "spec.clusterIP"), "127.10.0.1");
  EXPECT_EQ(GetString(b, "spec.clusterIP"), "127.10.0.2");
  EXPECT_EQ(a["spec"]["clusterIPs"], Json::array({"127.10.0.1"}));
  EXPECT_EQ(a["spec"]["ports"][0]["targetPort"], 80);
  EXPECT_EQ(a["spec"]["ports"][0]["protocol"], "TCP");
}

TEST_F(KindSpecific, HeadlessServicesKeepNone) {
  Json s = Service("h");
  s["spec"]["clusterIP"] = "None";
  Json h = MustCreate(res::kServices, s);
  EXPECT_EQ(GetString(h, "spec.clusterIP"), "None");
  EXPECT_EQ(h["spec"]["clusterIPs"], Json::array({"None"}));
}

TEST_F(KindSpecific, RequestedClusterIpsMustBeFreeAndInRange) {
  Json s = Service("a");
  s["spec"]["clusterIP"] = "127.10.3.4";
  EXPECT_EQ(GetString(MustCreate(res::kServices, s), "spec.clusterIP"), "127.10.3.4");
  s["metadata"]["name"] = "b";
  auto taken = client_.Create(res::kServices, "default", s);
  ASSERT_FALSE(taken.ok());
  EXPECT_TRUE(taken.status().Is(StatusCode::kInvalid));
  EXPECT_NE(taken.status().message().find("provided IP is already allocated"), std::string::npos);
  s["spec"]["clusterIP"] = "10.0.0.1";
  auto out = client_.Create(res::kServices, "default", s);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("not in the valid range"), std::string::npos);
}

TEST_F(KindSpecific, ClusterIpSurvivesUpdatesAndIsReleasedOnDelete) {
  Json a = MustCreate(res::kServices, Service("a"));
  Json update = Service("a");  // without the allocated fields, as kubectl apply sends it
  update["spec"]["ports"][0]["port"] = 8080;
  auto u = client_.Update(res::kServices, "default", update);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(GetString(*u, "spec.clusterIP"), GetString(a, "spec.clusterIP"));
  Json change = *u;
  change["spec"]["clusterIP"] = "127.10.9.9";
  change["spec"]["clusterIPs"] = Json::array({"127.10.9.9"});
  EXPECT_TRUE(client_.Update(res::kServices, "default", change).status().Is(StatusCode::kInvalid));
  ASSERT_TRUE(client_.Delete(res::kServices, "default", "a").ok());
  Json again = Service("again");
  again["spec"]["clusterIP"] = GetString(a, "spec.clusterIP");
  EXPECT_TRUE(client_.Create(res::kServices, "default", again).ok()) << "the address was released";
}

TEST_F(KindSpecific, NodePortServicesGetPortsInRange) {
  Json np = MustCreate(res::kServices, Service("np", "NodePort"));
  int64_t port = GetInt(np["spec"]["ports"][0], "nodePort").value_or(0);
  EXPECT_GE(port, 30000);
  EXPECT_LE(port, 32767);
  Json s = Service("np2", "NodePort");
  s["spec"]["ports"][0]["nodePort"] = port;
  auto dup = client_.Create(res::kServices, "default", s);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("provided port is already allocated"), std::string::npos);
}

TEST_F(KindSpecific, BindingAssignsANodeOnce) {
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "default"}}},
              {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}};
  Json created = MustCreate(res::kPods, pod);
  EXPECT_EQ(GetString(created, "status.phase"), "Pending");
  EXPECT_EQ(GetString(created, "status.qosClass"), "BestEffort");
  Json binding = {{"apiVersion", "v1"}, {"kind", "Binding"}, {"metadata", {{"name", "p"}}},
                  {"target", {{"kind", "Node"}, {"name", "n1"}}}};
  api::WriteOptions sub;
  sub.subresource = "binding";
  ASSERT_TRUE(client_.Create(res::kPods, "default", binding, sub).ok());
  auto bound = client_.Get(res::kPods, "default", "p");
  ASSERT_TRUE(bound.ok());
  EXPECT_EQ(GetString(*bound, "spec.nodeName"), "n1");
  EXPECT_TRUE(api::IsConditionTrue(*bound, "PodScheduled"));
  binding["target"]["name"] = "n2";
  auto again = client_.Create(res::kPods, "default", binding, sub);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().Is(StatusCode::kConflict));
  EXPECT_EQ(again.status().message(),
            "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"n1\"");
}

TEST_F(KindSpecific, EvictionDeletesThePod) {
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "default"}}},
              {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}};
  MustCreate(res::kPods, pod);
  Json eviction = {{"apiVersion", "policy/v1"}, {"kind", "Eviction"},
                   {"metadata", {{"name", "p"}, {"namespace", "default"}}}};
  api::WriteOptions sub;
  sub.subresource = "eviction";
  auto r = client_.Create(res::kPods, "default", eviction, sub);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["status"], "Success");
  EXPECT_FALSE(Exists(res::kPods, "default", "p"));
  eviction["metadata"]["name"] = "missing";
  EXPECT_TRUE(client_.Create(res::kPods, "default", eviction, sub).status().Is(StatusCode::kNotFound));
}

TEST_F(KindSpecific, ScaleSubresourceReadsAndWritesReplicas) {
  Json d = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"metadata", {{"name", "d"}, {"namespace", "default"}}},
            {"spec", {{"replicas", 2}, {"selector", {{"matchLabels", {{"app", "d"}}}}},
                      {"template", {{"metadata", {{"labels", {{"app", "d"}}}}},
                                    {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "i"}}})}}}}}}}};
  MustCreate(res::kDeployments, d);
  api::GetOptions g;
  g.subresource = "scale";
  auto scale = client_.Get(res::kDeployments, "default", "d", g);
  ASSERT_TRUE(scale.ok()) << scale.status().ToString();
  EXPECT_EQ((*scale)["kind"], "Scale");
  EXPECT_EQ((*scale)["spec"]["replicas"], 2);
  EXPECT_EQ(GetString(*scale, "status.selector"), "app=d");
  api::WriteOptions sub;
  sub.subresource = "scale";
  auto r = client_.Patch(res::kDeployments, "default", "d", PatchType::kMerge, R"({"spec":{"replicas":5}})", sub);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["spec"]["replicas"], 5);
  auto after = client_.Get(res::kDeployments, "default", "d");
  EXPECT_EQ((*after)["spec"]["replicas"], 5);
  EXPECT_EQ(api::Generation(*after), 2);
}

TEST_F(KindSpecific, CreatedCrdIsEstablishedAndServed) {
  InstallWidgets();
  auto crd = client_.Get(res::kCustomResourceDefinitions, "", "widgets.example.com");
  ASSERT_TRUE(crd.ok());
  EXPECT_TRUE(api::IsConditionTrue(*crd, "Established"));
  EXPECT_TRUE(api::IsConditionTrue(*crd, "NamesAccepted"));
  EXPECT_EQ((*crd)["status"]["storedVersions"], Json::array({"v1"}));
  EXPECT_EQ(GetString(*crd, "status.acceptedNames.kind"), "Widget");
  EXPECT_TRUE(client_.List(kWidgets, "default").ok());
  auto type = server_->Resolve(kWidgets);
  ASSERT_TRUE(type.has_value());
  EXPECT_TRUE(type->is_custom);
}

// After a CRD's schema is tightened, objects stored under the old one can still be updated
// and patched where they do not change the now-invalid values (validation ratcheting), and
// their status written; changing such a value to another invalid one is refused.
TEST_F(KindSpecific, TighteningACrdSchemaRatchetsUpdatesOfStoredObjects) {
  InstallWidgets();
  Json w = Widget("w");
  w["spec"]["size"] = 50;
  MustCreate(kWidgets, w);
  auto crd = client_.Get(res::kCustomResourceDefinitions, "", "widgets.example.com");
  ASSERT_TRUE(crd.ok());
  (*crd)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        ["size"]["maximum"] = 10;
  ASSERT_TRUE(client_.Update(res::kCustomResourceDefinitions, "", *crd).ok());
  Settle();

  auto recolored = client_.Patch(kWidgets, "default", "w", PatchType::kMerge,
                                 R"({"spec":{"color":"blue"}})");
  EXPECT_TRUE(recolored.ok()) << recolored.status().ToString();
  api::WriteOptions to_status;
  to_status.subresource = "status";
  auto status = client_.Patch(kWidgets, "default", "w", PatchType::kMerge,
                              R"({"status":{"phase":"Ready"}})", to_status);
  EXPECT_TRUE(status.ok()) << status.status().ToString();
  auto grown = client_.Patch(kWidgets, "default", "w", PatchType::kMerge, R"({"spec":{"size":60}})");
  EXPECT_TRUE(grown.status().Is(StatusCode::kInvalid)) << grown.status().ToString();
  auto fixed = client_.Patch(kWidgets, "default", "w", PatchType::kMerge, R"({"spec":{"size":5}})");
  EXPECT_TRUE(fixed.ok()) << fixed.status().ToString();
  Json fresh = Widget("fresh");
  fresh["spec"]["size"] = 50;
  EXPECT_TRUE(client_.Create(kWidgets, "default", fresh).status().Is(StatusCode::kInvalid));
}

TEST_F(KindSpecific, DeletingACrdDeletesItsObjectsThenUnregisters) {
  InstallWidgets();
  MustCreate(kWidgets, Widget("a"));
  Json held = Widget("held");
  held["metadata"]["finalizers"] = Json::array({"example.com/hold"});
  MustCreate(kWidgets, held);
  ASSERT_TRUE(client_.Delete(res::kCustomResourceDefinitions, "", "widgets.example.com").ok());
  Settle();
  EXPECT_FALSE(Exists(kWidgets, "default", "a"));
  auto crd = client_.Get(res::kCustomResourceDefinitions, "", "widgets.example.com");
  ASSERT_TRUE(crd.ok()) << "a held object keeps the CRD";
  EXPECT_TRUE(api::IsConditionTrue(*crd, "Terminating"));
  auto refused = client_.Create(kWidgets, "default", Widget("new"));
  EXPECT_TRUE(refused.status().Is(StatusCode::kMethodNotAllowed)) << refused.status().ToString();
  ASSERT_TRUE(client_.Patch(kWidgets, "default", "held", PatchType::kMerge,
                            R"({"metadata":{"finalizers":null}})").ok());
  Settle();
  EXPECT_FALSE(Exists(res::kCustomResourceDefinitions, "", "widgets.example.com"));
  EXPECT_TRUE(client_.List(kWidgets, "default").status().Is(StatusCode::kNotFound));
}

TEST_F(KindSpecific, InvalidCrdsAreRefused) {
  Json bad = WidgetCrdJson();
  bad["metadata"]["name"] = "wrong.example.com";
  auto r = client_.Create(res::kCustomResourceDefinitions, "", bad);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kInvalid)) << r.status().ToString();
  EXPECT_FALSE(server_->Resolve(kWidgets).has_value());
}

TEST_F(KindSpecific, SeveralServedVersionsShareOneStorage) {
  Json crd = WidgetCrdJson();
  Json v2 = crd["spec"]["versions"][0];
  v2["name"] = "v2";
  v2["storage"] = false;
  crd["spec"]["versions"].push_back(v2);
  MustCreate(res::kCustomResourceDefinitions, crd);
  MustCreate(kWidgets, Widget("w"));
  api::GroupVersionResource v2gvr{"example.com", "v2", "widgets"};
  auto got = client_.Get(v2gvr, "default", "w");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(api::ApiVersionOf(*got), "example.com/v2");
  auto list = client_.List(v2gvr, "default");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["items"].size(), 1u);
}

TEST_F(KindSpecific, LoadCrdsReadsEveryFileOfADirectory) {
  auto dir = std::filesystem::temp_directory_path() / ("kt-crds-" + std::to_string(env_.seed()) + "-" +
                                                       std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "widgets.yaml") << DumpJson(WidgetCrdJson());
    std::ofstream(dir / "notes.txt") << "not a manifest";
  }
  Status s = server_->LoadCrds(dir.string());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(client_.List(kWidgets, "default").ok());
  // Loading again updates in place.
  EXPECT_TRUE(server_->LoadCrds(dir.string()).ok());
  EXPECT_TRUE(server_->LoadCrds((dir / "missing").string()).Is(StatusCode::kNotFound));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kt::sim::testing
