// Proves the API server's object semantics under SimEnv: one global resourceVersion, server-set
// uid/creationTimestamp/generation, generation bumped only by spec changes, optimistic
// concurrency, no-op writes, the status subresource, generateName, dryRun, default namespaces,
// namespace existence (404) and termination (403), the create/update rules of the request
// (namespace and name must match the URL), and bad input answered with the right Status and
// nothing changed.
#include <gtest/gtest.h>

#include "tests/sim/apiserver/sim_fixture.h"

namespace kt::sim::testing {
namespace {

using api::PatchType;
namespace res = api::resources;

class StoreSemantics : public SimApiServerTest {};

TEST_F(StoreSemantics, DefaultNamespacesExistAndAreActive) {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    auto r = client_.Get(res::kNamespaces, "", ns);
    ASSERT_TRUE(r.ok()) << ns;
    EXPECT_EQ(GetString(*r, "status.phase"), "Active");
    EXPECT_EQ(api::Label(*r, "kubernetes.io/metadata.name").value_or(""), ns);
  }
}

TEST_F(StoreSemantics, ResourceVersionIsOneGlobalIncreasingCounter) {
  Json a = MustCreate(res::kConfigMaps, ConfigMap("a"));
  Json b = MustCreate(res::kConfigMaps, ConfigMap("b", "kube-system"));
  int64_t rva = std::stoll(api::ResourceVersion(a)), rvb = std::stoll(api::ResourceVersion(b));
  EXPECT_EQ(rvb, rva + 1);
  auto list = client_.List(res::kConfigMaps, "");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(GetString(*list, "metadata.resourceVersion"), std::to_string(rvb));
  EXPECT_EQ(server_->resource_version(), static_cast<uint64_t>(rvb));
}

TEST_F(StoreSemantics, CreateSetsUidCreationTimestampAndGeneration) {
  Json a = MustCreate(res::kConfigMaps, ConfigMap("a"));
  EXPECT_EQ(api::Uid(a).size(), 36u);
  EXPECT_EQ(GetString(a, "metadata.creationTimestamp"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(api::Generation(a), 1);
  EXPECT_EQ(api::Kind(a), "ConfigMap");
}

TEST_F(StoreSemantics, CreateReplacesWhatOnlyTheServerSets) {
  Json cm = ConfigMap("sent");
  Json& meta = cm["metadata"];
  meta["uid"] = "client-uid";
  meta["creationTimestamp"] = "2020-01-01T00:00:00Z";
  meta["deletionTimestamp"] = "2020-01-02T00:00:00Z";
  meta["deletionGracePeriodSeconds"] = 30;
  meta["generation"] = 7;
  meta["selfLink"] = "/api/v1/namespaces/default/configmaps/sent";
  meta["labels"] = {{"kept", "yes"}};
  Json a = MustCreate(res::kConfigMaps, cm);
  EXPECT_EQ(api::Uid(a).size(), 36u);
  EXPECT_NE(api::Uid(a), "client-uid");
  EXPECT_EQ(GetString(a, "metadata.creationTimestamp"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(api::Generation(a), 1);
  EXPECT_FALSE(api::IsDeleting(a));
  for (const char* gone : {"deletionGracePeriodSeconds", "selfLink"}) {
    EXPECT_EQ(FindPath(a, std::string("metadata.") + gone), nullptr) << gone;
  }
  EXPECT_EQ(GetString(a, "metadata.labels.kept"), "yes");
}

// The server's fields are merged into the metadata a client sent, which stays in key order
// (lookups of larger objects bisect it): with members on both sides of each added field, every
// member is found where it belongs.
TEST_F(StoreSemantics, CreatedMetadataStaysInKeyOrder) {
  Json cm = ConfigMap("ordered");
  Json& meta = cm["metadata"];
  meta["annotations"] = {{"a", "1"}};
  meta["finalizers"] = Json::array({"example.com/hold"});
  meta["labels"] = {{"l", "2"}};
  meta["managedFields"] = Json::array();
  meta["ownerReferences"] = Json::array();
  meta["zzz"] = 1;  // unknown: pruned
  Json a = MustCreate(res::kConfigMaps, cm);
  const auto& stored = a["metadata"].get_ref<const Json::object_t&>();
  ASSERT_GT(stored.size(), 8u);
  for (auto it = std::next(stored.begin()); it != stored.end(); ++it) {
    EXPECT_LT(CompareKeys(std::prev(it)->first, it->first), 0) << it->first;
  }
  for (const char* key : {"annotations", "creationTimestamp", "finalizers", "generation",
                          "labels", "name", "namespace", "resourceVersion", "uid"}) {
    EXPECT_NE(FindMember(a["metadata"], key), nullptr) << key;
  }
  EXPECT_EQ(FindMember(a["metadata"], "zzz"), nullptr);
}

TEST_F(StoreSemantics, GenerationMovesOnlyOnSpecChanges) {
  InstallWidgets();
  Json w = MustCreate(kWidgets, Widget("w"));
  auto labeled = client_.Patch(kWidgets, "default", "w", PatchType::kMerge,
                               R"({"metadata":{"labels":{"x":"y"}}})");
  ASSERT_TRUE(labeled.ok());
  EXPECT_EQ(api::Generation(*labeled), 1);
  auto spec = client_.Patch(kWidgets, "default", "w", PatchType::kMerge, R"({"spec":{"size":3}})");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(api::Generation(*spec), 2);
  api::WriteOptions st;
  st.subresource = "status";
  auto status = client_.Patch(kWidgets, "default", "w", PatchType::kMerge,
                              R"({"status":{"phase":"Ready"}})", st);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(api::Generation(*status), 2);
}

TEST_F(StoreSemantics, ANoOpWriteKeepsTheResourceVersion) {
  Json a = MustCreate(res::kConfigMaps, ConfigMap("a"));
  auto same = client_.Update(res::kConfigMaps, "default", a);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(api::ResourceVersion(*same), api::ResourceVersion(a));
  auto patched = client_.Patch(res::kConfigMaps, "default", "a", PatchType::kMerge, R"({"data":{"k":"v"}})");
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(api::ResourceVersion(*patched), api::ResourceVersion(a));
}

TEST_F(StoreSemantics, PatchCarryingAStaleResourceVersionIsConflict) {
  Json a = MustCreate(res::kConfigMaps, ConfigMap("a"));
  ASSERT_TRUE(client_.Patch(res::kConfigMaps, "default", "a", PatchType::kMerge, R"({"data":{"k":"2"}})").ok());
  auto r = client_.Patch(res::kConfigMaps, "default", "a", PatchType::kMerge,
                         R"({"metadata":{"resourceVersion":")" + api::ResourceVersion(a) + R"("},"data":{"k":"3"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kConflict));
}

TEST_F(StoreSemantics, UpdateOfACustomResourceRequiresAResourceVersion) {
  InstallWidgets();
  MustCreate(kWidgets, Widget("w"));
  Json w = Widget("w");
  auto r = client_.Update(kWidgets, "default", w);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kInvalid));
  EXPECT_NE(r.status().message().find("must be specified for an update"), std::string::npos);
  // Built-in kinds allow unconditional updates.
  Json cm = ConfigMap("c");
  MustCreate(res::kConfigMaps, cm);
  cm["data"]["k"] = "new";
  EXPECT_TRUE(client_.Update(res::kConfigMaps, "default", cm).ok());
}

TEST_F(StoreSemantics, StatusIsDroppedWhenACustomResourceIsCreated) {
  InstallWidgets();
  Json w = Widget("w");
  w["status"] = {{"phase", "Faked"}};
  Json created = MustCreate(kWidgets, w);
  EXPECT_FALSE(created.contains("status"));
}

TEST_F(StoreSemantics, GenerateNameMakesAUniqueName) {
  Json cm = ConfigMap("");
  cm["metadata"].erase("name");
  cm["metadata"]["generateName"] = "job-";
  Json a = MustCreate(res::kConfigMaps, cm);
  Json b = MustCreate(res::kConfigMaps, cm);
  EXPECT_EQ(api::Name(a).rfind("job-", 0), 0u);
  EXPECT_EQ(api::Name(a).size(), 9u);
  EXPECT_NE(api::Name(a), api::Name(b));
}

TEST_F(StoreSemantics, DryRunValidatesButPersistsNothing) {
  api::WriteOptions dry;
  dry.dry_run = true;
  uint64_t rv = server_->resource_version();
  auto r = client_.Create(res::kConfigMaps, "default", ConfigMap("dry"), dry);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(api::Uid(*r).empty());
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "dry"));
  EXPECT_EQ(server_->resource_version(), rv);
  MustCreate(res::kConfigMaps, ConfigMap("real"));
  api::DeleteOptions del;
  del.dry_run = true;
  ASSERT_TRUE(client_.Delete(res::kConfigMaps, "default", "real", del).ok());
  EXPECT_TRUE(Exists(res::kConfigMaps, "default", "real"));
}

TEST_F(StoreSemantics, CreatingInAMissingNamespaceIsNotFound) {
  auto r = client_.Create(res::kConfigMaps, "nowhere", ConfigMap("a", "nowhere"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(r.status().message(), "namespaces \"nowhere\" not found");
}

TEST_F(StoreSemantics, CreatingInATerminatingNamespaceIsForbidden) {
  MustCreate(res::kNamespaces, Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "doomed"}}}});
  Json held = ConfigMap("held", "doomed");
  held["metadata"]["finalizers"] = Json::array({"example.com/hold"});
  MustCreate(res::kConfigMaps, held);
  ASSERT_TRUE(client_.Delete(res::kNamespaces, "", "doomed").ok());
  Settle();
  auto r = client_.Create(res::kConfigMaps, "doomed", ConfigMap("late", "doomed"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kForbidden));
  EXPECT_EQ(r.status().message(),
            "unable to create new content in namespace doomed because it is being terminated");
}

