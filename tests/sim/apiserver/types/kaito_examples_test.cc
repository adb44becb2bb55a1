// The project's CRDs (deploy/crds) accept every Workspace Kaito ships as an example (all
// versions under ../shared/reference/kaito) and every Workspace YAML block of the user's seed
// documents (../shared/seed/*.txt), under fieldValidation=Strict as kubectl sends it; and
// they reject what the schema forbids. The shared material is read at test time and the
// tests skip when it is absent.
#include <filesystem>
#include <regex>

#include "test_util.h"

namespace kt::sim {
namespace {

namespace fs = std::filesystem;
using testing::J;

const char* kShared = "../shared";

// Every Workspace document under `dir`, with the file it came from.
std::vector<std::pair<std::string, Json>> WorkspacesUnder(const fs::path& dir) {
  std::vector<std::pair<std::string, Json>> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    // CRD copies and Helm chart templates (not plain YAML) hold no example Workspaces.
    if (f.string().find("/config/crd/") != std::string::npos) continue;
    if (f.string().find("/charts/") != std::string::npos) continue;
    auto text = testing::ReadFile(f.string());
    if (!text) continue;
    auto docs = ParseYamlDocuments(*text);
    EXPECT_TRUE(docs.ok()) << f << ": " << docs.status().ToString();
    if (!docs.ok()) continue;
    for (Json& d : *docs) {
      if (d.is_object() && d.value("kind", "") == "Workspace") out.emplace_back(f.string(), d);
    }
  }
  return out;
}

// Admits a Workspace the way a kubectl create does (namespace set, Strict).
ValidationResult AdmitWorkspace(const TypeRegistry& r, Json ws) {
  auto gv = api::ParseApiVersion(ws.value("apiVersion", ""));
  EXPECT_TRUE(gv.ok());
  const ResourceType* t = r.Find({gv->first, gv->second, "workspaces"});
  EXPECT_NE(t, nullptr) << ws.value("apiVersion", "");
  if (t == nullptr) return {};
  ws["metadata"]["namespace"] = "default";
  return r.Admit(*t, ws, "Strict");
}

TEST(KaitoExamplesTest, EveryKaitoExampleWorkspaceValidates) {
  fs::path dir = fs::path(kShared) / "reference" / "kaito";
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " not present";
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  auto workspaces = WorkspacesUnder(dir);
  EXPECT_GE(workspaces.size(), 40u);
  for (const auto& [file, ws] : workspaces) {
    ValidationResult v = AdmitWorkspace(r, ws);
    EXPECT_TRUE(v.status.ok()) << file << ": " << v.status.ToString();
  }
}

// Kaito's own CRDs (controller-gen output of each released version) load into the twin, and
// that version's examples pass them: the twin's CRD machinery accepts what a cluster accepts.
TEST(KaitoExamplesTest, KaitoReleasedCrdsLoadAndAcceptTheirOwnExamples) {
  fs::path dir = fs::path(kShared) / "reference" / "kaito";
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " not present";
  int versions = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    fs::path crd_file = e.path() / "config" / "crd" / "bases" / "kaito.sh_workspaces.yaml";
    if (!fs::exists(crd_file)) continue;
    auto text = testing::ReadFile(crd_file.string());
    ASSERT_TRUE(text.has_value()) << crd_file;
    TypeRegistry r;
    Status s = r.AddCrd(testing::Y(*text));
    ASSERT_TRUE(s.ok()) << crd_file << ": " << s.ToString();
    ++versions;
    for (const auto& [file, ws] : WorkspacesUnder(e.path())) {
      ValidationResult v = AdmitWorkspace(r, ws);
      EXPECT_TRUE(v.status.ok()) << file << " against " << crd_file << ": " << v.status.ToString();
    }
  }
  EXPECT_GT(versions, 0);
}

// Code blocks of a markdown-ish text; within a block, segments between shell lines ("$ ...")
// that look like manifests.
std::vector<std::string> YamlSegments(const std::string& text) {
  std::vector<std::string> out;
  std::regex fence("```[a-z]*\\n([\\s\\S]*?)```");
  for (std::sregex_iterator it(text.begin(), text.end(), fence), end; it != end; ++it) {
    std::string block = (*it)[1];
    std::string segment;
    std::istringstream lines(block);
    std::string line;
    auto flush = [&] {
      if (segment.find("apiVersion:") != std::string::npos) out.push_back(segment);
      segment.clear();
    };
    while (std::getline(lines, line)) {
      if (line.rfind("$", 0) == 0) {
        flush();
        continue;
      }
      segment += line + "\n";
    }
    flush();
  }
  return out;
}

TEST(KaitoExamplesTest, EverySeedWorkspaceBlockValidates) {
  fs::path dir = fs::path(kShared) / "seed";
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " not present";
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  int checked = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".txt") continue;
    auto text = testing::ReadFile(e.path().string());
    ASSERT_TRUE(text.has_value());
    for (const std::string& seg : YamlSegments(*text)) {
      auto docs = ParseYamlDocuments(seg);
      ASSERT_TRUE(docs.ok()) << e.path() << ":\n" << seg << docs.status().ToString();
      for (const Json& d : *docs) {
        if (!d.is_object() || d.value("kind", "") != "Workspace") continue;
        ValidationResult v = AdmitWorkspace(r, d);
        EXPECT_TRUE(v.status.ok()) << e.path() << ":\n" << seg << v.status.ToString();
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0);
}

class WorkspaceSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InstallProjectCrds(r_);
    type_ = r_.Find(api::resources::kWorkspaces);
    ASSERT_NE(type_, nullptr);
  }
  Json Ws() {
    return testing::Y(R"(
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata: {name: ws, namespace: default}
resource:
  instanceType: Standard_NC12s_v3
  labelSelector: {matchLabels: {apps: phi-3}}
inference:
  preset: {name: phi-3-mini-4k-instruct}
)");
  }
  TypeRegistry r_;
  const ResourceType* type_ = nullptr;
};

TEST_F(WorkspaceSchemaTest, CountMustBeAnInteger) {
  Json ws = Ws();
  ws["resource"]["count"] = "two";
  ValidationResult v = r_.Admit(*type_, ws, "Strict");
  EXPECT_EQ(v.status.message(),
            "Workspace.kaito.sh \"ws\" is invalid: resource.count: Invalid value: \"string\": "
            "resource.count in body must be of type integer: \"string\"");
}

TEST_F(WorkspaceSchemaTest, DefaultsCountAndAccessMode) {
  Json ws = Ws();
  ASSERT_TRUE(r_.Admit(*type_, ws, "Strict").status.ok());
  EXPECT_EQ(ws["resource"]["count"], 1);
  EXPECT_EQ(ws["inference"]["preset"]["accessMode"], "public");
}

TEST_F(WorkspaceSchemaTest, LabelSelectorIsRequired) {
  Json ws = Ws();
  ws["resource"].erase("labelSelector");
  EXPECT_NE(r_.Admit(*type_, ws, "Strict")
                .status.message()
                .find("resource.labelSelector: Required value"),
            std::string::npos);
}

TEST_F(WorkspaceSchemaTest, UnknownTopLevelFieldIsRejectedUnderStrict) {
  Json ws = Ws();
  ws["spec"] = J(R"({"foo":1})");
  ValidationResult v = r_.Admit(*type_, ws, "Strict");
  EXPECT_TRUE(v.status.Is(StatusCode::kBadRequest));
  EXPECT_NE(v.status.message().find("strict decoding error: unknown field \"spec\""),
            std::string::npos);
}

TEST_F(WorkspaceSchemaTest, TemplateKeepsAnyPodTemplate) {
  Json ws = Ws();
  ws["inference"].erase("preset");
  ws["inference"]["template"] = J(R"({"spec":{"containers":[{"name":"c","image":"i","x":1}]}})");
  ValidationResult v = r_.Admit(*type_, ws, "Strict");
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(ws["inference"]["template"]["spec"]["containers"][0]["x"], 1);
}

TEST_F(WorkspaceSchemaTest, ConditionStatusMustBeTrueFalseOrUnknown) {
  Json ws = Ws();
  ws["status"] = J(R"({"conditions":[{"type":"ResourceReady","status":"Yes","reason":"r",
                   "message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
  EXPECT_NE(r_.Admit(*type_, ws, "Strict")
                .status.message()
                .find("status.conditions[0].status: Unsupported value: \"Yes\""),
            std::string::npos);
}

TEST_F(WorkspaceSchemaTest, V1alpha1HasNoModelAccessSecret) {
  Json ws = Ws();
  ws["apiVersion"] = "kaito.sh/v1alpha1";
  ws["inference"]["preset"]["presetOptions"] = J(R"({"modelAccessSecret":"s"})");
  const ResourceType* alpha = r_.Find(api::resources::kWorkspacesV1alpha1);
  EXPECT_TRUE(r_.Admit(*alpha, ws, "Strict").status.Is(StatusCode::kBadRequest));
  Json ws2 = Ws();
  ws2["inference"]["preset"]["presetOptions"] = J(R"({"modelAccessSecret":"s"})");
  EXPECT_TRUE(r_.Admit(*type_, ws2, "Strict").status.ok());
}

TEST(NodeClaimSchemaTest, KaitoStyleNodeClaimValidates) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  const ResourceType* t = r.Find(api::resources::kNodeClaims);
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->namespaced);
  Json nc = testing::Y(R"(
apiVersion: karpenter.sh/v1
kind: NodeClaim
metadata:
  name: ws0a1b2c3d4
  labels: {karpenter.sh/nodepool: kaito, kaito.sh/workspace: ws}
  annotations: {karpenter.sh/do-not-disrupt: "true"}
spec:
  nodeClassRef: {group: karpenter.azure.com, kind: AKSNodeClass, name: default}
  requirements:
  - {key: node.kubernetes.io/instance-type, operator: In, values: [Standard_NC12s_v3]}
  - {key: kubernetes.io/os, operator: In, values: [linux]}
  resources: {requests: {storage: 120Gi}}
  taints: [{key: sku, value: gpu, effect: NoSchedule}]
status:
  nodeName: aks-ws0a1b2c3d4-12345678-vmss000000
  capacity: {nvidia.com/gpu: "2", cpu: 12, memory: 224Gi}
)");
  ValidationResult v = r.Admit(*t, nc, "Strict");
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(nc["spec"]["expireAfter"], "720h");
  nc["spec"]["taints"][0]["effect"] = "Sometimes";
  EXPECT_TRUE(r.Admit(*t, nc, "Strict").status.Is(StatusCode::kInvalid));
}

}  // namespace
}  // namespace kt::sim
