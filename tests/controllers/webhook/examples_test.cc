// Kaito's own example workspaces (../shared/reference/kaito/v0.4.6/examples, every file) and the
// user's document (../shared/seed/*.txt, every YAML block with a Workspace) run through the
// webhook as a kubectl apply would, with the release namespace's default ConfigMaps installed
// and the ConfigMaps of the same file present. The table below states which are accepted and
// which are rejected and why; the test prints every verdict. Skipped when ../shared is absent.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "test_util.h"

namespace kt::webhook {
namespace {

using testing::Env;

namespace fs = std::filesystem;

const char* const kExamplesDir = "../shared/reference/kaito/v0.4.6/examples";
const char* const kV032ExamplesDir = "../shared/reference/kaito/v0.3.2/examples";
const char* const kSeedDir = "../shared/seed";

struct Expectation {
  bool allowed;
  const char* why;  // a substring of the denial ("" when allowed)
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Applies the documents of one file: ConfigMaps are stored first (as a second `kubectl apply`
// would find them), then each Workspace is validated. Returns one verdict per Workspace.
std::vector<Verdict> Apply(const std::string& text, Env& env, std::string* error) {
  std::vector<Verdict> out;
  auto docs = ParseYamlDocuments(text);
  if (!docs.ok()) {
    *error = docs.status().ToString();
    return out;
  }
  for (Json& d : *docs) {
    if (GetString(d, "kind") == "ConfigMap") {
      if (GetString(d, "metadata.namespace").empty()) d["metadata"]["namespace"] = "default";
      env.config_maps.Put(d);
    }
  }
  for (Json& d : *docs) {
    if (GetString(d, "kind") != "Workspace") continue;
    if (GetString(d, "metadata.namespace").empty()) d["metadata"]["namespace"] = "default";
    out.push_back(Validate(Operation::kCreate, nullptr, d, env.ctx));
  }
  return out;
}

std::string Describe(const Verdict& v) { return v.allowed ? "ACCEPTED" : "REJECTED: " + v.message; }

const std::map<std::string, Expectation>& V046Expectations() {
  static const auto* const kTable = new std::map<std::string, Expectation>{
      // Named ConfigMaps are looked up in the workspace's namespace; the output image is a
      // placeholder with an upper-case repository.
      {"fine-tuning/kaito_workspace_tuning_falcon_7b_mental.yaml",
       {false,
        "ConfigMap 'qlora-params-template' specified in 'config' not found in namespace "
        "'default'"}},
      {"fine-tuning/kaito_workspace_tuning_falcon_7b_oai.yaml",
       {false, "ConfigMap 'my-qlora-params' specified in 'config' not found"}},
      {"fine-tuning/kaito_workspace_tuning_phi_3.yaml",
       {false, "invalid value: repository name must be lowercase: tuning.Output.Image"}},
      // Arc examples carry the placeholder instance type "<your-vm-sku>".
      {"inference/arc-examples/kaito_workspace_deepseek_r1_distill_llama_8b.yaml",
       {false, "Unsupported instance type <your-vm-sku>"}},
      {"inference/arc-examples/"
       "kaito_workspace_deepseek_r1_distill_llama_8b_with_customized_config.yaml",
       {false, "Unsupported instance type <your-vm-sku>"}},
      {"inference/arc-examples/kaito_workspace_deepseek_r1_distill_qwen_14b.yaml",
       {false, "Unsupported instance type <your-vm-sku>"}},
      {"inference/arc-examples/kaito_workspace_phi_2.yaml", {false, "Unsupported instance type"}},
      {"inference/arc-examples/kaito_workspace_phi_3.5-instruct.yaml",
       {false, "Unsupported instance type"}},
      {"inference/arc-examples/kaito_workspace_phi_3_medium_128k.yaml",
       {false, "Unsupported instance type"}},
      {"inference/arc-examples/kaito_workspace_phi_3_medium_4k.yaml",
       {false, "Unsupported instance type"}},
      {"inference/arc-examples/kaito_workspace_phi_3_mini_128k.yaml",
       {false, "Unsupported instance type"}},
      {"inference/arc-examples/kaito_workspace_phi_3_mini_4k.yaml",
       {false, "Unsupported instance type"}},
      {"inference/arc-examples/kaito_workspace_phi_3_with_adapters.yaml",
       {false, "Unsupported instance type"}},
      {"inference/arc-examples/kaito_workspace_phi_4_mini.yaml",
       {false, "Unsupported instance type"}},
      {"inference/arc-examples/kaito_workspace_qwen_2.5_coder_7b-instruct.yaml",
       {false, "Unsupported instance type"}},
      {"inference/kaito_workspace_custom_config.yaml", {true, ""}},
      {"inference/kaito_workspace_deepseek_r1_distill_llama_8b.yaml", {true, ""}},
      {"inference/kaito_workspace_deepseek_r1_distill_qwen_14b.yaml", {true, ""}},
      {"inference/kaito_workspace_falcon_40b-instruct.yaml", {true, ""}},
      {"inference/kaito_workspace_falcon_40b.yaml", {true, ""}},
      {"inference/kaito_workspace_falcon_7b-instruct.yaml", {true, ""}},
      {"inference/kaito_workspace_falcon_7b.yaml", {true, ""}},
      // An AWS instance type; this webhook has Azure's table only.
      {"inference/kaito_workspace_falcon_7b_aws.yaml",
       {false, "Unsupported instance type g5.4xlarge"}},
      // vLLM is the default runtime: falcon cannot serve LoRA there, and strength is unsupported.
      {"inference/kaito_workspace_falcon_7b_with_adapters.yaml",
       {false,
        "Runtime validation: vLLM does not support LoRA adapters for this model: falcon-7b; "
        "vLLM does not support adapter strength"}},
      // llama-3.1 downloads weights at runtime and needs presetOptions.modelAccessSecret.
      {"inference/kaito_workspace_llama-3.1_8b_instruct.yaml",
       {false, "This preset requires a modelAccessSecret with HF_TOKEN key"}},
      {"inference/kaito_workspace_mistral_7b-instruct.yaml", {true, ""}},
      {"inference/kaito_workspace_mistral_7b.yaml", {true, ""}},
      {"inference/kaito_workspace_phi_2.yaml", {true, ""}},
      {"inference/kaito_workspace_phi_3.5-instruct.yaml", {true, ""}},
      {"inference/kaito_workspace_phi_3_medium_128k.yaml", {true, ""}},
      {"inference/kaito_workspace_phi_3_medium_4k.yaml", {true, ""}},
      {"inference/kaito_workspace_phi_3_mini_128k.yaml", {true, ""}},
      {"inference/kaito_workspace_phi_3_mini_4k.yaml", {true, ""}},
      {"inference/kaito_workspace_phi_3_with_adapters.yaml",
       {false, "Runtime validation: vLLM does not support adapter strength"}},
      {"inference/kaito_workspace_phi_4.yaml", {true, ""}},
      {"inference/kaito_workspace_phi_4_mini.yaml", {true, ""}},
      {"inference/kaito_workspace_qwen_2.5_coder_32b-instruct.yaml", {true, ""}},
      {"inference/kaito_workspace_qwen_2.5_coder_7b-instruct.yaml", {true, ""}},
      {"inference/kaito_workspace_tool_calling.yaml", {true, ""}},
  };
  return *kTable;
}

TEST(ExamplesTest, KaitoV046ExamplesAreAcceptedOrRejectedAsKaitoWould) {
  if (!fs::exists(kExamplesDir)) GTEST_SKIP() << kExamplesDir << " absent";
  std::map<std::string, std::string> seen;
  for (const auto& entry : fs::recursive_directory_iterator(kExamplesDir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    const std::string rel = fs::relative(entry.path(), kExamplesDir).generic_string();
    Env env;
    std::string error;
    std::vector<Verdict> verdicts = Apply(ReadFile(entry.path()), env, &error);
    ASSERT_TRUE(error.empty()) << rel << ": " << error;
    ASSERT_EQ(verdicts.size(), 1u) << rel;
    const Verdict& v = verdicts[0];
    std::cout << "[v0.4.6 example] " << rel << ": " << Describe(v) << "\n";
    seen[rel] = Describe(v);
    auto it = V046Expectations().find(rel);
    ASSERT_NE(it, V046Expectations().end())
        << "unclassified example " << rel << ": " << Describe(v);
    EXPECT_EQ(v.allowed, it->second.allowed) << rel << ": " << Describe(v);
    if (!it->second.allowed) {
      EXPECT_NE(v.message.find(it->second.why), std::string::npos) << rel << ": " << v.message;
    }
  }
  EXPECT_EQ(seen.size(), V046Expectations().size());
}

TEST(ExamplesTest, LlamaTwoExamplesOfV032AreRejectedAtV046) {
  if (!fs::exists(kV032ExamplesDir)) GTEST_SKIP() << kV032ExamplesDir << " absent";
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kV032ExamplesDir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.find("llama2") == std::string::npos) continue;
    Env env;
    std::string error;
    std::vector<Verdict> verdicts = Apply(ReadFile(entry.path()), env, &error);
    ASSERT_EQ(verdicts.size(), 1u) << name << error;
    EXPECT_FALSE(verdicts[0].allowed) << name;
    EXPECT_NE(verdicts[0].message.find("Unsupported inference preset name llama-2-"),
              std::string::npos)
        << verdicts[0].message;
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

// The YAML of each fenced block that holds a Workspace: from its first "apiVersion:" line up
// to a shell prompt ("$ ...") or the end of the block.
std::vector<std::string> SeedWorkspaceBlocks(const std::string& text) {
  std::vector<std::string> blocks;
  std::istringstream in(text);
  std::string line, current;
  bool in_fence = false, in_yaml = false;
  auto flush = [&] {
    if (current.find("kind: Workspace") != std::string::npos) blocks.push_back(current);
    current.clear();
    in_yaml = false;
  };
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      if (in_fence) flush();
      in_fence = !in_fence;
      continue;
    }
    if (!in_fence) continue;
    if (line.rfind("apiVersion:", 0) == 0) {
      if (in_yaml) flush();
      in_yaml = true;
    } else if (line.rfind("$", 0) == 0) {
      if (in_yaml) flush();
      continue;
    }
    if (in_yaml) current += line + "\n";
  }
  return blocks;
}

TEST(ExamplesTest, SeedDocumentWorkspaces) {
  if (!fs::exists(kSeedDir)) GTEST_SKIP() << kSeedDir << " absent";
  // Blocks of the user's document in order: the Phi-3 quick start, the tuning workspace shown
  // by `cat`, the adapters workspace, and its tuning twin.
  const std::map<std::string, std::vector<Expectation>> kExpected = {
      {"000_2d00ab64ce2fe0d2.txt",
       {{true, ""},
        {false, "invalid value: repository name must be lowercase: tuning.Output.Image"},
        {false, "Runtime validation: vLLM does not support adapter strength"},
        {false, "invalid value: repository name must be lowercase: tuning.Output.Image"}}}};
  for (const auto& entry : fs::directory_iterator(kSeedDir)) {
    if (entry.path().extension() != ".txt") continue;
    const std::string name = entry.path().filename().string();
    std::vector<std::string> blocks = SeedWorkspaceBlocks(ReadFile(entry.path()));
    auto expected = kExpected.find(name);
    if (expected != kExpected.end()) {
      ASSERT_EQ(blocks.size(), expected->second.size()) << name;
    }
    for (size_t i = 0; i < blocks.size(); ++i) {
      Env env;
      std::string error;
      std::vector<Verdict> verdicts = Apply(blocks[i], env, &error);
      ASSERT_TRUE(error.empty()) << name << " block " << i + 1 << ": " << error;
      ASSERT_EQ(verdicts.size(), 1u);
      std::cout << "[seed] " << name << " block " << i + 1 << ": " << Describe(verdicts[0]) << "\n";
      if (expected == kExpected.end()) continue;
      const Expectation& want = expected->second[i];
      EXPECT_EQ(verdicts[0].allowed, want.allowed) << Describe(verdicts[0]);
      if (!want.allowed) {
        EXPECT_NE(verdicts[0].message.find(want.why), std::string::npos) << verdicts[0].message;
      }
    }
  }
}

TEST(ExamplesTest, SeedQuickStartIsAcceptedAsV1alpha1AndV1beta1) {
  Env env;
  for (const char* version : {"kaito.sh/v1alpha1", "kaito.sh/v1beta1"}) {
    for (const char* preset : {"phi-3-mini-4k-instruct", "phi-3-mini-128k-instruct"}) {
      Json ws = testing::Yaml(
          std::string("apiVersion: ") + version +
          "\nkind: Workspace\nmetadata: {name: workspace-phi-3-mini, namespace: default}\n"
          "resource:\n  instanceType: \"Standard_NC6s_v3\"\n"
          "  labelSelector: {matchLabels: {apps: phi-3}}\n"
          "inference:\n  preset: {name: " +
          preset + "}\n");
      Verdict v = Validate(Operation::kCreate, nullptr, ws, env.ctx);
      EXPECT_TRUE(v.allowed) << version << " " << preset << ": " << v.message;
    }
  }
}

}  // namespace
}  // namespace kt::webhook