TEST_F(StoreSemantics, BodyNamespaceMustMatchTheRequest) {
  ResourceRef ref{res::kConfigMaps, "default", "", ""};
  auto r = server_->Create(ref, ConfigMap("a", "kube-system"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
  EXPECT_EQ(r.status().message(),
            "the namespace of the provided object does not match the namespace sent on the request");
}

TEST_F(StoreSemantics, UpdateNameMustMatchTheUrl) {
  MustCreate(res::kConfigMaps, ConfigMap("a"));
  auto r = server_->Update(ResourceRef{res::kConfigMaps, "default", "a", ""}, ConfigMap("b"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest));
  EXPECT_EQ(r.status().message(), "the name of the object (b) does not match the name on the URL (a)");
}

TEST_F(StoreSemantics, ResourceVersionOnCreateIsRefused) {
  Json cm = ConfigMap("a");
  cm["metadata"]["resourceVersion"] = "5";
  auto r = client_.Create(res::kConfigMaps, "default", cm);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "resourceVersion should not be set on objects to be created");
  EXPECT_FALSE(Exists(res::kConfigMaps, "default", "a"));
}

TEST_F(StoreSemantics, UnknownResourcesAreNotFound) {
  auto r = client_.List(api::GroupVersionResource{"nope.io", "v1", "things"}, "default");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kNotFound));
  EXPECT_EQ(r.status().message(), "the server could not find the requested resource");
}

TEST_F(StoreSemantics, SchemaViolationsAreInvalidAndChangeNothing) {
  InstallWidgets();
  uint64_t rv = server_->resource_version();
  Json w = Widget("bad");
  w["spec"]["size"] = "big";
  auto r = client_.Create(kWidgets, "default", w);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kInvalid)) << r.status().ToString();
  EXPECT_NE(r.status().message().find("Widget.example.com \"bad\" is invalid"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(server_->resource_version(), rv);
  EXPECT_FALSE(Exists(kWidgets, "default", "bad"));
}

TEST_F(StoreSemantics, StrictFieldValidationRejectsUnknownFields) {
  InstallWidgets();
  Json w = Widget("w");
  w["spec"]["colour"] = "typo";
  api::WriteOptions strict;
  strict.field_validation = "Strict";
  auto r = client_.Create(kWidgets, "default", w, strict);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest)) << r.status().ToString();
  EXPECT_NE(r.status().message().find("unknown field \"spec.colour\""), std::string::npos)
      << r.status().message();
  // Without Strict the unknown field is pruned.
  auto pruned = client_.Create(kWidgets, "default", w);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_FALSE((*pruned)["spec"].contains("colour"));
}

TEST_F(StoreSemantics, InvalidNamesAndLabelsAreInvalid) {
  auto bad_name = client_.Create(res::kConfigMaps, "default", ConfigMap("Not_Valid"));
  ASSERT_FALSE(bad_name.ok());
  EXPECT_TRUE(bad_name.status().Is(StatusCode::kInvalid));
  EXPECT_NE(bad_name.status().message().find("RFC 1123 subdomain"), std::string::npos);
  Json cm = ConfigMap("ok");
  cm["metadata"]["labels"]["bad key!"] = "v";
  auto bad_label = client_.Create(res::kConfigMaps, "default", cm);
  ASSERT_FALSE(bad_label.ok());
  EXPECT_TRUE(bad_label.status().Is(StatusCode::kInvalid));
}

TEST_F(StoreSemantics, MalformedPatchesAreBadRequestAndChangeNothing) {
  MustCreate(res::kConfigMaps, ConfigMap("a"));
  uint64_t rv = server_->resource_version();
  EXPECT_TRUE(client_.Patch(res::kConfigMaps, "default", "a", PatchType::kMerge, "{not json")
                  .status().Is(StatusCode::kBadRequest));
  EXPECT_TRUE(client_.Patch(res::kConfigMaps, "default", "a", PatchType::kMerge, "[1,2]")
                  .status().Is(StatusCode::kBadRequest));
  EXPECT_TRUE(client_.Patch(res::kConfigMaps, "default", "a", PatchType::kJson, R"({"op":"add"})")
                  .status().Is(StatusCode::kBadRequest));
  EXPECT_EQ(server_->resource_version(), rv);
}

TEST_F(StoreSemantics, StrategicMergePatchOnACustomResourceIsUnsupportedMediaType) {
  InstallWidgets();
  MustCreate(kWidgets, Widget("w"));
  auto r = client_.Patch(kWidgets, "default", "w", PatchType::kStrategicMerge, R"({"spec":{"size":2}})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kUnsupportedMediaType)) << r.status().ToString();
}

TEST_F(StoreSemantics, StrategicMergePatchMergesContainersByName) {
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "default"}}},
              {"spec", {{"containers", Json::array({{{"name", "a"}, {"image", "a:1"}},
                                                    {{"name", "b"}, {"image", "b:1"}}})}}}};
  MustCreate(res::kPods, pod);
  auto r = client_.Patch(res::kPods, "default", "p", PatchType::kStrategicMerge,
                         R"({"spec":{"containers":[{"name":"b","image":"b:2"}]}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)["spec"]["containers"].size(), 2u);
  EXPECT_EQ((*r)["spec"]["containers"][1]["image"], "b:2");
  EXPECT_EQ((*r)["spec"]["containers"][0]["image"], "a:1");
}

TEST_F(StoreSemantics, ServerSideApplyCreatesThenUpdatesAndTracksManagers) {
  InstallWidgets();
  api::WriteOptions apply;
  apply.field_manager = "tester";
  std::string cfg = R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"default"},"spec":{"color":"red"}})";
  auto created = client_.Patch(kWidgets, "default", "w", PatchType::kApply, cfg, apply);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE((*created)["metadata"].contains("managedFields"));
  EXPECT_EQ((*created)["metadata"]["managedFields"][0]["manager"], "tester");
  auto again = client_.Patch(kWidgets, "default", "w", PatchType::kApply,
                             R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"color":"blue"}})",
                             apply);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)["spec"]["color"], "blue");
  api::WriteOptions no_manager;
  auto refused = client_.Patch(kWidgets, "default", "w", PatchType::kApply, cfg, no_manager);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().Is(StatusCode::kBadRequest));
}

// Ordinary writes record typed ownership, as kube-apiserver does: a strategic merge patch that
// changes one container's image owns that container's image, so a later apply by another
// manager conflicts at the item's field, not at the whole containers list.
TEST_F(StoreSemantics, UpdatesOwnListItemsSoApplyConflictsNameTheItemField) {
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "default"}}},
              {"spec", {{"containers", Json::array({{{"name", "a"}, {"image", "a:1"}},
                                                    {{"name", "b"}, {"image", "b:1"}}})}}}};
  MustCreate(res::kPods, pod);
  api::WriteOptions editor;
  editor.field_manager = "kubectl-edit";
  ASSERT_TRUE(client_.Patch(res::kPods, "default", "p", PatchType::kStrategicMerge,
                            R"({"spec":{"containers":[{"name":"b","image":"b:2"}]}})", editor)
                  .ok());
  api::WriteOptions applier;
  applier.field_manager = "deployer";
  auto r = client_.Patch(res::kPods, "default", "p", PatchType::kApply,
                         R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                             "spec":{"containers":[{"name":"b","image":"b:3"}]}})",
                         applier);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(R"(.spec.containers[name="b"].image)"), std::string::npos)
      << r.status().message();
}

// A status write owns only status, under an entry with subresource "status"; the spec's
// manager keeps its fields, and a status field the writer drops leaves its entry even when
// the write changes nothing else (kube subtracts removed fields from the writer's set).
TEST_F(StoreSemantics, StatusWritesOwnOnlyStatusFields) {
  InstallWidgets();
  api::WriteOptions author;
  author.field_manager = "author";
  Json w = Widget("w");
  ASSERT_TRUE(client_.Create(kWidgets, "default", w, author).ok());
  api::WriteOptions st;
  st.subresource = "status";
  st.field_manager = "reporter";
  auto first = client_.Patch(kWidgets, "default", "w", PatchType::kMerge,
                             R"({"status":{"phase":"Ready","replicas":2}})", st);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto entry = [](const Json& obj, const std::string& manager) {
    for (const Json& e : obj["metadata"]["managedFields"]) {
      if (e["manager"] == manager) return e;
    }
    return Json();
  };
  Json reporter = entry(*first, "reporter");
  ASSERT_FALSE(reporter.is_null()) << first->dump();
  EXPECT_EQ(reporter["subresource"], "status");
  EXPECT_EQ(reporter["fieldsV1"], Json::parse(R"({"f:status":{"f:phase":{},"f:replicas":{}}})"))
      << reporter.dump();
  EXPECT_TRUE(entry(*first, "author")["fieldsV1"].contains("f:spec"));

  auto second = client_.Patch(kWidgets, "default", "w", PatchType::kMerge,
                              R"({"status":{"replicas":null}})", st);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(entry(*second, "reporter")["fieldsV1"],
            Json::parse(R"({"f:status":{"f:phase":{}}})"))
      << second->dump();
  EXPECT_EQ(entry(*second, "author")["fieldsV1"], entry(*first, "author")["fieldsV1"]);
}

// A status write of a built-in kind admits only the status (with the metadata); its errors
// are named by their full paths.
TEST_F(StoreSemantics, BuiltinStatusWritesAdmitTheStatus) {
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "default"}}},
              {"spec", {{"containers", Json::array({{{"name", "a"}, {"image", "a:1"}}})}}}};
  MustCreate(res::kPods, pod);
  api::WriteOptions st;
  st.subresource = "status";
  auto wrong_type = client_.Patch(res::kPods, "default", "p", PatchType::kMerge,
                                  R"({"status":{"phase":5}})", st);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_TRUE(wrong_type.status().Is(StatusCode::kInvalid)) << wrong_type.status().ToString();
  EXPECT_NE(wrong_type.status().message().find("status.phase"), std::string::npos)
      << wrong_type.status().message();

  auto not_in_enum = client_.Patch(res::kPods, "default", "p", PatchType::kMerge,
                                   R"({"status":{"phase":"Sleeping"}})", st);
  ASSERT_FALSE(not_in_enum.ok());
  EXPECT_NE(not_in_enum.status().message().find("status.phase: Unsupported value"),
            std::string::npos)
      << not_in_enum.status().message();

  // A pod's status preserves fields it does not list (as the built-in schema says), even
  // under Strict; the spec stays the stored one.
  st.field_validation = "Strict";
  auto kept = client_.Patch(res::kPods, "default", "p", PatchType::kMerge,
                            R"({"status":{"phase":"Running","nominatedNodeName":"n1"}})", st);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ((*kept)["status"]["phase"], "Running");
  EXPECT_EQ((*kept)["status"]["nominatedNodeName"], "n1");
  EXPECT_EQ((*kept)["spec"]["containers"][0]["image"], "a:1");
}

TEST_F(StoreSemantics, TraceRecordsEveryCommittedChange) {
  uint64_t before = env_.trace().lines();
  MustCreate(res::kConfigMaps, ConfigMap("a"));
  ASSERT_TRUE(client_.Delete(res::kConfigMaps, "default", "a").ok());
  EXPECT_EQ(env_.trace().lines(), before + 2);
}

TEST_F(StoreSemantics, SameSeedSameTraceDigest) {
  auto run = [](uint64_t seed) {
    SimEnv env(SimEnv::Options{seed});
    ApiServer server(env);
    InProcessClient c(server);
    for (int i = 0; i < 20; ++i) {
      Json cm = ConfigMap("");
      cm["metadata"].erase("name");
      cm["metadata"]["generateName"] = "x-";
      EXPECT_TRUE(c.Create(api::resources::kConfigMaps, "default", cm).ok());
    }
    env.RunUntilIdle();
    return env.trace().Digest();
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

}  // namespace
}  // namespace kt::sim::testing
